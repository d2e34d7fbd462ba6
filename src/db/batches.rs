//! What a payment batch keeps: the transfers as they were when it was made, and its SEPA file.

use diesel::prelude::*;

use super::schema::{batch_transfers, grants, payment_batches, payments};
use super::{DbConn, DbError, Tx};
use crate::domain::grant::iban::{BankAccount, Iban};
use crate::domain::grant::sepa::Transfer;
use crate::domain::grant::PaymentStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = batch_transfers)]
struct TransferRow {
    batch_id: String,
    payment_id: String,
    iban: String,
    holder: String,
    remittance: String,
}

/// Keeps the transfers of a new batch and its file.
pub fn keep(
    tx: &mut Tx,
    batch_id: &str,
    transfers: &[Transfer],
    file: &str,
) -> Result<(), DbError> {
    let rows: Vec<TransferRow> = transfers
        .iter()
        .map(|t| TransferRow {
            batch_id: batch_id.to_string(),
            payment_id: t.payment_id.clone(),
            iban: t.iban.as_str().to_string(),
            holder: t.creditor.clone(),
            remittance: t.remittance.clone(),
        })
        .collect();
    // One statement per row: SQLite's bound-parameter limit stays out of reach for any size.
    for row in &rows {
        diesel::insert_into(batch_transfers::table)
            .values(row)
            .execute(&mut **tx)?;
    }
    keep_file(tx, batch_id, file)?;
    Ok(())
}

/// Stores a batch's file unless it has one: a file, once made, is never replaced.
pub fn keep_file(c: &mut DbConn, batch_id: &str, file: &str) -> Result<bool, DbError> {
    let n = diesel::update(
        payment_batches::table
            .filter(payment_batches::id.eq(batch_id))
            .filter(payment_batches::sepa_file.is_null()),
    )
    .set(payment_batches::sepa_file.eq(Some(file)))
    .execute(c)?;
    Ok(n == 1)
}

/// A batch's file as stored (`None` for a batch made before files were kept).
pub fn file(c: &mut DbConn, batch_id: &str) -> Result<Option<String>, DbError> {
    Ok(payment_batches::table
        .find(batch_id)
        .select(payment_batches::sepa_file)
        .first::<Option<String>>(c)
        .optional()?
        .flatten())
}

/// A payment's transfer as its batch was made: where it went and what the payee read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub payment_id: String,
    pub account: BankAccount,
    pub remittance: String,
}

/// The transfers a batch was made with.
pub fn transfers(c: &mut DbConn, batch_id: &str) -> Result<Vec<Kept>, DbError> {
    let rows: Vec<TransferRow> = batch_transfers::table
        .filter(batch_transfers::batch_id.eq(batch_id))
        .select(TransferRow::as_select())
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|r| Kept {
            payment_id: r.payment_id,
            account: BankAccount {
                iban: Iban::stored(r.iban),
                holder: r.holder,
            },
            remittance: r.remittance,
        })
        .collect())
}

/// Whether a payment to this organisation waits in a batch the bank has not paid yet.
pub fn in_unpaid_batch(c: &mut DbConn, organisation_id: &str) -> Result<bool, DbError> {
    let n: i64 = payments::table
        .inner_join(grants::table)
        .filter(grants::payee_id.eq(organisation_id))
        .filter(payments::status.eq(PaymentStatus::Exported.as_str()))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}
