//! A report's attachments: added after each other (at most ten), the first replaced, one
//! removed, one read; each stored as a file under the attachments folder, named by its id.

use std::path::Path;

use chrono::Utc;

use super::{get, view, GrantView};
use crate::app::{new_id, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::grant::{self, check_attachment, steps, Attachment};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError};

/// Adds a photo or document to a filed report (the applicant, until the reports are
/// accepted), after those it has, up to `ATTACHMENTS_MAX`. The file goes under `dir`, named
/// by the attachment's id, written before the row that points at it (a failed write leaves
/// no row pointing at nothing).
pub fn attach(
    tx: &mut Tx,
    actor: &Actor,
    report_id: &str,
    name: &str,
    bytes: &[u8],
    dir: &Path,
) -> Result<(GrantView, Attachment), Error> {
    let report = db::grants::report(tx, report_id)?.ok_or(Error::NotFound("report"))?;
    let v = get(tx, actor, &report.grant_id)?;
    steps::check_append(actor, &v.owner_id, &report)?;
    let a = stored(bytes, name, new_id(), dir)?;
    db::grants::add_attachment(tx, &report.id, &a, Utc::now()).map_err(|e| match e {
        db::DbError::Duplicate => Error::Domain(DomainError::Conflict(Bilingual::new(
            "another attachment was added at the same moment: try again",
            "er werd op hetzelfde moment een andere bijlage toegevoegd: probeer het opnieuw",
        ))),
        other => other.into(),
    })?;
    Ok((view(tx, v.grant)?, a))
}

/// Puts a file over a report's first attachment (`PUT /reports/{id}/attachment`, as before
/// reports had several), or adds it when the report has none.
pub fn replace_first(
    tx: &mut Tx,
    actor: &Actor,
    report_id: &str,
    name: &str,
    bytes: &[u8],
    dir: &Path,
) -> Result<GrantView, Error> {
    let report = db::grants::report(tx, report_id)?.ok_or(Error::NotFound("report"))?;
    let v = get(tx, actor, &report.grant_id)?;
    match report.attachments.first() {
        None => attach(tx, actor, report_id, name, bytes, dir).map(|(v, _)| v),
        Some(first) => {
            steps::check_attach(actor, &v.owner_id, &report)?;
            let a = stored(bytes, name, first.id.clone(), dir)?;
            db::grants::replace_attachment(tx, &a, Utc::now())?;
            view(tx, v.grant)
        }
    }
}

/// Removes an attachment from a report (the applicant, while attachments may be added).
pub fn detach(
    tx: &mut Tx,
    actor: &Actor,
    report_id: &str,
    attachment_id: &str,
    dir: &Path,
) -> Result<GrantView, Error> {
    let report = db::grants::report(tx, report_id)?.ok_or(Error::NotFound("report"))?;
    let v = get(tx, actor, &report.grant_id)?;
    if !report.attachments.iter().any(|a| a.id == attachment_id) {
        return Err(Error::NotFound("attachment"));
    }
    steps::check_attach(actor, &v.owner_id, &report)?;
    if db::grants::remove_attachment(tx, attachment_id)? {
        // The row is gone in this transaction; the file goes with it (a file left behind by a
        // failed commit would only be unreachable, never shown).
        let _ = std::fs::remove_file(dir.join(attachment_id));
    }
    view(tx, v.grant)
}

/// Checks a file and writes it under `dir` as `id`.
fn stored(bytes: &[u8], name: &str, id: String, dir: &Path) -> Result<Attachment, Error> {
    let media_type = check_attachment(bytes)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Internal(format!("attachments folder {}: {e}", dir.display())))?;
    std::fs::write(dir.join(&id), bytes)
        .map_err(|e| Error::Internal(format!("cannot store attachment: {e}")))?;
    Ok(Attachment {
        id,
        name: grant::attachment_name(name),
        media_type,
        size: bytes.len() as i64,
    })
}

/// A report's attachment for those who may read the grant: what it is, and its bytes; the
/// first when `attachment_id` is `None`.
pub fn attachment(
    c: &mut DbConn,
    actor: &Actor,
    report_id: &str,
    attachment_id: Option<&str>,
    dir: &Path,
) -> Result<(Attachment, Vec<u8>), Error> {
    let report = db::grants::report(c, report_id)?.ok_or(Error::NotFound("report"))?;
    get(c, actor, &report.grant_id)?;
    let a = match attachment_id {
        None => report.attachments.into_iter().next(),
        Some(id) => report.attachments.into_iter().find(|a| a.id == id),
    }
    .ok_or(Error::NotFound("attachment"))?;
    let bytes = std::fs::read(dir.join(&a.id))
        .map_err(|e| Error::Internal(format!("attachment {} of report {report_id}: {e}", a.id)))?;
    Ok((a, bytes))
}
