//! Co-applicants (issue 32): the owner invites people by e-mail address to file the plan with
//! them. An address without an account gets a resident's account and a one-time sign-in link
//! (as filing at the desk does); an applicant with an account gets a mail with the plan's link.

use super::plans::load_visible;
use super::{new_id, now, Error};
pub use crate::db::co_applicants::CoApplicant;
use crate::db::{self, DbConn, Tx};
use crate::domain::plan::co_applicants as rules;
use crate::domain::user::{self, Account, AccountChange, Actor, Email, Role};
use crate::domain::{DomainError, FieldError};
use crate::mail::letters;

/// Whom the owner invites: an e-mail address, and a name for an address without an account.
#[derive(Debug, Clone, Default)]
pub struct Invitation {
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A plan's co-applicants, for whoever may see the plan.
pub fn list(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<CoApplicant>, Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    Ok(db::co_applicants::of_plan(c, &plan.id)?)
}

/// The owner invites a co-applicant. The plan's row is locked first, so two invitations at
/// once cannot pass the limit together. `site` is where the mail's links point.
pub fn invite(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    invitation: &Invitation,
    site: &str,
) -> Result<CoApplicant, Error> {
    db::plans::lock(tx, plan_id)?;
    let (plan, _) = load_visible(tx, actor, plan_id)?;
    rules::check_inviter(&plan, &actor.user_id)?;
    let address = invitation.email.clone().unwrap_or_default();
    let email = Email::parse(&address)
        .map_err(|m| DomainError::Invalid(vec![FieldError::new("email", m)]))?;
    let existing = db::users::find_by_email(tx, email.as_str())?;
    rules::check_invitee(&plan, existing.as_ref(), &plan.co_applicant_ids)?;
    let at = now();
    let (person, new) = match existing {
        Some(a) => (a, false),
        None => (new_resident(tx, email.as_str(), invitation, at)?, true),
    };
    db::co_applicants::insert(tx, &plan.id, &person.id, &actor.user_id, at)?;
    tx.plans_changed(&plan.round_id);
    let link = if new {
        let token = crate::config::random_token();
        db::users::insert_magic_link(
            tx,
            &super::accounts::token_hash(&token),
            &person,
            at,
            at + chrono::Duration::days(super::plans::INVITATION_DAYS),
        )?;
        Some(format!(
            "{}/aanmelden?token={token}",
            site.trim_end_matches('/')
        ))
    } else {
        None
    };
    let inviter = db::users::find(tx, &actor.user_id)?
        .map(|a| a.name)
        .unwrap_or_default();
    super::outbox::enqueue(
        tx,
        letters::co_applicant_invited(
            &person.email,
            &person.name,
            &inviter,
            &plan.content.title,
            (&plan.id, plan.kenmerk()),
            link.as_deref(),
            site,
        )?,
    )?;
    Ok(CoApplicant {
        user_id: person.id,
        name: person.name,
        email: person.email,
        invited_at: at,
    })
}

/// A resident's account for an invited address: active, without a password (the invitation
/// signs them in once).
fn new_resident(
    tx: &mut Tx,
    email: &str,
    invitation: &Invitation,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Account, Error> {
    let mut a = Account::empty(new_id(), at);
    user::apply_change(
        &mut a,
        &AccountChange {
            email: Some(email.to_string()),
            name: Some(invitation.name.clone().unwrap_or_default()),
            password: None,
            roles: Some(vec![Role::Applicant.as_str().to_string()]),
            organisation_id: Some(None),
            kind: Some(Some("resident".into())),
            active: Some(true),
        },
        true,
    )?;
    db::users::insert(tx, &a)?;
    Ok(a)
}

/// The owner takes a co-applicant off the plan, or a co-applicant steps out.
pub fn remove(tx: &mut Tx, actor: &Actor, plan_id: &str, user_id: &str) -> Result<(), Error> {
    db::plans::lock(tx, plan_id)?;
    let (plan, _) = load_visible(tx, actor, plan_id)?;
    if !plan.co_applicant_ids.iter().any(|c| c == user_id) {
        return Err(Error::NotFound("co-applicant"));
    }
    rules::check_remover(&plan, &actor.user_id, user_id)?;
    if !db::co_applicants::remove(tx, &plan.id, user_id)? {
        return Err(Error::Changed("plan"));
    }
    tx.plans_changed(&plan.round_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::plan::PlanContent;
    use crate::domain::state::PlanStatus;

    #[test]
    fn an_invited_address_gets_an_account_and_edits_but_does_not_submit() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let draft = t.draft(
            &anna,
            &round,
            PlanContent {
                title: "Samen".into(),
                ..Default::default()
            },
        );
        let invited = t
            .app
            .write(|tx| {
                invite(
                    tx,
                    &anna.actor(),
                    &draft.id,
                    &Invitation {
                        email: Some("bob@example.org".into()),
                        name: Some("Bob".into()),
                    },
                    "http://localhost",
                )
            })
            .unwrap();
        let bob = t
            .app
            .read(|c| Ok(db::users::find(c, &invited.user_id)?))
            .unwrap()
            .unwrap();
        assert!(bob.roles.contains(&Role::Applicant));
        let plan = t.plan(&draft.id);
        assert_eq!(plan.co_applicant_ids, vec![bob.id.clone()]);
        let allowed = crate::domain::state::allowed_actions(plan.state(), &bob.actor());
        assert_eq!(allowed, vec![crate::domain::state::Action::Edit]);
        assert_eq!(plan.status, PlanStatus::Draft);
        // Twice is refused; a stranger may not remove; Bob steps out.
        let again = t.app.write(|tx| {
            invite(
                tx,
                &anna.actor(),
                &draft.id,
                &Invitation {
                    email: Some("BOB@example.org".into()),
                    name: None,
                },
                "http://localhost",
            )
        });
        assert!(matches!(
            again,
            Err(Error::Domain(DomainError::Conflict(_)))
        ));
        let carl = t.resident();
        assert!(matches!(
            t.app
                .write(|tx| remove(tx, &carl.actor(), &draft.id, &bob.id)),
            Err(Error::NotFound("plan"))
        ));
        t.app
            .write(|tx| remove(tx, &bob.actor(), &draft.id, &bob.id))
            .unwrap();
        assert!(t.plan(&draft.id).co_applicant_ids.is_empty());
    }
}
