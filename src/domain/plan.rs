//! A plan's content and the one function that turns a draft into a submittable plan.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{DomainError, FieldErrors};
use super::money::Eur;
use super::round::{is_open, Catalog, RoundSpec};
use super::user::ApplicantKind;

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest free text (description, involvement, gap in offer), in characters.
pub const TEXT_MAX: usize = 20_000;
/// Most goals, partners or funding sources on one plan.
pub const LIST_MAX: usize = 50;

/// An organisation on a plan: a registered one by id, or one not registered yet by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum PartyRef {
    Registered { organisation_id: String },
    Named { name: String },
}

impl PartyRef {
    pub fn organisation_id(&self) -> Option<&str> {
        match self {
            PartyRef::Registered { organisation_id } => Some(organisation_id),
            PartyRef::Named { .. } => None,
        }
    }
}

/// Funding from elsewhere: `{source, amount_eur}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherFunding {
    pub source: String,
    pub amount_eur: i64,
}

/// What the applicant writes; any field may still be missing while the plan is a draft.
/// Unknown fields are refused, so nobody sets `status` or an assessment field through it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub budget_line: Option<String>,
    #[serde(default)]
    pub lead_partner: Option<PartyRef>,
    #[serde(default)]
    pub partners: Vec<PartyRef>,
    #[serde(default)]
    pub payee_id: Option<String>,
    #[serde(default)]
    pub continuing: bool,
    #[serde(default)]
    pub requested_eur: Option<i64>,
    #[serde(default)]
    pub other_funding: Vec<OtherFunding>,
    #[serde(default)]
    pub start_year: Option<i32>,
    #[serde(default)]
    pub end_year: Option<i32>,
    #[serde(default)]
    pub expected_reach: Option<i64>,
    #[serde(default)]
    pub resident_involvement: String,
    #[serde(default)]
    pub gap_in_offer: String,
}

impl PlanContent {
    /// Every registered organisation the plan refers to (lead, partners, payee).
    pub fn organisation_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .lead_partner
            .iter()
            .chain(self.partners.iter())
            .filter_map(|p| p.organisation_id())
            .collect();
        if let Some(p) = &self.payee_id {
            ids.push(p);
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The theme a plan is charged to: the explicit one, else the theme of its first known goal.
pub fn budget_line(content: &PlanContent, catalog: &Catalog) -> Option<String> {
    match &content.budget_line {
        Some(explicit) => Some(explicit.clone()),
        None => content
            .goals
            .iter()
            .find_map(|g| catalog.theme_of_goal(g))
            .map(|t| t.code.clone()),
    }
}

/// A plan that passed every submission rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub content: PlanContent,
    pub budget_line: String,
    pub requested: Eur,
}

/// Rules that hold for any saved plan, draft or not: well-formed values, known references.
/// Completeness is only demanded at submission (`parse_submission`).
pub fn check_content(
    content: &PlanContent,
    catalog: &Catalog,
    known_organisations: &HashSet<String>,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    let title_len = content.title.trim().chars().count();
    if title_len == 0 || title_len > TITLE_MAX {
        e.add("title", format!("must be 1..{TITLE_MAX} characters"));
    } else if content.title.chars().any(char::is_control) {
        e.add("title", "must not contain control characters");
    }
    for (field, text) in [
        ("description", &content.description),
        ("resident_involvement", &content.resident_involvement),
        ("gap_in_offer", &content.gap_in_offer),
    ] {
        if text.chars().count() > TEXT_MAX {
            e.add(field, format!("must be at most {TEXT_MAX} characters"));
        } else if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            e.add(
                field,
                "must not contain control characters other than line breaks and tabs",
            );
        }
    }

    if content.goals.len() > LIST_MAX {
        e.add("goals", format!("must list at most {LIST_MAX} goals"));
    } else {
        let known = catalog.goal_codes();
        let mut seen = HashSet::new();
        for (i, g) in content.goals.iter().enumerate() {
            if !known.contains(&g.as_str()) {
                e.add(
                    format!("goals[{i}]"),
                    format!(
                        "unknown goal code '{}'; this round's goals are {}",
                        g,
                        known.join(", ")
                    ),
                );
            } else if !seen.insert(g.as_str()) {
                e.add(format!("goals[{i}]"), format!("goal '{g}' is listed twice"));
            }
        }
    }

    if let Some(line) = &content.budget_line {
        if catalog.theme(line).is_none() {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            e.add(
                "budget_line",
                format!(
                    "unknown theme '{}'; this round's themes are {}",
                    line,
                    codes.join(", ")
                ),
            );
        }
    }

    let mut check_party = |field: String, party: &PartyRef| match party {
        PartyRef::Registered { organisation_id } => {
            if !known_organisations.contains(organisation_id) {
                e.add(field, format!("unknown organisation '{organisation_id}'"));
            }
        }
        PartyRef::Named { name } => {
            let n = name.trim().chars().count();
            if n == 0 || n > 200 || name.chars().any(char::is_control) {
                e.add(
                    field,
                    "an organisation's name must be 1..200 characters without control characters",
                );
            }
        }
    };
    if let Some(lead) = &content.lead_partner {
        check_party("lead_partner".into(), lead);
    }
    if content.partners.len() > LIST_MAX {
        e.add("partners", format!("must list at most {LIST_MAX} partners"));
    } else {
        for (i, p) in content.partners.iter().enumerate() {
            check_party(format!("partners[{i}]"), p);
        }
    }
    if let Some(payee) = &content.payee_id {
        if !known_organisations.contains(payee) {
            e.add("payee_id", format!("unknown organisation '{payee}'"));
        }
    }

    if let Some(r) = content.requested_eur {
        if let Err(m) = Eur::parse(r) {
            e.add("requested_eur", m);
        }
    }
    if content.other_funding.len() > LIST_MAX {
        e.add(
            "other_funding",
            format!("must list at most {LIST_MAX} sources"),
        );
    } else {
        for (i, f) in content.other_funding.iter().enumerate() {
            let n = f.source.trim().chars().count();
            if n == 0 || n > 200 || f.source.chars().any(char::is_control) {
                e.add(
                    format!("other_funding[{i}].source"),
                    "must be 1..200 characters",
                );
            }
            if let Err(m) = Eur::parse(f.amount_eur) {
                e.add(format!("other_funding[{i}].amount_eur"), m);
            }
        }
    }
    if let Some(r) = content.expected_reach {
        if !(0..=10_000_000).contains(&r) {
            e.add(
                "expected_reach",
                "must be a number of people from 0 to 10000000",
            );
        }
    }
    if let (Some(s), Some(end)) = (content.start_year, content.end_year) {
        if s > end {
            e.add("end_year", format!("must not be before start_year ({s})"));
        }
    }
    e
}

/// Whether a submission is the plan's first or an answer to a request for information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionKind {
    /// From draft: only while the round is open.
    First,
    /// From needs_info: the plan was filed in time, so the deadline does not apply again.
    Resubmission,
}

/// Turns a draft into a submittable plan, collecting *every* broken rule with its field:
/// title, goals (at least one, all known), budget line, requested amount within the line's
/// budget, amounts >= 0, duration inside the round's period, a payee for a resident's plan,
/// and, for a first submission, the round being open (a closed round is a `RoundNotOpen`,
/// carrying the field errors too).
pub fn parse_submission(
    content: &PlanContent,
    applicant_kind: ApplicantKind,
    round: &RoundSpec,
    known_organisations: &HashSet<String>,
    now: DateTime<Utc>,
    kind: SubmissionKind,
) -> Result<Submission, DomainError> {
    let catalog = &round.catalog;
    let mut e = check_content(content, catalog, known_organisations);

    if content.description.trim().is_empty() {
        e.add("description", "is required to submit");
    }
    if content.goals.is_empty() {
        e.add(
            "goals",
            format!(
                "name at least one goal; this round's goals are {}",
                catalog.goal_codes().join(", ")
            ),
        );
    }
    let line = budget_line(content, catalog);
    let theme = line.as_deref().and_then(|l| catalog.theme(l));
    match content.requested_eur {
        None => e.add("requested_eur", "is required to submit"),
        Some(r) => {
            if let Some(theme) = theme {
                if r > theme.budget_eur.0 {
                    e.add(
                        "requested_eur",
                        format!(
                            "exceeds the budget of theme {} ({})",
                            theme.code,
                            theme.budget_eur.format_nl()
                        ),
                    );
                }
            }
        }
    }
    let period = format!("{}..{}", round.start_year, round.end_year);
    let in_period = |y: i32| (round.start_year..=round.end_year).contains(&y);
    match content.start_year {
        None => e.add("start_year", "is required to submit"),
        Some(y) if !in_period(y) => e.add(
            "start_year",
            format!("{y} lies outside the round's period {period}"),
        ),
        _ => {}
    }
    match content.end_year {
        None => e.add("end_year", "is required to submit"),
        Some(y) if !in_period(y) => e.add(
            "end_year",
            format!("{y} lies outside the round's period {period}"),
        ),
        _ => {}
    }
    if applicant_kind == ApplicantKind::Resident && content.payee_id.is_none() {
        e.add(
            "payee_id",
            "a resident's plan must name a partner organisation as payee: residents are never paid directly",
        );
    }

    if kind == SubmissionKind::First && !is_open(round.opens_at, round.closes_at, now) {
        let message = if now < round.opens_at {
            format!(
                "the round opens for submissions at {}",
                round.opens_at.to_rfc3339()
            )
        } else {
            format!(
                "the round closed for submissions at {}",
                round.closes_at.to_rfc3339()
            )
        };
        return Err(DomainError::RoundNotOpen {
            message,
            errors: e.0,
        });
    }
    let requested = Eur(content.requested_eur.unwrap_or_default());
    e.finish(Submission {
        content: content.clone(),
        budget_line: line.unwrap_or_default(),
        requested,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::round::tests::programme;
    use crate::domain::FieldError;

    fn orgs() -> HashSet<String> {
        ["org-1".to_string(), "org-2".to_string()]
            .into_iter()
            .collect()
    }

    fn complete() -> PlanContent {
        PlanContent {
            title: "Huiswerkklas".into(),
            description: "Begeleiding na schooltijd".into(),
            goals: vec!["B".into(), "J".into()],
            requested_eur: Some(12_500),
            start_year: Some(2025),
            end_year: Some(2026),
            lead_partner: Some(PartyRef::Registered {
                organisation_id: "org-1".into(),
            }),
            payee_id: Some("org-1".into()),
            ..Default::default()
        }
    }

    fn during() -> DateTime<Utc> {
        programme().opens_at + chrono::Duration::days(1)
    }

    fn fields(r: Result<Submission, DomainError>) -> Vec<FieldError> {
        match r {
            Err(DomainError::Invalid(e)) => e,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_plan_is_submittable_and_charged_to_its_first_goals_theme() {
        let s = parse_submission(
            &complete(),
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        )
        .unwrap();
        assert_eq!(s.budget_line, "JJO");
        assert_eq!(s.requested, Eur(12_500));
    }

    #[test]
    fn the_budget_line_may_be_set_to_any_theme_of_the_round() {
        let mut c = complete();
        c.budget_line = Some("FZT".into());
        let s = parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        )
        .unwrap();
        assert_eq!(s.budget_line, "FZT");
        c.budget_line = Some("XYZ".into());
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e[0].field, "budget_line");
        assert!(e[0].message.contains("JJO, FZT, FVW"));
    }

    #[test]
    fn every_error_is_reported_with_its_field() {
        let c = PlanContent {
            title: String::new(),
            goals: vec!["B".into(), "Z".into()],
            requested_eur: Some(-5),
            start_year: Some(2024),
            end_year: Some(2023),
            other_funding: vec![OtherFunding {
                source: "".into(),
                amount_eur: -1,
            }],
            partners: vec![PartyRef::Registered {
                organisation_id: "nope".into(),
            }],
            ..Default::default()
        };
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        let f: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "title",
            "description",
            "goals[1]",
            "requested_eur",
            "start_year",
            "end_year",
            "other_funding[0].source",
            "other_funding[0].amount_eur",
            "partners[0]",
            "payee_id",
        ] {
            assert!(f.contains(&expected), "{expected} missing from {f:?}");
        }
        let unknown = e.iter().find(|e| e.field == "goals[1]").unwrap();
        assert!(
            unknown.message.contains("'Z'") && unknown.message.contains("A, B, C"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn a_plan_needs_at_least_one_goal() {
        let mut c = complete();
        c.goals.clear();
        c.budget_line = Some("JJO".into());
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "goals");
    }

    #[test]
    fn the_requested_amount_may_fill_the_line_to_the_euro_but_not_beyond() {
        let mut c = complete();
        c.requested_eur = Some(146_000);
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First
        )
        .is_ok());
        c.requested_eur = Some(146_001);
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e[0].field, "requested_eur");
        assert!(e[0].message.contains("€ 146.000"));
    }

    #[test]
    fn residents_are_never_paid_directly() {
        let mut c = complete();
        c.payee_id = None;
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e[0].field, "payee_id");
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First
        )
        .is_ok());
    }

    #[test]
    fn the_duration_must_lie_inside_the_round() {
        let mut c = complete();
        c.start_year = Some(2026);
        c.end_year = Some(2027);
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "end_year");
        assert!(e[0].message.contains("2025..2026"));
    }

    #[test]
    fn titles_run_from_one_to_two_hundred_characters() {
        let mut c = complete();
        c.title = "é".repeat(200);
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First
        )
        .is_ok());
        c.title = "é".repeat(201);
        assert_eq!(
            fields(parse_submission(
                &c,
                ApplicantKind::Partner,
                &programme(),
                &orgs(),
                during(),
                SubmissionKind::First
            ))[0]
                .field,
            "title"
        );
        c.title = "   ".into();
        assert_eq!(
            fields(parse_submission(
                &c,
                ApplicantKind::Partner,
                &programme(),
                &orgs(),
                during(),
                SubmissionKind::First
            ))[0]
                .field,
            "title"
        );
    }

    #[test]
    fn outside_the_open_period_submission_is_refused_with_the_field_errors_kept() {
        let round = programme();
        let mut c = complete();
        assert!(matches!(
            parse_submission(&c, ApplicantKind::Partner, &round, &orgs(), round.closes_at, SubmissionKind::First),
            Err(DomainError::RoundNotOpen { ref errors, .. }) if errors.is_empty()
        ));
        c.goals = vec!["Z".into()];
        match parse_submission(
            &c,
            ApplicantKind::Partner,
            &round,
            &orgs(),
            round.opens_at - chrono::Duration::seconds(1),
            SubmissionKind::First,
        ) {
            Err(DomainError::RoundNotOpen { message, errors }) => {
                assert!(message.contains("opens"));
                assert_eq!(errors[0].field, "goals[0]");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_answer_to_a_question_may_come_after_the_deadline() {
        let round = programme();
        let c = complete();
        let late = round.closes_at + chrono::Duration::days(20);
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &round,
            &orgs(),
            late,
            SubmissionKind::Resubmission
        )
        .is_ok());
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &round,
            &orgs(),
            late,
            SubmissionKind::First
        )
        .is_err());
    }

    #[test]
    fn partners_may_be_named_before_they_are_registered() {
        let mut c = complete();
        c.partners = vec![
            PartyRef::Named {
                name: "Buurthuis De Heuvel".into(),
            },
            PartyRef::Registered {
                organisation_id: "org-2".into(),
            },
        ];
        assert!(parse_submission(
            &c,
            ApplicantKind::Partner,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First
        )
        .is_ok());
        assert_eq!(c.organisation_ids(), vec!["org-1", "org-2"]);
    }
}
