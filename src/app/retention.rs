//! The retention policy applied (issue 33): what is due now (`due`, the dry run), and doing
//! it (`apply`: the command `planloket retention` and the worker, daily). Each record is
//! handled in a transaction of its own, with the same conditions the listing used, so two
//! instances running at once, or a person changing a draft meanwhile, never lose anything
//! that is not due.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::outbox::enqueue;
use super::plans::addressees;
use super::Error;
use crate::db::{self, Db, DbConn};
use crate::domain::calendar::amsterdam_date;
use crate::domain::retention::{DraftStep, Due, Policy, Step};
use crate::mail::letters;

/// Everything the policy would do at `now`, one record each, in the order it does them.
pub fn due(c: &mut DbConn, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<Due>, Error> {
    let mut out = Vec::new();
    for d in db::retention::old_drafts(c, policy.drafts_changed_before(now))? {
        match policy.draft_step(d.updated_at, d.warned_at, now) {
            DraftStep::Keep => {}
            DraftStep::Warn { delete_at } => out.push(Due {
                kind: "draft",
                id: d.id,
                action: Step::Warn,
                reason: format!(
                    "untouched since {}; its owner is told it goes on the due date",
                    d.updated_at.format("%Y-%m-%d")
                ),
                due_at: delete_at,
            }),
            DraftStep::Delete => out.push(Due {
                kind: "draft",
                id: d.id,
                action: Step::Delete,
                reason: format!(
                    "untouched since {}, its owner warned on {}",
                    d.updated_at.format("%Y-%m-%d"),
                    d.warned_at.unwrap_or(now).format("%Y-%m-%d")
                ),
                due_at: now,
            }),
        }
    }
    for (id, last) in db::retention::idle_accounts(c, policy.idle_since(now))? {
        out.push(Due {
            kind: "account",
            id,
            action: Step::Delete,
            reason: format!(
                "an applicant's account without plans, last used {}",
                last.format("%Y-%m-%d")
            ),
            due_at: now,
        });
    }
    for (kind, id, at) in db::retention::old_sign_in_records(c, policy.sign_in_before(now))? {
        // An attempt is keyed by what it counts (an address's hash or a network): named by
        // a short hash of the key, so the listing shows nobody.
        let shown = if kind == "sign_in_attempt" {
            super::accounts::token_hash(&id)[..16].to_string()
        } else {
            id[..id.len().min(16)].to_string()
        };
        out.push(Due {
            kind,
            id: shown,
            action: Step::Delete,
            reason: format!("from {}", at.format("%Y-%m-%d")),
            due_at: now,
        });
    }
    for (id, at) in db::retention::old_mails(c, policy.mail_before(now))? {
        out.push(Due {
            kind: "mail",
            id,
            action: Step::Anonymise,
            reason: format!(
                "sent {}: subject and text removed, date, kind and masked address kept",
                at.format("%Y-%m-%d")
            ),
            due_at: now,
        });
    }
    for (id, at) in db::retention::old_log_entries(c, policy.log_before(now))? {
        out.push(Due {
            kind: "processing_log",
            id,
            action: Step::Delete,
            reason: format!("logged {}", at.format("%Y-%m-%d")),
            due_at: now,
        });
    }
    let files_closed_before = now
        .checked_sub_months(chrono::Months::new(policy.subsidy_file_years * 12))
        .unwrap_or(now);
    for (id, closed) in db::retention::closed_files(c, files_closed_before)? {
        out.push(Due {
            kind: "subsidy_file",
            id,
            action: Step::Anonymise,
            reason: format!(
                "closed {}: the conversation, attachments, co-applicants and edits removed",
                closed.format("%Y-%m-%d")
            ),
            due_at: policy.subsidy_file_due(closed),
        });
    }
    Ok(out)
}

/// Applies the policy at `now`: answers what it did. `site` is where a warning's link points,
/// `attachments` the folder the files lie in.
pub fn apply(
    db: &Db,
    policy: &Policy,
    now: DateTime<Utc>,
    site: &str,
    attachments: &Path,
) -> Result<Vec<Due>, Error> {
    let listed = db.read(|c| due(c, policy, now))?;
    let mut done = Vec::new();
    for item in listed {
        let files = db.write(|tx| -> Result<Option<Vec<String>>, Error> {
            match (item.kind, item.action) {
                ("draft", step) => {
                    // Read again: a draft changed since the listing is no longer due.
                    let Some(plan) = db::plans::find(tx, &item.id)? else {
                        return Ok(None);
                    };
                    let Some(d) = db::retention::old_drafts(tx, policy.drafts_changed_before(now))?
                        .into_iter()
                        .find(|d| d.id == plan.id)
                    else {
                        return Ok(None);
                    };
                    match (policy.draft_step(d.updated_at, d.warned_at, now), step) {
                        (DraftStep::Warn { delete_at }, Step::Warn) => {
                            db::retention::warned(tx, "draft", &plan.id, now)?;
                            for to in addressees(tx, &plan)? {
                                enqueue(
                                    tx,
                                    letters::draft_expiring(
                                        &to.email,
                                        &to.name,
                                        &plan.content.title,
                                        &plan.id,
                                        amsterdam_date(delete_at),
                                        site,
                                    )?,
                                )?;
                            }
                            Ok(Some(Vec::new()))
                        }
                        (DraftStep::Delete, Step::Delete) => {
                            let files = db::retention::drop_attachments(tx, &plan.id)?;
                            if !db::plans::delete(tx, &plan)? {
                                return Err(Error::Changed("plan"));
                            }
                            db::retention::forget(tx, "draft", &plan.id)?;
                            Ok(Some(files))
                        }
                        _ => Ok(None),
                    }
                }
                ("account", _) => {
                    let still_idle = db::retention::idle_accounts(tx, policy.idle_since(now))?
                        .iter()
                        .any(|(id, _)| *id == item.id);
                    if still_idle && db::retention::delete_account(tx, &item.id)? {
                        Ok(Some(Vec::new()))
                    } else {
                        Ok(None)
                    }
                }
                ("mail", _) => {
                    let Some(to) = db::retention::mail_address(tx, &item.id)? else {
                        return Ok(None);
                    };
                    db::retention::empty_mail(tx, &item.id, &crate::mail::mask(&to))?;
                    Ok(Some(Vec::new()))
                }
                ("subsidy_file", _) => Ok(Some(db::retention::anonymise_file(tx, &item.id, now)?)),
                // Sign-in records are listed by a shortened id: deleted by their bound below.
                _ => Ok(None),
            }
        });
        match files {
            Ok(Some(files)) => {
                for f in files {
                    let _ = std::fs::remove_file(attachments.join(f));
                }
                done.push(item);
            }
            Ok(None) => {}
            // A record changed meanwhile is left for the next run.
            Err(Error::Changed(_)) => {}
            Err(e) => return Err(e),
        }
    }
    // The processing log's old entries go by their bound.
    let log =
        db.read(|c| Ok::<_, Error>(db::retention::old_log_entries(c, policy.log_before(now))?))?;
    if !log.is_empty() {
        db.write(|tx| {
            Ok::<_, Error>(db::retention::delete_old_log_entries(
                tx,
                policy.log_before(now),
            )?)
        })?;
        done.extend(log.into_iter().map(|(id, at)| Due {
            kind: "processing_log",
            id,
            action: Step::Delete,
            reason: format!("logged {}", at.format("%Y-%m-%d")),
            due_at: now,
        }));
    }
    // Sign-in records go by their bound, in one statement per table.
    // Read first: most days there is nothing, and then no write transaction is taken.
    let removed = db.read(|c| {
        Ok::<_, Error>(db::retention::old_sign_in_records(
            c,
            policy.sign_in_before(now),
        )?)
    })?;
    if !removed.is_empty() {
        db.write(|tx| {
            for (kind, id, _) in &removed {
                db::retention::delete_sign_in_record(tx, kind, id)?;
            }
            Ok::<_, Error>(())
        })?;
    }
    for (kind, id, at) in removed {
        let shown = if kind == "sign_in_attempt" {
            super::accounts::token_hash(&id)[..16].to_string()
        } else {
            id[..id.len().min(16)].to_string()
        };
        done.push(Due {
            kind,
            id: shown,
            action: Step::Delete,
            reason: format!("from {}", at.format("%Y-%m-%d")),
            due_at: now,
        });
    }
    Ok(done)
}
