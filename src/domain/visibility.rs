//! What an applicant may see of their own plan before and after decisions are published.

use serde::Serialize;

use super::plan::Plan;
use super::state::{Action, PlanStatus};

/// The status as an applicant sees it: their plan's real state, or `in_assessment` while the
/// board's decision is not yet published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownStatus {
    Actual(PlanStatus),
    InAssessment,
}

/// Written as its name, `in_assessment` or the state's.
impl Serialize for ShownStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl ShownStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ShownStatus::Actual(s) => s.as_str(),
            ShownStatus::InAssessment => "in_assessment",
        }
    }

    /// The status as pages and letters name it.
    pub fn label_nl(self) -> &'static str {
        match self {
            ShownStatus::Actual(s) => s.label_nl(),
            ShownStatus::InAssessment => "in beoordeling",
        }
    }

    /// Every status a client may see or filter on: the plan states and `in_assessment`.
    pub fn all() -> Vec<ShownStatus> {
        PlanStatus::ALL
            .into_iter()
            .map(ShownStatus::Actual)
            .chain([ShownStatus::InAssessment])
            .collect()
    }

    pub fn parse(s: &str) -> Option<ShownStatus> {
        ShownStatus::all().into_iter().find(|x| x.as_str() == s)
    }

    /// The status a caller sees: staff the real one, an applicant as `applicant_status`.
    pub fn for_caller(status: PlanStatus, published: bool, staff: bool) -> ShownStatus {
        if staff {
            ShownStatus::Actual(status)
        } else {
            applicant_status(status, published)
        }
    }
}

/// What a caller is shown of one step in a plan's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSight {
    Hidden,
    Shown {
        /// Whether the reason written with the step is shown.
        reason: bool,
        /// Whether the id of who took the step is shown.
        actor: bool,
    },
}

/// The steps that belong to the assessment, before publication the programme team's and the
/// board's business only: their reasons carry the pre-advice and the tally.
fn is_assessment(action: Action) -> bool {
    matches!(
        action,
        Action::Evaluate
            | Action::RecordPreAdvice
            | Action::RevisePreAdvice
            | Action::OpenVote
            | Action::Vote
            | Action::CancelVote
            | Action::CloseVote
            | Action::DeclareConflict
            | Action::Adopt
    )
}

/// What a caller sees of a step. Staff see every step whole. An applicant sees a step as
/// they see the statuses, and never a staff or board member's id: before publication no
/// step of the assessment at all; their own steps with their reasons; the team's question
/// (the reason of `request_info`) since it is put to them; no other reason (a merge names
/// another applicant's plan). After publication the assessment's steps show, with their
/// reasons, as the decision does.
pub fn event_sight(
    action: Action,
    from: Option<ShownStatus>,
    to: ShownStatus,
    by_viewer: bool,
    staff: bool,
    published: bool,
) -> EventSight {
    if staff {
        return EventSight::Shown {
            reason: true,
            actor: true,
        };
    }
    if from == Some(to) || (is_assessment(action) && !published) {
        return EventSight::Hidden;
    }
    EventSight::Shown {
        reason: by_viewer || action == Action::RequestInfo || (is_assessment(action) && published),
        actor: by_viewer,
    }
}

/// What an applicant sees of their plan, compared to decide whether it changed for them
/// (their `version`, `ETag` and `updated_at` move only then).
#[derive(Debug, PartialEq)]
struct ApplicantSight<'a> {
    status: ShownStatus,
    content: &'a super::plan::PlanContent,
    submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    info_request: Option<&'a super::decision::InfoRequest>,
    merged_into: Option<&'a str>,
    assessment: Option<(
        Option<&'a super::decision::RecordedPreAdvice>,
        Option<super::Eur>,
        Option<&'a super::decision::Decision>,
    )>,
}

fn sight(plan: &Plan) -> ApplicantSight<'_> {
    let published = plan.is_published();
    ApplicantSight {
        status: applicant_status(plan.status, published),
        content: &plan.content,
        submitted_at: plan.submitted_at,
        info_request: plan.info_request.as_ref(),
        merged_into: plan.merged_into.as_deref(),
        assessment: applicant_sees_decision(plan.status, published).then_some((
            plan.pre_advice.as_ref(),
            plan.granted,
            plan.decision.as_ref(),
        )),
    }
}

/// Whether a change of a plan (its publication included) changes what its applicant sees.
/// Staff acting inside the assessment changes nothing for them.
pub fn applicant_sees_change(before: &Plan, after: &Plan) -> bool {
    sight(before) != sight(after)
}

/// The status an applicant sees: pre_advised, voting, approved and rejected show as
/// `in_assessment` until an adoption covering the plan publishes its decision.
pub fn applicant_status(status: PlanStatus, published: bool) -> ShownStatus {
    match status {
        PlanStatus::PreAdvised
        | PlanStatus::Voting
        | PlanStatus::Approved
        | PlanStatus::Rejected
            if !published =>
        {
            ShownStatus::InAssessment
        }
        s => ShownStatus::Actual(s),
    }
}

/// Whether the applicant may see the pre-advice, the scores, the tally and the amount granted.
pub fn applicant_sees_decision(status: PlanStatus, published: bool) -> bool {
    published
        && matches!(
            status,
            PlanStatus::Adopted | PlanStatus::Rejected | PlanStatus::Approved
        )
}

/// The assessment of a plan (the scores, the pre-advice, the board's vote) is for staff, and
/// for its applicant once the decision is published.
pub fn check_assessment_shown(
    actor: &super::user::Actor,
    status: PlanStatus,
    published: bool,
) -> Result<(), super::DomainError> {
    if actor.is_staff() || applicant_sees_decision(status, published) {
        Ok(())
    } else {
        Err(super::DomainError::Forbidden(super::Said::new(
            "the assessment is shown once decisions are published",
            "De beoordeling is te zien zodra het besluit bekend is gemaakt.",
        )))
    }
}

/// Who may see a plan at all: drafts only their owner; other plans their owner and staff.
pub fn may_see(status: PlanStatus, is_owner: bool, is_staff: bool) -> bool {
    is_owner || (is_staff && status != PlanStatus::Draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decisions_show_as_in_assessment_until_published() {
        for s in [
            PlanStatus::PreAdvised,
            PlanStatus::Voting,
            PlanStatus::Approved,
            PlanStatus::Rejected,
        ] {
            assert_eq!(applicant_status(s, false).as_str(), "in_assessment");
        }
        assert_eq!(
            applicant_status(PlanStatus::Rejected, true).as_str(),
            "rejected"
        );
        assert_eq!(
            applicant_status(PlanStatus::Adopted, true).as_str(),
            "adopted"
        );
        assert_eq!(
            applicant_status(PlanStatus::InReview, false).as_str(),
            "in_review"
        );
        assert_eq!(
            applicant_status(PlanStatus::NeedsInfo, false).as_str(),
            "needs_info"
        );
    }

    #[test]
    fn the_status_vocabulary_holds_every_state_and_in_assessment() {
        assert_eq!(ShownStatus::all().len(), 12);
        assert_eq!(
            ShownStatus::parse("in_assessment"),
            Some(ShownStatus::InAssessment)
        );
        assert_eq!(
            ShownStatus::parse("voting"),
            Some(ShownStatus::Actual(PlanStatus::Voting))
        );
        assert_eq!(ShownStatus::parse("decided"), None);
    }

    #[test]
    fn an_applicant_is_not_shown_the_assessment_before_publication_nor_anyones_id() {
        let a = ShownStatus::InAssessment;
        let review = ShownStatus::Actual(PlanStatus::InReview);
        let submitted = ShownStatus::Actual(PlanStatus::Submitted);
        let shown = |reason, actor| EventSight::Shown { reason, actor };
        // Staff see everything.
        assert_eq!(
            event_sight(Action::OpenVote, Some(a), a, false, true, false),
            shown(true, true)
        );
        // The pre-advice and a vote that did not carry: not before publication.
        for (action, from, to) in [
            (Action::RecordPreAdvice, review, a),
            (Action::CloseVote, a, review),
            (Action::RevisePreAdvice, a, review),
            (Action::OpenVote, a, a),
        ] {
            assert_eq!(
                event_sight(action, Some(from), to, false, false, false),
                EventSight::Hidden,
                "{action:?}"
            );
        }
        // After publication the decision shows, with its reason, but not who took it.
        let rejected = ShownStatus::Actual(PlanStatus::Rejected);
        assert_eq!(
            event_sight(
                Action::CloseVote,
                Some(review),
                rejected,
                false,
                false,
                true
            ),
            shown(true, false)
        );
        // Their own steps with reason; the team's question; not a merge's reason.
        assert_eq!(
            event_sight(
                Action::Withdraw,
                Some(submitted),
                ShownStatus::Actual(PlanStatus::Withdrawn),
                true,
                false,
                false
            ),
            shown(true, true)
        );
        assert_eq!(
            event_sight(
                Action::RequestInfo,
                Some(review),
                ShownStatus::Actual(PlanStatus::NeedsInfo),
                false,
                false,
                false
            ),
            shown(true, false)
        );
        assert_eq!(
            event_sight(
                Action::MergeInto,
                Some(review),
                ShownStatus::Actual(PlanStatus::Merged),
                false,
                false,
                false
            ),
            shown(false, false)
        );
        assert_eq!(
            event_sight(
                Action::StartReview,
                Some(submitted),
                review,
                false,
                false,
                false
            ),
            shown(false, false)
        );
    }

    #[test]
    fn staff_steps_inside_the_assessment_change_nothing_the_applicant_sees() {
        use crate::domain::user::ApplicantKind;
        let mut p = Plan::draft(
            "p".into(),
            "r".into(),
            "o".into(),
            ApplicantKind::Partner,
            chrono::Utc::now(),
        );
        p.status = PlanStatus::InReview;
        let mut advised = p.clone();
        advised.status = PlanStatus::PreAdvised;
        assert!(
            applicant_sees_change(&p, &advised),
            "in_review → in_assessment"
        );
        let mut voting = advised.clone();
        voting.status = PlanStatus::Voting;
        assert!(!applicant_sees_change(&advised, &voting));
        let mut approved = voting.clone();
        approved.status = PlanStatus::Approved;
        approved.granted = crate::domain::Eur::parse(9_000).ok();
        assert!(!applicant_sees_change(&voting, &approved));
        let mut covered = approved.clone();
        covered.adoption_id = Some("a1".into());
        assert!(applicant_sees_change(&approved, &covered), "publication");
        let mut edited = p.clone();
        edited.content.title = "Nieuw".into();
        assert!(applicant_sees_change(&p, &edited));
    }

    #[test]
    fn drafts_are_for_their_owner_only() {
        assert!(may_see(PlanStatus::Draft, true, false));
        assert!(!may_see(PlanStatus::Draft, false, true));
        assert!(may_see(PlanStatus::Submitted, false, true));
        assert!(!may_see(PlanStatus::Submitted, false, false));
    }

    proptest! {
        #[test]
        fn the_applicant_view_never_reveals_a_decision_before_publication(
            s in prop::sample::select(PlanStatus::ALL.to_vec()),
        ) {
            // Adoption is what publishes decisions, so an adopted plan is never unpublished.
            prop_assume!(s != PlanStatus::Adopted);
            prop_assert!(!applicant_sees_decision(s, false));
            let shown = applicant_status(s, false).as_str();
            prop_assert!(!["approved", "rejected", "adopted", "pre_advised", "voting"].contains(&shown));
        }
    }
}
