//! Reading one plan: the plan as the caller may see it, its history, its submitted versions.

use chrono::{DateTime, Utc};

use super::{load_visible, PlanView};
use crate::app::accounts::signed_in;
use crate::app::tokens::Bearer;
use crate::app::Error;
use crate::db::{self, DbConn};
use crate::domain::plan::PlanVersion;
use crate::domain::round::Round;
use crate::domain::state::Action;
use crate::domain::user::{Account, Actor};
use crate::domain::visibility::{event_sight, may_see, EventSight, ShownStatus};

/// The caller's account and a plan they may see, read in one query (the hot path).
pub fn get(
    c: &mut DbConn,
    reads: &crate::app::processing::Reads,
    me: &Bearer,
    plan_id: &str,
) -> Result<(Account, PlanView), Error> {
    let (account, found) = match db::plans::account_and_plan(c, &me.user_id, plan_id)? {
        Some((account, found)) => (Some(account), found),
        None => (None, None),
    };
    let account = signed_in(account, me)?;
    let found = found.ok_or(Error::NotFound("plan"))?;
    let actor = account.actor();
    if !may_see(
        found.plan.status,
        found.plan.is_held_by(&actor.user_id),
        actor.is_staff(),
    ) {
        // Rarely taken: a reviewer (assigned?), the owner of a plan merged into it, or someone
        // who may not see the plan at all.
        load_visible(c, &actor, plan_id)?;
    }
    reads.note(
        &actor,
        crate::domain::processing::Activity::PlanViewed,
        ("plan", &found.plan.id),
        &crate::app::processing::subjects_of(&found.plan),
    );
    Ok((
        account,
        PlanView {
            linked_from: super::linked_from(c, &found.plan.id)?,
            plan: found.plan,
            merged_from: found.merged_from,
        },
    ))
}

/// A plan the caller may see, with its round (for a page that shows the round's frame).
pub fn read(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<(PlanView, Round), Error> {
    let (plan, round) = load_visible(c, actor, plan_id)?;
    Ok((super::view(c, plan)?, round))
}

/// As `read`, the round taken from the kept rounds (`rounds::list_cached`).
pub fn read_cached(
    c: &mut DbConn,
    kept: &crate::app::rounds::RoundsCache,
    actor: &Actor,
    plan_id: &str,
) -> Result<(PlanView, Round), Error> {
    let (plan, round) = super::load_visible_cached(c, kept, actor, plan_id)?;
    Ok((super::view(c, plan)?, round))
}

/// As `read_cached`, with the names of the organisations the plan names (by id), for a page
/// that shows them: only those, since most residents' plans name none.
pub fn read_named(
    c: &mut DbConn,
    kept: &crate::app::rounds::RoundsCache,
    actor: &Actor,
    plan_id: &str,
) -> Result<(PlanView, Round, std::collections::HashMap<String, String>), Error> {
    let (view, round) = read_cached(c, kept, actor, plan_id)?;
    let ids = view.plan.content.organisation_ids();
    let names = db::organisations::names_of(c, &ids)?;
    Ok((view, round, names))
}

/// One step of a plan's history as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownEvent {
    /// Who took the step: for an applicant only when it was themselves.
    pub actor_id: Option<String>,
    pub action: Action,
    pub from: Option<ShownStatus>,
    pub to: ShownStatus,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The history as the caller may see it (`visibility::event_sight`): applicants see it as
/// they see the status, without the assessment before publication and without anyone
/// else's id.
pub fn events(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<ShownEvent>, Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    let (published, staff) = (plan.is_published(), actor.assesses());
    let shown = |s| ShownStatus::for_caller(s, published, staff);
    Ok(db::plans::events(c, &plan.id)?
        .into_iter()
        .filter_map(|e| {
            let (from, to) = (e.from.map(shown), shown(e.to));
            let by_viewer = e.actor_id == actor.user_id;
            match event_sight(e.action, from, to, by_viewer, staff, published) {
                EventSight::Hidden => None,
                EventSight::Shown { reason, actor } => Some(ShownEvent {
                    actor_id: actor.then_some(e.actor_id),
                    action: e.action,
                    from,
                    to,
                    at: e.at,
                    reason: e.reason.filter(|_| reason),
                }),
            }
        })
        .collect())
}

/// A submitted version with the people who made it.
#[derive(Debug, Clone)]
pub struct ShownVersion {
    pub version: PlanVersion,
    /// Who submitted it, by name (`None` for versions kept before this was recorded).
    pub submitted_by: Option<String>,
    /// Who changed the plan since the version before (for the first: since it was begun), by
    /// name, each once, in the order of their first change.
    pub changed_by: Vec<String>,
}

/// Every submitted version of a plan, as submitted, with who made it (applicants see their
/// co-applicants' names, as the team does).
pub fn versions(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Vec<ShownVersion>, Error> {
    let (plan, _) = load_visible(c, actor, plan_id)?;
    let versions = db::plans::versions(c, &plan.id)?;
    let edits = db::co_applicants::edits(c, &plan.id)?;
    let ids: Vec<String> = versions
        .iter()
        .filter_map(|v| v.submitted_by.clone())
        .collect();
    let names = db::users::names(c, &ids)?;
    let mut since = None;
    let mut out = Vec::with_capacity(versions.len());
    for v in versions {
        let mut changed_by: Vec<String> = Vec::new();
        for (_, name, _) in edits
            .iter()
            .filter(|(_, _, at)| since.is_none_or(|s| *at > s) && *at <= v.submitted_at)
        {
            if !changed_by.contains(name) {
                changed_by.push(name.clone());
            }
        }
        since = Some(v.submitted_at);
        out.push(ShownVersion {
            submitted_by: v
                .submitted_by
                .as_ref()
                .and_then(|id| names.get(id).cloned()),
            changed_by,
            version: v,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::plan::PlanContent;
    use crate::domain::state::PlanStatus;
    use crate::domain::user::Role;

    #[test]
    fn a_plan_is_read_with_the_callers_account_and_hidden_from_others() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let bob = t.resident();
        let draft = t.draft(
            &anna,
            &round,
            PlanContent {
                title: "Mijn plan".into(),
                ..Default::default()
            },
        );
        let (who, view) = t
            .app
            .read(|c| get(c, &t.app.reads, &t.bearer(&anna), &draft.id))
            .unwrap();
        assert_eq!(
            (who.id, view.plan.id.as_str()),
            (anna.id.clone(), draft.id.as_str())
        );
        assert!(matches!(
            t.app
                .read(|c| get(c, &t.app.reads, &t.bearer(&bob), &draft.id)),
            Err(Error::NotFound("plan"))
        ));
        let team = t.account(&[Role::ProgrammeTeam]);
        assert!(
            matches!(
                t.app
                    .read(|c| get(c, &t.app.reads, &t.bearer(&team), &draft.id)),
                Err(Error::NotFound("plan")),
            ),
            "a draft is its owner's only"
        );
        assert!(matches!(
            t.app.read(|c| get(
                c,
                &t.app.reads,
                &Bearer {
                    user_id: "nobody".into(),
                    epoch: 1,
                    second_factor: true,
                    policy: crate::domain::second_factor::StaffMfa::Required,
                },
                &draft.id
            )),
            Err(Error::Unauthorized(_))
        ));
    }

    #[test]
    fn the_history_hides_the_assessment_from_the_applicant_until_publication() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        t.pre_advised(&plan.id, &team);
        let staff = t.app.read(|c| events(c, &team.actor(), &plan.id)).unwrap();
        let steps: Vec<_> = staff.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(steps, vec!["submitted", "in_review", "pre_advised"]);
        let mine = t.app.read(|c| events(c, &anna.actor(), &plan.id)).unwrap();
        let steps: Vec<_> = mine.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(
            steps,
            vec!["submitted", "in_review"],
            "no step of the assessment"
        );
        assert_eq!(mine[0].actor_id.as_deref(), Some(anna.id.as_str()));
        assert_eq!(mine[1].actor_id, None, "no staff id");
        assert_eq!(t.plan(&plan.id).status, PlanStatus::PreAdvised);
    }
}
