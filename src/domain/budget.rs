//! The budget cap: grants charged to a theme never exceed its budget.

use super::errors::{Bilingual, DomainError};
use super::money::Eur;

/// Whether granting `amount` fits a line that has `budget` and has granted `granted` already.
/// Returns what remains afterwards; a grant that fills the line to the euro fits.
pub fn check_grant(
    theme: &str,
    budget: Eur,
    granted: Eur,
    amount: Eur,
) -> Result<Eur, DomainError> {
    let remaining = remaining(budget, granted);
    if amount > remaining {
        Err(DomainError::BudgetExceeded {
            theme: theme.to_string(),
            requested: amount,
            remaining,
        })
    } else {
        Ok(remaining - amount)
    }
}

/// A grant on a line where a reservation holds `held` for this very plan: the hold makes room
/// for the grant, which takes its place, so the line never counts both. Beyond the hold, the
/// grant needs what the line has free.
pub fn check_held_grant(
    theme: &str,
    budget: Eur,
    committed: Eur,
    held: Eur,
    amount: Eur,
) -> Result<Eur, DomainError> {
    check_grant(theme, budget, committed - held, amount)
}

/// What is left of a line's budget, never below zero.
pub fn remaining(budget: Eur, granted: Eur) -> Eur {
    if granted >= budget {
        Eur::ZERO
    } else {
        budget - granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::eur;
    use proptest::prelude::*;

    #[test]
    fn a_reservation_held_for_the_plan_makes_room_for_its_grant() {
        // A full line (€ 40.000 granted, € 35.000 held for this plan) still grants it…
        assert_eq!(
            check_held_grant("FZT", eur(75_000), eur(75_000), eur(35_000), eur(35_000)),
            Ok(eur(0))
        );
        // …but not a euro beyond what the hold and the free budget give.
        assert!(
            check_held_grant("FZT", eur(75_000), eur(75_000), eur(35_000), eur(35_001)).is_err()
        );
        assert!(check_held_grant("FZT", eur(75_000), eur(75_000), eur(0), eur(1)).is_err());
    }

    #[test]
    fn a_grant_may_fill_the_line_to_the_euro() {
        assert_eq!(
            check_grant("JJO", eur(146_000), eur(100_000), eur(46_000)),
            Ok(eur(0))
        );
    }

    #[test]
    fn one_euro_too_many_is_refused_with_the_remaining_amount() {
        let err = check_grant("JJO", eur(146_000), eur(100_000), eur(46_001)).unwrap_err();
        assert_eq!(
            err,
            DomainError::BudgetExceeded {
                theme: "JJO".into(),
                requested: eur(46_001),
                remaining: eur(46_000)
            }
        );
        assert!(
            err.message().contains("EUR 46000 remaining"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn an_empty_line_refuses_everything_but_zero() {
        assert!(check_grant("FVW", eur(0), eur(0), eur(1)).is_err());
        assert_eq!(check_grant("FVW", eur(0), eur(0), eur(0)), Ok(eur(0)));
    }

    proptest! {
        #[test]
        fn no_sequence_of_decisions_grants_more_than_a_line_holds(
            budget in 0i64..500_000,
            requests in prop::collection::vec(0i64..200_000, 0..40),
        ) {
            let mut granted = Eur::ZERO;
            for r in requests {
                if check_grant("T", eur(budget), granted, eur(r)).is_ok() {
                    granted = granted + eur(r);
                }
                prop_assert!(granted <= eur(budget));
            }
        }
    }
}

use super::state::PlanStatus;

/// The statuses whose grant is charged to their budget line: approved and adopted. Storage
/// queries the granted sum with exactly these.
pub const GRANTED: [PlanStatus; 2] = [PlanStatus::Approved, PlanStatus::Adopted];

/// Plans whose request still stands: filed and neither withdrawn, merged nor rejected.
pub fn counts_as_requested(s: PlanStatus) -> bool {
    !matches!(
        s,
        PlanStatus::Draft | PlanStatus::Withdrawn | PlanStatus::Merged | PlanStatus::Rejected
    )
}

/// Plans with a standing pre-advice: pre-advised, in a vote, or granted.
pub fn counts_as_proposed(s: PlanStatus) -> bool {
    matches!(
        s,
        PlanStatus::PreAdvised | PlanStatus::Voting | PlanStatus::Approved | PlanStatus::Adopted
    )
}

/// Plans whose grant is charged to their line: approved and adopted.
pub fn counts_as_granted(s: PlanStatus) -> bool {
    GRANTED.contains(&s)
}

/// Plans that appear in a ranking: pre-advised and decided.
pub fn ranks(s: PlanStatus) -> bool {
    counts_as_proposed(s) || s == PlanStatus::Rejected
}

/// A plan as the ranking needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankInput {
    pub plan_id: String,
    pub title: String,
    pub status: PlanStatus,
    pub total_score: i32,
    pub proposed: Eur,
}

/// A ranked plan with the money its line would have spent up to and including it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub input: RankInput,
    pub running_total: Eur,
    pub fits: bool,
}

/// Orders plans by total pre-advice score (highest first; then the cheaper proposal, so more
/// plans fit; then id for a stable order) and adds the running total of proposed amounts
/// against the line's budget. A rejected plan spends nothing and never fits.
pub fn rank(mut items: Vec<RankInput>, budget: Eur) -> Vec<Ranked> {
    items.sort_by(|a, b| {
        b.total_score
            .cmp(&a.total_score)
            .then(a.proposed.cmp(&b.proposed))
            .then(a.plan_id.cmp(&b.plan_id))
    });
    let mut running = Eur::ZERO;
    items
        .into_iter()
        .map(|input| {
            let rejected = input.status == PlanStatus::Rejected;
            if !rejected {
                running = running + input.proposed;
            }
            Ranked {
                fits: !rejected && running <= budget,
                running_total: running,
                input,
            }
        })
        .collect()
}

#[cfg(test)]
mod ranking_tests {
    use super::*;
    use crate::domain::money::eur;

    fn item(id: &str, score: i32, proposed: i64, status: PlanStatus) -> RankInput {
        RankInput {
            plan_id: id.into(),
            title: id.into(),
            status,
            total_score: score,
            proposed: eur(proposed),
        }
    }

    #[test]
    fn plans_rank_by_score_with_a_running_total_against_the_budget() {
        let r = rank(
            vec![
                item("a", 6, 40_000, PlanStatus::PreAdvised),
                item("b", 11, 50_000, PlanStatus::Approved),
                item("c", 9, 60_000, PlanStatus::Voting),
                item("d", 9, 10_000, PlanStatus::PreAdvised),
                item("e", 12, 5_000, PlanStatus::Rejected),
            ],
            eur(120_000),
        );
        let order: Vec<_> = r.iter().map(|x| x.input.plan_id.as_str()).collect();
        assert_eq!(order, vec!["e", "b", "d", "c", "a"]);
        let totals: Vec<_> = r.iter().map(|x| x.running_total.value()).collect();
        assert_eq!(totals, vec![0, 50_000, 60_000, 120_000, 160_000]);
        let fits: Vec<_> = r.iter().map(|x| x.fits).collect();
        assert_eq!(
            fits,
            vec![false, true, true, true, false],
            "filled to the euro fits; beyond does not"
        );
    }

    #[test]
    fn the_status_sets_follow_the_life_of_a_plan() {
        assert!(!counts_as_requested(PlanStatus::Draft));
        assert!(counts_as_requested(PlanStatus::InReview));
        assert!(!counts_as_requested(PlanStatus::Withdrawn));
        assert!(
            counts_as_proposed(PlanStatus::Voting) && !counts_as_proposed(PlanStatus::InReview)
        );
        assert!(counts_as_granted(PlanStatus::Adopted) && !counts_as_granted(PlanStatus::Voting));
        assert!(ranks(PlanStatus::Rejected) && !ranks(PlanStatus::Submitted));
    }
}

/// A theme's budget may change, but never below what is granted on it already.
pub fn check_budget_change(theme: &str, new_budget: Eur, granted: Eur) -> Result<(), DomainError> {
    if new_budget < granted {
        Err(DomainError::Conflict(Bilingual::new(
            format!(
                "the budget of theme {theme} cannot go below the {} granted already",
                granted.format_nl()
            ),
            format!(
                "het budget van opgave {theme} kan niet lager worden dan de {} die al is toegekend",
                granted.format_nl()
            ),
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod budget_change_tests {
    use super::*;
    use crate::domain::money::eur;

    #[test]
    fn a_budget_may_shrink_to_what_is_granted_but_not_below() {
        assert!(check_budget_change("JJO", eur(50_000), eur(50_000)).is_ok());
        let err = check_budget_change("JJO", eur(49_999), eur(50_000)).unwrap_err();
        assert!(err.message().contains("€ 50.000"));
    }
}

/// One theme's money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub theme: String,
    pub name: String,
    pub budget: Eur,
    pub requested: Eur,
    pub proposed: Eur,
    pub granted: Eur,
    /// Held by standing reservations.
    pub reserved: Eur,
    /// The budget less what is granted and reserved.
    pub remaining: Eur,
}

/// Per theme of the round: the budget, what standing plans request, what standing pre-advice
/// proposes, what is granted and reserved, and what remains. A plan missing a value its status
/// always has is a stored inconsistency, named in the error.
pub fn lines(
    round: &super::round::Round,
    plans: &[super::plan::Plan],
    reservations: &[super::reservation::Reservation],
) -> Result<Vec<BudgetLine>, String> {
    let missing = |p: &super::plan::Plan, what: &str| {
        format!("plan {}: {what} missing while {}", p.id, p.status.as_str())
    };
    let mut lines = Vec::new();
    for theme in &round.spec.catalog.themes {
        let (mut requested, mut proposed, mut granted) = (Eur::ZERO, Eur::ZERO, Eur::ZERO);
        for p in plans
            .iter()
            .filter(|p| p.budget_line.as_deref() == Some(theme.code.as_str()))
        {
            // A plan asked a question may have no amount for now: it requests nothing yet.
            if let (true, Some(r)) = (counts_as_requested(p.status), p.content.requested_eur) {
                requested = requested + Eur::parse(r).map_err(|m| format!("plan {}: {m}", p.id))?;
            }
            if counts_as_proposed(p.status) {
                proposed = proposed + p.proposed.ok_or_else(|| missing(p, "proposed_eur"))?;
            }
            if counts_as_granted(p.status) {
                granted = granted + p.granted.ok_or_else(|| missing(p, "granted_eur"))?;
            }
        }
        let reserved = reservations
            .iter()
            .filter(|r| r.theme == theme.code)
            .fold(Eur::ZERO, |sum, r| sum + r.amount);
        lines.push(BudgetLine {
            theme: theme.code.clone(),
            name: theme.name.clone(),
            budget: theme.budget_eur,
            requested,
            proposed,
            granted,
            reserved,
            remaining: remaining(theme.budget_eur, granted + reserved),
        });
    }
    Ok(lines)
}
