//! A grant's payment conditions: taken from the pre-advice when the grant is made, recorded as
//! met by the programme team, and holding back the payments they come before.

use chrono::NaiveDate;
use serde::Serialize;

use super::super::errors::{Bilingual, DomainError};
use super::super::text::Bounded;
use super::PaymentKind;

/// A condition of a grant, met or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantCondition {
    pub id: String,
    pub grant_id: String,
    /// Its place in the pre-advice's list (conditions are shown in that order).
    pub position: i32,
    pub text: String,
    pub before: PaymentKind,
    pub met_on: Option<NaiveDate>,
    pub met_by: Option<String>,
    pub note: String,
}

impl GrantCondition {
    pub fn is_met(&self) -> bool {
        self.met_on.is_some()
    }

    /// Whether the condition comes before a payment of `kind`: a condition before the advance
    /// comes before every payment (the final one too, when there was no advance).
    pub fn comes_before(&self, kind: PaymentKind) -> bool {
        self.before == PaymentKind::Advance || kind == PaymentKind::Final
    }
}

/// "vóór het voorschot", "vóór de slotbetaling": when a condition must be met, as pages say.
pub fn before_nl(kind: PaymentKind) -> &'static str {
    match kind {
        PaymentKind::Advance => "vóór het voorschot",
        PaymentKind::Final => "vóór de slotbetaling",
    }
}

/// An unmet condition as a refusal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenCondition {
    pub id: String,
    pub text: String,
    pub before: PaymentKind,
}

/// The conditions that come before a payment of `kind`, in their order.
pub fn before_payment(conditions: &[GrantCondition], kind: PaymentKind) -> Vec<&GrantCondition> {
    conditions.iter().filter(|c| c.comes_before(kind)).collect()
}

/// `Ok` when every condition before a payment of `kind` is met; else `conditions-open`
/// naming the open ones.
pub fn check_conditions_met(
    conditions: &[GrantCondition],
    kind: PaymentKind,
) -> Result<(), DomainError> {
    let open: Vec<OpenCondition> = before_payment(conditions, kind)
        .into_iter()
        .filter(|c| !c.is_met())
        .map(|c| OpenCondition {
            id: c.id.clone(),
            text: c.text.clone(),
            before: c.before,
        })
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(DomainError::ConditionsOpen { kind, open })
    }
}

/// Checks recording a condition as met: once (who met it when stays), with a note of at most
/// a few thousand characters (what shows it: "brief Vidomes van 3 maart").
pub fn check_meet(condition: &GrantCondition, note: &str) -> Result<String, DomainError> {
    if let Some(on) = condition.met_on {
        return Err(DomainError::Conflict(Bilingual::new(
            format!("the condition was recorded as met on {on} already"),
            format!(
                "aan deze voorwaarde is al voldaan (vastgelegd op {})",
                super::super::calendar::dutch_date(on)
            ),
        )));
    }
    Bounded::NOTE
        .check(note)
        .map_err(|m| DomainError::Invalid(vec![super::super::errors::FieldError::new("note", m)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(before: PaymentKind, met: bool) -> GrantCondition {
        GrantCondition {
            id: format!("c-{}", before.as_str()),
            grant_id: "g".into(),
            position: 0,
            text: format!("vóór het {}", before.label_nl()),
            before,
            met_on: met.then(|| NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
            met_by: met.then(|| "team".into()),
            note: String::new(),
        }
    }

    #[test]
    fn a_condition_holds_back_the_payments_it_comes_before_until_met() {
        let advance = condition(PaymentKind::Advance, false);
        let last = condition(PaymentKind::Final, false);
        let both = [advance.clone(), last.clone()];
        match check_conditions_met(&both, PaymentKind::Advance) {
            Err(DomainError::ConditionsOpen { kind, open }) => {
                assert_eq!(kind, PaymentKind::Advance);
                assert_eq!(open.len(), 1);
                assert_eq!(open[0].id, "c-advance");
            }
            other => panic!("{other:?}"),
        }
        // Before the advance is before the final payment too.
        match check_conditions_met(&both, PaymentKind::Final) {
            Err(DomainError::ConditionsOpen { open, .. }) => assert_eq!(open.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(check_conditions_met(std::slice::from_ref(&last), PaymentKind::Advance).is_ok());
        let met = [condition(PaymentKind::Advance, true), last];
        assert!(check_conditions_met(&met, PaymentKind::Advance).is_ok());
        assert!(check_conditions_met(&met, PaymentKind::Final).is_err());
        assert!(check_conditions_met(&[], PaymentKind::Final).is_ok());
    }

    #[test]
    fn a_condition_is_met_once_with_a_note_of_bounded_length() {
        let open = condition(PaymentKind::Advance, false);
        assert_eq!(
            check_meet(&open, " brief van 3 maart ").unwrap(),
            "brief van 3 maart"
        );
        assert!(matches!(
            check_meet(&open, &"x".repeat(5001)),
            Err(DomainError::Invalid(f)) if f[0].field == "note"
        ));
        assert!(matches!(
            check_meet(&condition(PaymentKind::Advance, true), ""),
            Err(DomainError::Conflict(s)) if s.nl.contains("3 maart 2026")
        ));
    }
}
