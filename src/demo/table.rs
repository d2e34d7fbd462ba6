//! The real action table of 2025-2026 (`demo/actions-2025-2026.json`), replayed through the
//! use cases as the programme would have run it: every row filed, submitted, pre-advised,
//! voted on and adopted on 8 April 2025; the two rows that hold money for a purpose are
//! reservations. `planloket demo` loads it so that a new user sees a realistic programme.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use crate::app::{adoptions, assessment, board, plans, reservations, rounds, Error, Tx};
use crate::domain::evaluation::ScoreInput;
use crate::domain::plan::{Funding, OtherFunding, PartyRef, PlanContent, PlanLink, Relation};
use crate::domain::pre_advice::{suggestions, PaymentConditionInput, PreAdviceInput};
use crate::domain::round::{Round, RoundInput};
use crate::domain::user::Actor;

/// The action table, as kept in the project (its source and corrections are in the file).
pub const ACTION_TABLE: &str = include_str!("../../demo/actions-2025-2026.json");

/// The table file: where it comes from, the adoption, the organisations and the rows.
#[derive(Debug, Deserialize)]
pub struct ActionTable {
    pub source: String,
    pub adopted_on: NaiveDate,
    pub reference: String,
    pub corrections: Vec<String>,
    pub organisations: Vec<TableOrganisation>,
    pub actions: Vec<TableRow>,
}

#[derive(Debug, Deserialize)]
pub struct TableOrganisation {
    pub name: String,
    pub kind: String,
}

/// One printed row, corrected (the printed text is kept beside it where it differed).
#[derive(Debug, Deserialize)]
pub struct TableRow {
    /// The theme of the table the row is printed in.
    pub theme: String,
    pub title: String,
    pub description: String,
    pub goals: Vec<String>,
    /// The lead organisation; none for a resident's row or a reservation.
    pub lead: Option<String>,
    #[serde(default)]
    pub co_leads: Vec<String>,
    pub partners: Vec<String>,
    pub continuing: bool,
    pub funding: Funding,
    pub requested_eur: Option<i64>,
    pub other_funding: Vec<OtherFunding>,
    pub start_year: i32,
    pub end_year: i32,
    /// Charged to another theme's budget than the table it is printed in.
    #[serde(default)]
    pub budget_line: Option<String>,
    /// A resident's row: the name the resident's demo account gets.
    #[serde(default)]
    pub resident: Option<String>,
    /// The organisation paid for a resident's row.
    #[serde(default)]
    pub payee: Option<String>,
    /// Money held for a purpose, not yet a plan.
    #[serde(default)]
    pub reservation: bool,
    /// The title of the plan this one is part of.
    #[serde(default)]
    pub part_of: Option<String>,
    /// Other funding the table names without an amount ("Aangevuld door Inholland").
    #[serde(default)]
    pub printed_other: Option<String>,
    /// The table's note on the row ("Gaat ten laste budget financiële zelfredzaamheid").
    #[serde(default)]
    pub printed_note: Option<String>,
}

impl ActionTable {
    pub fn parse() -> Result<ActionTable, String> {
        serde_json::from_str(ACTION_TABLE).map_err(|e| format!("demo/actions-2025-2026.json: {e}"))
    }
}

/// Who plays the round: the team files and assesses, the board votes, the chair closes.
pub struct Cast<'a> {
    pub team: &'a Actor,
    pub voters: &'a [Actor],
    pub chair: &'a Actor,
    /// The site an invitation sends a resident to whose account the team made.
    pub public_url: &'a str,
}

/// Replays the table in `round` (open now, so that plans can be filed and submitted), then
/// puts the round's window back where it was (the call closed before the adoption) and
/// records the adoption. Returns how many plans and reservations it made.
pub fn replay(
    tx: &mut Tx,
    table: &ActionTable,
    round: &Round,
    organisations: &HashMap<String, String>,
    cast: &Cast<'_>,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<(usize, usize), Error> {
    let org = |name: &str| {
        organisations
            .get(name)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("demo: no organisation '{name}'")))
    };
    let mut filed: HashMap<&str, String> = HashMap::new();
    let (mut plan_count, mut reserved) = (0, 0);
    for row in &table.actions {
        if row.reservation {
            reservations::create(
                tx,
                cast.team,
                &round.id,
                Some(&row.theme),
                row.requested_eur,
                Some(&row.title),
            )?;
            reserved += 1;
            continue;
        }
        let party = |name: &str| -> Result<PartyRef, Error> {
            Ok(PartyRef::Registered {
                organisation_id: org(name)?,
            })
        };
        let content = PlanContent {
            title: row.title.clone(),
            description: row.description.clone(),
            goals: row.goals.clone(),
            budget_line: Some(row.budget_line.clone().unwrap_or(row.theme.clone())),
            lead_partner: row.lead.as_deref().map(party).transpose()?,
            co_leads: row
                .co_leads
                .iter()
                .map(|n| party(n))
                .collect::<Result<_, _>>()?,
            partners: row
                .partners
                .iter()
                .map(|n| PartyRef::Named { name: n.clone() })
                .collect(),
            payee_id: row.payee.as_deref().map(org).transpose()?,
            continuing: row.continuing,
            funding: row.funding,
            links: match &row.part_of {
                Some(t) => vec![PlanLink {
                    plan_id: filed.get(t.as_str()).cloned().ok_or_else(|| {
                        Error::Internal(format!("demo: '{t}' comes after its part"))
                    })?,
                    relation: Relation::PartOf,
                }],
                None => Vec::new(),
            },
            requested_eur: row.requested_eur,
            // A source the table names without an amount is kept as text (amount 0).
            other_funding: row
                .other_funding
                .iter()
                .cloned()
                .chain(row.printed_other.iter().map(|source| OtherFunding {
                    source: source.clone(),
                    amount_eur: 0,
                }))
                .collect(),
            start_year: Some(row.start_year),
            end_year: Some(row.end_year),
            ..Default::default()
        };
        let (filed_for, applicant) = match (&row.resident, &row.lead) {
            (Some(name), _) => {
                let email = format!("{}@demo.planloket.nl", slug(&row.title));
                (
                    plans::FiledFor::Person {
                        email: Some(email.clone()),
                        name: Some(name.clone()),
                        kind: Some("resident".into()),
                        organisation_id: None,
                    },
                    Some(email),
                )
            }
            (None, Some(lead)) => (
                plans::FiledFor::Organisation {
                    organisation_id: Some(org(lead)?),
                },
                None,
            ),
            (None, None) => {
                return Err(Error::Internal(format!(
                    "demo: '{}' has neither a lead nor a resident",
                    row.title
                )))
            }
        };
        let view = plans::file_for(
            tx,
            cast.team,
            &round.id,
            filed_for,
            content,
            cast.public_url,
        )?;
        let id = view.plan.id.clone();
        // A resident submits their own plan; an organisation's action is the team's to submit.
        let submitter = match applicant {
            Some(_) => plans::owner_of(tx, &view.plan)?.actor(),
            None => cast.team.clone(),
        };
        plans::submit(tx, &submitter, &id, None, None)?;
        if let Some(note) = &row.printed_note {
            crate::app::rounds::set_note(tx, cast.team, &id, note)?;
        }
        assessment::start_review(tx, cast.team, &id, None)?;
        assessment::record_pre_advice(
            tx,
            cast.team,
            &id,
            &pre_advice(&view.plan.content, round, row),
            None,
        )?;
        assessment::open_vote(tx, cast.team, &id, cast.public_url, None)?;
        for voter in cast.voters {
            board::vote(tx, voter, &id, Some("for"), None)?;
        }
        board::close_vote(tx, cast.chair, &id, None)?;
        filed.insert(&row.title, id);
        plan_count += 1;
    }
    rounds::update(
        tx,
        cast.team,
        &round.id,
        RoundInput {
            opens_at: Some(window.0),
            closes_at: Some(window.1),
            ..RoundInput::default()
        },
    )?;
    adoptions::adopt(
        tx,
        cast.team,
        &round.id,
        adoptions::AdoptionInput {
            adopted_on: Some(table.adopted_on),
            reference: Some(table.reference.clone()),
            deferred: Vec::new(),
        },
    )?;
    Ok((plan_count, reserved))
}

/// The pre-advice the demo records: positive, the amount asked. The printed plan carries no
/// scores, so the two criteria the plan's data suggests take their suggestion and the others
/// a middle score, each saying it is a demo value.
fn pre_advice(content: &PlanContent, round: &Round, row: &TableRow) -> PreAdviceInput {
    let catalog = &round.spec.catalog;
    let suggested = suggestions(content, catalog);
    let scores = catalog
        .criteria
        .iter()
        .map(|c| {
            let (score, motivation) = match suggested.iter().find(|s| s.criterion == c.code) {
                Some(s) => (i64::from(s.score), s.reason_nl.clone()),
                None => (
                    (i64::from(c.scale_max) + 1) / 2,
                    "Demowaarde: het uitvoeringsplan geeft geen scores.".to_string(),
                ),
            };
            ScoreInput {
                criterion: c.code.clone(),
                score: Some(score),
                motivation,
            }
        })
        .collect();
    PreAdviceInput {
        recommendation: Some("positive".into()),
        proposed_eur: Some(row.requested_eur.unwrap_or(0)),
        motivation: "Opgenomen in het uitvoeringsplan Sterk voor Noord 2025-2026.".into(),
        conditions: String::new(),
        scores,
        payment_conditions: demo_conditions(row),
    }
}

/// The payment conditions the demo's pre-advice sets (demo values: the printed plan names
/// none): a resident's money goes to an organisation, which agrees to hold it first; work at
/// the housing corporation's homes waits for its written consent.
fn demo_conditions(row: &TableRow) -> Vec<PaymentConditionInput> {
    let mut out = Vec::new();
    if let (Some(_), Some(payee)) = (&row.resident, &row.payee) {
        out.push(PaymentConditionInput {
            text: Some(format!(
                "Schriftelijke afspraak tussen de initiatiefnemer en {payee} over het beheer van de bijdrage"
            )),
            before: Some("advance".into()),
        });
    }
    if row
        .partners
        .iter()
        .chain(&row.co_leads)
        .any(|p| p == "Vidomes")
    {
        out.push(PaymentConditionInput {
            text: Some(
                "Schriftelijke toestemming van Vidomes voor de activiteiten in en bij haar woningen"
                    .into(),
            ),
            before: Some("advance".into()),
        });
    }
    out
}

/// The window the real call had before the college adopted the plan (demo values: the
/// printed plan names only the adoption date).
pub fn historic_window() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2024, 9, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2025, 1, 31, 23, 0, 0).unwrap(),
    )
}

/// A mail-safe name from a title: lower-case letters and digits joined by dots.
fn slug(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_56_rows_and_the_published_totals() {
        let t = ActionTable::parse().unwrap();
        assert_eq!(t.actions.len(), 56);
        let mut totals: HashMap<&str, i64> = HashMap::new();
        for r in t.actions.iter().filter(|r| r.funding == Funding::Programme) {
            let line = r.budget_line.as_deref().unwrap_or(&r.theme);
            *totals.entry(line).or_default() += r.requested_eur.unwrap();
        }
        assert_eq!(totals["JJO"], 145_450);
        assert_eq!(totals["FZT"], 72_770);
        assert_eq!(totals["FVW"], 94_370);
        let otherwise = t
            .actions
            .iter()
            .filter(|r| r.funding != Funding::Programme)
            .count();
        assert_eq!(otherwise, 23);
        assert!(t
            .source
            .contains("Uitvoeringsplan Sterk voor Noord 2025-2026"));
        assert!(!t.corrections.is_empty());
    }

    #[test]
    fn slugs_are_mail_safe() {
        assert_eq!(slug("ZUMBA lessen"), "zumba.lessen");
        assert_eq!(
            slug("Ontmoeten van culturen in Noord"),
            "ontmoeten.van.culturen.in.noord"
        );
    }
}
