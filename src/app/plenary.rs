//! The round's plans shown to each other (issue 32, part 5).

use super::{now, Error};
use crate::db::{self, DbConn};
use crate::domain::plenary::{may_see, shown, shows, PlenaryPlan};
use crate::domain::round::Round;
use crate::domain::state::PlanStatus;
use crate::domain::user::Actor;

/// What the plenary page shows: the round, its plans (by theme, then title), and the caller's
/// own plans in it (id and title), from which they write to the team.
pub struct Plenary {
    pub round: Round,
    pub plans: Vec<PlenaryPlan>,
    pub mine: Vec<(String, String)>,
}

/// The round's submitted plans, for an applicant with a plan in it once the window has
/// closed; anyone else: not found.
pub fn plenary(c: &mut DbConn, actor: &Actor, round_id: &str) -> Result<Plenary, Error> {
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    let all = db::plans::of_round(c, &round.id)?;
    // A merged plan's owner takes part through the plan it went into.
    let mine: Vec<(String, String)> = all
        .iter()
        .filter(|p| p.is_held_by(&actor.user_id) && shows(p.status))
        .map(|p| (p.id.clone(), p.content.title.clone()))
        .collect();
    let holds = !mine.is_empty()
        || all
            .iter()
            .any(|p| p.is_held_by(&actor.user_id) && p.status == PlanStatus::Merged);
    if !may_see(round.spec.closes_at, now(), holds) {
        return Err(Error::NotFound("round"));
    }
    let names = db::organisations::names(c)?;
    let mut plans: Vec<PlenaryPlan> = all
        .iter()
        .filter(|p| shows(p.status))
        .map(|p| shown(p, &round.spec.catalog, |id| names.get(id).cloned()))
        .collect();
    plans.sort_by(|a, b| {
        let theme = |p: &PlenaryPlan| p.theme.as_ref().map(|t| t.1.clone()).unwrap_or_default();
        theme(a)
            .cmp(&theme(b))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    Ok(Plenary { round, plans, mine })
}
