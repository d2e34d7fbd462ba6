//! Organisations' bank accounts and the log of their changes.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{bank_account_changes, bank_accounts};
use super::{stored, utc, DbConn, DbError, Tx};
use crate::domain::grant::iban::{BankAccount, Iban, RecordedAccount};

/// An organisation's bank account with who recorded and who confirmed it.
pub fn recorded(c: &mut DbConn, organisation_id: &str) -> Result<Option<RecordedAccount>, DbError> {
    Ok(bank_accounts::table
        .find(organisation_id)
        .select((
            bank_accounts::iban,
            bank_accounts::holder,
            bank_accounts::updated_by,
            bank_accounts::updated_at,
            bank_accounts::confirmed_by,
            bank_accounts::confirmed_at,
        ))
        .first::<(
            String,
            String,
            String,
            NaiveDateTime,
            Option<String>,
            Option<NaiveDateTime>,
        )>(c)
        .optional()?
        .map(
            |(iban, holder, recorded_by, at, confirmed_by, confirmed_at)| RecordedAccount {
                account: BankAccount {
                    iban: Iban::stored(iban),
                    holder,
                },
                recorded_by,
                recorded_at: utc(at),
                confirmed_by,
                confirmed_at: confirmed_at.map(utc),
            },
        ))
}

/// Records that `by` confirmed the organisation's account as it is now; false when it is
/// confirmed already or gone.
pub fn confirm(
    tx: &mut Tx,
    organisation_id: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        bank_accounts::table
            .find(organisation_id)
            .filter(bank_accounts::confirmed_by.is_null()),
    )
    .set((
        bank_accounts::confirmed_by.eq(by),
        bank_accounts::confirmed_at.eq(stored(at)),
    ))
    .execute(&mut **tx)?
        == 1)
}

/// An organisation's bank account, if one is recorded.
pub fn bank_account(c: &mut DbConn, organisation_id: &str) -> Result<Option<BankAccount>, DbError> {
    Ok(bank_accounts::table
        .find(organisation_id)
        .select((bank_accounts::iban, bank_accounts::holder))
        .first::<(String, String)>(c)
        .optional()?
        .map(|(iban, holder)| BankAccount {
            iban: Iban::stored(iban),
            holder,
        }))
}

/// Records an organisation's bank account and logs the change (with the IBAN it replaced).
/// A changed account waits for a new confirmation; recording the same account again changes
/// nothing.
pub fn set_bank_account(
    tx: &mut Tx,
    change_id: &str,
    organisation_id: &str,
    account: &BankAccount,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<BankAccount>, DbError> {
    let previous = bank_account(tx, organisation_id)?;
    if previous.as_ref() == Some(account) {
        return Ok(previous);
    }
    let values = (
        bank_accounts::organisation_id.eq(organisation_id),
        bank_accounts::iban.eq(account.iban.as_str()),
        bank_accounts::holder.eq(&account.holder),
        bank_accounts::updated_by.eq(by),
        bank_accounts::updated_at.eq(stored(at)),
        bank_accounts::confirmed_by.eq(None::<String>),
        bank_accounts::confirmed_at.eq(None::<NaiveDateTime>),
    );
    if previous.is_some() {
        diesel::update(bank_accounts::table.find(organisation_id))
            .set(values)
            .execute(&mut **tx)?;
    } else {
        diesel::insert_into(bank_accounts::table)
            .values(values)
            .execute(&mut **tx)?;
    }
    diesel::insert_into(bank_account_changes::table)
        .values((
            bank_account_changes::id.eq(change_id),
            bank_account_changes::organisation_id.eq(organisation_id),
            bank_account_changes::iban.eq(account.iban.as_str()),
            bank_account_changes::holder.eq(&account.holder),
            bank_account_changes::previous_iban.eq(previous.as_ref().map(|p| p.iban.as_str())),
            bank_account_changes::changed_by.eq(by),
            bank_account_changes::changed_at.eq(stored(at)),
        ))
        .execute(&mut **tx)?;
    Ok(previous)
}

/// A logged change of a bank account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub iban: String,
    pub holder: String,
    pub previous_iban: Option<String>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// The changes of an organisation's bank account, the newest first.
pub fn account_changes(
    c: &mut DbConn,
    organisation_id: &str,
) -> Result<Vec<AccountChange>, DbError> {
    Ok(bank_account_changes::table
        .filter(bank_account_changes::organisation_id.eq(organisation_id))
        .order((
            bank_account_changes::changed_at.desc(),
            bank_account_changes::id.desc(),
        ))
        .select((
            bank_account_changes::iban,
            bank_account_changes::holder,
            bank_account_changes::previous_iban,
            bank_account_changes::changed_by,
            bank_account_changes::changed_at,
        ))
        .load::<(String, String, Option<String>, String, NaiveDateTime)>(c)?
        .into_iter()
        .map(
            |(iban, holder, previous_iban, changed_by, at)| AccountChange {
                iban,
                holder,
                previous_iban,
                changed_by,
                changed_at: utc(at),
            },
        )
        .collect())
}
