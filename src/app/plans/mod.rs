//! Plans: filing, editing, submitting, withdrawing, reading and listing; and `act`, the one way
//! every transition is applied (load what the caller may see, let the state table decide, make
//! the action's own changes, store guarded by the version, record the event).

mod drafting;
mod filing;
mod listing;
mod reading;

pub use drafting::{form_check, keep_answer, kept_answer, FormCheck};
pub use filing::{
    create_draft, delete, edit, file_for, submission_check, submit, withdraw, ContentChange,
    FiledFor, SubmissionCheck, DRAFTS_MAX, INVITATION_DAYS,
};
pub use listing::{
    list, page_request, status_counts, Found, ListCaches, ListQuery, PageKey, PageRequest,
    PageStarts,
};
pub use reading::{events, get, read, read_cached, read_named, versions, ShownEvent, ShownVersion};

use std::collections::HashSet;

use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::plan::{Plan, PlanContent, PlanEvent};
use crate::domain::round::Round;
use crate::domain::state::{decide_as_seen, Action, Transition};
use crate::domain::tally::Outcome;
use crate::domain::user::{Account, Actor};
use crate::domain::visibility::{applicant_sees_change, may_see_plan};

pub use crate::domain::visibility::{PlanView, ShownPlan};

/// What the caller expects the plan's version to be: an `If-Match` (`*`, or entity tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Any,
    Versions(Vec<String>),
}

/// Refused (stale) unless the plan is at a version the caller expects.
fn check_expected(version: i64, expected: Option<&Expected>) -> Result<(), Error> {
    match expected {
        Some(Expected::Versions(v)) if !v.contains(&version.to_string()) => {
            Err(Error::Stale { version })
        }
        _ => Ok(()),
    }
}

/// What an action did besides the state change: the reason kept on the event, and for a
/// closed vote the tally's outcome (which decides where the plan goes).
#[derive(Debug, Clone, Default)]
pub struct Effect {
    pub reason: Option<String>,
    pub tally: Option<Outcome>,
}

impl Effect {
    pub fn none() -> Effect {
        Effect::default()
    }

    pub fn because(reason: String) -> Effect {
        Effect {
            reason: Some(reason),
            tally: None,
        }
    }
}

/// Loads a plan the caller may see, with its round; not found otherwise (another applicant's
/// plan is "not found", never "forbidden"). Its co-applicants see it as its owner does; the
/// owner of a plan merged into this one (however many merges away) may read it once submitted.
pub fn load_visible(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<(Plan, Round), Error> {
    let (plan, round) = db::plans::find_with_round(c, plan_id)?.ok_or(Error::NotFound("plan"))?;
    check_visible(c, actor, &plan)?;
    Ok((plan, round))
}

/// As `load_visible`, the round taken from the kept rounds instead of read and parsed again
/// (the pages that show a plan on every request).
pub fn load_visible_cached(
    c: &mut DbConn,
    kept: &super::rounds::RoundsCache,
    actor: &Actor,
    plan_id: &str,
) -> Result<(Plan, Round), Error> {
    let plan = db::plans::find(c, plan_id)?.ok_or(Error::NotFound("plan"))?;
    check_visible(c, actor, &plan)?;
    let round = super::rounds::list_cached(c, kept)?
        .iter()
        .find(|r| r.id == plan.round_id)
        .cloned()
        .ok_or_else(|| Error::Internal(format!("plan {} has no round", plan.id)))?;
    Ok((plan, round))
}

/// Whether the caller may see the plan: `NotFound` when not, so nobody learns it exists.
fn check_visible(c: &mut DbConn, actor: &Actor, plan: &Plan) -> Result<(), Error> {
    // Staff loading a plan read it (the processing log); a holder reading their own does not.
    if actor.assesses() && !plan.is_held_by(&actor.user_id) {
        super::processing::note_plan_read(actor, plan);
    }
    let assigned =
        actor.sees_only_assigned() && db::assignments::is_assigned(c, &plan.id, &actor.user_id)?;
    if may_see_plan(
        plan.status,
        plan.is_held_by(&actor.user_id),
        actor,
        assigned,
    ) {
        return Ok(());
    }
    if plan.status != crate::domain::state::PlanStatus::Draft
        && merged_owners(c, plan)?
            .iter()
            .any(|(owner, _)| owner == &actor.user_id)
    {
        return Ok(());
    }
    Err(Error::NotFound("plan"))
}

/// The owners of the plans merged into `plan`, directly or through other merges, but not
/// its own owner, each with the title of (the first of) their plans that went into it: they
/// are told of its decision and may read it.
pub fn merged_owners(c: &mut DbConn, plan: &Plan) -> Result<Vec<(String, String)>, Error> {
    let mut owners: Vec<(String, String)> = Vec::new();
    let mut seen = vec![plan.id.clone()];
    let mut next = vec![plan.id.clone()];
    while let Some(id) = next.pop() {
        for (merged_id, owner_id, title) in db::plans::merged_into_with_owners(c, &id)? {
            if seen.contains(&merged_id) {
                continue;
            }
            seen.push(merged_id.clone());
            if owner_id != plan.owner_id && !owners.iter().any(|(o, _)| o == &owner_id) {
                owners.push((owner_id, title));
            }
            next.push(merged_id);
        }
    }
    Ok(owners)
}

/// Whether `user_id` is one of the plan's applicants: its owner, a co-applicant, or the owner
/// of a plan merged into it (an organisation's own action the team filed has none).
pub fn is_applicant(c: &mut DbConn, plan: &Plan, user_id: &str) -> Result<bool, Error> {
    Ok(plan.has_applicant()
        && (plan.is_held_by(user_id)
            || merged_owners(c, plan)?
                .iter()
                .any(|(owner, _)| owner == user_id)))
}

/// Completes a plan for its answer (one more query: the plans merged into it).
pub fn view(c: &mut DbConn, plan: Plan) -> Result<PlanView, Error> {
    let merged_from = db::plans::merged_into(c, &plan.id)?;
    let linked_from = linked_from(c, &plan.id)?;
    Ok(PlanView {
        plan,
        merged_from,
        linked_from,
    })
}

/// The links of other plans that point at this plan.
pub fn linked_from(
    c: &mut DbConn,
    plan_id: &str,
) -> Result<Vec<crate::domain::plan::PlanLink>, Error> {
    Ok(db::plans::linked_from(c, plan_id)?)
}

/// The account that filed the plan (letters go to it).
pub fn owner_of(c: &mut DbConn, plan: &Plan) -> Result<Account, Error> {
    db::users::find(c, &plan.owner_id)?
        .ok_or_else(|| Error::Internal(format!("plan {} has no owner", plan.id)))
}

/// Whom letters about the plan go to: its owner, then a copy to each co-applicant (active
/// accounts only); nobody for an organisation's own action.
pub fn addressees(c: &mut DbConn, plan: &Plan) -> Result<Vec<Account>, Error> {
    if !plan.has_applicant() {
        return Ok(Vec::new());
    }
    let mut out = vec![owner_of(c, plan)?];
    for id in &plan.co_applicant_ids {
        if let Some(a) = db::users::find(c, id)?.filter(|a| a.active) {
            out.push(a);
        }
    }
    Ok(out)
}

/// The registered organisations among those a plan names.
pub fn known_organisations(
    c: &mut DbConn,
    content: &PlanContent,
) -> Result<HashSet<String>, Error> {
    Ok(db::organisations::existing(c, &content.organisation_ids())?)
}

/// The content with organisations named by a registered organisation's name taken as that
/// organisation (so recusal holds however a name is typed).
pub fn registered_names(c: &mut DbConn, content: PlanContent) -> Result<PlanContent, Error> {
    let ids = db::organisations::ids_by_key(c, &content.named_keys())?;
    Ok(content.with_registered_names(&ids))
}

/// Applies one action to a plan in the caller's transaction: takes the plan's row lock, loads
/// what the caller may see, lets the state table decide, lets `apply` make the action's own
/// changes, checks the caller's expected version, then stores guarded by the version (a
/// concurrent change makes this fail) and records the event.
pub fn act<F>(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    action: Action,
    expected: Option<&Expected>,
    apply: F,
) -> Result<PlanView, Error>
where
    F: FnOnce(&mut Tx, &mut Plan, &Round, &Transition) -> Result<Effect, Error>,
{
    // The row lock first (PostgreSQL): concurrent actions on this plan, votes included, wait
    // here rather than interleave.
    db::plans::lock(tx, plan_id)?;
    let (mut plan, round) = load_visible(tx, actor, plan_id)?;
    let transition = decide_as_seen(plan.state(), action, actor)?;
    let before = PlanView::new(plan.clone());
    let effect = apply(tx, &mut plan, &round, &transition)?;
    // Preconditions come after the request's own checks (RFC 9110, 13.2.1): a bad body is
    // refused as such whatever the If-Match; the transaction rolls back what `apply` did.
    check_expected(before.version_for(actor), expected)?;
    let to = transition
        .target(effect.tally)
        .ok_or_else(|| Error::Internal(format!("{} leads to no state here", action.as_str())))?;
    let at = now();
    let read_version = before.plan.version;
    plan.status = to;
    plan.version = read_version + 1;
    plan.updated_at = at;
    // The applicant's version moves only when what they see changes.
    if applicant_sees_change(&before.plan, &plan) {
        plan.shown_version = before.plan.shown_version + 1;
        plan.shown_updated_at = at;
    }
    if !db::plans::update(tx, &plan, read_version)? {
        return Err(Error::Changed("plan"));
    }
    // Every step on a plan is processing of its applicants' data.
    super::processing::changed(
        tx,
        actor,
        crate::domain::processing::Activity::PlanChanged(action),
        ("plan", &plan.id),
        &super::processing::subjects_of(&plan),
    )?;
    if transition.is_recorded(to) {
        db::plans::insert_event(
            tx,
            &PlanEvent {
                id: new_id(),
                plan_id: plan.id.clone(),
                actor_id: actor.user_id.clone(),
                action,
                from: Some(transition.from),
                to,
                at,
                reason: effect.reason,
            },
        )?;
    }
    view(tx, plan)
}
