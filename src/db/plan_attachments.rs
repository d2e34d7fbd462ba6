//! A plan's attachments: what each file is (the file itself lies under the attachments
//! folder, named by the id) and who added it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::plan_attachments;
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::grant::Attachment;
use crate::domain::plan::attachments::{DOCX, ODS, ODT, XLSX};

/// A plan's attachment as stored.
#[derive(Debug, Clone)]
pub struct PlanAttachment {
    pub plan_id: String,
    pub uploader_id: String,
    pub added_at: DateTime<Utc>,
    pub file: Attachment,
}

/// The media types a plan's attachment can have (`plan::attachments::sniff`).
fn media_type(raw: &str) -> Option<&'static str> {
    [
        "image/jpeg",
        "image/png",
        "application/pdf",
        ODT,
        ODS,
        DOCX,
        XLSX,
    ]
    .into_iter()
    .find(|t| *t == raw)
}

type Row = (String, String, String, String, String, i64, NaiveDateTime);

fn parse(r: Row) -> Result<PlanAttachment, DbError> {
    let media = media_type(&r.4)
        .ok_or_else(|| DbError::corrupt("plan_attachments", &r.0, "media_type", &r.4))?;
    Ok(PlanAttachment {
        plan_id: r.1,
        uploader_id: r.2,
        added_at: utc(r.6),
        file: Attachment {
            id: r.0,
            name: r.3,
            media_type: media,
            size: r.5,
        },
    })
}

const COLUMNS: (
    plan_attachments::id,
    plan_attachments::plan_id,
    plan_attachments::uploader_id,
    plan_attachments::name,
    plan_attachments::media_type,
    plan_attachments::size,
    plan_attachments::added_at,
) = (
    plan_attachments::id,
    plan_attachments::plan_id,
    plan_attachments::uploader_id,
    plan_attachments::name,
    plan_attachments::media_type,
    plan_attachments::size,
    plan_attachments::added_at,
);

/// A plan's attachments in the order they were added.
pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Vec<PlanAttachment>, DbError> {
    plan_attachments::table
        .filter(plan_attachments::plan_id.eq(plan_id))
        .order((plan_attachments::added_at.asc(), plan_attachments::id.asc()))
        .select(COLUMNS)
        .load::<Row>(c)?
        .into_iter()
        .map(parse)
        .collect()
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<PlanAttachment>, DbError> {
    plan_attachments::table
        .find(id)
        .select(COLUMNS)
        .first::<Row>(c)
        .optional()?
        .map(parse)
        .transpose()
}

/// The slots (1 to `max`) a plan's attachments take.
pub fn positions(c: &mut DbConn, plan_id: &str) -> Result<Vec<i32>, DbError> {
    Ok(plan_attachments::table
        .filter(plan_attachments::plan_id.eq(plan_id))
        .select(plan_attachments::position)
        .load(c)?)
}

/// Adds an attachment in slot `position`; two uploads taking the same slot at once: the
/// second is `Duplicate`.
pub fn insert(tx: &mut Tx, a: &PlanAttachment, position: i32) -> Result<(), DbError> {
    diesel::insert_into(plan_attachments::table)
        .values((
            plan_attachments::id.eq(&a.file.id),
            plan_attachments::plan_id.eq(&a.plan_id),
            plan_attachments::position.eq(position),
            plan_attachments::uploader_id.eq(&a.uploader_id),
            plan_attachments::name.eq(&a.file.name),
            plan_attachments::media_type.eq(a.file.media_type),
            plan_attachments::size.eq(a.file.size),
            plan_attachments::added_at.eq(stored(a.added_at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Removes an attachment's row; true when there was one.
pub fn remove(tx: &mut Tx, id: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(plan_attachments::table.find(id)).execute(&mut **tx)? == 1)
}
