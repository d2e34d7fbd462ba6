//! The programme team's work on a plan: review, questions, evaluations, pre-advice, votes
//! opened and cancelled, merging; and the similar plans shown while reviewing.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;

use super::cache::{CounterCache, Weigh};
use super::outbox::enqueue;
use super::plans::{act, addressees, load_visible, Effect, Expected, PlanView};
use super::shared::board_for;
use super::{now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::decision::{InfoRequest, RecordedPreAdvice};
use crate::domain::errors::REQUIRED;
use crate::domain::evaluation::{means, parse_evaluation, CriterionMean, Evaluation, ScoreInput};
use crate::domain::permission::{self, Permission};
use crate::domain::plan::{check_merge_target, combine};
use crate::domain::pre_advice::{parse_pre_advice, suggestions, PreAdviceInput, Suggestion};
use crate::domain::similarity::{comparable, Doc, Index, Similar};
use crate::domain::state::Action;
use crate::domain::text::Bounded;
use crate::domain::user::Actor;
use crate::domain::visibility::check_assessment_shown;
use crate::domain::{DomainError, Eur, FieldError};
use crate::mail::letters;

fn field(name: &str, message: impl Into<crate::domain::Bilingual>) -> Error {
    DomainError::Invalid(vec![FieldError::new(name, message)]).into()
}

/// The programme team starts reviewing a submitted plan.
pub fn start_review(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        id,
        Action::StartReview,
        expected,
        |_, _, _, _| Ok(Effect::none()),
    )
}

/// The programme team takes a pre-advice back to review for a new one.
pub fn revise_pre_advice(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        id,
        Action::RevisePreAdvice,
        expected,
        |_, _, _, _| Ok(Effect::none()),
    )
}

/// The programme team calls a vote off: back to review.
pub fn cancel_vote(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(tx, actor, id, Action::CancelVote, expected, |_, _, _, _| {
        Ok(Effect::none())
    })
}

/// The programme team or the chair opens the vote on a pre-advice: earlier votes are cleared,
/// and every eligible board member is told (a recused member gets no invitation).
pub fn open_vote(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    site: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        id,
        Action::OpenVote,
        expected,
        |tx, plan, _, _| {
            db::assessment::clear_votes(tx, &plan.id)?;
            let advice = plan
                .pre_advice
                .as_ref()
                .ok_or_else(|| {
                    Error::Internal(format!("pre-advised plan {} without a pre-advice", plan.id))
                })?
                .advice
                .clone();
            for (member, recusal) in board_for(tx, plan)?.members {
                if recusal.is_none() {
                    let letter = letters::vote_opened(
                        &member.email,
                        &member.name,
                        &plan.content.title,
                        (&plan.id, plan.kenmerk()),
                        advice.recommendation,
                        // A plan funded otherwise says how, never "€ 0".
                        plan.content.funding.amount_nl(advice.proposed_eur),
                        &format!("{site}/bestuur#plan-{}", plan.id),
                    )?;
                    enqueue(tx, letter)?;
                }
            }
            Ok(Effect::none())
        },
    )
}

/// What the team asks: the question, and the date it would like the answer by (as typed,
/// `YYYY-MM-DD`; none: two weeks, `decision::ANSWER_DAYS`).
#[derive(Debug, Clone, Default)]
pub struct Question<'a> {
    pub message: Option<&'a str>,
    pub answer_by: Option<&'a str>,
}

/// The programme team asks the applicant a question: kept on the plan and mailed with a link
/// to the plan on `site` and the date the answer is asked by; the applicant edits and
/// resubmits.
pub fn request_info(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    question: Question<'_>,
    site: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    let mut errors = Vec::new();
    let message = Bounded::REASON
        .required(question.message)
        .map_err(|m| errors.push(FieldError::new("message", m)))
        .ok();
    let today = crate::domain::calendar::amsterdam_date(Utc::now());
    let given = match question.answer_by.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                crate::domain::Bilingual::new(
                    "must be a date (YYYY-MM-DD)",
                    "vul een datum in, zoals 20-12-2026",
                )
            }),
    };
    let answer_by = given
        .and_then(|g| crate::domain::decision::answer_by(today, g))
        .map_err(|m| errors.push(FieldError::new("answer_by", m)))
        .ok();
    let (Some(message), Some(answer_by)) = (message, answer_by) else {
        return Err(DomainError::Invalid(errors).into());
    };
    act(
        tx,
        actor,
        id,
        Action::RequestInfo,
        expected,
        |tx, plan, round, _| {
            round.check_accepts_questions()?;
            plan.info_request = Some(InfoRequest {
                message: message.clone(),
                requested_at: Utc::now(),
                answer_by: Some(answer_by),
                answer: None,
                answered_at: None,
            });
            for to in addressees(tx, plan)? {
                enqueue(
                    tx,
                    letters::question(
                        &to.email,
                        &to.name,
                        &plan.content.title,
                        (&plan.id, plan.kenmerk()),
                        &message,
                        answer_by,
                        &format!("{site}/plannen/{}", plan.id),
                    )?,
                )?;
            }
            Ok(Effect::because(message))
        },
    )
}

/// A reviewer records their own evaluation; sending it again replaces it, until the
/// pre-advice. Answers the evaluation and whether it replaced an earlier one.
pub fn evaluate(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    scores: Option<Vec<ScoreInput>>,
) -> Result<(Evaluation, bool), Error> {
    let scores = scores.ok_or_else(|| field("scores", REQUIRED))?;
    let mut stored = None;
    // Through `act`, so an evaluation and a pre-advice of one plan never interleave.
    act(
        tx,
        actor,
        id,
        Action::Evaluate,
        None,
        |tx, plan, round, _| {
            let scores = parse_evaluation(&scores, &round.spec.catalog.criteria)?;
            let at = now();
            let existing = db::assessment::find_evaluation(tx, &plan.id, &actor.user_id)?;
            let evaluation = Evaluation {
                plan_id: plan.id.clone(),
                reviewer_id: actor.user_id.clone(),
                scores,
                created_at: existing.as_ref().map_or(at, |e| e.created_at),
                updated_at: at,
            };
            db::assessment::save_evaluation(tx, &evaluation, existing.is_some())?;
            stored = Some((evaluation, existing.is_some()));
            Ok(Effect::none())
        },
    )?;
    stored.ok_or_else(|| Error::Internal("the evaluation was not stored".into()))
}

/// Every evaluation of a plan side by side, with the means per criterion and the suggestions
/// from the plan's data (staff); the applicant sees only the means, once published.
#[derive(Debug)]
pub struct Evaluations {
    pub evaluations: Vec<Evaluation>,
    pub means: Vec<CriterionMean>,
    pub suggestions: Vec<Suggestion>,
}

fn plan_means(
    c: &mut DbConn,
    plan_id: &str,
    criteria: &[crate::domain::round::Criterion],
) -> Result<(Vec<Evaluation>, Vec<CriterionMean>), Error> {
    let evaluations = db::assessment::evaluations(c, plan_id)?;
    let scores: Vec<_> = evaluations.iter().map(|e| e.scores.clone()).collect();
    let m = means(&scores, criteria);
    Ok((evaluations, m))
}

pub fn evaluations(c: &mut DbConn, actor: &Actor, id: &str) -> Result<Evaluations, Error> {
    let (plan, round) = load_visible(c, actor, id)?;
    check_assessment_shown(actor, plan.status, plan.is_published())?;
    let staff = actor.assesses();
    let catalog = &round.spec.catalog;
    let (evaluations, means) = plan_means(c, &plan.id, &catalog.criteria)?;
    Ok(if staff {
        Evaluations {
            evaluations,
            means,
            suggestions: suggestions(&plan.content, catalog),
        }
    } else {
        Evaluations {
            evaluations: Vec::new(),
            means,
            suggestions: Vec::new(),
        }
    })
}

/// The programme team records the pre-advice: every criterion scored (defaulting to the
/// rounded means of the evaluations), a recommendation, a proposed amount, conditions.
pub fn record_pre_advice(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    input: &PreAdviceInput,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        id,
        Action::RecordPreAdvice,
        expected,
        |tx, plan, round, _| {
            let catalog = &round.spec.catalog;
            let (_, means) = plan_means(tx, &plan.id, &catalog.criteria)?;
            let requested = match plan.content.requested_eur {
                Some(r) => Eur::parse(r).map_err(|m| field("requested_eur", m))?,
                None => Eur::ZERO,
            };
            let advice = parse_pre_advice(input, catalog, requested, &means)?;
            plan.proposed = Some(advice.proposed_eur);
            plan.total_score = Some(advice.total_score);
            // The history is read by people: in Dutch, saying how a plan funded otherwise
            // is funded rather than "€ 0".
            let reason = format!(
                "{}, voorgesteld: {}",
                advice.recommendation.label_nl(),
                plan.content.funding.amount_nl(advice.proposed_eur)
            );
            plan.pre_advice = Some(RecordedPreAdvice {
                advice,
                recorded_by: actor.user_id.clone(),
                recorded_at: Utc::now(),
            });
            Ok(Effect::because(reason))
        },
    )
}

/// The programme team merges a plan into another plan of the same round that can still take it.
pub fn merge_into(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    target_id: Option<&str>,
    requested_eur: Option<i64>,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    if let Some(r) = requested_eur {
        if r <= 0 {
            return Err(field(
                "requested_eur",
                ("must be more than 0", "moet meer dan 0 zijn"),
            ));
        }
        Eur::parse(r).map_err(|m| field("requested_eur", m))?;
    }
    let target_id = target_id
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| field("target_id", REQUIRED))?
        .to_string();
    act(
        tx,
        actor,
        id,
        Action::MergeInto,
        expected,
        |tx, plan, _, _| {
            // A plan the caller cannot see is unknown to them, as any other.
            let target = match load_visible(tx, actor, &target_id) {
                Ok((target, _)) => Some(target),
                Err(Error::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
            check_merge_target(plan, &target_id, target.as_ref())?;
            let mut target =
                target.ok_or_else(|| Error::Internal("merge target checked".into()))?;
            plan.merged_into = Some(target.id.clone());
            // The target takes in what the merged plan adds (goals, leads, partners) and,
            // when set, the combined amount; its applicant sees the change.
            db::plans::lock(tx, &target.id)?;
            let read_version = target.version;
            let at = now();
            target.content = combine(&target.content, &plan.content, requested_eur);
            target.version += 1;
            target.updated_at = at;
            target.shown_version += 1;
            target.shown_updated_at = at;
            if !db::plans::update(tx, &target, read_version)? {
                return Err(Error::Changed("plan"));
            }
            db::plans::insert_event(
                tx,
                &crate::domain::plan::PlanEvent {
                    id: crate::db::new_id(),
                    plan_id: target.id.clone(),
                    actor_id: actor.user_id.clone(),
                    action: Action::MergeInto,
                    from: Some(target.status),
                    to: target.status,
                    at,
                    reason: Some(format!("took in '{}' ({})", plan.content.title, plan.id)),
                },
            )?;
            // The owner is told which plan theirs went into: they may read it from now on
            // and get its decision letter.
            for to in addressees(tx, plan)? {
                enqueue(
                    tx,
                    letters::merged(
                        &to.email,
                        &to.name,
                        &plan.content.title,
                        (&plan.id, plan.kenmerk()),
                        &target.content.title,
                        target.kenmerk(),
                    )?,
                )?;
            }
            Ok(Effect::because(format!(
                "samengevoegd met '{}' ({})",
                target.content.title,
                target.kenmerk()
            )))
        },
    )
}

/// Each round's similarity index, kept while the round's change counter is unchanged.
pub type SimilarIndexes = CounterCache<String, Arc<Index>>;

impl Weigh for Arc<Index> {
    fn weight(&self) -> usize {
        self.bytes()
    }
}

/// Builds the index over a round's comparable plans (and `keep`, a plan asked about itself).
fn build_index(c: &mut DbConn, round_id: &str, keep: Option<&str>) -> Result<Index, Error> {
    let names: HashMap<String, String> = db::organisations::names(c)?;
    let docs = db::plans::of_round(c, round_id)?
        .iter()
        .filter(|p| comparable(p.status) || Some(p.id.as_str()) == keep)
        .map(|p| Doc::of(p, &names))
        .collect();
    Ok(Index::build(docs))
}

/// Plans of the same round that overlap, with a score and the reasons (programme team and
/// board). The round's index is kept in memory and rebuilt when any of its plans changes, so
/// a question costs one indexed query and the comparison.
pub fn similar(
    c: &mut DbConn,
    indexes: &SimilarIndexes,
    actor: &Actor,
    id: &str,
) -> Result<Vec<Similar>, Error> {
    let (plan, _) = load_visible(c, actor, id)?;
    permission::check(actor, Permission::SeeAssessment)?;
    let stamp = db::plans::changes(c, Some(&plan.round_id))?;
    let index = match indexes.get(&plan.round_id, stamp) {
        Some(index) => index,
        None => {
            let index = Arc::new(build_index(c, &plan.round_id, None)?);
            indexes.put(plan.round_id.clone(), stamp, index.clone());
            index
        }
    };
    Ok(match index.position(&plan.id) {
        Some(i) => index.similar_to(i),
        // A withdrawn or merged plan is not in the shared index: compare it on its own.
        None => {
            let index = build_index(c, &plan.round_id, Some(&plan.id))?;
            match index.position(&plan.id) {
                Some(i) => index.similar_to(i),
                None => Vec::new(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::pre_advice::Recommendation;
    use crate::domain::state::PlanStatus;
    use crate::domain::user::Role;

    #[test]
    fn the_team_reviews_asks_evaluates_and_pre_advises() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let v = t
            .app
            .write(|tx| start_review(tx, &team, &plan.id, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::InReview);
        let v = t
            .app
            .write(|tx| {
                request_info(
                    tx,
                    &team,
                    &plan.id,
                    Question {
                        message: Some("Wie begeleidt?"),
                        answer_by: None,
                    },
                    "http://planloket.test",
                    None,
                )
            })
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::NeedsInfo);
        assert_eq!(v.plan.info_request.unwrap().message, "Wie begeleidt?");
        assert!(t
            .outbox()
            .iter()
            .any(|m| m.subject.starts_with("Vraag over uw projectplan")));
        t.app
            .write(|tx| crate::app::plans::submit(tx, &anna.actor(), &plan.id, None, None))
            .unwrap();
        t.app
            .write(|tx| start_review(tx, &team, &plan.id, None))
            .unwrap();
        let (e, replaced) = t
            .app
            .write(|tx| evaluate(tx, &team, &plan.id, Some(t.scores(2))))
            .unwrap();
        assert!(!replaced && e.scores.len() == 4);
        let (_, replaced) = t
            .app
            .write(|tx| evaluate(tx, &team, &plan.id, Some(t.scores(3))))
            .unwrap();
        assert!(replaced);
        let all = t.app.read(|c| evaluations(c, &team, &plan.id)).unwrap();
        assert_eq!(all.evaluations.len(), 1);
        assert_eq!(all.means[0].mean, Some(3.0));
        assert!(matches!(
            t.app.read(|c| evaluations(c, &anna.actor(), &plan.id)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        let input = PreAdviceInput {
            recommendation: Some("positive".into()),
            proposed_eur: Some(5_000),
            motivation: "Past binnen de opgave".into(),
            ..Default::default()
        };
        let v = t
            .app
            .write(|tx| record_pre_advice(tx, &team, &plan.id, &input, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::PreAdvised);
        let advice = v.plan.pre_advice.unwrap();
        assert_eq!(advice.advice.recommendation, Recommendation::Positive);
        assert_eq!(advice.advice.total_score, 12);
        assert_eq!(v.plan.proposed, Eur::parse(5_000).ok());
        let v = t
            .app
            .write(|tx| revise_pre_advice(tx, &team, &plan.id, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::InReview);
    }

    #[test]
    fn opening_a_vote_invites_the_eligible_board_and_cancelling_it_goes_back_to_review() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        let member = t.account(&[Role::BoardMember]);
        t.pre_advised(&plan.id, &team);
        let before = t.outbox().len();
        let v = t
            .app
            .write(|tx| open_vote(tx, &team.actor(), &plan.id, "http://planloket.test", None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::Voting);
        let invited: Vec<_> = t.outbox().into_iter().skip(before).map(|m| m.to).collect();
        assert_eq!(invited, vec![member.email.clone()]);
        let v = t
            .app
            .write(|tx| cancel_vote(tx, &team.actor(), &plan.id, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::InReview);
    }

    #[test]
    fn a_plan_merges_into_another_and_similar_plans_are_found() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let a = t.submitted(&anna, &round);
        let b = t.submitted(&anna, &round);
        let team_account = t.account(&[Role::ProgrammeTeam]);
        let team = team_account.actor();
        let found = t
            .app
            .read(|c| similar(c, &t.app.similar, &team, &a.id))
            .unwrap();
        assert_eq!(found[0].plan_id, b.id, "the same text, goals and partners");
        assert!(matches!(
            t.app
                .write(|tx| merge_into(tx, &team, &a.id, Some(&a.id), None, None)),
            Err(Error::Domain(DomainError::Invalid(_)))
        ));
        let v = t
            .app
            .write(|tx| merge_into(tx, &team, &a.id, Some(&b.id), None, None))
            .unwrap();
        assert_eq!(v.plan.status, PlanStatus::Merged);
        assert_eq!(v.plan.merged_into.as_deref(), Some(b.id.as_str()));
        let target = t
            .app
            .read(|c| crate::app::plans::get(c, &t.app.reads, &t.bearer(&team_account), &b.id))
            .unwrap()
            .1;
        assert_eq!(target.merged_from, vec![a.id.clone()]);
        let merged = t
            .app
            .read(|c| similar(c, &t.app.similar, &team, &a.id))
            .unwrap();
        assert_eq!(
            merged[0].plan_id, b.id,
            "a merged plan is still compared on its own"
        );
        assert!(matches!(
            t.app
                .read(|c| similar(c, &t.app.similar, &anna.actor(), &a.id)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
    }
}
