//! Rows as stored, and their translation to and from domain types. Every stored value is
//! parsed here, once, when read: a value that does not parse is `DbError::Corrupt`, logged
//! with its table, row and column. Rows never leave `db`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::de::DeserializeOwned;

use super::schema::{
    adoptions, conflicts, evaluations, magic_links, organisations, outbox, plan_events,
    plan_versions, plans, rounds, users, votes,
};
use super::{stored, utc, DbError};
use crate::domain::adoption::Adoption;
use crate::domain::conflict::DeclaredConflict;
use crate::domain::evaluation::Evaluation;
use crate::domain::organisation::{Organisation, OrganisationKind};
use crate::domain::plan::{Plan, PlanEvent, PlanVersion};
use crate::domain::round::{Catalog, LegalFrame, Round, RoundSpec};
use crate::domain::state::{Action, PlanStatus};
use crate::domain::tally::{Vote, VoteChoice};
use crate::domain::text::fold;
use crate::domain::user::{Account, ApplicantKind, Role};
use crate::domain::Eur;

/// Reads a JSON column into its type, or names what does not parse.
fn json<T: DeserializeOwned>(
    table: &'static str,
    id: &str,
    column: &'static str,
    raw: &str,
) -> Result<T, DbError> {
    serde_json::from_str(raw).map_err(|e| DbError::corrupt(table, id, column, e))
}

fn json_opt<T: DeserializeOwned>(
    table: &'static str,
    id: &str,
    column: &'static str,
    raw: Option<&str>,
) -> Result<Option<T>, DbError> {
    raw.map(|r| json(table, id, column, r)).transpose()
}

/// A value written as JSON; our own types always serialise.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Other(format!("cannot write JSON: {e}")))
}

fn amount(
    table: &'static str,
    id: &str,
    column: &'static str,
    raw: Option<i64>,
) -> Result<Option<Eur>, DbError> {
    raw.map(|v| Eur::parse(v).map_err(|m| DbError::corrupt(table, id, column, m)))
        .transpose()
}

fn status(
    table: &'static str,
    id: &str,
    column: &'static str,
    raw: &str,
) -> Result<PlanStatus, DbError> {
    PlanStatus::parse(raw)
        .ok_or_else(|| DbError::corrupt(table, id, column, format!("unknown status '{raw}'")))
}

// ---- accounts and organisations -------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users)]
#[diesel(treat_none_as_null = true)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// Role names, sorted and comma-separated (`roles_column`).
    pub roles: String,
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub session_epoch: i64,
    pub organisation_confirmed: bool,
}

/// A set of roles as stored: sorted, without repeats, comma-separated. The board is found by
/// these exact strings (`Role::board_sets`), so every account is written through here.
pub fn roles_column(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl UserRow {
    pub fn of(a: &Account) -> UserRow {
        UserRow {
            id: a.id.clone(),
            email: a.email.clone(),
            name: a.name.clone(),
            password_hash: a.password_hash.clone(),
            roles: roles_column(&a.roles),
            kind: a.kind.map(|k| k.as_str().to_string()),
            organisation_id: a.organisation_id.clone(),
            active: a.active,
            created_at: stored(a.created_at),
            updated_at: stored(a.updated_at),
            session_epoch: a.session_epoch,
            organisation_confirmed: a.organisation_confirmed,
        }
    }

    pub fn parse(self) -> Result<Account, DbError> {
        let mut roles = Vec::new();
        for name in self.roles.split(',') {
            let role = Role::parse(name).ok_or_else(|| {
                DbError::corrupt("users", &self.id, "roles", format!("unknown role '{name}'"))
            })?;
            roles.push(role);
        }
        let kind = match self.kind.as_deref() {
            None => None,
            Some(k) => Some(ApplicantKind::parse(k).ok_or_else(|| {
                DbError::corrupt("users", &self.id, "kind", format!("unknown kind '{k}'"))
            })?),
        };
        Ok(Account {
            id: self.id,
            email: self.email,
            name: self.name,
            password_hash: self.password_hash,
            roles,
            kind,
            organisation_id: self.organisation_id,
            organisation_confirmed: self.organisation_confirmed,
            active: self.active,
            session_epoch: self.session_epoch,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    /// The name folded (`organisation_key`), unique: "Bibliotheek" and "bibliotheek" are one.
    pub name_key: String,
    pub kind: String,
    pub created_at: NaiveDateTime,
    pub contact_email: Option<String>,
}

impl OrganisationRow {
    pub fn of(o: &Organisation) -> OrganisationRow {
        OrganisationRow {
            id: o.id.clone(),
            name: o.name.clone(),
            name_key: o.key(),
            kind: o.kind.as_str().to_string(),
            created_at: stored(o.created_at),
            contact_email: o.contact_email.clone(),
        }
    }

    pub fn parse(self) -> Result<Organisation, DbError> {
        let kind = OrganisationKind::parse(&self.kind)
            .map_err(|m| DbError::corrupt("organisations", &self.id, "kind", m))?;
        Ok(Organisation {
            id: self.id,
            name: self.name,
            kind,
            contact_email: self.contact_email,
            created_at: utc(self.created_at),
        })
    }
}

// ---- rounds ----------------------------------------------------------------------------------

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
    pub authority: String,
    pub legal_basis: String,
    pub objection_address: String,
    pub advance_share: i32,
    pub reference_prefix: String,
}

impl RoundRow {
    pub fn of(r: &Round) -> Result<RoundRow, DbError> {
        Ok(RoundRow {
            id: r.id.clone(),
            name: r.spec.name.clone(),
            programme: r.spec.programme.clone(),
            start_year: r.spec.start_year,
            end_year: r.spec.end_year,
            opens_at: stored(r.spec.opens_at),
            closes_at: stored(r.spec.closes_at),
            catalog: to_json(&r.spec.catalog)?,
            adopted_on: r.adopted_on,
            adoption_reference: r.adoption_reference.clone(),
            version: r.version,
            created_at: stored(r.created_at),
            updated_at: stored(r.updated_at),
            authority: r.spec.legal.authority.clone(),
            legal_basis: r.spec.legal.legal_basis.clone(),
            objection_address: r.spec.legal.objection_address.clone(),
            advance_share: r.spec.advance_share,
            reference_prefix: r.spec.reference_prefix.clone(),
        })
    }

    pub fn parse(self) -> Result<Round, DbError> {
        let catalog: Catalog = json("rounds", &self.id, "catalog", &self.catalog)?;
        Ok(Round {
            spec: RoundSpec {
                name: self.name,
                programme: self.programme,
                start_year: self.start_year,
                end_year: self.end_year,
                opens_at: utc(self.opens_at),
                closes_at: utc(self.closes_at),
                catalog,
                legal: LegalFrame {
                    authority: self.authority,
                    legal_basis: self.legal_basis,
                    objection_address: self.objection_address,
                },
                advance_share: self.advance_share,
                reference_prefix: self.reference_prefix,
            },
            id: self.id,
            adopted_on: self.adopted_on,
            adoption_reference: self.adoption_reference,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

// ---- adoptions ------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = adoptions)]
pub struct AdoptionRow {
    pub id: String,
    pub round_id: String,
    pub seq: i32,
    pub adopted_on: NaiveDate,
    pub reference: String,
    /// The deferred plans' ids as a JSON list.
    pub deferred: String,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AdoptionRow {
    pub fn of(a: &Adoption) -> Result<AdoptionRow, DbError> {
        Ok(AdoptionRow {
            id: a.id.clone(),
            round_id: a.round_id.clone(),
            seq: a.seq,
            adopted_on: a.adopted_on,
            reference: a.reference.clone(),
            deferred: to_json(&a.deferred)?,
            recorded_by: a.recorded_by.clone(),
            version: a.version,
            created_at: stored(a.created_at),
            updated_at: stored(a.updated_at),
        })
    }

    pub fn parse(self) -> Result<Adoption, DbError> {
        Ok(Adoption {
            deferred: json("adoptions", &self.id, "deferred", &self.deferred)?,
            id: self.id,
            round_id: self.round_id,
            seq: self.seq,
            adopted_on: self.adopted_on,
            reference: self.reference,
            recorded_by: self.recorded_by,
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

// ---- plans -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plans)]
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
    /// `,A,B,`: the goal filter matches `%,A,%`.
    pub goals_index: String,
    /// Title and description folded, for the text filter.
    pub search_text: String,
    pub requested_eur: Option<i64>,
    /// The applicant's content as JSON (`PlanContent`).
    pub content: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    /// The current pre-advice as JSON (`RecordedPreAdvice`).
    pub pre_advice: Option<String>,
    pub proposed_eur: Option<i64>,
    pub total_score: Option<i32>,
    pub granted_eur: Option<i64>,
    /// The board's decision as JSON (`Decision`).
    pub decision: Option<String>,
    pub merged_into: Option<String>,
    /// The programme team's last question as JSON (`InfoRequest`).
    pub info_request: Option<String>,
    pub shown_version: i64,
    pub shown_updated_at: NaiveDateTime,
    pub adoption_id: Option<String>,
    pub own_action_of: Option<String>,
    pub reference: Option<String>,
}

impl PlanRow {
    /// The row of a plan, with the columns derived from its content for filtering.
    pub fn of(p: &Plan) -> Result<PlanRow, DbError> {
        let c = &p.content;
        Ok(PlanRow {
            id: p.id.clone(),
            round_id: p.round_id.clone(),
            owner_id: p.owner_id.clone(),
            applicant_kind: p.applicant_kind.as_str().to_string(),
            status: p.status.as_str().to_string(),
            version: p.version,
            title: c.title.clone(),
            budget_line: p.budget_line.clone(),
            goals_index: format!(",{},", c.goals.join(",")),
            // The reference too: a person searches by what the letter says.
            search_text: fold(&format!(
                "{}\n{}\n{}",
                c.title,
                c.description,
                p.reference.as_deref().unwrap_or("")
            )),
            requested_eur: c.requested_eur,
            content: to_json(c)?,
            created_at: stored(p.created_at),
            updated_at: stored(p.updated_at),
            submitted_at: p.submitted_at.map(stored),
            pre_advice: p.pre_advice.as_ref().map(to_json).transpose()?,
            proposed_eur: p.proposed.map(Eur::value),
            total_score: p.total_score,
            granted_eur: p.granted.map(Eur::value),
            decision: p.decision.as_ref().map(to_json).transpose()?,
            merged_into: p.merged_into.clone(),
            info_request: p.info_request.as_ref().map(to_json).transpose()?,
            shown_version: p.shown_version,
            shown_updated_at: stored(p.shown_updated_at),
            adoption_id: p.adoption_id.clone(),
            own_action_of: p.own_action_of.clone(),
            reference: p.reference.clone(),
        })
    }

    pub fn parse(self) -> Result<Plan, DbError> {
        const T: &str = "plans";
        let id = self.id.as_str();
        let applicant_kind = ApplicantKind::parse(&self.applicant_kind).ok_or_else(|| {
            DbError::corrupt(
                T,
                id,
                "applicant_kind",
                format!("unknown kind '{}'", self.applicant_kind),
            )
        })?;
        Ok(Plan {
            status: status(T, id, "status", &self.status)?,
            applicant_kind,
            content: json(T, id, "content", &self.content)?,
            pre_advice: json_opt(T, id, "pre_advice", self.pre_advice.as_deref())?,
            proposed: amount(T, id, "proposed_eur", self.proposed_eur)?,
            granted: amount(T, id, "granted_eur", self.granted_eur)?,
            decision: json_opt(T, id, "decision", self.decision.as_deref())?,
            info_request: json_opt(T, id, "info_request", self.info_request.as_deref())?,
            version: self.version,
            shown_version: self.shown_version,
            shown_updated_at: utc(self.shown_updated_at),
            budget_line: self.budget_line,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            submitted_at: self.submitted_at.map(utc),
            total_score: self.total_score,
            merged_into: self.merged_into,
            adoption_id: self.adoption_id,
            own_action_of: self.own_action_of,
            reference: self.reference,
            round_id: self.round_id,
            owner_id: self.owner_id,
            id: self.id,
            // Filled by the query that read the row (`co_applicants::fill`).
            co_applicant_ids: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_events)]
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

impl PlanEventRow {
    pub fn of(e: &PlanEvent) -> PlanEventRow {
        PlanEventRow {
            id: e.id.clone(),
            plan_id: e.plan_id.clone(),
            actor_id: e.actor_id.clone(),
            action: e.action.as_str().to_string(),
            from_status: e.from.map(|s| s.as_str().to_string()),
            to_status: e.to.as_str().to_string(),
            at: stored(e.at),
            reason: e.reason.clone(),
        }
    }

    pub fn parse(self) -> Result<PlanEvent, DbError> {
        const T: &str = "plan_events";
        let id = self.id.as_str();
        let action = Action::parse(&self.action).ok_or_else(|| {
            DbError::corrupt(T, id, "action", format!("unknown action '{}'", self.action))
        })?;
        Ok(PlanEvent {
            action,
            from: self
                .from_status
                .as_deref()
                .map(|s| status(T, id, "from_status", s))
                .transpose()?,
            to: status(T, id, "to_status", &self.to_status)?,
            at: utc(self.at),
            reason: self.reason,
            plan_id: self.plan_id,
            actor_id: self.actor_id,
            id: self.id,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_versions)]
pub struct PlanVersionRow {
    pub plan_id: String,
    pub version: i32,
    pub submitted_at: NaiveDateTime,
    pub snapshot: String,
    pub submitted_by: Option<String>,
}

impl PlanVersionRow {
    pub fn parse(self) -> Result<PlanVersion, DbError> {
        let key = format!("{}/{}", self.plan_id, self.version);
        Ok(PlanVersion {
            snapshot: json("plan_versions", &key, "snapshot", &self.snapshot)?,
            version: self.version,
            submitted_at: utc(self.submitted_at),
            submitted_by: self.submitted_by,
        })
    }
}

// ---- assessment ------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub plan_id: String,
    pub reviewer_id: String,
    /// JSON list of `Score`.
    pub scores: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EvaluationRow {
    pub fn of(e: &Evaluation) -> Result<EvaluationRow, DbError> {
        Ok(EvaluationRow {
            plan_id: e.plan_id.clone(),
            reviewer_id: e.reviewer_id.clone(),
            scores: to_json(&e.scores)?,
            created_at: stored(e.created_at),
            updated_at: stored(e.updated_at),
        })
    }

    pub fn parse(self) -> Result<Evaluation, DbError> {
        let key = format!("{}/{}", self.plan_id, self.reviewer_id);
        Ok(Evaluation {
            scores: json("evaluations", &key, "scores", &self.scores)?,
            plan_id: self.plan_id,
            reviewer_id: self.reviewer_id,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = votes)]
pub struct VoteRow {
    pub plan_id: String,
    pub member_id: String,
    pub vote: String,
    pub comment: String,
    pub cast_at: NaiveDateTime,
}

impl VoteRow {
    pub fn of(v: &Vote) -> VoteRow {
        VoteRow {
            plan_id: v.plan_id.clone(),
            member_id: v.member_id.clone(),
            vote: v.choice.as_str().to_string(),
            comment: v.comment.clone(),
            cast_at: stored(v.cast_at),
        }
    }

    pub fn parse(self) -> Result<Vote, DbError> {
        let choice = VoteChoice::parse(&self.vote).ok_or_else(|| {
            let key = format!("{}/{}", self.plan_id, self.member_id);
            DbError::corrupt(
                "votes",
                &key,
                "vote",
                format!("unknown vote '{}'", self.vote),
            )
        })?;
        Ok(Vote {
            plan_id: self.plan_id,
            member_id: self.member_id,
            choice,
            comment: self.comment,
            cast_at: utc(self.cast_at),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = conflicts)]
pub struct ConflictRow {
    pub plan_id: String,
    pub member_id: String,
    pub reason: String,
    pub declared_at: NaiveDateTime,
}

impl ConflictRow {
    pub fn of(c: &DeclaredConflict) -> ConflictRow {
        ConflictRow {
            plan_id: c.plan_id.clone(),
            member_id: c.member_id.clone(),
            reason: c.reason.clone(),
            declared_at: stored(c.declared_at),
        }
    }

    pub fn parse(self) -> DeclaredConflict {
        DeclaredConflict {
            plan_id: self.plan_id,
            member_id: self.member_id,
            reason: self.reason,
            declared_at: utc(self.declared_at),
        }
    }
}

// ---- mail ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
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
    pub adoption_id: Option<String>,
    /// What a decision letter says, as JSON (`mail::letters::DecisionLetter`).
    pub letter: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = magic_links)]
pub struct MagicLinkRow {
    pub token_hash: String,
    pub user_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub session_epoch: i64,
}

#[cfg(test)]
mod tests;
