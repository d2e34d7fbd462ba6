//! The college's adoptions of a round ("vaststelling"): the first adopts the round with every
//! plan decided so far; a supplementary one ("aanvullende vaststelling") the plans decided
//! since. Which plans one covers, and when one may be recorded or corrected.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::calendar::dutch_date;
use super::errors::{Bilingual, DomainError, FieldErrors};
use super::state::PlanStatus;
use super::text::Bounded;

/// One adoption as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub id: String,
    pub round_id: String,
    /// 1 for the round's adoption, 2 and on for supplementary ones.
    pub seq: i32,
    pub adopted_on: NaiveDate,
    pub reference: String,
    /// The plans it left open for a later adoption.
    pub deferred: Vec<String>,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a plan of the round stands, as an adoption weighs it.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub id: &'a str,
    pub status: PlanStatus,
    /// An earlier adoption covers it already.
    pub covered: bool,
}

/// The states of a plan still being assessed: an adoption waits for them or defers them.
pub fn is_being_assessed(status: PlanStatus) -> bool {
    matches!(
        status,
        PlanStatus::Submitted
            | PlanStatus::InReview
            | PlanStatus::NeedsInfo
            | PlanStatus::PreAdvised
            | PlanStatus::Voting
    )
}

/// The date and reference of an adoption, checked: both required; the date not after
/// `today` (the date in Amsterdam) and not before the round's earlier adoption nor after its
/// later one, so the adoptions keep their order.
pub fn check_record(
    adopted_on: Option<NaiveDate>,
    reference: Option<&str>,
    today: NaiveDate,
    earlier: Option<NaiveDate>,
    later: Option<NaiveDate>,
) -> Result<(NaiveDate, String), DomainError> {
    let mut e = FieldErrors::new();
    match adopted_on {
        None => e.add(
            "adopted_on",
            (
                "is required (YYYY-MM-DD)",
                "vul de datum van het collegebesluit in",
            ),
        ),
        Some(d) if d > today => e.add(
            "adopted_on",
            (
                format!("{d} lies in the future: give the date the college decided"),
                format!(
                    "{} ligt in de toekomst: vul de datum in waarop het college besloot",
                    dutch_date(d)
                ),
            ),
        ),
        Some(d) => {
            if let Some(before) = earlier.filter(|b| d < *b) {
                e.add(
                    "adopted_on",
                    (
                        format!("must not be before the round's earlier adoption of {before}"),
                        format!(
                            "mag niet voor de eerdere vaststelling van {} liggen",
                            dutch_date(before)
                        ),
                    ),
                );
            }
            if let Some(after) = later.filter(|a| d > *a) {
                e.add(
                    "adopted_on",
                    (
                        format!("must not be after the round's later adoption of {after}"),
                        format!(
                            "mag niet na de latere vaststelling van {} liggen",
                            dutch_date(after)
                        ),
                    ),
                );
            }
        }
    }
    let reference = match Bounded::NAME.required(reference) {
        Ok(r) => r,
        Err(m) => {
            e.add(
                "reference",
                (
                    format!("{}, e.g. the college decision's number", m.en),
                    format!("{}, bijvoorbeeld het nummer van het collegebesluit", m.nl),
                ),
            );
            String::new()
        }
    };
    e.finish(())?;
    match adopted_on {
        Some(d) => Ok((d, reference)),
        None => Err(DomainError::Invalid(Vec::new())),
    }
}

/// What an adoption covers, and what it leaves open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Every decided plan no earlier adoption covers.
    pub covered: Vec<String>,
    /// The plans named in `deferred`, once each.
    pub deferred: Vec<String>,
}

/// Which plans an adoption covers: every decided plan (approved or rejected) not yet
/// covered. Refused while a plan is still being assessed, unless `deferred` names it; a
/// deferred id must name such a plan of the round. A supplementary adoption must cover
/// something; the first may cover nothing (a round without decisions is still closed by it).
pub fn cover(
    plans: &[Standing<'_>],
    deferred: &[String],
    first: bool,
) -> Result<Coverage, DomainError> {
    let mut e = FieldErrors::new();
    let mut named = Vec::new();
    for (i, id) in deferred.iter().enumerate() {
        let field = format!("deferred[{i}]");
        match plans
            .iter()
            .find(|p| p.id == id && p.status != PlanStatus::Draft)
        {
            None => e.add(
                field,
                (
                    format!("unknown plan '{id}' in this round"),
                    format!("plan '{id}' bestaat niet in deze ronde"),
                ),
            ),
            Some(p) if !is_being_assessed(p.status) => e.add(
                field,
                (
                    format!(
                        "plan '{id}' is {}: only a plan still being assessed can be deferred",
                        p.status.as_str()
                    ),
                    format!(
                        "plan '{id}' is {}: alleen een plan dat nog in behandeling is kan worden uitgesteld",
                        p.status.label_nl()
                    ),
                ),
            ),
            Some(_) if named.contains(id) => {}
            Some(_) => named.push(id.clone()),
        }
    }
    e.finish(())?;
    let deferred_set: HashSet<&str> = named.iter().map(String::as_str).collect();
    let undecided: Vec<String> = plans
        .iter()
        .filter(|p| is_being_assessed(p.status) && !deferred_set.contains(p.id))
        .map(|p| p.id.to_string())
        .collect();
    if !undecided.is_empty() {
        return Err(DomainError::Undecided {
            plan_ids: undecided,
        });
    }
    let covered: Vec<String> = plans
        .iter()
        .filter(|p| p.status.is_decided() && !p.covered)
        .map(|p| p.id.to_string())
        .collect();
    if covered.is_empty() && !first {
        return Err(DomainError::Conflict(Bilingual::new(
            "nothing to adopt: every decided plan of this round is covered by an earlier adoption",
            "er is niets vast te stellen: elk besluit in deze ronde is al eerder vastgesteld",
        )));
    }
    Ok(Coverage {
        covered,
        deferred: named,
    })
}

/// An adoption may be corrected (its date or reference) until its letters are sent; after
/// that only a new college decision can change it.
pub fn check_correctable(letters_sent: bool) -> Result<(), DomainError> {
    if letters_sent {
        Err(DomainError::Conflict(Bilingual::new(
            "the decision letters of this adoption have been sent: it can no longer be corrected; record a new adoption instead",
            "de besluitbrieven van deze vaststelling zijn al verstuurd: corrigeren kan niet meer; leg een nieuwe vaststelling vast",
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fields(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Invalid(f) => f.into_iter().map(|f| (f.field, f.message)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_adoption_is_dated_on_or_before_today_and_in_order() {
        let today = d(2025, 4, 10);
        assert_eq!(
            check_record(Some(today), Some(" B&W 2025/114 "), today, None, None).unwrap(),
            (today, "B&W 2025/114".to_string())
        );
        let e =
            fields(check_record(Some(d(2099, 1, 1)), Some("x"), today, None, None).unwrap_err());
        assert_eq!(e[0].0, "adopted_on");
        assert!(e[0].1.contains("future"), "{e:?}");
        let e = fields(check_record(None, Some("  "), today, None, None).unwrap_err());
        assert_eq!(
            e.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            vec!["adopted_on", "reference"]
        );
        let e = fields(
            check_record(
                Some(d(2025, 4, 1)),
                Some("x"),
                today,
                Some(d(2025, 4, 8)),
                None,
            )
            .unwrap_err(),
        );
        assert!(e[0].1.contains("2025-04-08"), "{e:?}");
        let e = fields(
            check_record(
                Some(d(2025, 4, 9)),
                Some("x"),
                today,
                None,
                Some(d(2025, 4, 8)),
            )
            .unwrap_err(),
        );
        assert!(e[0].1.contains("later adoption"), "{e:?}");
    }

    fn standing(id: &'static str, status: PlanStatus, covered: bool) -> Standing<'static> {
        Standing {
            id,
            status,
            covered,
        }
    }

    #[test]
    fn an_adoption_covers_every_decided_plan_not_yet_covered() {
        let plans = [
            standing("a", PlanStatus::Approved, false),
            standing("b", PlanStatus::Rejected, false),
            standing("c", PlanStatus::Adopted, true),
            standing("d", PlanStatus::Rejected, true),
            standing("e", PlanStatus::Withdrawn, false),
            standing("f", PlanStatus::Draft, false),
            standing("g", PlanStatus::Merged, false),
        ];
        let c = cover(&plans, &[], false).unwrap();
        assert_eq!(c.covered, vec!["a", "b"]);
        assert!(c.deferred.is_empty());
    }

    #[test]
    fn a_plan_still_being_assessed_is_deferred_or_blocks_the_adoption() {
        let plans = [
            standing("a", PlanStatus::Approved, false),
            standing("b", PlanStatus::InReview, false),
            standing("c", PlanStatus::Voting, false),
            standing("d", PlanStatus::NeedsInfo, false),
        ];
        assert_eq!(
            cover(&plans, &["c".into()], true),
            Err(DomainError::Undecided {
                plan_ids: vec!["b".into(), "d".into()]
            })
        );
        let c = cover(
            &plans,
            &["b".into(), "c".into(), "d".into(), "c".into()],
            true,
        )
        .unwrap();
        assert_eq!(c.covered, vec!["a"]);
        assert_eq!(c.deferred, vec!["b", "c", "d"]);
    }

    #[test]
    fn only_a_plan_being_assessed_can_be_deferred() {
        let plans = [
            standing("a", PlanStatus::Approved, false),
            standing("f", PlanStatus::Draft, false),
        ];
        let e = fields(cover(&plans, &["a".into(), "zz".into(), "f".into()], true).unwrap_err());
        assert_eq!(
            e.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            vec!["deferred[0]", "deferred[1]", "deferred[2]"]
        );
        assert!(e[0].1.contains("approved"), "{e:?}");
    }

    #[test]
    fn a_supplementary_adoption_must_cover_something_the_first_need_not() {
        let plans = [standing("a", PlanStatus::Adopted, true)];
        assert!(cover(&plans, &[], true).unwrap().covered.is_empty());
        assert!(matches!(
            cover(&plans, &[], false),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn an_adoption_is_corrected_only_while_its_letters_are_unsent() {
        assert!(check_correctable(false).is_ok());
        match check_correctable(true) {
            Err(DomainError::Conflict(s)) => assert!(s.nl.contains("verstuurd")),
            other => panic!("{other:?}"),
        }
    }
}
