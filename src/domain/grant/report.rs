//! A report as the applicant files it: every field checked at once, spending within the
//! grant, and a final report only when the project has run its course (or stops early).

use serde::Deserialize;

use super::super::errors::{Bilingual, DomainError, FieldErrors};
use super::super::money::Eur;
use super::super::text::Bounded;
use super::{steps, Grant, Report, ReportKind, Spent, PROGRAMME_SOURCE};

/// One line of spending as given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpentInput {
    pub source: Option<String>,
    pub amount_eur: Option<i64>,
}

/// A report as given by the applicant.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub kind: Option<String>,
    pub done: Option<String>,
    pub reach: Option<i64>,
    #[serde(default)]
    pub spent: Vec<SpentInput>,
    pub stopped_reason: Option<String>,
}

/// A report that may be filed: which scheduled report it fills in, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedReport {
    pub report_id: String,
    pub kind: ReportKind,
    pub done: String,
    pub reach: i64,
    pub spent: Vec<Spent>,
    pub stopped_reason: Option<String>,
}

/// Checks a report against its fields and the grant: every bad field is named; a report is
/// filed once, while the grant runs; a progress report only when one is asked for and before
/// the final report; stopping early goes with the final report.
pub fn check_report(
    grant: &Grant,
    reports: &[Report],
    input: &ReportInput,
) -> Result<CheckedReport, DomainError> {
    let mut errors = FieldErrors::new();
    let kind = match input.kind.as_deref() {
        None | Some("") => {
            errors.add("kind", super::super::errors::REQUIRED);
            None
        }
        Some(k) => match ReportKind::parse(k) {
            Some(k) => Some(k),
            None => {
                errors.add(
                    "kind",
                    (
                        "must be progress or final",
                        "kies voortgangsverslag of eindverslag",
                    ),
                );
                None
            }
        },
    };
    let done = Bounded::LONG
        .required(input.done.as_deref())
        .map_err(|s| errors.add("done", s))
        .ok();
    let reach = match input.reach {
        None => {
            errors.add("reach", super::super::errors::REQUIRED);
            None
        }
        Some(r) if !(0..=10_000_000).contains(&r) => {
            errors.add(
                "reach",
                (
                    "must be a whole number from 0 to 10,000,000",
                    "vul een aantal van 0 tot en met 10.000.000 in",
                ),
            );
            None
        }
        Some(r) => Some(r),
    };
    let mut spent = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    if input.spent.len() > 20 {
        errors.add(
            "spent",
            (
                "at most 20 sources",
                "geef hoogstens 20 bronnen van financiering",
            ),
        );
    }
    for (i, s) in input.spent.iter().enumerate().take(20) {
        let source = Bounded::NAME
            .required(s.source.as_deref())
            .map_err(|e| errors.add(format!("spent[{i}].source"), e))
            .ok();
        if let Some(src) = &source {
            if sources.contains(src) {
                errors.add(
                    format!("spent[{i}].source"),
                    (
                        "is named twice; give each source once",
                        "deze bron staat er al; noem elke bron één keer",
                    ),
                );
            }
            sources.push(src.clone());
        }
        let amount = match s.amount_eur {
            None => {
                errors.add(
                    format!("spent[{i}].amount_eur"),
                    super::super::errors::REQUIRED,
                );
                None
            }
            Some(a) => Eur::parse(a)
                .map_err(|e| errors.add(format!("spent[{i}].amount_eur"), e))
                .ok(),
        };
        if let (Some(source), Some(amount_eur)) = (source, amount) {
            spent.push(Spent { source, amount_eur });
        }
    }
    check_spending(&mut errors, grant, &input.spent);
    let stopped_reason = match input.stopped_reason.as_deref() {
        None => None,
        Some(r) => match Bounded::REASON.required(Some(r)) {
            Ok(r) => Some(r),
            Err(s) => {
                errors.add("stopped_reason", s);
                None
            }
        },
    };
    if stopped_reason.is_some() && kind == Some(ReportKind::Progress) {
        errors.add(
            "stopped_reason",
            (
                "stopping early goes with the final report (kind final)",
                "stoppen gaat samen met het eindverslag",
            ),
        );
    }
    let (Some(kind), Some(done), Some(reach)) = (kind, done, reach) else {
        return Err(DomainError::Invalid(errors.0));
    };
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors.0));
    }
    if let Some(refusal) = steps::file_refusal(grant, reports, kind) {
        return Err(refusal);
    }
    let report = reports
        .iter()
        .find(|r| r.kind == kind)
        .expect("file_refusal refuses a kind the grant does not ask for");
    Ok(CheckedReport {
        report_id: report.id.clone(),
        kind,
        done,
        reach,
        spent,
        stopped_reason,
    })
}

/// A final report comes once the project has run its course: before its last year it is
/// only the report of a project that stops early, with the reason (`stopped_reason`). A final
/// amount is set on it, and a final amount for a project still to run is no decision.
pub fn check_final_in_time(
    report: &CheckedReport,
    end_year: Option<i32>,
    today: chrono::NaiveDate,
) -> Result<(), DomainError> {
    use chrono::Datelike;
    match end_year {
        Some(end)
            if report.kind == ReportKind::Final
                && report.stopped_reason.is_none()
                && today.year() < end =>
        {
            Err(DomainError::Invalid(vec![super::super::FieldError::new(
                "stopped_reason",
                (
                    format!("the project runs until the end of {end}: a final report before {end} is the report of a project that stops early, so give the reason it stops"),
                    format!("het project loopt tot en met {end}: een eindverslag vóór {end} kan alleen als het project eerder stopt; geef dan de reden"),
                ),
            )]))
        }
        _ => Ok(()),
    }
}

/// The most one line of other spending may say: a neighbourhood action's other funders give
/// thousands, not millions; a larger figure is a typing error that would go public.
pub const SPENT_LINE_MAX: i64 = 10_000_000;

/// A report's spending in bounds: from the programme at most what was granted (it cannot have
/// spent more of it), each other source at most `SPENT_LINE_MAX`.
fn check_spending(errors: &mut FieldErrors, grant: &Grant, spent: &[SpentInput]) {
    let mut from_programme = 0i64;
    for (i, s) in spent.iter().enumerate().take(20) {
        let Some(amount) = s.amount_eur.filter(|a| *a >= 0) else {
            continue;
        };
        if s.source.as_deref().map(str::trim) == Some(PROGRAMME_SOURCE) {
            from_programme = from_programme.saturating_add(amount);
            if from_programme > grant.amount.value() {
                errors.add(
                    format!("spent[{i}].amount_eur"),
                    Bilingual::new(
                        format!(
                            "spending from the programme's contribution must be at most the grant, {} euros",
                            grant.amount.value()
                        ),
                        format!(
                            "uit de bijdrage van het programma kan hoogstens het toegekende bedrag zijn besteed, {}",
                            grant.amount.format_nl()
                        ),
                    ),
                );
            }
        } else if amount > SPENT_LINE_MAX {
            errors.add(
                format!("spent[{i}].amount_eur"),
                (
                    format!("must be at most {SPENT_LINE_MAX} euros"),
                    "mag hoogstens € 10.000.000 zijn".to_string(),
                ),
            );
        }
    }
}
