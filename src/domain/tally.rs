//! The board's vote on "follow the pre-advice": tally, quorum and outcome.

use serde::{Deserialize, Serialize};

use super::errors::DomainError;
use super::money::Eur;
use super::pre_advice::Recommendation;

/// A board member's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    For,
    Against,
    Abstain,
}

impl VoteChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteChoice::For => "for",
            VoteChoice::Against => "against",
            VoteChoice::Abstain => "abstain",
        }
    }

    pub fn parse(s: &str) -> Option<VoteChoice> {
        match s {
            "for" => Some(VoteChoice::For),
            "against" => Some(VoteChoice::Against),
            "abstain" => Some(VoteChoice::Abstain),
            _ => None,
        }
    }
}

/// A vote cast by a board member on a plan's pre-advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub plan_id: String,
    pub member_id: String,
    pub choice: VoteChoice,
    pub comment: String,
    pub cast_at: chrono::DateTime<chrono::Utc>,
}

/// A board member and whether they may vote on this plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub user_id: String,
    pub recused: bool,
}

/// The counted votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub r#for: u32,
    pub against: u32,
    pub abstain: u32,
    pub cast: u32,
    pub eligible: u32,
    pub recused: u32,
    pub quorum_reached: bool,
    pub carried: bool,
}

/// Counts votes: only eligible (non-recused) board members count; quorum when more than half
/// of them voted (abstentions included); carried when `for > against` (a tie does not carry).
pub fn tally(seats: &[Seat], votes: &[(String, VoteChoice)]) -> Tally {
    let eligible = seats.iter().filter(|s| !s.recused).count() as u32;
    let recused = seats.len() as u32 - eligible;
    let (mut f, mut a, mut ab) = (0, 0, 0);
    for (user, vote) in votes {
        let counts = seats.iter().any(|s| &s.user_id == user && !s.recused);
        if !counts {
            continue;
        }
        match vote {
            VoteChoice::For => f += 1,
            VoteChoice::Against => a += 1,
            VoteChoice::Abstain => ab += 1,
        }
    }
    let cast = f + a + ab;
    Tally {
        r#for: f,
        against: a,
        abstain: ab,
        cast,
        eligible,
        recused,
        quorum_reached: cast * 2 > eligible,
        carried: f > a,
    }
}

/// What closing the vote does to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Carried on a positive or conditional pre-advice: granted the proposed amount.
    Approved { granted: Eur },
    /// Carried on a negative pre-advice.
    Rejected,
    /// Not carried: back to in_review for a new pre-advice; the applicant is not told.
    BackToReview,
}

/// The outcome of a closed vote, or `NoQuorum` when too few eligible members voted.
pub fn outcome(
    t: &Tally,
    recommendation: Recommendation,
    proposed: Eur,
) -> Result<Outcome, DomainError> {
    if !t.quorum_reached {
        return Err(DomainError::NoQuorum {
            cast: t.cast,
            eligible: t.eligible,
        });
    }
    Ok(match (t.carried, recommendation) {
        (false, _) => Outcome::BackToReview,
        (true, Recommendation::Negative) => Outcome::Rejected,
        (true, _) => Outcome::Approved { granted: proposed },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::eur;
    use proptest::prelude::*;

    fn seats(n: usize, recused: &[usize]) -> Vec<Seat> {
        (0..n)
            .map(|i| Seat {
                user_id: format!("m{i}"),
                recused: recused.contains(&i),
            })
            .collect()
    }

    fn votes(v: &[(usize, VoteChoice)]) -> Vec<(String, VoteChoice)> {
        v.iter().map(|(i, c)| (format!("m{i}"), *c)).collect()
    }

    use VoteChoice::*;

    #[test]
    fn a_majority_for_carries() {
        let t = tally(&seats(5, &[]), &votes(&[(0, For), (1, For), (2, Against)]));
        assert_eq!((t.r#for, t.against, t.cast, t.eligible), (2, 1, 3, 5));
        assert!(t.quorum_reached && t.carried);
        assert_eq!(
            outcome(&t, Recommendation::Positive, eur(9_000)),
            Ok(Outcome::Approved {
                granted: eur(9_000)
            })
        );
        assert_eq!(
            outcome(&t, Recommendation::Conditional, eur(9_000)),
            Ok(Outcome::Approved {
                granted: eur(9_000)
            })
        );
        assert_eq!(
            outcome(&t, Recommendation::Negative, eur(0)),
            Ok(Outcome::Rejected)
        );
    }

    #[test]
    fn a_tie_does_not_carry() {
        let t = tally(
            &seats(4, &[]),
            &votes(&[(0, For), (1, Against), (2, Abstain)]),
        );
        assert!(t.quorum_reached && !t.carried);
        assert_eq!(
            outcome(&t, Recommendation::Positive, eur(1)),
            Ok(Outcome::BackToReview)
        );
    }

    #[test]
    fn quorum_needs_more_than_half_exactly_half_is_not_enough() {
        let t = tally(&seats(4, &[]), &votes(&[(0, For), (1, For)]));
        assert!(!t.quorum_reached);
        assert_eq!(
            outcome(&t, Recommendation::Positive, eur(1)),
            Err(DomainError::NoQuorum {
                cast: 2,
                eligible: 4
            })
        );
        let t = tally(&seats(4, &[]), &votes(&[(0, For), (1, For), (2, Abstain)]));
        assert!(t.quorum_reached, "abstentions count for quorum");
    }

    #[test]
    fn recused_members_are_not_eligible_and_their_votes_do_not_count() {
        let t = tally(
            &seats(5, &[3, 4]),
            &votes(&[(0, For), (1, For), (3, Against), (4, Against)]),
        );
        assert_eq!((t.eligible, t.recused, t.cast, t.against), (3, 2, 2, 0));
        assert!(t.quorum_reached && t.carried);
    }

    #[test]
    fn votes_from_outside_the_board_are_ignored() {
        let t = tally(&seats(1, &[]), &[("stranger".to_string(), Against)]);
        assert_eq!(t.cast, 0);
    }

    proptest! {
        #[test]
        fn a_recused_member_never_counts(
            n in 1usize..12,
            recused_mask in any::<u16>(),
            choices in prop::collection::vec(0u8..4, 12),
        ) {
            let recused: Vec<usize> = (0..n).filter(|i| recused_mask & (1 << i) != 0).collect();
            let s = seats(n, &recused);
            let v: Vec<(usize, VoteChoice)> = (0..n)
                .filter_map(|i| match choices[i] { 0 => Some((i, For)), 1 => Some((i, Against)), 2 => Some((i, Abstain)), _ => None })
                .collect();
            let with = tally(&s, &votes(&v));
            let without_recused: Vec<(usize, VoteChoice)> = v.iter().copied().filter(|(i, _)| !recused.contains(i)).collect();
            let only_eligible = tally(&s, &votes(&without_recused));
            prop_assert_eq!(with, only_eligible);
            prop_assert_eq!(with.eligible as usize, n - recused.len());
            prop_assert!(with.cast <= with.eligible);
        }
    }
}
