//! The budget cap: grants charged to a theme never exceed its budget.

use super::errors::DomainError;
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
    use proptest::prelude::*;

    #[test]
    fn a_grant_may_fill_the_line_to_the_euro() {
        assert_eq!(
            check_grant("JJO", Eur(146_000), Eur(100_000), Eur(46_000)),
            Ok(Eur(0))
        );
    }

    #[test]
    fn one_euro_too_many_is_refused_with_the_remaining_amount() {
        let err = check_grant("JJO", Eur(146_000), Eur(100_000), Eur(46_001)).unwrap_err();
        assert_eq!(
            err,
            DomainError::BudgetExceeded {
                theme: "JJO".into(),
                requested: Eur(46_001),
                remaining: Eur(46_000)
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
        assert!(check_grant("FVW", Eur(0), Eur(0), Eur(1)).is_err());
        assert_eq!(check_grant("FVW", Eur(0), Eur(0), Eur(0)), Ok(Eur(0)));
    }

    proptest! {
        #[test]
        fn no_sequence_of_decisions_grants_more_than_a_line_holds(
            budget in 0i64..500_000,
            requests in prop::collection::vec(0i64..200_000, 0..40),
        ) {
            let mut granted = Eur::ZERO;
            for r in requests {
                if check_grant("T", Eur(budget), granted, Eur(r)).is_ok() {
                    granted = granted + Eur(r);
                }
                prop_assert!(granted <= Eur(budget));
            }
        }
    }
}
