//! What a person may do with a grant now, and what each step makes of it. The use cases check
//! a step with these functions before they store it, and the grant's page asks the same ones
//! which forms and buttons to show: filing a report, adding an attachment, releasing a
//! payment, setting the final amount.

use chrono::{DateTime, Utc};

use super::{
    conflict, Grant, GrantStatus, Payment, PaymentStatus, Report, ReportKind, ReportStatus,
    Settlement,
};
use crate::domain::errors::{Bilingual, DomainError};
use crate::domain::money::Eur;
use crate::domain::permission::{allows, Permission};
use crate::domain::user::Actor;

/// Only the grant's applicant reports on it (and adds attachments to its reports).
pub fn check_reporter(actor: &Actor, owner_id: &str) -> Result<(), DomainError> {
    if actor.user_id == owner_id {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "only the applicant reports on a grant",
            "Alleen de aanvrager doet verslag van een subsidie.",
        )))
    }
}

/// Why a report of `kind` cannot be filed now, if it cannot: a report is filed once, while
/// the grant runs; a progress report only when one is asked for and before the final report.
pub fn file_refusal(grant: &Grant, reports: &[Report], kind: ReportKind) -> Option<DomainError> {
    if grant.status != GrantStatus::Running {
        return Some(conflict(
            "the grant is finished or stopped: no more reports are filed",
            "deze subsidie is afgerond of gestopt: er kunnen geen verslagen meer worden ingediend",
        ));
    }
    let Some(report) = reports.iter().find(|r| r.kind == kind) else {
        return Some(conflict(
            "this grant asks for no progress report (the action runs a year or less)",
            "voor deze subsidie is geen voortgangsverslag nodig (de actie duurt een jaar of korter)",
        ));
    };
    if report.filed.is_some() {
        return Some(DomainError::Duplicate(Bilingual::new(
            format!("the {} report is filed already", kind.as_str()),
            format!("het {} is al ingediend", kind.label_nl()),
        )));
    }
    if kind == ReportKind::Progress && final_filed(reports) {
        return Some(conflict(
            "the final report is filed already: a progress report comes before it",
            "het eindverslag is al ingediend: een voortgangsverslag komt daarvoor",
        ));
    }
    None
}

/// The reports that may be filed now, in the order the grant asks for them.
pub fn fileable(grant: &Grant, reports: &[Report]) -> Vec<ReportKind> {
    reports
        .iter()
        .map(|r| r.kind)
        .filter(|k| file_refusal(grant, reports, *k).is_none())
        .collect()
}

/// Whether the final report is in.
pub fn final_filed(reports: &[Report]) -> bool {
    reports
        .iter()
        .any(|r| r.kind == ReportKind::Final && r.filed.is_some())
}

/// An attachment goes with a filed report not yet accepted, added by the applicant.
pub fn check_attach(actor: &Actor, owner_id: &str, report: &Report) -> Result<(), DomainError> {
    check_reporter(actor, owner_id)?;
    if report.status() != ReportStatus::Filed {
        return Err(conflict(
            "an attachment goes with a filed report that is not yet accepted",
            "een bijlage hoort bij een ingediend verslag dat nog niet is beoordeeld",
        ));
    }
    Ok(())
}

/// Another attachment goes with a report as `check_attach` says, while it has fewer than
/// `ATTACHMENTS_MAX`.
pub fn check_append(actor: &Actor, owner_id: &str, report: &Report) -> Result<(), DomainError> {
    check_attach(actor, owner_id, report)?;
    if report.attachments.len() >= super::ATTACHMENTS_MAX {
        return Err(conflict(
            &format!(
                "a report carries at most {} attachments: remove one before adding another",
                super::ATTACHMENTS_MAX
            ),
            &format!(
                "een verslag heeft hoogstens {} bijlagen: verwijder er een voordat u een nieuwe toevoegt",
                super::ATTACHMENTS_MAX
            ),
        ));
    }
    Ok(())
}

/// Whether the page offers to release this payment (the use case checks the rest:
/// `check_release`).
pub fn may_release(actor: &Actor, payment: &Payment) -> bool {
    allows(actor, Permission::ManagePayments) && payment.status == PaymentStatus::Due
}

/// Whether the page offers to set the final amount: the team, after the final report, once.
pub fn may_settle(actor: &Actor, grant: &Grant, reports: &[Report]) -> bool {
    allows(actor, Permission::SettleGrants) && final_filed(reports) && grant.final_amount.is_none()
}

/// The final amount the page suggests: the final report's spending from the programme, at
/// most the grant.
pub fn suggested_final_amount(grant: &Grant, reports: &[Report]) -> Option<Eur> {
    reports
        .iter()
        .find(|r| r.kind == ReportKind::Final)
        .and_then(|r| r.filed.as_ref())
        .map(|f| f.spent_from_programme().min(grant.amount))
}

/// The grant after a report is filed at `at`: a new version (two filings race on it), and
/// stopped when the report stops the action early.
pub fn after_report(grant: &Grant, stopped_reason: Option<String>, at: DateTime<Utc>) -> Grant {
    let mut g = grant.clone();
    g.version += 1;
    g.updated_at = at;
    if let Some(reason) = stopped_reason {
        g.status = GrantStatus::Stopped;
        g.stopped_reason = Some(reason);
    }
    g
}

/// The grant once its final amount is set: a running grant is finished (a stopped one stays
/// stopped), with the amount, its motivation and any claim.
pub fn after_settlement(grant: &Grant, s: &Settlement, at: DateTime<Utc>) -> Grant {
    let mut g = grant.clone();
    g.final_amount = Some(s.final_amount);
    g.final_motivation = Some(s.motivation.clone());
    g.claim = s.claim;
    if g.status == GrantStatus::Running {
        g.status = GrantStatus::Finished;
    }
    g.version += 1;
    g.updated_at = at;
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::{Attachment, Filed, Spent, PROGRAMME_SOURCE};
    use crate::domain::user::Role;
    use chrono::NaiveDate;

    fn grant() -> Grant {
        let at = Utc::now();
        Grant {
            id: "g1".into(),
            plan_id: "p1".into(),
            round_id: "r1".into(),
            amount: Eur::parse(10_000).unwrap(),
            payee_id: Some("o1".into()),
            status: GrantStatus::Running,
            final_amount: None,
            final_motivation: None,
            claim: None,
            stopped_reason: None,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    fn report(kind: ReportKind, spent: Option<i64>) -> Report {
        Report {
            id: format!("r-{}", kind.as_str()),
            grant_id: "g1".into(),
            kind,
            due_on: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
            filed: spent.map(|e| Filed {
                done: "gedaan".into(),
                reach: 10,
                spent: vec![Spent {
                    source: PROGRAMME_SOURCE.into(),
                    amount_eur: Eur::parse(e).unwrap(),
                }],
                stopped_reason: None,
                filed_at: Utc::now(),
                filed_by: "owner".into(),
            }),
            accepted_at: None,
            attachments: Vec::new(),
            reminded_soon_on: None,
            reminded_late_on: None,
        }
    }

    fn actor(id: &str, roles: &[Role]) -> Actor {
        Actor {
            user_id: id.into(),
            roles: roles.to_vec(),
            organisation_id: None,
        }
    }

    #[test]
    fn the_reports_that_may_be_filed_follow_the_refusals() {
        let g = grant();
        let both = [
            report(ReportKind::Progress, None),
            report(ReportKind::Final, None),
        ];
        assert_eq!(
            fileable(&g, &both),
            vec![ReportKind::Progress, ReportKind::Final]
        );
        // The final report in: nothing more, the progress report neither.
        let done = [
            report(ReportKind::Progress, None),
            report(ReportKind::Final, Some(9_000)),
        ];
        assert!(fileable(&g, &done).is_empty());
        assert!(matches!(
            file_refusal(&g, &done, ReportKind::Final),
            Some(DomainError::Duplicate(_))
        ));
        // No progress report asked for (a year or less).
        let only_final = [report(ReportKind::Final, None)];
        assert!(file_refusal(&g, &only_final, ReportKind::Progress).is_some());
        // A finished grant takes no report.
        let mut finished = g.clone();
        finished.status = GrantStatus::Finished;
        assert!(fileable(&finished, &both).is_empty());
    }

    #[test]
    fn only_the_applicant_reports_and_attaches_to_a_filed_report() {
        let owner = actor("owner", &[Role::Applicant]);
        let team = actor("team", &[Role::ProgrammeTeam]);
        let filed = report(ReportKind::Final, Some(100));
        assert!(check_attach(&owner, "owner", &filed).is_ok());
        assert!(matches!(
            check_attach(&team, "owner", &filed),
            Err(DomainError::Forbidden(_))
        ));
        let due = report(ReportKind::Final, None);
        assert!(matches!(
            check_attach(&owner, "owner", &due),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn a_report_takes_attachments_up_to_the_limit() {
        let owner = actor("owner", &[Role::Applicant]);
        let mut filed = report(ReportKind::Final, Some(100));
        for i in 0..super::super::ATTACHMENTS_MAX {
            assert!(
                check_append(&owner, "owner", &filed).is_ok(),
                "attachment {i}"
            );
            filed.attachments.push(Attachment {
                id: format!("a{i}"),
                name: "foto.jpg".into(),
                media_type: "image/jpeg",
                size: 3,
            });
        }
        assert!(matches!(
            check_append(&owner, "owner", &filed),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn settling_is_offered_to_the_team_after_the_final_report_once() {
        let team = actor("team", &[Role::ProgrammeTeam]);
        let member = actor("m", &[Role::BoardMember]);
        let mut g = grant();
        let reports = [report(ReportKind::Final, Some(12_000))];
        assert!(may_settle(&team, &g, &reports));
        assert!(!may_settle(&member, &g, &reports));
        assert!(!may_settle(&team, &g, &[report(ReportKind::Final, None)]));
        // The suggestion is the programme's spending, at most the grant.
        assert_eq!(
            suggested_final_amount(&g, &reports),
            Some(Eur::parse(10_000).unwrap())
        );
        let s = Settlement {
            final_amount: Eur::parse(9_000).unwrap(),
            motivation: "volgens verslag".into(),
            final_payment: None,
            claim: None,
        };
        g = after_settlement(&g, &s, Utc::now());
        assert_eq!(g.status, GrantStatus::Finished);
        assert_eq!(g.version, 2);
        assert!(!may_settle(&team, &g, &reports));
    }

    #[test]
    fn a_report_that_stops_early_stops_the_grant() {
        let g = after_report(&grant(), Some("geen vrijwilligers".into()), Utc::now());
        assert_eq!(g.status, GrantStatus::Stopped);
        assert_eq!(g.version, 2);
        let g = after_report(&grant(), None, Utc::now());
        assert_eq!(g.status, GrantStatus::Running);
    }
}
