//! Money: whole euros, never floats.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount in whole euros.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Eur(pub i64);

/// The largest amount accepted anywhere (one trillion euros): keeps every sum far from i64 overflow.
pub const MAX_EUR: i64 = 1_000_000_000_000;

impl Eur {
    pub const ZERO: Eur = Eur(0);

    /// A non-negative amount within `MAX_EUR`, or the message explaining why not.
    pub fn parse(value: i64) -> Result<Eur, String> {
        if value < 0 {
            Err("must be 0 or more whole euros".into())
        } else if value > MAX_EUR {
            Err(format!("must be at most {MAX_EUR} euros"))
        } else {
            Ok(Eur(value))
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }

    /// Dutch notation as used in letters and the published overview: `€ 12.500`.
    pub fn format_nl(self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(ch);
        }
        if self.0 < 0 {
            format!("€ -{grouped}")
        } else {
            format!("€ {grouped}")
        }
    }
}

impl fmt::Display for Eur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EUR {}", self.0)
    }
}

impl std::ops::Add for Eur {
    type Output = Eur;
    fn add(self, rhs: Eur) -> Eur {
        Eur(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::Sub for Eur {
    type Output = Eur;
    fn sub(self, rhs: Eur) -> Eur {
        Eur(self.0.saturating_sub(rhs.0))
    }
}

impl std::iter::Sum for Eur {
    fn sum<I: Iterator<Item = Eur>>(iter: I) -> Eur {
        iter.fold(Eur::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_notation_groups_thousands_with_dots() {
        assert_eq!(Eur(0).format_nl(), "€ 0");
        assert_eq!(Eur(999).format_nl(), "€ 999");
        assert_eq!(Eur(12_500).format_nl(), "€ 12.500");
        assert_eq!(Eur(146_000).format_nl(), "€ 146.000");
        assert_eq!(Eur(1_234_567).format_nl(), "€ 1.234.567");
        assert_eq!(Eur(-30_000).format_nl(), "€ -30.000");
    }

    #[test]
    fn amounts_are_non_negative_and_bounded() {
        assert_eq!(Eur::parse(0), Ok(Eur(0)));
        assert_eq!(Eur::parse(MAX_EUR), Ok(Eur(MAX_EUR)));
        assert!(Eur::parse(-1).is_err());
        assert!(Eur::parse(MAX_EUR + 1).is_err());
    }

    #[test]
    fn sums_never_overflow() {
        assert_eq!(Eur(i64::MAX) + Eur(1), Eur(i64::MAX));
        assert_eq!(vec![Eur(1), Eur(2)].into_iter().sum::<Eur>(), Eur(3));
    }
}
