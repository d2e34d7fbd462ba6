//! What the public may see of a grant, on the results page and in its JSON alike: what was
//! granted, paid and spent, whom the action reached and what was done. Nothing of the money's
//! way (payments, batches, accounts), the final amount's motivation, a claim or attachments:
//! those are for the people who may read the grant (`super::sees`).

use chrono::{DateTime, Utc};

use super::{progress, Grant, GrantStatus, Payment, Report, ReportKind, Spent};
use crate::domain::money::Eur;

/// A filed report as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedReport {
    pub kind: ReportKind,
    pub filed_at: DateTime<Utc>,
    pub done: String,
    pub reach: i64,
    pub spent: Vec<Spent>,
    pub stopped_reason: Option<String>,
}

/// An action's grant as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedAction {
    pub plan_id: String,
    pub title: String,
    pub theme: Option<String>,
    pub status: GrantStatus,
    pub granted: Eur,
    pub final_amount: Option<Eur>,
    pub paid: Eur,
    pub spent: Eur,
    pub reach: i64,
    pub reports: Vec<PublishedReport>,
}

/// The public part of a grant and its filed reports.
pub fn published(
    grant: &Grant,
    title: &str,
    theme: Option<&str>,
    payments: &[Payment],
    reports: &[Report],
) -> PublishedAction {
    let p = progress(payments, reports);
    PublishedAction {
        plan_id: grant.plan_id.clone(),
        title: title.to_string(),
        theme: theme.map(str::to_string),
        status: grant.status,
        granted: grant.amount,
        final_amount: grant.final_amount,
        paid: p.paid,
        spent: p.spent,
        reach: p.reach,
        reports: reports
            .iter()
            .filter_map(|r| {
                r.filed.as_ref().map(|f| PublishedReport {
                    kind: r.kind,
                    filed_at: f.filed_at,
                    done: f.done.clone(),
                    reach: f.reach,
                    spent: f.spent.clone(),
                    stopped_reason: f.stopped_reason.clone(),
                })
            })
            .collect(),
    }
}
