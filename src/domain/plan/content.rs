//! Checking a plan's content as it is saved: every field against its rule, all at once.

use super::*;

/// Rules that hold for any saved plan, draft or not: well-formed values, known references.
/// Completeness is only demanded at submission (`parse_submission`).
pub fn check_content(
    content: &PlanContent,
    catalog: &Catalog,
    known_organisations: &HashSet<String>,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    if let Err(m) = Bounded::TITLE.required(Some(&content.title)) {
        e.add("title", m);
    }
    if let Err(m) = Bounded::SUMMARY.check(&content.summary) {
        e.add("summary", m);
    }
    for (field, text) in [
        ("description", &content.description),
        ("resident_involvement", &content.resident_involvement),
        ("gap_in_offer", &content.gap_in_offer),
    ] {
        if let Err(m) = Bounded::LONG.check(text) {
            e.add(field, m);
        }
    }

    check_goals(&mut e, content, catalog);
    check_budget_line(&mut e, content, catalog);
    check_parties(&mut e, content, known_organisations);
    check_money(&mut e, content);
    if let Some(r) = content.expected_reach {
        if !(0..=10_000_000).contains(&r) {
            e.add(
                "expected_reach",
                (
                    "must be a number of people from 0 to 10000000",
                    "vul een aantal mensen in van 0 tot en met 10.000.000",
                ),
            );
        }
    }
    if let (Some(s), Some(end)) = (content.start_year, content.end_year) {
        if s > end {
            e.add(
                "end_year",
                (
                    format!("must not be before start_year ({s})"),
                    format!("mag niet voor het beginjaar ({s}) liggen"),
                ),
            );
        }
    }
    e
}

/// The goals: codes of this round, each once, not too many.
fn check_goals(e: &mut FieldErrors, content: &PlanContent, catalog: &Catalog) {
    if content.goals.len() > LIST_MAX {
        e.add(
            "goals",
            (
                format!("must list at most {LIST_MAX} goals"),
                format!("kies hoogstens {LIST_MAX} doelen"),
            ),
        );
    } else {
        let known = catalog.goal_codes();
        let mut seen = HashSet::new();
        for (i, g) in content.goals.iter().enumerate() {
            if !known.contains(&g.as_str()) {
                e.add(
                    format!("goals[{i}]"),
                    (
                        format!(
                            "unknown goal code '{}'; this round's goals are {}",
                            g,
                            known.join(", ")
                        ),
                        format!(
                            "doel '{}' bestaat niet; de doelen van deze ronde zijn {}",
                            g,
                            known.join(", ")
                        ),
                    ),
                );
            } else if !seen.insert(g.as_str()) {
                e.add(
                    format!("goals[{i}]"),
                    (
                        format!("goal '{g}' is listed twice"),
                        format!("doel '{g}' staat er twee keer in"),
                    ),
                );
            }
        }
    }
}

/// The theme charged, when named: one of this round's.
fn check_budget_line(e: &mut FieldErrors, content: &PlanContent, catalog: &Catalog) {
    if let Some(line) = &content.budget_line {
        if catalog.theme(line).is_none() {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            e.add(
                "budget_line",
                (
                    format!(
                        "unknown theme '{}'; this round's themes are {}",
                        line,
                        codes.join(", ")
                    ),
                    format!(
                        "opgave '{}' bestaat niet; de opgaven van deze ronde zijn {}",
                        line,
                        codes.join(", ")
                    ),
                ),
            );
        }
    }
}

/// The organisations a plan names: registered ones known, others named well; the payee
/// registered; not too many of each.
fn check_parties(
    e: &mut FieldErrors,
    content: &PlanContent,
    known_organisations: &HashSet<String>,
) {
    let mut check_party = |field: String, party: &PartyRef| match party {
        PartyRef::Registered { organisation_id } => {
            if !known_organisations.contains(organisation_id) {
                e.add(
                    field,
                    (
                        format!("unknown organisation '{organisation_id}'"),
                        format!("organisatie '{organisation_id}' bestaat niet"),
                    ),
                );
            }
        }
        PartyRef::Named { name } => {
            if let Err(m) = Bounded::NAME.required(Some(name)) {
                e.add(
                    field,
                    (
                        format!("an organisation's name {}", m.en),
                        format!("de naam van een organisatie {}", m.nl),
                    ),
                );
            }
        }
    };
    if let Some(lead) = &content.lead_partner {
        check_party("lead_partner".into(), lead);
    }
    let too_many_co_leads = content.co_leads.len() > LIST_MAX;
    if !too_many_co_leads {
        for (i, p) in content.co_leads.iter().enumerate() {
            check_party(format!("co_leads[{i}]"), p);
        }
    }
    if content.partners.len() > LIST_MAX {
        e.add(
            "partners",
            (
                format!("must list at most {LIST_MAX} partners"),
                format!("noem hoogstens {LIST_MAX} partners"),
            ),
        );
    } else {
        for (i, p) in content.partners.iter().enumerate() {
            check_party(format!("partners[{i}]"), p);
        }
    }
    if too_many_co_leads {
        e.add(
            "co_leads",
            (
                format!("must list at most {LIST_MAX} co-leads"),
                format!("noem hoogstens {LIST_MAX} medetrekkers"),
            ),
        );
    }
    if let Some(payee) = &content.payee_id {
        if !known_organisations.contains(payee) {
            e.add(
                "payee_id",
                (
                    format!("unknown organisation '{payee}'"),
                    format!("organisatie '{payee}' bestaat niet"),
                ),
            );
        }
    }
}

/// The amount asked and the other funding: amounts in whole euros, sources named.
fn check_money(e: &mut FieldErrors, content: &PlanContent) {
    if let Some(r) = content.requested_eur {
        if let Err(m) = Eur::parse(r) {
            e.add("requested_eur", m);
        }
    }
    if content.other_funding.len() > LIST_MAX {
        e.add(
            "other_funding",
            (
                format!("must list at most {LIST_MAX} sources"),
                format!("noem hoogstens {LIST_MAX} andere bronnen"),
            ),
        );
    } else {
        for (i, f) in content.other_funding.iter().enumerate() {
            if let Err(m) = Bounded::NAME.required(Some(&f.source)) {
                e.add(format!("other_funding[{i}].source"), m);
            }
            if let Err(m) = Eur::parse(f.amount_eur) {
                e.add(format!("other_funding[{i}].amount_eur"), m);
            }
        }
    }
}
