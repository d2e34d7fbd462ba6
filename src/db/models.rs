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

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = super::schema::plans)]
#[diesel(treat_none_as_null = true)]
pub struct PlanRow {
    pub id: String,
    pub round_id: String,
    pub owner_id: String,
    pub applicant_kind: String,
    pub status: String,
    pub version: i64,
    pub title: String,
    pub budget_line: Option<String>,
    pub goals_index: String,
    pub search_text: String,
    pub requested_eur: Option<i64>,
    pub content: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::plan_events)]
pub struct PlanEventRow {
    pub id: String,
    pub plan_id: String,
    pub actor_id: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: NaiveDateTime,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::plan_versions)]
pub struct PlanVersionRow {
    pub plan_id: String,
    pub version: i32,
    pub submitted_at: NaiveDateTime,
    pub snapshot: String,
}
