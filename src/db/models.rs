//! Rows as stored. These never leave `db` and `http` handlers: responses are built from DTOs.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{organisations, rounds, users};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users)]
#[diesel(treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// Comma-separated role names, sorted.
    pub roles: String,
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    /// The name folded to lower case, unique: "Bibliotheek" and "bibliotheek" are one organisation.
    pub name_key: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rounds)]
#[diesel(treat_none_as_null = true)]
pub struct RoundRow {
    pub id: String,
    pub name: String,
    pub programme: String,
    pub start_year: i32,
    pub end_year: i32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    /// The catalog (themes, criteria, conditions) as JSON.
    pub catalog: String,
    pub adopted_on: Option<NaiveDate>,
    pub adoption_reference: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
