//! Money: whole euros, never floats.

use std::fmt;

use super::errors::Bilingual;
use serde::{Deserialize, Serialize};

/// An amount in whole euros, from 0 to `MAX_EUR`: the field is private, so every `Eur` passed
/// a check (`parse`) or is the result of arithmetic that keeps within those bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(transparent)]
pub struct Eur(i64);

impl<'de> Deserialize<'de> for Eur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Eur, D::Error> {
        Eur::parse(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The largest amount accepted anywhere (one trillion euros): keeps every sum far from i64 overflow.
pub const MAX_EUR: i64 = 1_000_000_000_000;

impl Eur {
    pub const ZERO: Eur = Eur(0);

    /// A non-negative amount within `MAX_EUR`, or the message explaining why not.
    pub fn parse(value: i64) -> Result<Eur, Bilingual> {
        if value < 0 {
            Err(Bilingual::new(
                "must be 0 or more whole euros",
                "vul 0 of meer hele euro's in",
            ))
        } else if value > MAX_EUR {
            Err(Bilingual::new(
                format!("must be at most {MAX_EUR} euros"),
                format!("mag hoogstens {} zijn", Eur(MAX_EUR).format_nl()),
            ))
        } else {
            Ok(Eur(value))
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }

    /// Dutch notation as used in letters and the published overview: `€ 12.500`.
    pub fn format_nl(self) -> String {
        format!("€ {}", grouped_nl(self.0.unsigned_abs()))
    }
}

/// A whole number in Dutch notation, thousands grouped by points: `12.500`.
pub fn grouped_nl(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    grouped
}

/// An amount known to be valid, for tests across the domain.
#[cfg(test)]
pub(crate) fn eur(v: i64) -> Eur {
    Eur::parse(v).expect("a valid amount")
}

impl fmt::Display for Eur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EUR {}", self.0)
    }
}

/// Sums stop at `MAX_EUR` (no real sum comes near it: every amount is at most `MAX_EUR` and a
/// round has few plans), so they never overflow.
impl std::ops::Add for Eur {
    type Output = Eur;
    fn add(self, rhs: Eur) -> Eur {
        Eur(self.0.saturating_add(rhs.0).min(MAX_EUR))
    }
}

/// A difference never goes below zero: what is left of a budget is at least nothing.
impl std::ops::Sub for Eur {
    type Output = Eur;
    fn sub(self, rhs: Eur) -> Eur {
        Eur((self.0 - rhs.0).max(0))
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
        assert_eq!(eur(0).format_nl(), "€ 0");
        assert_eq!(eur(999).format_nl(), "€ 999");
        assert_eq!(eur(12_500).format_nl(), "€ 12.500");
        assert_eq!(eur(146_000).format_nl(), "€ 146.000");
        assert_eq!(eur(1_234_567).format_nl(), "€ 1.234.567");
    }

    #[test]
    fn differences_stop_at_zero() {
        assert_eq!(eur(5) - eur(8), Eur::ZERO);
        assert_eq!(eur(8) - eur(5), eur(3));
    }

    #[test]
    fn stored_or_sent_amounts_are_checked_when_read() {
        assert_eq!(serde_json::from_str::<Eur>("12500").unwrap(), eur(12_500));
        assert!(serde_json::from_str::<Eur>("-1").is_err());
    }

    #[test]
    fn amounts_are_non_negative_and_bounded() {
        assert_eq!(Eur::parse(0).map(Eur::value), Ok(0));
        assert_eq!(Eur::parse(MAX_EUR).map(Eur::value), Ok(MAX_EUR));
        assert!(Eur::parse(-1).is_err());
        assert!(Eur::parse(MAX_EUR + 1).is_err());
    }

    #[test]
    fn sums_never_overflow() {
        assert_eq!(eur(MAX_EUR) + eur(1), eur(MAX_EUR));
        assert_eq!(vec![eur(1), eur(2)].into_iter().sum::<Eur>(), eur(3));
    }
}
