//! The conversation about a plan (issue 32): its applicants and the programme team write to
//! each other; the other side is mailed at once, and the messages that follow within the hour
//! are gathered into one mail per person and plan (`send_gathered`, from the worker).

use super::outbox::enqueue;
use super::plans::{is_applicant, load_visible, merged_owners};
use super::{new_id, now, Error};
pub use crate::db::conversation::Message;
use crate::db::{self, Db, DbConn, Tx};
use crate::domain::conversation::{
    check_open, mailable_if_last_mailed_by, side_of, timeline, Entry, EntryKind, Side,
};
use crate::domain::errors::{DomainError, FieldError};
use crate::domain::plan::Plan;
use crate::domain::text::Bounded;
use crate::domain::user::{Account, Actor, Role};
use crate::mail::letters;

/// The plan and the side the caller takes in its conversation: 404 when they may not see the
/// plan, 403 when they see it but take no part (the board, finance, an admin).
fn taking_part(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<(Plan, Side), Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    let side = side_of(actor, is_applicant(c, &plan, &actor.user_id)?)?;
    Ok((plan, side))
}

/// The conversation as the plan page shows it: the messages and the formal question in one
/// timeline, the caller's side, and whether they can write (once the plan is submitted).
pub struct Conversation {
    pub entries: Vec<Entry>,
    pub side: Side,
    pub open: bool,
}

/// The conversation about `plan` (read by the page, visible to the caller) for its page;
/// `None` for a caller who takes no part in it (the board), whose page shows none.
pub fn on_plan_page(
    c: &mut DbConn,
    actor: &Actor,
    plan: &Plan,
) -> Result<Option<Conversation>, Error> {
    let Ok(side) = side_of(actor, is_applicant(c, plan, &actor.user_id)?) else {
        return Ok(None);
    };
    let messages = db::conversation::of_plan(c, &plan.id)?
        .into_iter()
        .map(|m| Entry {
            at: m.created_at,
            kind: EntryKind::Message(m.side),
            author: Some(m.author_name),
            text: m.body,
        })
        .collect();
    Ok(Some(Conversation {
        entries: timeline(plan.info_request.as_ref(), messages),
        side,
        open: check_open(plan.status).is_ok(),
    }))
}

/// The messages about a plan, the oldest first.
pub fn list(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<Message>, Error> {
    let (plan, _) = taking_part(c, actor, plan_id)?;
    Ok(db::conversation::of_plan(c, &plan.id)?)
}

/// Writes a message about a plan (once submitted) and mails the other side, at most once an
/// hour per person and plan; a link to the plan on `site` is all the mail says of it.
pub fn post(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    body: Option<&str>,
    site: &str,
) -> Result<Message, Error> {
    let (plan, side) = taking_part(tx, actor, plan_id)?;
    let body = Bounded::REASON
        .required(body)
        .map_err(|m| DomainError::Invalid(vec![FieldError::new("body", m)]))?;
    check_open(plan.status)?;
    let author = db::users::find(tx, &actor.user_id)?
        .ok_or_else(|| Error::Internal("the author's account is gone".into()))?;
    let message = Message {
        id: new_id(),
        plan_id: plan.id.clone(),
        author_id: author.id.clone(),
        author_name: author.name.clone(),
        side,
        body,
        created_at: now(),
    };
    db::conversation::insert(tx, &message)?;
    let at = message.created_at;
    for to in recipients(tx, &plan, side.other())? {
        if to.id == author.id {
            continue;
        }
        if db::conversation::take_mail_turn(
            tx,
            &plan.id,
            &to.id,
            at,
            mailable_if_last_mailed_by(at),
        )? {
            enqueue(tx, letter(&to, &plan, side, 1, site)?)?;
        } else {
            db::conversation::wait(tx, &plan.id, &to.id, at)?;
        }
    }
    Ok(message)
}

/// Who is mailed when the other side writes: the plan's applicants (owner, co-applicants,
/// owners of plans merged into it), or the programme team members assigned to the plan (every
/// active member while none is).
fn recipients(c: &mut DbConn, plan: &Plan, side: Side) -> Result<Vec<Account>, Error> {
    match side {
        // The team members assigned to the plan, when there are any; else the whole team.
        Side::Team => {
            let mut assigned = Vec::new();
            for a in db::assignments::of_plan(c, &plan.id)? {
                if let Some(member) = db::users::find(c, &a.user_id)?
                    .filter(|m| m.active && m.roles.contains(&Role::ProgrammeTeam))
                {
                    assigned.push(member);
                }
            }
            if assigned.is_empty() {
                Ok(db::users::active_with_role(c, Role::ProgrammeTeam)?)
            } else {
                Ok(assigned)
            }
        }
        Side::Applicants if !plan.has_applicant() => Ok(Vec::new()),
        Side::Applicants => {
            let mut ids = vec![plan.owner_id.clone()];
            ids.extend(plan.co_applicant_ids.iter().cloned());
            ids.extend(merged_owners(c, plan)?.into_iter().map(|(owner, _)| owner));
            let mut found = Vec::new();
            for id in ids {
                if let Some(a) = db::users::find(c, &id)?.filter(|a| a.active) {
                    found.push(a);
                }
            }
            Ok(found)
        }
    }
}

fn letter(
    to: &Account,
    plan: &Plan,
    from: Side,
    count: i64,
    site: &str,
) -> Result<letters::Letter, Error> {
    Ok(letters::new_message(
        &to.email,
        &to.name,
        &plan.content.title,
        (&plan.id, plan.kenmerk()),
        from == Side::Team,
        count,
        &format!("{site}/plannen/{}", plan.id),
    )?)
}

/// Sends the gathered mails that are due: to each person with messages waiting whose last
/// mail about that plan is an hour old, one mail with the count of messages since (each taken
/// by a conditional update, so instances send it once). Answers how many were written.
pub fn send_gathered(db: &Db, site: &str) -> Result<usize, Error> {
    let now = now();
    let due =
        db.read(|c| Ok::<_, Error>(db::conversation::due(c, mailable_if_last_mailed_by(now))?))?;
    let mut written = 0;
    for (plan_id, user_id, was_mailed_at) in due {
        written += db.write(|tx| {
            if !db::conversation::take_gathered(tx, &plan_id, &user_id, was_mailed_at, now)? {
                return Ok::<_, Error>(0);
            }
            let (Some(plan), Some(to)) = (
                db::plans::find(tx, &plan_id)?,
                db::users::find(tx, &user_id)?.filter(|a| a.active),
            ) else {
                return Ok(0);
            };
            let from = if is_applicant(tx, &plan, &to.id)? {
                Side::Team
            } else {
                Side::Applicants
            };
            let count = db::conversation::count_since(tx, &plan.id, from, was_mailed_at)?;
            if count == 0 {
                return Ok(0);
            }
            enqueue(tx, letter(&to, &plan, from, count, site)?)?;
            Ok(1)
        })?;
    }
    Ok(written)
}
