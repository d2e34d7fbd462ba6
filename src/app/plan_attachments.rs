//! A plan's attachments (issue 32): its applicants add them while they may change the plan,
//! whoever may see the plan reads them, and the one who added one removes it. Each file lies
//! under the attachments folder, named by its id, beside the reports' attachments.

use std::path::Path;

use super::plans::{is_applicant, load_visible};
use super::{new_id, now, Error};
pub use crate::db::plan_attachments::PlanAttachment;
use crate::db::{self, DbConn, Tx};
use crate::domain::grant::{attachment_name, Attachment};
use crate::domain::plan::attachments::{self as rules, MAX_PER_PLAN};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError};

/// Adds a file to a plan (one of its applicants, while it is a draft or the team asked for
/// more), in the first free of its ten places. The file is written before the row that points
/// at it, so a failed write leaves no row pointing at nothing.
pub fn add(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    name: &str,
    bytes: &[u8],
    dir: &Path,
) -> Result<PlanAttachment, Error> {
    let (plan, _) = load_visible(tx, actor, plan_id)?;
    rules::check_adder(is_applicant(tx, &plan, &actor.user_id)?)?;
    rules::check_changeable(plan.status)?;
    let taken = db::plan_attachments::positions(tx, &plan.id)?;
    rules::check_room(taken.len())?;
    let position = (1..=MAX_PER_PLAN as i32)
        .find(|p| !taken.contains(p))
        .ok_or_else(|| Error::Internal("no free place though there is room".into()))?;
    let media_type = rules::check(bytes)?;
    let a = PlanAttachment {
        plan_id: plan.id.clone(),
        uploader_id: actor.user_id.clone(),
        added_at: now(),
        file: Attachment {
            id: new_id(),
            name: attachment_name(name),
            media_type,
            size: bytes.len() as i64,
        },
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Internal(format!("attachments folder {}: {e}", dir.display())))?;
    std::fs::write(dir.join(&a.file.id), bytes)
        .map_err(|e| Error::Internal(format!("cannot store attachment: {e}")))?;
    db::plan_attachments::insert(tx, &a, position).map_err(|e| match e {
        db::DbError::Duplicate => {
            let _ = std::fs::remove_file(dir.join(&a.file.id));
            Error::Domain(DomainError::Conflict(Bilingual::new(
                "another attachment was added at the same moment: try again",
                "Er werd op hetzelfde moment een andere bijlage toegevoegd. Probeer het opnieuw.",
            )))
        }
        other => other.into(),
    })?;
    Ok(a)
}

/// A plan's attachments, for whoever may see the plan.
pub fn list(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<PlanAttachment>, Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    Ok(db::plan_attachments::of_plan(c, &plan.id)?)
}

/// An attachment and its bytes, for whoever may see its plan (anyone else: not found).
pub fn read(
    c: &mut DbConn,
    actor: &Actor,
    id: &str,
    dir: &Path,
) -> Result<(Attachment, Vec<u8>), Error> {
    let a = db::plan_attachments::find(c, id)?.ok_or(Error::NotFound("attachment"))?;
    load_visible(c, actor, &a.plan_id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("attachment"),
        other => other,
    })?;
    let bytes = std::fs::read(dir.join(&a.file.id)).map_err(|e| {
        Error::Internal(format!(
            "attachment {} of plan {}: {e}",
            a.file.id, a.plan_id
        ))
    })?;
    Ok((a.file, bytes))
}

/// Removes an attachment (the one who added it, while the plan may be changed).
pub fn remove(tx: &mut Tx, actor: &Actor, id: &str, dir: &Path) -> Result<(), Error> {
    let a = db::plan_attachments::find(tx, id)?.ok_or(Error::NotFound("attachment"))?;
    let (plan, _) = load_visible(tx, actor, &a.plan_id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("attachment"),
        other => other,
    })?;
    rules::check_remover(a.uploader_id == actor.user_id)?;
    rules::check_changeable(plan.status)?;
    if db::plan_attachments::remove(tx, id)? {
        // The row is gone in this transaction; the file goes with it (a file left behind by a
        // failed commit would only be unreachable, never shown).
        let _ = std::fs::remove_file(dir.join(id));
    }
    Ok(())
}
