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
    /// The current pre-advice as JSON (domain::pre_advice::PreAdvice).
    pub pre_advice: Option<String>,
    pub proposed_eur: Option<i64>,
    pub total_score: Option<i32>,
    pub granted_eur: Option<i64>,
    /// The board's decision as JSON (outcome, tally, when).
    pub decision: Option<String>,
    pub merged_into: Option<String>,
    /// The programme team's last question as JSON ({message, requested_at}).
    pub info_request: Option<String>,
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = super::schema::evaluations)]
pub struct EvaluationRow {
    pub plan_id: String,
    pub reviewer_id: String,
    /// JSON list of domain::evaluation::Score.
    pub scores: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = super::schema::votes)]
pub struct VoteRow {
    pub plan_id: String,
    pub member_id: String,
    pub vote: String,
    pub comment: String,
    pub cast_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::conflicts)]
pub struct ConflictRow {
    pub plan_id: String,
    pub member_id: String,
    pub reason: String,
    pub declared_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::budget_lines)]
pub struct BudgetLineRow {
    pub round_id: String,
    pub theme: String,
    pub budget_eur: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub plan_id: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::magic_links)]
pub struct MagicLinkRow {
    pub token_hash: String,
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}
