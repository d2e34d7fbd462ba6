//! The one function that turns a draft into a submittable plan.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{budget_line, check_content, themes_of_goals, PlanContent};
use crate::domain::calendar::dutch_date_time;
use crate::domain::errors::{Bilingual, DomainError, FieldErrors};

/// A field a submission needs.
const IS_REQUIRED: (&str, &str) = ("is required to submit", "is verplicht om in te dienen");
use crate::domain::money::Eur;
use crate::domain::round::{GoalCode, RoundSpec, Theme, ThemeCode};
use crate::domain::user::ApplicantKind;

/// A plan that passed every submission rule: its goals and budget line are codes its round
/// knows, and the amount requested fits the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub content: PlanContent,
    pub goals: Vec<GoalCode>,
    pub budget_line: ThemeCode,
    pub requested: Eur,
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
        e.add("description", IS_REQUIRED);
    }
    if content.goals.is_empty() {
        e.add(
            "goals",
            (
                format!(
                    "name at least one goal; this round's goals are {}",
                    catalog.goal_codes().join(", ")
                ),
                format!(
                    "kies ten minste één doel; de doelen van deze ronde zijn {}",
                    catalog.goal_codes().join(", ")
                ),
            ),
        );
    }
    let line = budget_line(content, catalog);
    let spanned = themes_of_goals(content, catalog);
    if line.is_none() && spanned.len() > 1 {
        e.add(
            "budget_line",
            (
                format!(
                    "the goals belong to several themes ({}): name the budget_line the plan is charged to",
                    spanned.join(", ")
                ),
                format!(
                    "uw doelen horen bij meer dan één opgave ({}): kies ten laste van welke opgave het plan komt",
                    spanned
                        .iter()
                        .filter_map(|c| catalog.theme(c).map(|t| t.name.clone()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        );
    }
    check_requested(
        &mut e,
        content,
        line.as_deref().and_then(|l| catalog.theme(l)),
    );
    check_years(&mut e, content, round);
    if applicant_kind == ApplicantKind::Resident
        && content.funding.requests_contribution()
        && content.payee_id.is_none()
    {
        e.add(
            "payee_id",
            (
                "a resident's plan must name a partner organisation as payee: residents are never paid directly",
                "kies een partnerorganisatie die de bijdrage ontvangt: een bewoner krijgt nooit zelf geld uitbetaald",
            ),
        );
    }

    if kind == SubmissionKind::First && !round.is_open(now) {
        return Err(DomainError::RoundNotOpen {
            message: window_refusal(round, now),
            errors: e.0,
        });
    }
    let goals: Vec<GoalCode> = content
        .goals
        .iter()
        .filter_map(|g| catalog.goal_code(g))
        .collect();
    let budget_line = line.as_deref().and_then(|l| catalog.theme_code(l));
    // A plan funded otherwise requests nothing.
    let requested = if content.funding.requests_contribution() {
        content.requested_eur.map(Eur::parse)
    } else {
        Some(Ok(Eur::ZERO))
    };
    match (e.finish(()), budget_line, requested) {
        (Ok(()), Some(budget_line), Some(Ok(requested))) => Ok(Submission {
            content: content.clone(),
            goals,
            budget_line,
            requested,
        }),
        (Err(err), _, _) => Err(err),
        // Every field was checked above; a missing line or amount has its field error there.
        (Ok(()), _, _) => Err(DomainError::Invalid(vec![crate::domain::FieldError::new(
            "budget_line",
            (
                "the plan is charged to no theme: name a goal or a budget line",
                "het plan valt onder geen opgave: kies een doel of een budgetregel",
            ),
        )])),
    }
}

/// The amount asked: there exactly when the plan asks the programme for money, more than 0,
/// and within its theme's budget.
fn check_requested(e: &mut FieldErrors, content: &PlanContent, theme: Option<&Theme>) {
    match content.requested_eur {
        None if content.funding.requests_contribution() => e.add("requested_eur", IS_REQUIRED),
        None => {}
        Some(r) if !content.funding.requests_contribution() && r != 0 => e.add(
            "requested_eur",
            (
                "must be left out: a plan funded otherwise requests no contribution",
                "laat dit leeg: een plan dat anders wordt betaald, vraagt geen bijdrage",
            ),
        ),
        Some(r) if content.funding.requests_contribution() && r <= 0 => e.add(
            "requested_eur",
            (
                "must be more than 0: a plan without a contribution is funded base_funding or none",
                "moet meer dan 0 zijn; vraagt het plan geen bijdrage, kies dan 'zit in basis financiering' of 'geen bijdrage'",
            ),
        ),
        Some(r) => {
            if let Some(theme) = theme {
                if r > theme.budget_eur.value() {
                    e.add(
                        "requested_eur",
                        (
                            format!(
                                "exceeds the budget of theme {} ({})",
                                theme.code,
                                theme.budget_eur.format_nl()
                            ),
                            format!(
                                "is meer dan het budget van opgave {} ({})",
                                theme.code,
                                theme.budget_eur.format_nl()
                            ),
                        ),
                    );
                }
            }
        }
    }
}

/// The years the action runs: both given, within the round's period.
fn check_years(e: &mut FieldErrors, content: &PlanContent, round: &RoundSpec) {
    let outside = |y: i32| {
        Bilingual::new(
            format!(
                "{y} lies outside the round's period {}..{}",
                round.start_year, round.end_year
            ),
            format!(
                "{y} valt buiten de looptijd van de ronde ({} tot en met {})",
                round.start_year, round.end_year
            ),
        )
    };
    let in_period = |y: i32| (round.start_year..=round.end_year).contains(&y);
    match content.start_year {
        None => e.add("start_year", IS_REQUIRED),
        Some(y) if !in_period(y) => e.add("start_year", outside(y)),
        _ => {}
    }
    match content.end_year {
        None => e.add("end_year", IS_REQUIRED),
        Some(y) if !in_period(y) => e.add("end_year", outside(y)),
        _ => {}
    }
}

/// Why a first submission is refused outside the round's window: not open yet, or closed.
fn window_refusal(round: &RoundSpec, now: DateTime<Utc>) -> Bilingual {
    if now < round.opens_at {
        Bilingual::new(
            format!(
                "the round opens for submissions at {}",
                round.opens_at.to_rfc3339()
            ),
            format!(
                "de ronde gaat open voor indienen op {}",
                dutch_date_time(round.opens_at)
            ),
        )
    } else {
        Bilingual::new(
            format!(
                "the round closed for submissions at {}",
                round.closes_at.to_rfc3339()
            ),
            format!(
                "de ronde is gesloten voor indienen sinds {}",
                dutch_date_time(round.closes_at)
            ),
        )
    }
}

/// The answer to the team's question that may come with a resubmission: optional, free text;
/// a first submission answers no question, so it takes none.
pub fn check_answer(
    kind: SubmissionKind,
    answer: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let Some(raw) = answer else {
        return Ok(None);
    };
    if kind == SubmissionKind::First {
        return Err(DomainError::Invalid(vec![crate::domain::FieldError::new(
            "answer",
            (
                "a first submission answers no question: leave answer out",
                "bij een eerste indiening is er nog geen vraag om te beantwoorden",
            ),
        )]));
    }
    match crate::domain::text::Bounded::REASON.check(raw) {
        Ok(a) if a.is_empty() => Ok(None),
        Ok(a) => Ok(Some(a)),
        Err(m) => Err(DomainError::Invalid(vec![crate::domain::FieldError::new(
            "answer", m,
        )])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::{OtherFunding, PartyRef};
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
            budget_line: Some("JJO".into()),
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
    fn goals_of_several_themes_ask_which_theme_pays() {
        // B is a goal of JJO, J of FZT: the applicant says which pays, not the alphabet.
        let mut c = complete();
        c.budget_line = None;
        let e = fields(parse_submission(
            &c,
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field, "budget_line");
        assert!(
            e[0].message_nl.contains("meer dan één opgave"),
            "{}",
            e[0].message_nl
        );
        // Goals of one theme charge that theme.
        c.goals = vec!["R".into(), "M".into()];
        let s = parse_submission(
            &c,
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        )
        .unwrap();
        assert_eq!(s.budget_line.as_str(), "FVW");
    }

    #[test]
    fn a_complete_plan_is_submittable_and_charged_to_the_theme_it_names() {
        let s = parse_submission(
            &complete(),
            ApplicantKind::Resident,
            &programme(),
            &orgs(),
            during(),
            SubmissionKind::First,
        )
        .unwrap();
        assert_eq!(s.budget_line.as_str(), "JJO");
        assert_eq!(s.requested.value(), 12_500);
        let goals: Vec<&str> = s.goals.iter().map(|g| g.as_str()).collect();
        assert_eq!(goals, vec!["B", "J"]);
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
        assert_eq!(s.budget_line.as_str(), "FZT");
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
    fn only_a_programme_contribution_requests_an_amount() {
        use crate::domain::plan::Funding;
        let run = |c: &PlanContent| {
            parse_submission(
                c,
                ApplicantKind::Resident,
                &programme(),
                &orgs(),
                during(),
                SubmissionKind::First,
            )
        };
        let mut c = complete();
        c.requested_eur = Some(0);
        assert_eq!(
            fields(run(&c))[0].field,
            "requested_eur",
            "€ 0 is no request"
        );
        // Paid from a regular budget: no amount, no payee needed, nothing charged.
        c.funding = Funding::BaseFunding;
        c.requested_eur = None;
        c.payee_id = None;
        let s = run(&c).expect("a base-funded plan needs no amount or payee");
        assert_eq!(s.requested, Eur::ZERO);
        c.funding = Funding::None;
        c.requested_eur = Some(500);
        assert_eq!(
            fields(run(&c))[0].field,
            "requested_eur",
            "nothing to request"
        );
        c.requested_eur = Some(0);
        assert!(run(&c).is_ok());
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
                assert!(message.en.contains("opens"));
                assert!(message.nl.contains("gaat open"), "{}", message.nl);
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
