//! The round's plans shown to each other (the programme's plenary meeting of 19 February):
//! once the window has closed, every applicant with a plan in the round sees what the others
//! plan, to find overlap and partners. Only what a plan is about, never who filed it or how
//! it is assessed.

use chrono::{DateTime, Utc};

use super::overview::{short_description, RESIDENT_LEAD};
use super::plan::{PartyRef, Plan};
use super::round::Catalog;
use super::state::PlanStatus;
use super::user::ApplicantKind;

/// Whether a plan is shown: submitted, and neither withdrawn nor merged (a merged plan is
/// shown as the plan it went into).
pub fn shows(status: PlanStatus) -> bool {
    !matches!(
        status,
        PlanStatus::Draft | PlanStatus::Withdrawn | PlanStatus::Merged
    )
}

/// Whether the plans are shown to a caller: the round's window has closed and they hold a
/// plan shown in it. Everyone else is told nothing (not even that it exists).
pub fn may_see(closes_at: DateTime<Utc>, now: DateTime<Utc>, holds_a_shown_plan: bool) -> bool {
    now >= closes_at && holds_a_shown_plan
}

/// One plan as the others see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlenaryPlan {
    pub reference: Option<String>,
    pub title: String,
    /// The short description, as the published overview prints it.
    pub summary: String,
    /// The lead organisation, or "Inwoner(s)" for residents' plans.
    pub lead: String,
    /// Each goal's code and text.
    pub goals: Vec<(String, String)>,
    /// The theme it is charged to: code and name.
    pub theme: Option<(String, String)>,
}

/// What is shown of `plan`; `organisation` names a registered organisation by id.
pub fn shown(
    plan: &Plan,
    catalog: &Catalog,
    organisation: impl Fn(&str) -> Option<String>,
) -> PlenaryPlan {
    let c = &plan.content;
    let lead = match &c.lead_partner {
        Some(PartyRef::Registered { organisation_id }) => {
            organisation(organisation_id).unwrap_or_else(|| RESIDENT_LEAD.to_string())
        }
        Some(PartyRef::Named { name }) => name.clone(),
        None if plan.applicant_kind == ApplicantKind::Resident => RESIDENT_LEAD.to_string(),
        None => c
            .payee_id
            .as_deref()
            .and_then(&organisation)
            .unwrap_or_else(|| RESIDENT_LEAD.to_string()),
    };
    PlenaryPlan {
        reference: plan.reference.clone(),
        title: c.title.clone(),
        summary: short_description(&c.summary, &c.description),
        lead,
        goals: c
            .goals
            .iter()
            .map(|g| {
                let text = catalog
                    .theme_of_goal(g)
                    .and_then(|t| t.goals.iter().find(|x| &x.code == g))
                    .map(|x| x.text.clone())
                    .unwrap_or_default();
                (g.clone(), text)
            })
            .collect(),
        theme: plan
            .budget_line
            .as_deref()
            .and_then(|b| catalog.theme(b))
            .map(|t| (t.code.clone(), t.name.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn shown_once_closed_to_those_with_a_plan_in_it() {
        let closes = Utc::now();
        assert!(!may_see(closes, closes - Duration::minutes(1), true));
        assert!(may_see(closes, closes, true));
        assert!(!may_see(closes, closes + Duration::days(1), false));
        for s in PlanStatus::ALL {
            assert_eq!(
                shows(s),
                !matches!(
                    s,
                    PlanStatus::Draft | PlanStatus::Withdrawn | PlanStatus::Merged
                ),
                "{s:?}"
            );
        }
    }
}
