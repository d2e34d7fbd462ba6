//! Grants, their payments and reports, payment batches, and bank accounts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{grant_reports, grants, payment_batches, payments, report_attachments};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::grant::{
    Attachment, BatchStatus, Filed, Grant, GrantStatus, Payment, PaymentBatch, PaymentKind,
    PaymentStatus, Report, ReportKind, Spent,
};
use crate::domain::Eur;

fn eur(table: &'static str, id: &str, column: &'static str, v: i64) -> Result<Eur, DbError> {
    Eur::parse(v).map_err(|m| DbError::corrupt(table, id, column, m))
}

fn word<T>(
    table: &'static str,
    id: &str,
    column: &'static str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, DbError> {
    parse(raw).ok_or_else(|| DbError::corrupt(table, id, column, format!("unknown value {raw}")))
}

// ---- grants ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = grants)]
#[diesel(treat_none_as_null = true)]
struct GrantRow {
    id: String,
    plan_id: String,
    round_id: String,
    amount_eur: i64,
    payee_id: Option<String>,
    status: String,
    final_eur: Option<i64>,
    final_motivation: Option<String>,
    claim_eur: Option<i64>,
    stopped_reason: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl GrantRow {
    fn of(g: &Grant) -> GrantRow {
        GrantRow {
            id: g.id.clone(),
            plan_id: g.plan_id.clone(),
            round_id: g.round_id.clone(),
            amount_eur: g.amount.value(),
            payee_id: g.payee_id.clone(),
            status: g.status.as_str().into(),
            final_eur: g.final_amount.map(Eur::value),
            final_motivation: g.final_motivation.clone(),
            claim_eur: g.claim.map(Eur::value),
            stopped_reason: g.stopped_reason.clone(),
            version: g.version,
            created_at: stored(g.created_at),
            updated_at: stored(g.updated_at),
        }
    }

    fn parse(self) -> Result<Grant, DbError> {
        const T: &str = "grants";
        Ok(Grant {
            amount: eur(T, &self.id, "amount_eur", self.amount_eur)?,
            status: word(T, &self.id, "status", &self.status, GrantStatus::parse)?,
            final_amount: self
                .final_eur
                .map(|v| eur(T, &self.id, "final_eur", v))
                .transpose()?,
            claim: self
                .claim_eur
                .map(|v| eur(T, &self.id, "claim_eur", v))
                .transpose()?,
            id: self.id,
            plan_id: self.plan_id,
            round_id: self.round_id,
            payee_id: self.payee_id,
            final_motivation: self.final_motivation,
            stopped_reason: self.stopped_reason,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

pub fn insert(tx: &mut Tx, g: &Grant) -> Result<(), DbError> {
    diesel::insert_into(grants::table)
        .values(&GrantRow::of(g))
        .execute(&mut **tx)?;
    Ok(())
}

/// Writes the grant if it is still at `expected` (its version before this change).
pub fn update(tx: &mut Tx, g: &Grant, expected: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        grants::table
            .filter(grants::id.eq(&g.id))
            .filter(grants::version.eq(expected)),
    )
    .set(&GrantRow::of(g))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Grant>, DbError> {
    grants::table
        .find(id)
        .select(GrantRow::as_select())
        .first(c)
        .optional()?
        .map(GrantRow::parse)
        .transpose()
}

pub fn of_plan(c: &mut DbConn, plan_id: &str) -> Result<Option<Grant>, DbError> {
    grants::table
        .filter(grants::plan_id.eq(plan_id))
        .select(GrantRow::as_select())
        .first(c)
        .optional()?
        .map(GrantRow::parse)
        .transpose()
}

/// Every grant, or a round's, in the order they were made.
pub fn list(c: &mut DbConn, round_id: Option<&str>) -> Result<Vec<Grant>, DbError> {
    let mut q = grants::table.into_boxed();
    if let Some(r) = round_id {
        q = q.filter(grants::round_id.eq(r.to_string()));
    }
    q.order((grants::created_at.asc(), grants::id.asc()))
        .select(GrantRow::as_select())
        .load(c)?
        .into_iter()
        .map(GrantRow::parse)
        .collect()
}

// ---- payments --------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
struct PaymentRow {
    id: String,
    grant_id: String,
    kind: String,
    amount_eur: i64,
    status: String,
    batch_id: Option<String>,
    created_at: NaiveDateTime,
    released_at: Option<NaiveDateTime>,
    paid_at: Option<NaiveDateTime>,
}

impl PaymentRow {
    fn parse(self) -> Result<Payment, DbError> {
        const T: &str = "payments";
        Ok(Payment {
            kind: word(T, &self.id, "kind", &self.kind, PaymentKind::parse)?,
            amount: eur(T, &self.id, "amount_eur", self.amount_eur)?,
            status: word(T, &self.id, "status", &self.status, PaymentStatus::parse)?,
            id: self.id,
            grant_id: self.grant_id,
            batch_id: self.batch_id,
            created_at: utc(self.created_at),
            released_at: self.released_at.map(utc),
            paid_at: self.paid_at.map(utc),
        })
    }
}

pub fn insert_payment(tx: &mut Tx, p: &Payment) -> Result<(), DbError> {
    diesel::insert_into(payments::table)
        .values(&PaymentRow {
            id: p.id.clone(),
            grant_id: p.grant_id.clone(),
            kind: p.kind.as_str().into(),
            amount_eur: p.amount.value(),
            status: p.status.as_str().into(),
            batch_id: p.batch_id.clone(),
            created_at: stored(p.created_at),
            released_at: p.released_at.map(stored),
            paid_at: p.paid_at.map(stored),
        })
        .execute(&mut **tx)?;
    Ok(())
}

pub fn payment(c: &mut DbConn, id: &str) -> Result<Option<Payment>, DbError> {
    payments::table
        .find(id)
        .select(PaymentRow::as_select())
        .first(c)
        .optional()?
        .map(PaymentRow::parse)
        .transpose()
}

/// The payments of these grants, oldest first.
pub fn payments_of(c: &mut DbConn, grant_ids: &[&str]) -> Result<Vec<Payment>, DbError> {
    if grant_ids.is_empty() {
        return Ok(Vec::new());
    }
    payments::table
        .filter(payments::grant_id.eq_any(grant_ids))
        .order((payments::created_at.asc(), payments::id.asc()))
        .select(PaymentRow::as_select())
        .load(c)?
        .into_iter()
        .map(PaymentRow::parse)
        .collect()
}

/// Payments in one status (`batch`: only those in this batch), oldest first.
pub fn payments_in(
    c: &mut DbConn,
    status: PaymentStatus,
    batch: Option<&str>,
) -> Result<Vec<Payment>, DbError> {
    let mut q = payments::table
        .filter(payments::status.eq(status.as_str()))
        .into_boxed();
    if let Some(b) = batch {
        q = q.filter(payments::batch_id.eq(b.to_string()));
    }
    q.order((payments::created_at.asc(), payments::id.asc()))
        .select(PaymentRow::as_select())
        .load(c)?
        .into_iter()
        .map(PaymentRow::parse)
        .collect()
}

/// The payments of a batch, whatever became of them.
pub fn payments_of_batch(c: &mut DbConn, batch_id: &str) -> Result<Vec<Payment>, DbError> {
    payments::table
        .filter(payments::batch_id.eq(batch_id))
        .order((payments::created_at.asc(), payments::id.asc()))
        .select(PaymentRow::as_select())
        .load(c)?
        .into_iter()
        .map(PaymentRow::parse)
        .collect()
}

/// Moves a payment from `from` to `to`, setting its batch; `false` when it was no longer in
/// `from` (a concurrent request moved it first). `at` stamps a release or a payment.
pub fn move_payment(
    tx: &mut Tx,
    id: &str,
    from: PaymentStatus,
    to: PaymentStatus,
    batch_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let target = payments::table
        .filter(payments::id.eq(id))
        .filter(payments::status.eq(from.as_str()));
    let n = match to {
        PaymentStatus::Released => diesel::update(target)
            .set((
                payments::status.eq(to.as_str()),
                payments::batch_id.eq(batch_id),
                payments::released_at.eq(Some(stored(at))),
            ))
            .execute(&mut **tx)?,
        PaymentStatus::Paid => diesel::update(target)
            .set((
                payments::status.eq(to.as_str()),
                payments::paid_at.eq(Some(stored(at))),
            ))
            .execute(&mut **tx)?,
        _ => diesel::update(target)
            .set((
                payments::status.eq(to.as_str()),
                payments::batch_id.eq(batch_id),
            ))
            .execute(&mut **tx)?,
    };
    Ok(n == 1)
}

/// Removes a payment not yet released (the final amount replaces it); `false` when it moved on.
pub fn drop_due(tx: &mut Tx, id: &str) -> Result<bool, DbError> {
    let n = diesel::delete(
        payments::table
            .filter(payments::id.eq(id))
            .filter(payments::status.eq(PaymentStatus::Due.as_str())),
    )
    .execute(&mut **tx)?;
    Ok(n == 1)
}

// ---- batches ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_batches)]
struct BatchRow {
    id: String,
    status: String,
    total_eur: i64,
    payment_count: i64,
    execution_date: NaiveDate,
    created_by: String,
    created_at: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
}

impl BatchRow {
    fn parse(self) -> Result<PaymentBatch, DbError> {
        const T: &str = "payment_batches";
        Ok(PaymentBatch {
            status: word(T, &self.id, "status", &self.status, BatchStatus::parse)?,
            total: eur(T, &self.id, "total_eur", self.total_eur)?,
            id: self.id,
            count: self.payment_count,
            execution_date: self.execution_date,
            created_by: self.created_by,
            created_at: utc(self.created_at),
            closed_at: self.closed_at.map(utc),
        })
    }
}

pub fn insert_batch(tx: &mut Tx, b: &PaymentBatch) -> Result<(), DbError> {
    diesel::insert_into(payment_batches::table)
        .values(&BatchRow {
            id: b.id.clone(),
            status: b.status.as_str().into(),
            total_eur: b.total.value(),
            payment_count: b.count,
            execution_date: b.execution_date,
            created_by: b.created_by.clone(),
            created_at: stored(b.created_at),
            closed_at: b.closed_at.map(stored),
        })
        .execute(&mut **tx)?;
    Ok(())
}

pub fn batch(c: &mut DbConn, id: &str) -> Result<Option<PaymentBatch>, DbError> {
    payment_batches::table
        .find(id)
        .select(BatchRow::as_select())
        .first(c)
        .optional()?
        .map(BatchRow::parse)
        .transpose()
}

/// Every batch, the newest first.
pub fn batches(c: &mut DbConn) -> Result<Vec<PaymentBatch>, DbError> {
    payment_batches::table
        .order((
            payment_batches::created_at.desc(),
            payment_batches::id.desc(),
        ))
        .select(BatchRow::as_select())
        .load(c)?
        .into_iter()
        .map(BatchRow::parse)
        .collect()
}

/// Closes a batch that is with the bank (`paid` or `cancelled`); `false` when it was closed
/// already (a concurrent request won).
pub fn close_batch(
    tx: &mut Tx,
    id: &str,
    to: BatchStatus,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        payment_batches::table
            .filter(payment_batches::id.eq(id))
            .filter(payment_batches::status.eq(BatchStatus::Exported.as_str())),
    )
    .set((
        payment_batches::status.eq(to.as_str()),
        payment_batches::closed_at.eq(Some(stored(at))),
    ))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

// ---- reports ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_reports)]
struct ReportRow {
    id: String,
    grant_id: String,
    kind: String,
    due_on: NaiveDate,
    done: Option<String>,
    reach: Option<i64>,
    spent: Option<String>,
    stopped_reason: Option<String>,
    filed_at: Option<NaiveDateTime>,
    filed_by: Option<String>,
    accepted_at: Option<NaiveDateTime>,
    reminded_soon_on: Option<NaiveDate>,
    reminded_late_on: Option<NaiveDate>,
}

impl ReportRow {
    fn parse(self) -> Result<Report, DbError> {
        const T: &str = "grant_reports";
        let filed = match (self.filed_at, self.filed_by) {
            (Some(at), Some(by)) => {
                let spent: Vec<Spent> = match &self.spent {
                    Some(s) => serde_json::from_str(s)
                        .map_err(|e| DbError::corrupt(T, &self.id, "spent", e))?,
                    None => Vec::new(),
                };
                Some(Filed {
                    done: self.done.clone().unwrap_or_default(),
                    reach: self.reach.unwrap_or(0),
                    spent,
                    stopped_reason: self.stopped_reason.clone(),
                    filed_at: utc(at),
                    filed_by: by,
                })
            }
            _ => None,
        };
        Ok(Report {
            kind: word(T, &self.id, "kind", &self.kind, ReportKind::parse)?,
            id: self.id,
            grant_id: self.grant_id,
            due_on: self.due_on,
            filed,
            accepted_at: self.accepted_at.map(utc),
            attachments: Vec::new(),
            reminded_soon_on: self.reminded_soon_on,
            reminded_late_on: self.reminded_late_on,
        })
    }
}

pub fn insert_report(tx: &mut Tx, r: &Report) -> Result<(), DbError> {
    diesel::insert_into(grant_reports::table)
        .values(&ReportRow {
            id: r.id.clone(),
            grant_id: r.grant_id.clone(),
            kind: r.kind.as_str().into(),
            due_on: r.due_on,
            done: None,
            reach: None,
            spent: None,
            stopped_reason: None,
            filed_at: None,
            filed_by: None,
            accepted_at: None,
            reminded_soon_on: None,
            reminded_late_on: None,
        })
        .execute(&mut **tx)?;
    Ok(())
}

pub fn report(c: &mut DbConn, id: &str) -> Result<Option<Report>, DbError> {
    let found: Option<Report> = grant_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(c)
        .optional()?
        .map(ReportRow::parse)
        .transpose()?;
    match found {
        Some(r) => Ok(with_attachments(c, vec![r])?.pop()),
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_attachments)]
struct AttachmentRow {
    id: String,
    report_id: String,
    position: i32,
    name: String,
    media_type: String,
    size: i64,
    added_at: NaiveDateTime,
}

/// The media types an attachment can have (`grant::sniff_attachment`).
fn media_type(raw: &str) -> Option<&'static str> {
    ["image/jpeg", "image/png", "application/pdf"]
        .into_iter()
        .find(|t| *t == raw)
}

/// The reports with their attachments, in the order they were added.
fn with_attachments(c: &mut DbConn, mut reports: Vec<Report>) -> Result<Vec<Report>, DbError> {
    if reports.is_empty() {
        return Ok(reports);
    }
    let ids: Vec<&str> = reports.iter().map(|r| r.id.as_str()).collect();
    let rows: Vec<AttachmentRow> = report_attachments::table
        .filter(report_attachments::report_id.eq_any(&ids))
        .order((
            report_attachments::report_id.asc(),
            report_attachments::position.asc(),
        ))
        .select(AttachmentRow::as_select())
        .load(c)?;
    for row in rows {
        const T: &str = "report_attachments";
        let a = Attachment {
            media_type: word(T, &row.id, "media_type", &row.media_type, media_type)?,
            id: row.id,
            name: row.name,
            size: row.size,
        };
        if let Some(r) = reports.iter_mut().find(|r| r.id == row.report_id) {
            r.attachments.push(a);
        }
    }
    Ok(reports)
}

/// Adds an attachment after the report's last (`Duplicate` when another was added at that
/// place at the same moment).
pub fn add_attachment(
    tx: &mut Tx,
    report_id: &str,
    a: &Attachment,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let last: Option<i32> = report_attachments::table
        .filter(report_attachments::report_id.eq(report_id))
        .select(diesel::dsl::max(report_attachments::position))
        .first(&mut **tx)?;
    diesel::insert_into(report_attachments::table)
        .values(&AttachmentRow {
            id: a.id.clone(),
            report_id: report_id.to_string(),
            position: last.map_or(0, |p| p + 1),
            name: a.name.clone(),
            media_type: a.media_type.to_string(),
            size: a.size,
            added_at: stored(at),
        })
        .execute(&mut **tx)?;
    Ok(())
}

/// Puts a file's name, type and size over a stored attachment (its file replaced).
pub fn replace_attachment(tx: &mut Tx, a: &Attachment, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(report_attachments::table.find(&a.id))
        .set((
            report_attachments::name.eq(&a.name),
            report_attachments::media_type.eq(a.media_type),
            report_attachments::size.eq(a.size),
            report_attachments::added_at.eq(stored(at)),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Removes an attachment's row; `false` when it was gone already.
pub fn remove_attachment(tx: &mut Tx, id: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(report_attachments::table.find(id)).execute(&mut **tx)? == 1)
}

/// The reports of these grants, by due date.
pub fn reports_of(c: &mut DbConn, grant_ids: &[&str]) -> Result<Vec<Report>, DbError> {
    if grant_ids.is_empty() {
        return Ok(Vec::new());
    }
    grant_reports::table
        .filter(grant_reports::grant_id.eq_any(grant_ids))
        .order((grant_reports::due_on.asc(), grant_reports::id.asc()))
        .select(ReportRow::as_select())
        .load(c)?
        .into_iter()
        .map(ReportRow::parse)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|reports| with_attachments(c, reports))
}

/// Reports not filed that are due on or before `by`, the earliest first.
pub fn open_reports(c: &mut DbConn, by: NaiveDate) -> Result<Vec<Report>, DbError> {
    grant_reports::table
        .filter(grant_reports::filed_at.is_null())
        .filter(grant_reports::due_on.le(by))
        .order((grant_reports::due_on.asc(), grant_reports::id.asc()))
        .select(ReportRow::as_select())
        .load(c)?
        .into_iter()
        .map(ReportRow::parse)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|reports| with_attachments(c, reports))
}

/// Fills in a scheduled report; `false` when it was filed already (a concurrent filing won).
pub fn file_report(tx: &mut Tx, id: &str, f: &Filed) -> Result<bool, DbError> {
    let spent = serde_json::to_string(&f.spent)
        .map_err(|e| DbError::Other(format!("cannot write JSON: {e}")))?;
    let n = diesel::update(
        grant_reports::table
            .filter(grant_reports::id.eq(id))
            .filter(grant_reports::filed_at.is_null()),
    )
    .set((
        grant_reports::done.eq(Some(&f.done)),
        grant_reports::reach.eq(Some(f.reach)),
        grant_reports::spent.eq(Some(spent)),
        grant_reports::stopped_reason.eq(f.stopped_reason.as_deref()),
        grant_reports::filed_at.eq(Some(stored(f.filed_at))),
        grant_reports::filed_by.eq(Some(&f.filed_by)),
    ))
    .execute(&mut **tx)?;
    Ok(n == 1)
}

/// Removes a grant's reports of `kind` not filed (a progress report no longer asked for once
/// the final report is in).
pub fn drop_unfiled(tx: &mut Tx, grant_id: &str, kind: ReportKind) -> Result<(), DbError> {
    diesel::delete(
        grant_reports::table
            .filter(grant_reports::grant_id.eq(grant_id))
            .filter(grant_reports::kind.eq(kind.as_str()))
            .filter(grant_reports::filed_at.is_null()),
    )
    .execute(&mut **tx)?;
    Ok(())
}

/// Accepts the filed reports of a grant (with its final amount).
pub fn accept_reports(tx: &mut Tx, grant_id: &str, at: DateTime<Utc>) -> Result<(), DbError> {
    diesel::update(
        grant_reports::table
            .filter(grant_reports::grant_id.eq(grant_id))
            .filter(grant_reports::filed_at.is_not_null()),
    )
    .set(grant_reports::accepted_at.eq(Some(stored(at))))
    .execute(&mut **tx)?;
    Ok(())
}

/// Notes a reminder; `false` when that reminder was noted already (another instance sent it).
pub fn mark_reminded(tx: &mut Tx, id: &str, late: bool, on: NaiveDate) -> Result<bool, DbError> {
    let target = grant_reports::table.filter(grant_reports::id.eq(id));
    let n = if late {
        diesel::update(target.filter(grant_reports::reminded_late_on.is_null()))
            .set(grant_reports::reminded_late_on.eq(Some(on)))
            .execute(&mut **tx)?
    } else {
        diesel::update(target.filter(grant_reports::reminded_soon_on.is_null()))
            .set(grant_reports::reminded_soon_on.eq(Some(on)))
            .execute(&mut **tx)?
    };
    Ok(n == 1)
}
