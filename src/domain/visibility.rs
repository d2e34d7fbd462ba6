//! What each caller may see of a plan: an applicant of their own plan before and after
//! decisions are published, staff of every submitted plan; one redaction for every front door.

use serde::Serialize;

use super::plan::Plan;
use super::state::{Action, PlanStatus};
use super::user::Actor;

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

/// The states an applicant sees as `in_assessment` until an adoption covering the plan
/// publishes its decision.
pub const MASKED: [PlanStatus; 4] = [
    PlanStatus::PreAdvised,
    PlanStatus::Voting,
    PlanStatus::Approved,
    PlanStatus::Rejected,
];

/// The status an applicant sees: a `MASKED` state shows as `in_assessment` until its decision
/// is published.
pub fn applicant_status(status: PlanStatus, published: bool) -> ShownStatus {
    if !published && MASKED.contains(&status) {
        ShownStatus::InAssessment
    } else {
        ShownStatus::Actual(status)
    }
}

/// The plan states a status filter selects, and whether their decision must be published
/// (`Some(true)`) or not (`Some(false)`): staff filter on real states (`in_assessment` is none
/// of theirs); an applicant on the status they see, which depends on publication.
pub fn status_filter(
    status: Option<ShownStatus>,
    staff: bool,
) -> (Option<Vec<PlanStatus>>, Option<bool>) {
    match (status, staff) {
        (None, _) => (None, None),
        (Some(ShownStatus::Actual(s)), true) => (Some(vec![s]), None),
        (Some(ShownStatus::InAssessment), true) => (Some(Vec::new()), None),
        (Some(ShownStatus::InAssessment), false) => (Some(MASKED.to_vec()), Some(false)),
        (Some(ShownStatus::Actual(s)), false) if MASKED.contains(&s) => (Some(vec![s]), Some(true)),
        (Some(ShownStatus::Actual(s)), false) => (Some(vec![s]), None),
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
    if actor.assesses() || applicant_sees_decision(status, published) {
        Ok(())
    } else {
        Err(super::DomainError::Forbidden(super::Bilingual::new(
            "the assessment is shown once decisions are published",
            "De beoordeling is te zien zodra het besluit bekend is gemaakt.",
        )))
    }
}

/// Who may see a plan at all: drafts only their owner; other plans their owner and staff.
pub fn may_see(status: PlanStatus, is_owner: bool, is_staff: bool) -> bool {
    is_owner || (is_staff && status != PlanStatus::Draft)
}

/// `may_see` for an actor: a reviewer who is not staff sees a plan (not a draft) only while
/// it is assigned to them (`is_assigned`; storage is asked only for such a reviewer).
pub fn may_see_plan(
    status: PlanStatus,
    is_holder: bool,
    actor: &super::user::Actor,
    is_assigned: bool,
) -> bool {
    let sight = if actor.sees_only_assigned() {
        is_assigned
    } else {
        actor.is_staff()
    };
    may_see(status, is_holder, sight)
}

/// A plan with what its view needs besides itself.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    /// Plans merged into this one.
    pub merged_from: Vec<String>,
    /// Links of other plans that point at this one (its own are in its content).
    pub linked_from: Vec<super::plan::PlanLink>,
}

/// A plan as one caller may see it: the one redaction every front door shows, so the API's
/// JSON and a page can never differ in what they reveal.
#[derive(Debug)]
pub struct ShownPlan<'a> {
    pub plan: &'a Plan,
    pub status: ShownStatus,
    /// The version the caller knows the plan by (its `ETag`).
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub allowed_actions: Vec<super::state::Action>,
    /// The pre-advice, the amount granted and the decision: for staff, and for the applicant
    /// once the decision is published.
    pub pre_advice: Option<&'a super::decision::RecordedPreAdvice>,
    /// Who recorded the pre-advice: staff only.
    pub pre_advice_by: Option<&'a str>,
    pub granted: Option<super::money::Eur>,
    pub decision: Option<&'a super::decision::Decision>,
    /// Staff see every plan that links here; an applicant not (the linking plan may be another
    /// applicant's, and is none of theirs to know of).
    pub linked_from: &'a [super::plan::PlanLink],
    pub merged_from: &'a [String],
}

impl PlanView {
    pub fn new(plan: Plan) -> PlanView {
        PlanView {
            plan,
            merged_from: Vec::new(),
            linked_from: Vec::new(),
        }
    }

    /// The plan as `actor` may see it.
    pub fn shown_to(&self, actor: &Actor) -> ShownPlan<'_> {
        let p = &self.plan;
        let staff = actor.assesses();
        let reveal = self.reveals_assessment(actor);
        ShownPlan {
            plan: p,
            status: self.status_for(actor),
            version: self.version_for(actor),
            updated_at: self.updated_at_for(actor),
            allowed_actions: self.allowed_actions(actor),
            pre_advice: p.pre_advice.as_ref().filter(|_| reveal),
            pre_advice_by: p
                .pre_advice
                .as_ref()
                .filter(|_| staff)
                .map(|r| r.recorded_by.as_str()),
            granted: p.granted.filter(|_| reveal),
            decision: p.decision.as_ref().filter(|_| reveal),
            linked_from: if staff { &self.linked_from } else { &[] },
            merged_from: &self.merged_from,
        }
    }

    /// The status this caller sees: applicants see `in_assessment` until publication.
    pub fn status_for(&self, actor: &Actor) -> ShownStatus {
        ShownStatus::for_caller(self.plan.status, self.plan.is_published(), actor.assesses())
    }

    /// The status in the words this caller reads in a list: a granted plan says so with its
    /// amount ("toegekend: € 3.850", or how it is paid when not from the programme) once the
    /// caller may see the decision; everything else as `status_for` labels it.
    pub fn status_line_nl(&self, actor: &Actor) -> String {
        let shown = self.status_for(actor);
        if shown == ShownStatus::Actual(super::state::PlanStatus::Adopted)
            && self.reveals_assessment(actor)
        {
            return match (
                self.plan.content.funding.without_amount_nl(),
                self.plan.granted,
            ) {
                (Some(how), _) => format!("toegekend ({})", how.to_lowercase()),
                (None, Some(g)) => format!("toegekend: {}", g.format_nl()),
                (None, None) => "toegekend".to_string(),
            };
        }
        shown.label_nl().to_string()
    }

    /// Whether this caller sees the pre-advice, the amount granted and the decision.
    pub fn reveals_assessment(&self, actor: &Actor) -> bool {
        actor.assesses() || applicant_sees_decision(self.plan.status, self.plan.is_published())
    }

    /// What this caller may do to the plan now.
    pub fn allowed_actions(&self, actor: &Actor) -> Vec<super::state::Action> {
        super::state::allowed_actions(self.plan.state(), actor)
    }

    /// The version this caller knows the plan by: staff the plan's own; an applicant the
    /// version of what they see, which staff work inside the assessment does not move.
    pub fn version_for(&self, actor: &Actor) -> i64 {
        if actor.assesses() {
            self.plan.version
        } else {
            self.plan.shown_version
        }
    }

    /// When the plan last changed as this caller sees it.
    pub fn updated_at_for(&self, actor: &Actor) -> chrono::DateTime<chrono::Utc> {
        if actor.assesses() {
            self.plan.updated_at
        } else {
            self.plan.shown_updated_at
        }
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn one_redaction_shows_the_assessment_to_staff_and_after_publication_only() {
        use crate::domain::user::{ApplicantKind, Role};
        let mut plan = Plan::draft(
            "p".into(),
            "r".into(),
            "owner".into(),
            ApplicantKind::Resident,
            chrono::Utc::now(),
        );
        plan.status = PlanStatus::Approved;
        plan.granted = Some(crate::domain::money::Eur::parse(3_000).unwrap());
        let mut v = PlanView::new(plan);
        v.linked_from = vec![crate::domain::plan::PlanLink {
            plan_id: "other".into(),
            relation: crate::domain::plan::Relation::Continues,
        }];
        let owner = Actor {
            user_id: "owner".into(),
            roles: vec![Role::Applicant],
            organisation_id: None,
        };
        let team = Actor {
            user_id: "t".into(),
            roles: vec![Role::ProgrammeTeam],
            organisation_id: None,
        };
        let before = v.shown_to(&owner);
        assert_eq!(before.status, ShownStatus::InAssessment);
        assert!(before.granted.is_none() && before.decision.is_none());
        assert!(before.linked_from.is_empty());
        let staff = v.shown_to(&team);
        assert_eq!(staff.status, ShownStatus::Actual(PlanStatus::Approved));
        assert!(staff.granted.is_some() && staff.linked_from.len() == 1);
        v.plan.adoption_id = Some("a1".into());
        assert!(v.shown_to(&owner).granted.is_some());
        assert!(v.shown_to(&owner).linked_from.is_empty());
    }

    #[test]
    fn a_granted_plan_reads_toegekend_with_its_amount_once_published() {
        use crate::domain::user::{ApplicantKind, Role};
        let mut plan = Plan::draft(
            "p".into(),
            "r".into(),
            "owner".into(),
            ApplicantKind::Resident,
            chrono::Utc::now(),
        );
        plan.status = PlanStatus::Approved;
        plan.granted = Some(crate::domain::money::Eur::parse(3_850).unwrap());
        let owner = Actor {
            user_id: "owner".into(),
            roles: vec![Role::Applicant],
            organisation_id: None,
        };
        let mut v = PlanView::new(plan);
        assert_eq!(v.status_line_nl(&owner), "in beoordeling");
        v.plan.status = PlanStatus::Adopted;
        v.plan.adoption_id = Some("a1".into());
        assert_eq!(v.status_line_nl(&owner), "toegekend: € 3.850");
        v.plan.content.funding = crate::domain::plan::Funding::BaseFunding;
        assert_eq!(
            v.status_line_nl(&owner),
            "toegekend (zit in basis financiering)"
        );
        v.plan.status = PlanStatus::Rejected;
        assert_eq!(v.status_line_nl(&owner), "afgewezen");
    }

    #[test]
    fn a_status_filter_selects_what_each_caller_sees_by_that_name() {
        // What an applicant filters as in_assessment is exactly what shows them that.
        let (states, published) = status_filter(Some(ShownStatus::InAssessment), false);
        assert_eq!(published, Some(false));
        for s in PlanStatus::ALL {
            assert_eq!(
                states.as_ref().unwrap().contains(&s),
                applicant_status(s, false) == ShownStatus::InAssessment,
                "{s:?}"
            );
        }
        // A masked state by its own name only once published.
        assert_eq!(
            status_filter(Some(ShownStatus::Actual(PlanStatus::Rejected)), false),
            (Some(vec![PlanStatus::Rejected]), Some(true))
        );
        assert_eq!(
            status_filter(Some(ShownStatus::InAssessment), true),
            (Some(Vec::new()), None)
        );
    }
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
