//! Reviewers assigned per plan: who may be assigned, when, by what date, and when they are
//! reminded. Conflict of interest holds for reviewers as for the board (`conflict::recusal`).

use chrono::{Duration, NaiveDate};

use super::conflict::{recusal, Member, PlanParties, Recusal};
use super::errors::{Bilingual, DomainError, FieldError, FieldErrors};
use super::state::PlanStatus;
use super::user::{Account, Role};

/// Most people assigned to one plan.
pub const MAX: usize = 10;

/// How many days before the due date an assignee who has not evaluated is reminded.
pub const REMINDER_DAYS: i64 = 3;

/// Longest a due date may lie ahead.
pub const DUE_WITHIN_DAYS: i64 = 365;

/// Reviewers are assigned while the plan is being assessed: submitted, in review, waiting
/// for an answer, or pre-advised (a revised pre-advice may want another look). Not a draft
/// (the team does not see it) nor once the board votes or has decided.
pub fn check_plan(status: PlanStatus) -> Result<(), DomainError> {
    if matches!(
        status,
        PlanStatus::Submitted
            | PlanStatus::InReview
            | PlanStatus::NeedsInfo
            | PlanStatus::PreAdvised
    ) {
        Ok(())
    } else {
        Err(DomainError::Conflict(Bilingual::new(
            format!(
                "reviewers are assigned while a plan is assessed, not when it is {}",
                status.as_str()
            ),
            format!(
                "Beoordelaars worden toegewezen zolang een plan wordt beoordeeld, niet als het {} is.",
                status.label_nl()
            ),
        )))
    }
}

/// The assignees asked for, each known (`found`: the accounts with those ids), active, and a
/// reviewer or a programme team member; at most `MAX`, none twice. The due date, if given,
/// lies from today to a year ahead. Every bad field at once.
pub fn check_request(
    user_ids: &[String],
    found: &[Account],
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), DomainError> {
    let mut e = FieldErrors::new();
    if user_ids.len() > MAX {
        e.add(
            "user_ids",
            Bilingual::new(
                format!("at most {MAX} people per plan"),
                format!("hoogstens {MAX} personen per plan"),
            ),
        );
    }
    for (i, id) in user_ids.iter().enumerate() {
        let field = format!("user_ids[{i}]");
        if user_ids[..i].contains(id) {
            e.add(
                &field,
                Bilingual::new("named twice", "staat er twee keer in"),
            );
            continue;
        }
        match found.iter().find(|a| &a.id == id) {
            None => e.add(
                &field,
                Bilingual::new(format!("unknown user '{id}'"), "onbekende gebruiker"),
            ),
            Some(a) if !a.active => e.add(
                &field,
                Bilingual::new("this account is closed", "dit account is afgesloten"),
            ),
            Some(a)
                if !a.roles.contains(&Role::Reviewer)
                    && !a.roles.contains(&Role::ProgrammeTeam) =>
            {
                e.add(
                    &field,
                    Bilingual::new(
                        "only reviewers and programme team members are assigned",
                        "alleen beoordelaars en leden van het programmateam worden toegewezen",
                    ),
                )
            }
            Some(_) => {}
        }
    }
    if let Some(due) = due_on {
        if due < today || due > today + Duration::days(DUE_WITHIN_DAYS) {
            e.add(
                "due_on",
                Bilingual::new(
                    "the due date lies from today to a year ahead",
                    "de datum ligt tussen vandaag en een jaar vooruit",
                ),
            );
        }
    }
    e.finish(())
}

/// Nobody is assigned to a plan they are tied to (they filed it, or their organisation leads,
/// partners in or is paid by it): the first such person's refusal (409), naming them.
pub fn check_no_conflict(
    parties: &PlanParties<'_>,
    assignees: &[Account],
) -> Result<(), DomainError> {
    for a in assignees {
        let member = Member {
            user_id: &a.id,
            organisation_id: a.organisation_id.as_deref(),
        };
        // A declared conflict is the board's own act; for an assignee only the ties count.
        if let Some(r) = recusal(&member, parties, false) {
            let why = match r {
                Recusal::FiledThePlan => "they filed it",
                Recusal::LeadPartner => "their organisation is its lead partner",
                Recusal::Partner => "their organisation collaborates on it",
                Recusal::Payee => "their organisation would receive the grant",
                Recusal::Declared => "they declared a conflict of interest",
            };
            return Err(DomainError::Conflict(Bilingual::new(
                format!("{} cannot review this plan: {why}", a.name),
                format!(
                    "{} kan dit plan niet beoordelen: {}.",
                    a.name,
                    r.reason_nl()
                ),
            )));
        }
    }
    Ok(())
}

/// Whether an assignee who has not evaluated yet is reminded today: from `REMINDER_DAYS`
/// before the due date, once.
pub fn reminder_due(due_on: NaiveDate, today: NaiveDate) -> bool {
    today >= due_on - Duration::days(REMINDER_DAYS)
}

/// The field of a `user_ids` list item, so pages can name the list as a whole.
pub fn is_user_field(e: &FieldError) -> bool {
    e.field == "user_ids" || e.field.starts_with("user_ids[")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn account(id: &str, roles: &[Role], org: Option<&str>) -> Account {
        let mut a = Account::empty(id.into(), Utc::now());
        a.roles = roles.to_vec();
        a.name = format!("Naam {id}");
        a.organisation_id = org.map(str::to_string);
        a
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reviewers_are_assigned_while_the_plan_is_assessed() {
        for s in [
            PlanStatus::Submitted,
            PlanStatus::InReview,
            PlanStatus::NeedsInfo,
            PlanStatus::PreAdvised,
        ] {
            assert!(check_plan(s).is_ok(), "{s:?}");
        }
        for s in [
            PlanStatus::Draft,
            PlanStatus::Voting,
            PlanStatus::Approved,
            PlanStatus::Rejected,
            PlanStatus::Withdrawn,
            PlanStatus::Merged,
            PlanStatus::Adopted,
        ] {
            assert!(
                matches!(check_plan(s), Err(DomainError::Conflict(_))),
                "{s:?}"
            );
        }
    }

    #[test]
    fn only_known_active_reviewers_and_team_members_once_each_with_a_near_due_date() {
        let today = day("2026-03-01");
        let found = vec![
            account("r", &[Role::Reviewer], None),
            account("t", &[Role::ProgrammeTeam], None),
            account("b", &[Role::BoardMember], None),
            {
                let mut a = account("x", &[Role::Reviewer], None);
                a.active = false;
                a
            },
        ];
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_request(&ids(&["r", "t"]), &found, Some(today), today).is_ok());
        assert!(
            check_request(&[], &found, None, today).is_ok(),
            "nobody: unassign"
        );
        let Err(DomainError::Invalid(f)) = check_request(
            &ids(&["r", "r", "b", "x", "nobody"]),
            &found,
            Some(day("2026-02-28")),
            today,
        ) else {
            panic!("refused");
        };
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "user_ids[1]",
                "user_ids[2]",
                "user_ids[3]",
                "user_ids[4]",
                "due_on"
            ]
        );
        assert!(f.iter().take(4).all(is_user_field));
        assert!(check_request(&ids(&["r"]), &found, Some(day("2027-03-02")), today).is_err());
        let many: Vec<String> = (0..=MAX).map(|i| format!("u{i}")).collect();
        let Err(DomainError::Invalid(f)) = check_request(&many, &found, None, today) else {
            panic!("refused");
        };
        assert_eq!(f[0].field, "user_ids");
    }

    #[test]
    fn a_reviewer_tied_to_the_plan_is_not_assigned() {
        let parties = PlanParties {
            owner_id: "owner",
            co_applicant_ids: vec![],
            lead_ids: vec!["lead-org"],
            partner_ids: vec!["partner-org"],
            payee_id: Some("payee-org"),
        };
        assert!(
            check_no_conflict(&parties, &[account("r", &[Role::Reviewer], Some("other"))]).is_ok()
        );
        for org in ["lead-org", "partner-org", "payee-org"] {
            let refused =
                check_no_conflict(&parties, &[account("r", &[Role::Reviewer], Some(org))]);
            assert!(
                matches!(&refused, Err(DomainError::Conflict(m)) if m.nl.starts_with("Naam r kan dit plan niet beoordelen")),
                "{org}: {refused:?}"
            );
        }
        assert!(
            check_no_conflict(&parties, &[account("owner", &[Role::ProgrammeTeam], None)]).is_err()
        );
    }

    #[test]
    fn the_reminder_comes_three_days_before_the_due_date() {
        let due = day("2026-03-10");
        assert!(!reminder_due(due, day("2026-03-06")));
        assert!(reminder_due(due, day("2026-03-07")));
        assert!(
            reminder_due(due, day("2026-03-12")),
            "late still reminds, once"
        );
    }
}
