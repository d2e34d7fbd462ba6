//! The programme team's and the board's view of one plan: everything the assessment page
//! shows, read in one database session.

use std::collections::HashMap;

use super::assessment::{self, Evaluations, SimilarIndexes};
use super::board::{self, TallyView};
use super::plans::{self, Expected, PlanView, ShownEvent};
use super::Error;
use crate::db::{self, DbConn, Tx};
use crate::domain::conflict::Recusal;
use crate::domain::permission::{self, Permission};
use crate::domain::round::Round;
use crate::domain::similarity::Similar;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::tally::Vote;
use crate::domain::user::{Actor, Role};

/// A plan as staff see it.
pub struct Dossier {
    pub view: PlanView,
    pub round: Round,
    /// The history, oldest first.
    pub events: Vec<ShownEvent>,
    /// Each submitted version with the fields changed since the one before, newest first.
    pub versions: Vec<(plans::ShownVersion, Vec<String>)>,
    pub similar: Vec<Similar>,
    pub evaluations: Evaluations,
    /// The count while a vote is open or once it decided.
    pub tally: Option<TallyView>,
    /// For a board member: their own vote, and why they may not vote if so.
    pub my_vote: Option<Vote>,
    pub my_recusal: Option<Recusal>,
    /// The plan's links both ways: how it relates (in Dutch), the other plan's id and title.
    pub links: Vec<(&'static str, String, String)>,
    /// Names of the people and organisations the page mentions, by id.
    pub people: HashMap<String, String>,
    pub organisations: HashMap<String, String>,
    /// How the team reaches the applicant: name and e-mail address (the team only; none for
    /// an organisation's own action, which nobody applied for).
    pub applicant: Option<(String, String)>,
    /// The co-applicants the owner invited.
    pub co_applicants: Vec<super::co_applicants::CoApplicant>,
    /// Who is assigned to review the plan, and by when.
    pub assignees: Vec<super::assignments::Assignee>,
    /// For the programme team while reviewers can be assigned: whom it may assign (active
    /// reviewers and team members: id, name, role), by name.
    pub candidates: Option<Vec<(String, String, &'static str)>>,
    /// The conversation with the applicants, for the programme team (none for the board).
    pub conversation: Option<super::conversation::Conversation>,
    /// The plan's attachments.
    pub attachments: Vec<crate::db::plan_attachments::PlanAttachment>,
}

/// Reads a plan's dossier (programme team and board; a reviewer, of a plan assigned to them).
pub fn dossier(
    c: &mut DbConn,
    indexes: &SimilarIndexes,
    reads: &super::processing::Reads,
    actor: &Actor,
    id: &str,
) -> Result<Dossier, Error> {
    permission::check(actor, Permission::ReadDossiers)?;
    let (view, round) = plans::read(c, actor, id)?;
    reads.note(
        actor,
        crate::domain::processing::Activity::PlanViewed,
        ("plan", &view.plan.id),
        &super::processing::subjects_of(&view.plan),
    );
    // A reviewer sees this plan, not the round around it: no similar or linked plans.
    let sees_round = permission::allows(actor, Permission::SeeAssessment);
    let events = plans::events(c, actor, id)?;
    let mut versions: Vec<(plans::ShownVersion, Vec<String>)> = Vec::new();
    let all = plans::versions(c, actor, id)?;
    for (i, v) in all.iter().enumerate() {
        let changed = v
            .version
            .changed_since(i.checked_sub(1).map(|p| &all[p].version));
        versions.push((v.clone(), changed));
    }
    versions.reverse();
    let similar = if sees_round {
        assessment::similar(c, indexes, actor, id)?
    } else {
        Vec::new()
    };
    let evaluations = assessment::evaluations(c, actor, id)?;
    let status = view.plan.status;
    let counted = status == PlanStatus::Voting || view.plan.decision.is_some();
    let tally = if counted {
        Some(board::votes(c, actor, id)?)
    } else {
        None
    };
    let (mut my_vote, mut my_recusal) = (None, None);
    if actor.has(Role::BoardMember) {
        my_recusal = super::shared::board_for(c, &view.plan)?.recusal_of(&actor.user_id);
        my_vote = tally.as_ref().and_then(|t| {
            t.votes
                .iter()
                .find(|(v, _)| v.member_id == actor.user_id)
                .map(|(v, _)| v.clone())
        });
    }
    let mut ids: Vec<String> = events.iter().filter_map(|e| e.actor_id.clone()).collect();
    ids.extend(
        evaluations
            .evaluations
            .iter()
            .map(|e| e.reviewer_id.clone()),
    );
    if let Some(t) = &tally {
        ids.extend(t.votes.iter().map(|(v, _)| v.member_id.clone()));
        ids.extend(t.recusals.iter().map(|(m, _)| m.clone()));
    }
    ids.sort();
    ids.dedup();
    let people = db::users::names(c, &ids)?;
    let mut links = Vec::new();
    let own = view
        .plan
        .content
        .links
        .iter()
        .map(|l| (l.relation.label_nl(), l));
    let theirs = view
        .linked_from
        .iter()
        .map(|l| (l.relation.inverse_label_nl(), l));
    for (label, l) in own.chain(theirs).filter(|_| sees_round) {
        let title = db::plans::find(c, &l.plan_id)?
            .map(|p| p.content.title)
            .unwrap_or_else(|| "(niet meer beschikbaar)".into());
        links.push((label, l.plan_id.clone(), title));
    }
    let organisations = db::organisations::names(c)?;
    let applicant =
        if permission::allows(actor, Permission::ReviewPlans) && view.plan.has_applicant() {
            let owner = plans::owner_of(c, &view.plan)?;
            Some((owner.name, owner.email))
        } else {
            None
        };
    let conversation = super::conversation::on_plan_page(c, actor, &view.plan)?;
    let attachments = db::plan_attachments::of_plan(c, &view.plan.id)?;
    let co_applicants = db::co_applicants::of_plan(c, &view.plan.id)?;
    let assignees = db::assignments::of_plan(c, &view.plan.id)?;
    let candidates = if permission::allows(actor, Permission::ReviewPlans)
        && crate::domain::assignment::check_plan(view.plan.status).is_ok()
    {
        let mut all: Vec<(String, String, &'static str)> = Vec::new();
        for role in [Role::Reviewer, Role::ProgrammeTeam] {
            for a in db::users::active_with_role(c, role)? {
                if !all.iter().any(|(id, _, _)| *id == a.id) {
                    all.push((a.id, a.name, role.label_nl()));
                }
            }
        }
        all.sort_by(|a, b| a.1.cmp(&b.1));
        Some(all)
    } else {
        None
    };
    Ok(Dossier {
        co_applicants,
        assignees,
        candidates,
        attachments,
        conversation,
        applicant,
        view,
        round,
        events,
        versions,
        similar,
        evaluations,
        tally,
        my_vote,
        my_recusal,
        links,
        people,
        organisations,
    })
}

/// What a plan's page shows its applicant: the plan with its round and the names of the
/// organisations it names, the answer typed and kept while the plan was changed, the
/// conversation with the team, and the attachments.
pub struct ApplicantDossier {
    pub view: PlanView,
    pub round: Round,
    pub organisations: HashMap<String, String>,
    pub kept_answer: String,
    pub conversation: Option<super::conversation::Conversation>,
    pub attachments: Vec<crate::db::plan_attachments::PlanAttachment>,
    /// The owner's name, the co-applicants, and the submitted versions with who made them.
    pub owner_name: String,
    pub co_applicants: Vec<super::co_applicants::CoApplicant>,
    pub versions: Vec<plans::ShownVersion>,
}

/// Reads a plan's page for one who may see it and is not staff (its applicants).
pub fn applicant_dossier(
    c: &mut DbConn,
    kept: &super::rounds::RoundsCache,
    actor: &Actor,
    id: &str,
) -> Result<ApplicantDossier, Error> {
    let (view, round, organisations) = plans::read_named(c, kept, actor, id)?;
    let kept_answer = plans::kept_answer(c, actor, id)?.unwrap_or_default();
    let conversation = super::conversation::on_plan_page(c, actor, &view.plan)?;
    let attachments = db::plan_attachments::of_plan(c, &view.plan.id)?;
    let owner_name = plans::owner_of(c, &view.plan)?.name;
    let co_applicants = db::co_applicants::of_plan(c, &view.plan.id)?;
    let versions = plans::versions(c, actor, id)?;
    Ok(ApplicantDossier {
        owner_name,
        co_applicants,
        versions,
        view,
        round,
        organisations,
        kept_answer,
        conversation,
        attachments,
    })
}

/// What the plan form shows of a saved plan: the plan with its round, and its attachments.
pub fn for_editing(
    c: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> Result<
    (
        PlanView,
        Round,
        Vec<crate::db::plan_attachments::PlanAttachment>,
    ),
    Error,
> {
    let (view, round) = plans::read(c, actor, id)?;
    let attachments = db::plan_attachments::of_plan(c, &view.plan.id)?;
    Ok((view, round, attachments))
}

/// One of the buttons on a plan's page for staff, by its action: start the review, open,
/// cancel or close the vote, revise the pre-advice. Any other action is not a button there.
/// `site` is where the mails that follow link to.
pub fn step(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    action: Action,
    site: &str,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    match action {
        Action::StartReview => assessment::start_review(tx, actor, id, expected),
        Action::OpenVote => assessment::open_vote(tx, actor, id, site, expected),
        Action::CancelVote => assessment::cancel_vote(tx, actor, id, expected),
        Action::RevisePreAdvice => assessment::revise_pre_advice(tx, actor, id, expected),
        Action::CloseVote => board::close_vote(tx, actor, id, expected),
        _ => Err(crate::domain::state::forbidden(action).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;

    #[test]
    fn staff_read_the_whole_dossier_and_an_applicant_none_of_it() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let indexes: SimilarIndexes = SimilarIndexes::default();
        let d = t
            .app
            .read(|c| dossier(c, &indexes, &t.app.reads, &team, &plan.id))
            .unwrap();
        assert_eq!(d.view.plan.id, plan.id);
        assert_eq!(d.versions.len(), 1);
        assert!(
            d.versions[0].1.is_empty(),
            "the first version changed nothing"
        );
        assert!(d
            .events
            .iter()
            .any(|e| e.actor_id.as_deref() == Some(&anna.id)));
        assert_eq!(d.people.get(&anna.id), Some(&anna.name));
        assert!(d.tally.is_none());
        assert!(matches!(
            t.app
                .read(|c| dossier(c, &indexes, &t.app.reads, &anna.actor(), &plan.id)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
    }
}
