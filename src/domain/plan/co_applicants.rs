//! Co-applicants: the people a plan's owner invites to file the plan with them. They read it,
//! edit it while the owner may, answer the team in the conversation and add attachments; only
//! the owner submits, withdraws, deletes and invites (the state table's `Who::Applicants`
//! against `Who::Owner`).

use super::super::errors::{Bilingual, DomainError, FieldError};
use super::super::user::{Account, Role};
use super::Plan;

/// Most co-applicants on one plan: a neighbourhood plan is filed by a few people together;
/// more is a mailing list, not a plan's applicants.
pub const MAX: usize = 10;

/// The owner invites, while the plan can still change hands of work: not an organisation's
/// own action (nobody applied for it), and not once it is final.
pub fn check_inviter(plan: &Plan, user_id: &str) -> Result<(), DomainError> {
    if plan.owner_id != user_id || !plan.has_applicant() {
        return Err(DomainError::Forbidden(Bilingual::new(
            "co-applicants are invited by the plan's owner",
            "Mede-indieners nodigt alleen de indiener van het plan uit.",
        )));
    }
    if plan.status.is_terminal() || plan.status.is_decided() {
        return Err(DomainError::Conflict(Bilingual::new(
            "the plan is final: nobody can join it any more",
            "Het plan is afgerond: er kan niemand meer bij komen.",
        )));
    }
    Ok(())
}

/// Whom the owner may invite: an applicant's account (or an address without one, which gets
/// a resident's account), not the owner, not twice, and no more than `MAX`.
pub fn check_invitee(
    plan: &Plan,
    invitee: Option<&Account>,
    current: &[String],
) -> Result<(), DomainError> {
    let email = |en: &str, nl: &str| {
        DomainError::Invalid(vec![FieldError::new("email", Bilingual::new(en, nl))])
    };
    if let Some(a) = invitee {
        if a.id == plan.owner_id {
            return Err(email(
                "this is your own address: you are the plan's owner",
                "dit is uw eigen e-mailadres: u bent de indiener van het plan",
            ));
        }
        if !a.active || !a.roles.contains(&Role::Applicant) || a.kind.is_none() {
            return Err(email(
                "this address belongs to an account that files no plans",
                "dit e-mailadres hoort bij een account dat geen plannen indient",
            ));
        }
        if current.contains(&a.id) {
            return Err(DomainError::Conflict(Bilingual::new(
                "this person is a co-applicant already",
                "Deze persoon is al mede-indiener van het plan.",
            )));
        }
    }
    if current.len() >= MAX {
        return Err(DomainError::Conflict(Bilingual::new(
            format!("a plan has at most {MAX} co-applicants"),
            format!("Een plan heeft ten hoogste {MAX} mede-indieners."),
        )));
    }
    Ok(())
}

/// Who may take a co-applicant off the plan: the owner, or the co-applicant themselves (they
/// step out).
pub fn check_remover(
    plan: &Plan,
    actor_id: &str,
    co_applicant_id: &str,
) -> Result<(), DomainError> {
    if actor_id == plan.owner_id || actor_id == co_applicant_id {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "a co-applicant is removed by the plan's owner, or steps out themselves",
            "Een mede-indiener haalt alleen de indiener weg, of stapt zelf uit het plan.",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::PlanStatus;
    use crate::domain::user::ApplicantKind;
    use chrono::Utc;

    fn plan() -> Plan {
        Plan::draft(
            "p".into(),
            "r".into(),
            "anna".into(),
            ApplicantKind::Resident,
            Utc::now(),
        )
    }

    fn applicant(id: &str) -> Account {
        let mut a = Account::empty(id.into(), Utc::now());
        a.roles = vec![Role::Applicant];
        a.kind = Some(ApplicantKind::Resident);
        a
    }

    #[test]
    fn only_the_owner_invites_and_not_once_the_plan_is_final() {
        let mut p = plan();
        assert!(check_inviter(&p, "anna").is_ok());
        assert!(matches!(
            check_inviter(&p, "bob"),
            Err(DomainError::Forbidden(_))
        ));
        p.status = PlanStatus::InReview;
        assert!(check_inviter(&p, "anna").is_ok());
        for s in [
            PlanStatus::Approved,
            PlanStatus::Rejected,
            PlanStatus::Withdrawn,
            PlanStatus::Merged,
            PlanStatus::Adopted,
        ] {
            p.status = s;
            assert!(matches!(
                check_inviter(&p, "anna"),
                Err(DomainError::Conflict(_))
            ));
        }
        let mut own = plan();
        own.own_action_of = Some("org".into());
        assert!(matches!(
            check_inviter(&own, "anna"),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn an_invitee_is_an_applicant_other_than_the_owner_and_not_yet_invited() {
        let p = plan();
        assert!(check_invitee(&p, None, &[]).is_ok(), "a new address");
        assert!(check_invitee(&p, Some(&applicant("bob")), &[]).is_ok());
        assert!(matches!(
            check_invitee(&p, Some(&applicant("anna")), &[]),
            Err(DomainError::Invalid(f)) if f[0].field == "email"
        ));
        let mut staff = applicant("team");
        staff.roles = vec![Role::ProgrammeTeam];
        assert!(matches!(
            check_invitee(&p, Some(&staff), &[]),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            check_invitee(&p, Some(&applicant("bob")), &["bob".into()]),
            Err(DomainError::Conflict(_))
        ));
        let full: Vec<String> = (0..MAX).map(|i| format!("u{i}")).collect();
        assert!(matches!(
            check_invitee(&p, None, &full),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn the_owner_removes_anyone_and_a_co_applicant_only_themselves() {
        let p = plan();
        assert!(check_remover(&p, "anna", "bob").is_ok());
        assert!(check_remover(&p, "bob", "bob").is_ok());
        assert!(matches!(
            check_remover(&p, "carl", "bob"),
            Err(DomainError::Forbidden(_))
        ));
    }
}
