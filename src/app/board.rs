//! The board: votes on the pre-advice, conflicts of interest, the tally, closing the vote.

use chrono::Utc;

use super::plans::{act, load_visible, Effect, Expected, PlanView};
use super::shared::seated_with;
pub use super::shared::{board_for, Board};
use super::{now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::budget::check_held_grant;
use crate::domain::conflict::{DeclaredConflict, Recusal};
use crate::domain::decision::Decision;
use crate::domain::permission::{self, Permission};
use crate::domain::plan::Plan;
use crate::domain::round::Round;
use crate::domain::state::{decide, Action};
use crate::domain::tally::{outcome, tally, Outcome, Tally, Vote, VoteChoice};
use crate::domain::text::Bounded;
use crate::domain::user::Actor;
use crate::domain::visibility::check_assessment_shown;
use crate::domain::{Bilingual, DomainError, Eur, FieldError, FieldErrors};

/// The count of a plan's vote, with what a caller may see of it.
#[derive(Debug)]
pub struct TallyView {
    pub tally: Tally,
    /// Each vote and whether it counts (a recused member's does not): staff only.
    pub votes: Vec<(Vote, bool)>,
    /// Each recused member and why: staff only.
    pub recusals: Vec<(String, Recusal)>,
}

fn count(c: &mut DbConn, plan: &Plan, detailed: bool) -> Result<TallyView, Error> {
    let board = board_for(c, plan)?;
    count_on(c, plan, detailed, board)
}

fn count_on(c: &mut DbConn, plan: &Plan, detailed: bool, board: Board) -> Result<TallyView, Error> {
    let votes = db::assessment::votes(c, &plan.id)?;
    Ok(count_with(plan, detailed, board, votes))
}

/// The count from what was read: the seated board and the votes cast on the plan.
fn count_with(plan: &Plan, detailed: bool, board: Board, votes: Vec<Vote>) -> TallyView {
    let cast: Vec<(String, VoteChoice)> = votes
        .iter()
        .map(|v| (v.member_id.clone(), v.choice))
        .collect();
    // A decided plan keeps the tally it was decided by: later changes to the board (a member
    // gone, a role taken away) change nothing in it.
    let t = match &plan.decision {
        Some(d)
            if plan.status.is_decided()
                || plan.status == crate::domain::state::PlanStatus::Adopted =>
        {
            d.tally.as_tally()
        }
        _ => tally(&board.seats, &cast),
    };
    if !detailed {
        return TallyView {
            tally: t,
            votes: Vec::new(),
            recusals: Vec::new(),
        };
    }
    let counted = |id: &str| board.seats.iter().any(|s| s.user_id == id && !s.recused);
    TallyView {
        tally: t,
        recusals: board
            .members
            .iter()
            .filter_map(|(m, r)| r.map(|r| (m.id.clone(), r)))
            .collect(),
        votes: votes
            .into_iter()
            .map(|v| {
                let c = counted(&v.member_id);
                (v, c)
            })
            .collect(),
    }
}

/// A board member casts or changes their vote while the vote is open; a recused member is
/// refused with the reason. Answers the tally.
pub fn vote(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    choice: Option<&str>,
    comment: Option<&str>,
) -> Result<TallyView, Error> {
    let mut e = FieldErrors::new();
    let choice = match choice {
        None => {
            e.add(
                "vote",
                (
                    "is required: for, against or abstain",
                    "is verplicht: kies voor, tegen of onthouding",
                ),
            );
            None
        }
        Some(v) => {
            let c = VoteChoice::parse(v);
            if c.is_none() {
                e.add(
                    "vote",
                    (
                        format!("unknown vote '{v}'; use for, against or abstain"),
                        format!("stem '{v}' bestaat niet; kies voor, tegen of onthouding"),
                    ),
                );
            }
            c
        }
    };
    let comment = Bounded::COMMENT
        .check(comment.unwrap_or(""))
        .unwrap_or_else(|m| {
            e.add("comment", m);
            String::new()
        });
    e.finish(())?;
    let choice = choice.ok_or_else(|| Error::Internal("the vote was checked".into()))?;
    db::plans::lock(tx, id)?;
    let (plan, _) = load_visible(tx, actor, id)?;
    decide(plan.state(), Action::Vote, actor)?;
    if let Some(reason) = board_for(tx, &plan)?.recusal_of(&actor.user_id) {
        return Err(DomainError::Recused { reason }.into());
    }
    db::assessment::save_vote(
        tx,
        &Vote {
            plan_id: plan.id.clone(),
            member_id: actor.user_id.clone(),
            choice,
            comment,
            cast_at: now(),
        },
    )?;
    super::processing::changed(
        tx,
        actor,
        crate::domain::processing::Activity::PlanChanged(Action::Vote),
        ("plan", &plan.id),
        &super::processing::subjects_of(&plan),
    )?;
    count(tx, &plan, true)
}

/// The tally: staff see every vote and recusal; the applicant sees the counts once
/// decisions are published.
pub fn votes(c: &mut DbConn, actor: &Actor, id: &str) -> Result<TallyView, Error> {
    let (plan, _) = load_visible(c, actor, id)?;
    check_assessment_shown(actor, plan.status, plan.is_published())?;
    let staff = actor.assesses();
    count(c, &plan, staff)
}

/// A board member declares a conflict of interest: from then on they are recused from this
/// plan (a vote they cast no longer counts).
pub fn declare_conflict(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    reason: Option<&str>,
) -> Result<DeclaredConflict, Error> {
    permission::check(actor, Permission::Vote)?;
    let reason = Bounded::COMMENT
        .check(reason.unwrap_or(""))
        .map_err(|m| DomainError::Invalid(vec![FieldError::new("reason", m)]))?;
    db::plans::lock(tx, id)?;
    let (plan, _) = load_visible(tx, actor, id)?;
    decide(plan.state(), Action::DeclareConflict, actor)?;
    if db::assessment::conflicts(tx, &plan.id)?
        .iter()
        .any(|d| d.member_id == actor.user_id)
    {
        return Err(DomainError::Duplicate(Bilingual::new(
            "you declared a conflict for this plan already",
            "u heeft voor dit plan al een belangenconflict gemeld",
        ))
        .into());
    }
    let conflict = DeclaredConflict {
        plan_id: plan.id.clone(),
        member_id: actor.user_id.clone(),
        reason,
        declared_at: now(),
    };
    db::assessment::insert_conflict(tx, &conflict)?;
    Ok(conflict)
}

/// Charges a grant to its budget line: locks the line, then checks the cap against what is
/// granted already, so two decisions racing for the last of a line cannot both succeed.
fn charge(tx: &mut Tx, plan: &Plan, round: &Round, amount: Eur) -> Result<(), Error> {
    let theme = plan.budget_line.clone().ok_or_else(|| {
        DomainError::Conflict(Bilingual::new(
            "the plan has no budget line",
            "het plan valt onder geen opgave",
        ))
    })?;
    let budget = db::rounds::lock_budget_line(tx, &round.id, &theme)?.ok_or_else(|| {
        DomainError::Conflict(Bilingual::new(
            format!("the round has no budget line {theme}"),
            format!("de ronde heeft geen budget voor opgave {theme}"),
        ))
    })?;
    // What is granted and what stands reserved on the line; a reservation held for this very
    // plan makes room for it, and the grant takes its place.
    let committed = super::reservations::committed(tx, &round.id, &theme)?;
    let held = db::reservations::held_for(tx, &plan.id)?;
    let room = held.as_ref().map_or(Eur::ZERO, |r| r.amount);
    check_held_grant(&theme, budget, committed, room, amount)?;
    if let Some(r) = held {
        db::reservations::release(tx, &r.id, crate::app::now())?;
    }
    Ok(())
}

/// The chair closes the vote and the tally decides: carried on a positive or conditional
/// pre-advice, approved with the proposed amount within the budget cap; carried on a negative
/// one, rejected; not carried, back to review. Without quorum the vote stays open.
pub fn close_vote(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    // `act` takes the plan's row lock first: no vote lands between the count and the decision.
    act(
        tx,
        actor,
        id,
        Action::CloseVote,
        expected,
        |tx, plan, round, _| {
            let advice = plan
                .pre_advice
                .as_ref()
                .ok_or_else(|| {
                    Error::Internal(format!("plan {} in a vote without a pre-advice", plan.id))
                })?
                .advice
                .clone();
            let t = count(tx, plan, false)?.tally;
            let result = outcome(&t, advice.recommendation, advice.proposed_eur)?;
            match result {
                Outcome::Approved { granted } => {
                    charge(tx, plan, round, granted)?;
                    plan.granted = Some(granted);
                }
                Outcome::Rejected => plan.granted = None,
                Outcome::BackToReview => {}
            }
            if let Some(decision) = Decision::of(result, &advice, &t, Utc::now()) {
                plan.decision = Some(decision);
            }
            Ok(Effect {
                reason: Some(Decision::history_reason(result, &t)),
                tally: Some(result),
            })
        },
    )
}

/// A plan on the board's agenda, as one member sees it.
pub struct AgendaItem {
    pub plan: Plan,
    pub round: Round,
    pub tally: TallyView,
    pub my_vote: Option<Vote>,
    pub my_recusal: Option<Recusal>,
}

/// A page of the board's agenda.
pub struct Agenda {
    pub items: Vec<AgendaItem>,
    /// Names of the voters and the recused, by id.
    pub names: std::collections::HashMap<String, String>,
    /// Names of the organisations the page's plans refer to, by id (the lead, the partners).
    pub organisations: std::collections::HashMap<String, String>,
    /// Plans open for a vote in all.
    pub total: i64,
    pub page: i64,
}

/// Plans on a page of the agenda.
pub const AGENDA_PAGE: i64 = 25;

/// The plans open for a vote, the longest waiting first, `AGENDA_PAGE` at a time, each with the
/// count, the member's own vote and whether they are recused and why (board members).
pub fn agenda(c: &mut DbConn, actor: &Actor, page: i64) -> Result<Agenda, Error> {
    permission::check(actor, Permission::Vote)?;
    let page = page.max(1);
    let total = db::plans::count(
        c,
        &db::plans::PlanFilter {
            statuses: Some(vec![crate::domain::state::PlanStatus::Voting]),
            ..Default::default()
        },
    )?;
    let plans = db::plans::voting(c, (page - 1) * AGENDA_PAGE, AGENDA_PAGE)?;
    let plan_ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
    let mut round_ids: Vec<String> = plans.iter().map(|p| p.round_id.clone()).collect();
    round_ids.sort();
    round_ids.dedup();
    let rounds = db::rounds::by_ids(c, &round_ids)?;
    // What seats the board and counts the votes, read once for the page: the board, the
    // conflicts and votes of all its plans, the organisations they name (four queries, where
    // plan by plan took three each).
    let board = db::users::board(c)?;
    let declared = db::assessment::conflicts_many(c, &plan_ids)?;
    let mut votes = db::assessment::votes_many(c, &plan_ids)?;
    let mut keys: Vec<String> = plans.iter().flat_map(|p| p.content.named_keys()).collect();
    keys.sort();
    keys.dedup();
    let org_ids = db::organisations::ids_by_key(c, &keys)?;
    let mut items = Vec::with_capacity(plans.len());
    let mut ids = Vec::new();
    for plan in plans {
        let Some(round) = rounds.iter().find(|r| r.id == plan.round_id) else {
            return Err(Error::Internal(format!("plan {} has no round", plan.id)));
        };
        let on_plan: Vec<DeclaredConflict> = declared
            .iter()
            .filter(|d| d.plan_id == plan.id)
            .cloned()
            .collect();
        let seated = seated_with(&plan, board.clone(), &on_plan, &org_ids);
        let my_recusal = seated.recusal_of(&actor.user_id);
        let cast: Vec<Vote>;
        (cast, votes) = votes.into_iter().partition(|v| v.plan_id == plan.id);
        let tally = count_with(&plan, true, seated, cast);
        let my_vote = tally
            .votes
            .iter()
            .find(|(v, _)| v.member_id == actor.user_id)
            .map(|(v, _)| v.clone());
        ids.extend(tally.votes.iter().map(|(v, _)| v.member_id.clone()));
        ids.extend(tally.recusals.iter().map(|(m, _)| m.clone()));
        items.push(AgendaItem {
            plan,
            round: round.clone(),
            tally,
            my_vote,
            my_recusal,
        });
    }
    ids.sort();
    ids.dedup();
    let mut referred: Vec<&str> = items
        .iter()
        .flat_map(|i| i.plan.content.organisation_ids())
        .collect();
    referred.sort_unstable();
    referred.dedup();
    let organisations = db::organisations::names_of(c, &referred)?;
    Ok(Agenda {
        items,
        organisations,
        names: db::users::names(c, &ids)?,
        total,
        page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::state::PlanStatus;
    use crate::domain::user::Role;

    #[test]
    fn the_agenda_is_paged_the_longest_waiting_first_and_holds_only_open_votes() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let team = t.account(&[Role::ProgrammeTeam]);
        let member = t.account(&[Role::BoardMember]).actor();
        let waiting: Vec<String> = (0..AGENDA_PAGE + 2)
            .map(|_| {
                let plan = t.submitted(&anna, &round);
                t.voting(&plan.id, &team);
                plan.id
            })
            .collect();
        // Submitted, not open for a vote: not on the agenda.
        t.submitted(&anna, &round);
        let first = t.app.read(|c| agenda(c, &member, 1)).unwrap();
        assert_eq!(first.total, AGENDA_PAGE + 2);
        assert_eq!(first.items.len() as i64, AGENDA_PAGE);
        assert_eq!(first.items[0].plan.id, waiting[0]);
        let second = t.app.read(|c| agenda(c, &member, 2)).unwrap();
        let ids: Vec<&str> = second.items.iter().map(|i| i.plan.id.as_str()).collect();
        let rest = &waiting[AGENDA_PAGE as usize..];
        assert_eq!(ids, [rest[0].as_str(), rest[1].as_str()]);
        assert!(t
            .app
            .read(|c| agenda(c, &member, 3))
            .unwrap()
            .items
            .is_empty());
    }

    #[test]
    fn the_agenda_shows_each_member_their_vote_and_recusal() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        let member = t.account(&[Role::BoardMember]).actor();
        t.voting(&plan.id, &team);
        t.app
            .write(|tx| vote(tx, &member, &plan.id, Some("against"), None))
            .unwrap();
        let Agenda { items, names, .. } = t.app.read(|c| agenda(c, &member, 1)).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].plan.id, plan.id);
        assert_eq!(
            items[0].my_vote.as_ref().map(|v| v.choice),
            Some(VoteChoice::Against)
        );
        assert!(items[0].my_recusal.is_none());
        assert!(names.contains_key(&member.user_id));
        assert!(matches!(
            t.app.read(|c| agenda(c, &anna.actor(), 1)).map(|_| ()),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
    }

    #[test]
    fn the_board_votes_the_chair_closes_and_the_plan_is_approved_within_budget() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        let chair = t.account(&[Role::BoardChair]).actor();
        let member = t.account(&[Role::BoardMember]).actor();
        t.voting(&plan.id, &team);
        assert!(matches!(
            t.app.write(|tx| close_vote(tx, &chair, &plan.id, None)),
            Err(Error::Domain(DomainError::NoQuorum {
                cast: 0,
                eligible: 2
            }))
        ));
        t.app
            .write(|tx| vote(tx, &member, &plan.id, Some("for"), Some("Goed plan")))
            .unwrap();
        let v = t
            .app
            .write(|tx| vote(tx, &chair, &plan.id, Some("against"), None))
            .unwrap();
        assert_eq!((v.tally.r#for, v.tally.against), (1, 1));
        let changed = t
            .app
            .write(|tx| vote(tx, &chair, &plan.id, Some("for"), None))
            .unwrap();
        assert_eq!(
            (changed.tally.r#for, changed.tally.cast),
            (2, 2),
            "a vote may change"
        );
        let v = t
            .app
            .write(|tx| close_vote(tx, &chair, &plan.id, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::Approved);
        assert_eq!(v.plan.granted, Eur::parse(5_000).ok());
        let d = v.plan.decision.unwrap();
        assert_eq!((d.tally.for_, d.tally.eligible), (2, 2));
        assert!(matches!(
            t.app.read(|c| votes(c, &anna.actor(), &plan.id)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
    }

    #[test]
    fn a_tie_does_not_carry_and_a_recused_member_may_not_vote() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        let chair = t.account(&[Role::BoardChair]).actor();
        let member = t.account(&[Role::BoardMember]).actor();
        let conflicted = t.account(&[Role::BoardMember]).actor();
        t.app
            .write(|tx| declare_conflict(tx, &conflicted, &plan.id, Some("mijn buurvrouw")))
            .unwrap();
        assert!(matches!(
            t.app
                .write(|tx| declare_conflict(tx, &conflicted, &plan.id, None)),
            Err(Error::Domain(DomainError::Duplicate(_)))
        ));
        t.voting(&plan.id, &team);
        assert!(matches!(
            t.app
                .write(|tx| vote(tx, &conflicted, &plan.id, Some("for"), None)),
            Err(Error::Domain(DomainError::Recused {
                reason: Recusal::Declared
            }))
        ));
        t.app
            .write(|tx| vote(tx, &member, &plan.id, Some("for"), None))
            .unwrap();
        t.app
            .write(|tx| vote(tx, &chair, &plan.id, Some("against"), None))
            .unwrap();
        let tally = t.app.read(|c| votes(c, &chair, &plan.id)).unwrap();
        assert_eq!((tally.tally.eligible, tally.tally.recused), (2, 1));
        assert_eq!(
            tally.recusals,
            vec![(conflicted.user_id.clone(), Recusal::Declared)]
        );
        let v = t
            .app
            .write(|tx| close_vote(tx, &chair, &plan.id, None))
            .unwrap();
        assert_eq!(
            v.plan.status,
            PlanStatus::InReview,
            "a tie goes back to review"
        );
        assert!(v.plan.decision.is_none());
    }
}
