//! Reviewers assigned per plan (issue 32): the programme team assigns reviewers (external ones,
//! or its own members) with a due date; each new assignee is mailed, and reminded three days
//! before the due date unless they have evaluated by then.

use chrono::NaiveDate;

use super::plans::load_visible;
use super::{now, Error};
pub use crate::db::assignments::Assignee;
use crate::db::{self, Db, DbConn, Tx};
use crate::domain::assignment as rules;
use crate::domain::calendar::amsterdam_date;
use crate::domain::permission::{self, Permission};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

use super::outbox::enqueue;

/// Whom the team assigns, and the date it asks the evaluations by (`YYYY-MM-DD`, or none).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub user_ids: Option<Vec<String>>,
    pub due_on: Option<String>,
}

/// A plan's assignees, for who sees the plan as its assessment does (not its applicants).
pub fn list(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<Assignee>, Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    permission::check(actor, Permission::ReadDossiers)?;
    Ok(db::assignments::of_plan(c, &plan.id)?)
}

/// The team makes `user_ids` the plan's assignees (an empty list takes everyone off), due
/// `due_on`. The plan's row is locked first, so two changes at once apply one after the
/// other. Those newly assigned are mailed with a link to the plan.
pub fn assign(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    request: &Request,
    site: &str,
) -> Result<Vec<Assignee>, Error> {
    permission::check(actor, Permission::ReviewPlans)?;
    db::plans::lock(tx, plan_id)?;
    let (plan, _) = load_visible(tx, actor, plan_id)?;
    let user_ids = request.user_ids.clone().ok_or_else(|| {
        DomainError::Invalid(vec![FieldError::new(
            "user_ids",
            crate::domain::errors::REQUIRED,
        )])
    })?;
    let due_on = match request.due_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(raw.parse::<NaiveDate>().map_err(|_| {
            DomainError::Invalid(vec![FieldError::new(
                "due_on",
                Bilingual::new(
                    "a date as YYYY-MM-DD",
                    "een datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-01",
                ),
            )])
        })?),
    };
    let mut found = Vec::new();
    for id in &user_ids {
        if let Some(a) = db::users::find(tx, id)? {
            found.push(a);
        }
    }
    rules::check_request(&user_ids, &found, due_on, amsterdam_date(now()))?;
    rules::check_plan(plan.status)?;
    rules::check_no_conflict(&plan.parties(), &found)?;
    let added = db::assignments::replace(tx, &plan.id, &user_ids, due_on, &actor.user_id, now())?;
    // The lists filtered on "assigned to me" follow the round's change counter.
    tx.plans_changed(&plan.round_id);
    for a in found.iter().filter(|a| added.contains(&a.id)) {
        enqueue(
            tx,
            letters::assigned(
                &a.email,
                &a.name,
                &plan.content.title,
                (&plan.id, plan.kenmerk()),
                due_on,
                false,
                site,
            )?,
        )?;
    }
    Ok(db::assignments::of_plan(tx, &plan.id)?)
}

/// Reminds each assignee whose due date is `rules::REMINDER_DAYS` away (or past) and who has
/// not evaluated the plan, once (each assignment is marked by a conditional update, so
/// instances send it once); while the plan is still being assessed. Answers how many mails
/// were written.
pub fn remind(db: &Db, site: &str, today: NaiveDate) -> Result<usize, Error> {
    let until = today + chrono::Duration::days(rules::REMINDER_DAYS);
    let due = db.read(|c| Ok::<_, Error>(db::assignments::to_remind(c, until)?))?;
    let mut sent = 0;
    for (plan_id, user_id, due_on) in due {
        if !rules::reminder_due(due_on, today) {
            continue;
        }
        sent += db.write(|tx| {
            if !db::assignments::mark_reminded(tx, &plan_id, &user_id, now())? {
                return Ok::<_, Error>(0);
            }
            let (Some(plan), Some(to)) = (
                db::plans::find(tx, &plan_id)?,
                db::users::find(tx, &user_id)?.filter(|a| a.active),
            ) else {
                return Ok(0);
            };
            if rules::check_plan(plan.status).is_err()
                || db::assessment::find_evaluation(tx, &plan.id, &to.id)?.is_some()
            {
                return Ok(0);
            }
            enqueue(
                tx,
                letters::assigned(
                    &to.email,
                    &to.name,
                    &plan.content.title,
                    (&plan.id, plan.kenmerk()),
                    Some(due_on),
                    true,
                    site,
                )?,
            )?;
            Ok(1)
        })?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::user::Role;

    #[test]
    fn an_assignee_is_mailed_sees_the_plan_and_is_reminded_once_before_the_due_date() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let other = t.submitted(&t.resident(), &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        let reviewer = t.account(&[Role::Reviewer]);
        // Not assigned: the reviewer sees neither plan.
        assert!(matches!(
            t.app.read(|c| load_visible(c, &reviewer.actor(), &plan.id)),
            Err(Error::NotFound("plan"))
        ));
        let today = amsterdam_date(now());
        let due = today + chrono::Duration::days(10);
        let assigned = t
            .app
            .write(|tx| {
                assign(
                    tx,
                    &team.actor(),
                    &plan.id,
                    &Request {
                        user_ids: Some(vec![reviewer.id.clone()]),
                        due_on: Some(due.to_string()),
                    },
                    "http://x",
                )
            })
            .unwrap();
        assert_eq!(assigned.len(), 1);
        assert_eq!(assigned[0].due_on, Some(due));
        assert!(t
            .app
            .read(|c| load_visible(c, &reviewer.actor(), &plan.id))
            .is_ok());
        assert!(t
            .app
            .read(|c| load_visible(c, &reviewer.actor(), &other.id))
            .is_err());
        let kinds = |t: &TestApp| {
            t.outbox()
                .into_iter()
                .filter(|m| m.to == reviewer.email)
                .map(|m| m.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(&t), vec!["assigned"]);
        // Too early; three days before; not again.
        assert_eq!(
            remind(&t.app.db, "http://x", due - chrono::Duration::days(4)).unwrap(),
            0
        );
        assert_eq!(
            remind(&t.app.db, "http://x", due - chrono::Duration::days(3)).unwrap(),
            1
        );
        assert_eq!(remind(&t.app.db, "http://x", due).unwrap(), 0);
        assert_eq!(kinds(&t), vec!["assigned", "review_reminder"]);
        // Only the team assigns; the reviewer may not.
        assert!(matches!(
            t.app.write(|tx| assign(
                tx,
                &reviewer.actor(),
                &plan.id,
                &Request {
                    user_ids: Some(vec![]),
                    due_on: None
                },
                "http://x"
            )),
            Err(Error::Domain(DomainError::Forbidden(_)))
        ));
    }
}
