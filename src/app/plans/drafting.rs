//! Work on a plan before it is stored or sent: the plan form's mistakes, checked without
//! storing anything, and an answer to the team's question kept unsent while the plan is
//! changed.

use chrono::Utc;

use super::known_organisations;
use crate::app::{now, Error};
use crate::db::{self, Tx};
use crate::domain::plan::{
    check_content, check_links, parse_submission, PlanContent, SubmissionKind,
};
use crate::domain::state::{decide_as_seen, Action};
use crate::domain::text::Bounded;
use crate::domain::user::{Account, Actor};
use crate::domain::{DomainError, FieldError};

/// The owner keeps an answer to the team's question unsent while they change the plan (the
/// answer box's "Antwoord bewaren en plan aanpassen"), as long as the plan waits for the
/// answer; an empty answer drops what was kept. Nobody else reads it.
pub fn keep_answer(tx: &mut Tx, actor: &Actor, plan_id: &str, answer: &str) -> Result<(), Error> {
    let (plan, _) = super::load_visible(tx, actor, plan_id)?;
    if plan.owner_id != actor.user_id {
        return Err(crate::domain::state::forbidden(Action::Submit).into());
    }
    let t = decide_as_seen(plan.state(), Action::Submit, actor)?;
    crate::domain::state::check_keeps_answer(t.from)?;
    let text = Bounded::REASON
        .check(answer)
        .map_err(|m| DomainError::Invalid(vec![FieldError::new("answer", m)]))?;
    db::notes::keep_answer(tx, &plan.id, &text, now())?;
    Ok(())
}

/// The answer the owner kept on a plan, for their own plan page.
pub fn kept_answer(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    plan_id: &str,
) -> Result<Option<String>, Error> {
    let (plan, _) = super::load_visible(c, actor, plan_id)?;
    if plan.owner_id != actor.user_id {
        return Ok(None);
    }
    Ok(db::notes::kept_answer(c, &plan.id)?)
}

/// What the plan form's content breaks, checked without storing anything, so a form names every
/// mistake in one pass: `saving` holds what any saved draft must keep (a draft breaking one is
/// not stored), `submitting` what submission adds (asked only when the person pressed "Plan
/// indienen"). `plan_id` is the plan being edited, `None` for a new one (then the applicant's
/// own kind decides whether a payee is needed).
pub fn form_check(
    c: &mut crate::db::DbConn,
    account: &Account,
    round_id: &str,
    plan_id: Option<&str>,
    content: &PlanContent,
    submitting: bool,
) -> Result<FormCheck, Error> {
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    let known = known_organisations(c, content)?;
    let mut saving = check_content(content, &round.spec.catalog, &known);
    let ids: Vec<&str> = content.links.iter().map(|l| l.plan_id.as_str()).collect();
    let existing = db::plans::existing(c, &ids)?;
    saving
        .0
        .extend(check_links(&content.links, plan_id, &existing).0);
    let mut on_submit = Vec::new();
    if submitting {
        let kind = match plan_id {
            Some(id) => db::plans::find(c, id)?.map(|p| p.applicant_kind),
            None => None,
        }
        .or(account.kind)
        .unwrap_or(crate::domain::user::ApplicantKind::Partner);
        // The round's own deadline is the submission page's to say; here only the fields.
        let errors = match parse_submission(
            content,
            kind,
            &round.spec,
            &known,
            Utc::now(),
            SubmissionKind::Resubmission,
        ) {
            Err(DomainError::Invalid(e)) => e,
            _ => Vec::new(),
        };
        on_submit = errors
            .into_iter()
            .filter(|e| !saving.0.iter().any(|s| s.field == e.field))
            .collect();
    }
    Ok(FormCheck {
        saving: saving.0,
        submitting: on_submit,
    })
}

/// The mistakes `form_check` found.
#[derive(Debug, Clone, Default)]
pub struct FormCheck {
    /// A draft with any of these is not stored.
    pub saving: Vec<FieldError>,
    /// What submitting would still refuse.
    pub submitting: Vec<FieldError>,
}
