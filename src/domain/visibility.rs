//! What an applicant may see of their own plan before and after decisions are published.

use serde::Serialize;

use super::state::PlanStatus;

/// The status as an applicant sees it: their plan's real state, or `in_assessment` while the
/// board's decision is not yet published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ShownStatus {
    Actual(PlanStatus),
    InAssessment,
}

impl ShownStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ShownStatus::Actual(s) => s.as_str(),
            ShownStatus::InAssessment => "in_assessment",
        }
    }
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
