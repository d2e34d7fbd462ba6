//! Conflict of interest: which board members may not vote on a plan, and why.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::tally::Seat;

/// The parties of a plan that a board member can be tied to.
#[derive(Debug, Clone, Default)]
pub struct PlanParties<'a> {
    pub owner_id: &'a str,
    /// The co-applicants the owner invited: they filed it with them.
    pub co_applicant_ids: Vec<&'a str>,
    /// The lead partner and every co-lead.
    pub lead_ids: Vec<&'a str>,
    pub partner_ids: Vec<&'a str>,
    pub payee_id: Option<&'a str>,
}

/// A board member as the conflict rule sees them.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub user_id: &'a str,
    pub organisation_id: Option<&'a str>,
}

/// Why a member is recused from a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recusal {
    FiledThePlan,
    LeadPartner,
    Partner,
    Payee,
    Declared,
}

impl Recusal {
    /// The sentence shown to the member who is refused a vote.
    pub fn message(self) -> &'static str {
        match self {
            Recusal::FiledThePlan => "you filed this plan, so you may not vote on it",
            Recusal::LeadPartner => {
                "your organisation is the plan's lead partner, so you may not vote on it"
            }
            Recusal::Partner => {
                "your organisation collaborates on this plan, so you may not vote on it"
            }
            Recusal::Payee => {
                "your organisation would receive the grant, so you may not vote on it"
            }
            Recusal::Declared => "you declared a conflict of interest for this plan",
        }
    }

    /// Why a member is recused, said of them to others (the chair, the team), in Dutch.
    pub fn reason_nl(self) -> &'static str {
        match self {
            Recusal::FiledThePlan => "heeft het plan zelf ingediend",
            Recusal::LeadPartner => "de eigen organisatie is hoofdpartner van het plan",
            Recusal::Partner => "de eigen organisatie werkt mee aan het plan",
            Recusal::Payee => "de eigen organisatie zou de bijdrage ontvangen",
            Recusal::Declared => "heeft een belangenconflict gemeld",
        }
    }

    /// The same sentence in Dutch.
    pub fn message_nl(self) -> &'static str {
        match self {
            Recusal::FiledThePlan => "u heeft dit plan zelf ingediend en stemt er daarom niet over",
            Recusal::LeadPartner => {
                "uw organisatie is hoofdpartner van dit plan; u stemt er daarom niet over"
            }
            Recusal::Partner => {
                "uw organisatie werkt mee aan dit plan; u stemt er daarom niet over"
            }
            Recusal::Payee => {
                "uw organisatie zou de bijdrage ontvangen; u stemt er daarom niet over"
            }
            Recusal::Declared => "u heeft voor dit plan een belangenconflict gemeld",
        }
    }
}

/// Whether `member` is recused from voting on a plan with these parties.
pub fn recusal(member: &Member<'_>, plan: &PlanParties<'_>, declared: bool) -> Option<Recusal> {
    if member.user_id == plan.owner_id || plan.co_applicant_ids.contains(&member.user_id) {
        return Some(Recusal::FiledThePlan);
    }
    if let Some(org) = member.organisation_id {
        if plan.lead_ids.contains(&org) {
            return Some(Recusal::LeadPartner);
        }
        if plan.partner_ids.contains(&org) {
            return Some(Recusal::Partner);
        }
        if plan.payee_id == Some(org) {
            return Some(Recusal::Payee);
        }
    }
    if declared {
        return Some(Recusal::Declared);
    }
    None
}

/// A conflict of interest a board member declared for a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredConflict {
    pub plan_id: String,
    pub member_id: String,
    pub reason: String,
    pub declared_at: DateTime<Utc>,
}

/// Seats the board for one plan: every member, recused (and why) or not. `declared` are the
/// members who declared a conflict for it.
pub fn seats(
    members: &[Member<'_>],
    plan: &PlanParties<'_>,
    declared: &[DeclaredConflict],
) -> Vec<(Seat, Option<Recusal>)> {
    members
        .iter()
        .map(|m| {
            let r = recusal(m, plan, declared.iter().any(|d| d.member_id == m.user_id));
            (
                Seat {
                    user_id: m.user_id.to_string(),
                    recused: r.is_some(),
                },
                r,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_recusal_is_explained_to_the_member_and_of_them_to_others() {
        let all = [
            Recusal::FiledThePlan,
            Recusal::LeadPartner,
            Recusal::Partner,
            Recusal::Payee,
            Recusal::Declared,
        ];
        for r in all {
            assert!(r.message_nl().starts_with("u") || r.message_nl().starts_with("uw"));
            // Bilingual of someone else: never "u".
            assert!(
                !r.reason_nl().split(' ').any(|w| w == "u" || w == "uw"),
                "{r:?}"
            );
        }
        let mut reasons: Vec<_> = all.iter().map(|r| r.reason_nl()).collect();
        reasons.dedup();
        assert_eq!(reasons.len(), all.len());
    }

    use super::*;

    #[test]
    fn the_board_is_seated_with_each_recusal_and_its_reason() {
        let members = [
            member(Some("org-lead")),
            Member {
                user_id: "u-free",
                organisation_id: None,
            },
            Member {
                user_id: "u-declared",
                organisation_id: None,
            },
        ];
        let declared = [DeclaredConflict {
            plan_id: "p".into(),
            member_id: "u-declared".into(),
            reason: "familie".into(),
            declared_at: Utc::now(),
        }];
        let s = seats(&members, &plan(), &declared);
        let got: Vec<_> = s
            .iter()
            .map(|(seat, r)| (seat.user_id.as_str(), seat.recused, *r))
            .collect();
        assert_eq!(
            got,
            vec![
                ("u-member", true, Some(Recusal::LeadPartner)),
                ("u-free", false, None),
                ("u-declared", true, Some(Recusal::Declared)),
            ]
        );
    }

    fn plan() -> PlanParties<'static> {
        PlanParties {
            owner_id: "u-owner",
            co_applicant_ids: vec!["u-co"],
            lead_ids: vec!["org-lead", "org-colead"],
            partner_ids: vec!["org-partner"],
            payee_id: Some("org-payee"),
        }
    }

    fn member(org: Option<&'static str>) -> Member<'static> {
        Member {
            user_id: "u-member",
            organisation_id: org,
        }
    }

    #[test]
    fn a_co_applicant_filed_the_plan_too() {
        let co = Member {
            user_id: "u-co",
            organisation_id: None,
        };
        assert_eq!(recusal(&co, &plan(), false), Some(Recusal::FiledThePlan));
    }

    #[test]
    fn ties_to_the_plan_recuse_a_member() {
        assert_eq!(
            recusal(&member(Some("org-lead")), &plan(), false),
            Some(Recusal::LeadPartner)
        );
        assert_eq!(
            recusal(&member(Some("org-colead")), &plan(), false),
            Some(Recusal::LeadPartner),
            "a co-lead recuses as the lead does"
        );
        assert_eq!(
            recusal(&member(Some("org-partner")), &plan(), false),
            Some(Recusal::Partner)
        );
        assert_eq!(
            recusal(&member(Some("org-payee")), &plan(), false),
            Some(Recusal::Payee)
        );
        let owner = Member {
            user_id: "u-owner",
            organisation_id: None,
        };
        assert_eq!(recusal(&owner, &plan(), false), Some(Recusal::FiledThePlan));
        assert_eq!(
            recusal(&member(None), &plan(), true),
            Some(Recusal::Declared)
        );
    }

    #[test]
    fn an_unrelated_member_may_vote() {
        assert_eq!(recusal(&member(Some("org-other")), &plan(), false), None);
        assert_eq!(recusal(&member(None), &plan(), false), None);
    }

    #[test]
    fn every_recusal_explains_itself() {
        for r in [
            Recusal::FiledThePlan,
            Recusal::LeadPartner,
            Recusal::Partner,
            Recusal::Payee,
            Recusal::Declared,
        ] {
            assert!(r.message().contains("you"));
        }
    }
}
