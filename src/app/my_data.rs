//! What planloket holds about a person, as data (AVG art. 15 and 20; issue 33): their
//! account, organisation, plans (own and co-applied, with their versions, as they may see
//! them: nothing of the assessment before publication), messages, letters, grants, sessions,
//! and the processing log's entries about them (by role and time, without staff names).
//! `GET /me/data` serialises it; `/mijn-gegevens` shows it and offers it as a file.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::plans::{PlanView, ShownVersion};
use super::Error;
use crate::db::{self, DbConn};
use crate::domain::user::Account;
use crate::domain::visibility::ShownStatus;

#[derive(Debug, Serialize)]
pub struct MyData {
    pub account: AccountData,
    pub organisations: Vec<OrganisationData>,
    pub plans: Vec<PlanData>,
    pub messages: Vec<MessageData>,
    pub letters: Vec<LetterData>,
    pub grants: Vec<GrantData>,
    pub sessions: Vec<SessionData>,
    pub processing_log: Vec<LogData>,
}

#[derive(Debug, Serialize)]
pub struct AccountData {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<&'static str>,
    pub kind: Option<&'static str>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct OrganisationData {
    pub id: String,
    pub name: String,
    /// Whether the team confirmed that the person belongs to it.
    pub confirmed: bool,
}

#[derive(Debug, Serialize)]
pub struct PlanData {
    pub id: String,
    pub reference: Option<String>,
    pub round_id: String,
    /// `owner` or `co_applicant`.
    pub role: &'static str,
    /// As the person may see it (`in_assessment` until the decision is published).
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub content: serde_json::Value,
    /// The published decision, once published.
    pub decision: Option<serde_json::Value>,
    pub versions: Vec<VersionData>,
}

#[derive(Debug, Serialize)]
pub struct VersionData {
    pub version: i32,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Option<String>,
    pub changed_by: Vec<String>,
    pub plan: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct MessageData {
    pub id: String,
    pub plan_id: String,
    pub created_at: DateTime<Utc>,
    pub body: String,
}

#[derive(Debug, Serialize)]
pub struct LetterData {
    pub id: String,
    pub kind: String,
    pub written_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct GrantData {
    pub id: String,
    pub plan_id: String,
    pub amount_eur: i64,
    pub status: String,
    pub final_eur: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct SessionData {
    pub signed_in_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct LogData {
    pub at: DateTime<Utc>,
    /// The role the municipality's staff member acted in (never who).
    pub role: &'static str,
    pub role_nl: &'static str,
    pub activity: String,
    pub activity_nl: String,
    pub record_kind: &'static str,
    pub record_id: String,
}

/// Everything held about `me`.
pub fn export(c: &mut DbConn, me: &Account) -> Result<MyData, Error> {
    let actor = me.actor();
    let organisations = match &me.organisation_id {
        Some(id) => db::organisations::find(c, id)?
            .map(|o| OrganisationData {
                id: o.id,
                name: o.name,
                confirmed: me.organisation_confirmed,
            })
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    let held = db::plans::page(
        c,
        &db::plans::PlanFilter {
            holder_id: Some(me.id.clone()),
            ..Default::default()
        },
        &Default::default(),
        // Every plan one person holds: drafts are capped, and nobody files thousands.
        10_000,
    )?;
    let mut plans = Vec::with_capacity(held.len());
    let mut grants = Vec::new();
    let published: std::collections::HashMap<String, bool> = held
        .iter()
        .map(|p| (p.id.clone(), p.is_published()))
        .collect();
    for plan in held {
        let versions = super::plans::versions(c, &actor, &plan.id)?;
        let view = PlanView::new(plan);
        let shown = view.shown_to(&actor);
        let status = match shown.status {
            ShownStatus::Actual(s) => s.as_str(),
            other => other.as_str(),
        };
        let p = &view.plan;
        plans.push(PlanData {
            id: p.id.clone(),
            reference: p.reference.clone(),
            round_id: p.round_id.clone(),
            role: if p.owner_id == me.id {
                "owner"
            } else {
                "co_applicant"
            },
            status,
            created_at: p.created_at,
            submitted_at: p.submitted_at,
            content: serde_json::to_value(&p.content)
                .map_err(|e| Error::Internal(e.to_string()))?,
            decision: shown
                .decision
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| Error::Internal(e.to_string()))?,
            versions: versions.into_iter().map(version_data).collect(),
        });
        if p.owner_id == me.id {
            if let Some(g) = db::grants::of_plan(c, &p.id)? {
                grants.push(GrantData {
                    id: g.id,
                    plan_id: g.plan_id,
                    amount_eur: g.amount.value(),
                    status: g.status.as_str().to_string(),
                    final_eur: g.final_amount.map(|a| a.value()),
                });
            }
        }
    }
    let messages = db::conversation::by_author(c, &me.id)?
        .into_iter()
        .map(|m| MessageData {
            id: m.id,
            plan_id: m.plan_id,
            created_at: m.created_at,
            body: m.body,
        })
        .collect();
    let letters = db::outbox::to_address(c, &me.email)?
        .into_iter()
        .map(|m| LetterData {
            id: m.id,
            kind: m.kind,
            written_at: m.created_at,
            sent_at: m.sent_at,
            subject: m.subject,
            text: m.text,
        })
        .collect();
    let sessions = db::sessions::of_user(c, &me.id)?
        .into_iter()
        .map(|s| SessionData {
            signed_in_at: s.created_at,
            last_used_at: s.last_seen_at,
        })
        .collect();
    // A plan no longer held (stepped out) shows its assessment steps no more than an
    // unpublished one.
    let processing_log = db::processing::about(c, &me.id)?
        .into_iter()
        .filter(|e| {
            let shown = published.get(&e.record_id).copied().unwrap_or(false);
            crate::domain::processing::shown_to_subject(e, shown)
        })
        .map(|e| LogData {
            at: e.at,
            role: e.role.as_str(),
            role_nl: e.role.label_nl(),
            activity: e.activity.code(),
            activity_nl: e.activity.label_nl(),
            record_kind: e.record_kind,
            record_id: e.record_id,
        })
        .collect();
    Ok(MyData {
        account: AccountData {
            id: me.id.clone(),
            email: me.email.clone(),
            name: me.name.clone(),
            roles: me.roles.iter().map(|r| r.as_str()).collect(),
            kind: me.kind.map(|k| k.as_str()),
            created_at: me.created_at,
            updated_at: me.updated_at,
        },
        organisations,
        plans,
        messages,
        letters,
        grants,
        sessions,
        processing_log,
    })
}

fn version_data(v: ShownVersion) -> VersionData {
    VersionData {
        version: v.version.version,
        submitted_at: v.version.submitted_at,
        submitted_by: v.submitted_by,
        changed_by: v.changed_by,
        plan: v.version.snapshot,
    }
}
