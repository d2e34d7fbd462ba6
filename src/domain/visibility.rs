//! What an applicant may see of their own plan before and after decisions are published.

use serde::Serialize;

use super::state::PlanStatus;

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

/// Whether a caller is shown a step of the history as they see the statuses: a step that
/// stays inside what an applicant sees as one status (pre_advised → voting, both
/// `in_assessment`) is no news to them.
pub fn shows_event(from: Option<ShownStatus>, to: ShownStatus, staff: bool) -> bool {
    staff || from != Some(to)
}

/// The status an applicant sees: pre_advised, voting, approved and rejected show as
/// `in_assessment` until the round's adoption publishes the decisions.
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
    fn an_applicant_is_not_shown_steps_inside_the_assessment() {
        let a = ShownStatus::InAssessment;
        assert!(!shows_event(Some(a), a, false));
        assert!(shows_event(Some(a), a, true));
        let review = ShownStatus::Actual(PlanStatus::InReview);
        assert!(shows_event(Some(review), a, false));
        assert!(shows_event(None, review, false));
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
