//! Organisations.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::rows::OrganisationRow;
use super::schema::organisations;
use super::{DbConn, DbError};
use crate::domain::organisation::Organisation;

pub fn insert(c: &mut DbConn, o: &Organisation) -> Result<(), DbError> {
    diesel::insert_into(organisations::table)
        .values(&OrganisationRow::of(o))
        .execute(c)?;
    Ok(())
}

/// The organisation whose name has this key (`organisation_key`), if any.
pub fn find_by_key(c: &mut DbConn, key: &str) -> Result<Option<Organisation>, DbError> {
    organisations::table
        .filter(organisations::name_key.eq(key))
        .select(OrganisationRow::as_select())
        .first(c)
        .optional()?
        .map(OrganisationRow::parse)
        .transpose()
}

/// The ids of the organisations whose names have these keys (`organisation_key`), by key.
pub fn ids_by_key(c: &mut DbConn, keys: &[String]) -> Result<HashMap<String, String>, DbError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisations::table
        .filter(organisations::name_key.eq_any(keys))
        .select((organisations::name_key, organisations::id))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Organisation>, DbError> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(c)
        .optional()?
        .map(OrganisationRow::parse)
        .transpose()
}

/// Every organisation, by name.
pub fn list(c: &mut DbConn) -> Result<Vec<Organisation>, DbError> {
    organisations::table
        .order(organisations::name_key.asc())
        .select(OrganisationRow::as_select())
        .load(c)?
        .into_iter()
        .map(OrganisationRow::parse)
        .collect()
}

/// Every organisation's name by id (for overviews and reasons).
pub fn names(c: &mut DbConn) -> Result<HashMap<String, String>, DbError> {
    let rows: Vec<(String, String)> = crate::with_backend_conn!(c, c => organisations::table
        .select((organisations::id, organisations::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}

/// The names of these organisations, by id (a plan's page names only its own).
pub fn names_of(c: &mut DbConn, ids: &[&str]) -> Result<HashMap<String, String>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

/// Which of these organisation ids exist.
pub fn existing(c: &mut DbConn, ids: &[&str]) -> Result<HashSet<String>, DbError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(organisations::id)
        .load::<String>(c)?
        .into_iter()
        .collect())
}
