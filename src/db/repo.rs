//! Repository functions: `fn(&mut DbConn, …) -> Result<_, AppError>`, one query each where possible.

use std::collections::HashSet;

use diesel::prelude::*;

use super::models::{OrganisationRow, RoundRow, UserRow};
use super::schema::{organisations, rounds, users};
use super::DbConn;
use crate::error::AppError;

pub fn insert_user(conn: &mut DbConn, row: &UserRow) -> Result<(), AppError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_user(conn: &mut DbConn, id: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_user_by_email(conn: &mut DbConn, email: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_users(conn: &mut DbConn) -> Result<Vec<UserRow>, AppError> {
    Ok(users::table
        .order(users::created_at.asc())
        .select(UserRow::as_select())
        .load(conn)?)
}

pub fn count_users(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn update_user(conn: &mut DbConn, row: &UserRow) -> Result<(), AppError> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_organisation(conn: &mut DbConn, row: &OrganisationRow) -> Result<(), AppError> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_organisation_by_key(
    conn: &mut DbConn,
    key: &str,
) -> Result<Option<OrganisationRow>, AppError> {
    Ok(organisations::table
        .filter(organisations::name_key.eq(key))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_organisations(conn: &mut DbConn) -> Result<Vec<OrganisationRow>, AppError> {
    Ok(organisations::table
        .order(organisations::name_key.asc())
        .select(OrganisationRow::as_select())
        .load(conn)?)
}

/// Which of these organisation ids exist.
pub fn existing_organisations(
    conn: &mut DbConn,
    ids: &[&str],
) -> Result<HashSet<String>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(organisations::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub fn insert_round(conn: &mut DbConn, row: &RoundRow) -> Result<(), AppError> {
    diesel::insert_into(rounds::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_round(conn: &mut DbConn, id: &str) -> Result<Option<RoundRow>, AppError> {
    Ok(rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_rounds(conn: &mut DbConn) -> Result<Vec<RoundRow>, AppError> {
    Ok(rounds::table
        .order(rounds::opens_at.desc())
        .select(RoundRow::as_select())
        .load(conn)?)
}

pub fn count_rounds(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(rounds::table.count().get_result(conn)?)
}

/// Stores a changed round if nobody changed it since it was read (`row.version` is the new
/// version, one past the one read); false when another change won.
pub fn update_round(conn: &mut DbConn, row: &RoundRow) -> Result<bool, AppError> {
    let n = diesel::update(
        rounds::table
            .filter(rounds::id.eq(&row.id))
            .filter(rounds::version.eq(row.version - 1)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}
