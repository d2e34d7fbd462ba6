//! The grant use cases against a real database: reminders by a clock passed in, and the
//! progress report a final report ends.

use super::*;
use crate::app::testing::TestApp;
use crate::domain::user::Role;

/// A grant adopted today, as the team reads it.
fn adopted(t: &TestApp) -> (Account, GrantView) {
    let round = t.open_round();
    let team = t.account(&[Role::ProgrammeTeam]);
    let anna = t.resident();
    let plan = t.submitted(&anna, &round);
    t.approved(&plan.id, &team);
    t.adopt(&team, &round, &[]);
    let v = t
        .app
        .read(|c| of_plan(c, &team.actor(), &plan.id))
        .expect("read")
        .expect("a grant");
    (anna, v)
}

#[test]
fn reminders_go_two_weeks_before_a_report_is_due_and_once_when_it_is_late() {
    let t = TestApp::new();
    let (anna, v) = adopted(&t);
    let report = v
        .reports
        .iter()
        .find(|r| r.kind == ReportKind::Final)
        .expect("a final report")
        .clone();
    let url = "http://planloket.test";
    let remind_on = |day: NaiveDate| remind(&t.app.db, url, day).expect("reminders");
    let to_anna = || {
        t.outbox()
            .into_iter()
            .filter(|m| m.to == anna.email && m.kind == "report_reminder")
            .collect::<Vec<_>>()
    };
    // Three weeks before: nothing; two weeks before: one reminder, once.
    assert_eq!(remind_on(report.due_on - chrono::Duration::weeks(3)), 0);
    let soon = report.due_on - grant::REMIND_BEFORE;
    let before = v
        .reports
        .iter()
        .filter(|r| r.due_on - grant::REMIND_BEFORE <= soon)
        .count();
    assert_eq!(remind_on(soon), before);
    assert_eq!(remind_on(soon), 0, "each reminder goes once");
    let mails = to_anna();
    let last = mails.last().expect("a reminder");
    assert!(last.subject.starts_with("Herinnering"), "{}", last.subject);
    assert!(last
        .text
        .contains(&format!("{url}/subsidies/{}", v.grant.id)));
    // The day after it was due: the late reminder, once.
    let late = report.due_on + chrono::Duration::days(1);
    assert!(remind_on(late) >= 1);
    assert_eq!(remind_on(late + chrono::Duration::days(7)), 0);
    assert!(to_anna()
        .iter()
        .any(|m| m.subject.contains("te laat") && m.subject.contains("eindverslag")));
}

#[test]
fn the_final_report_ends_the_wait_for_a_progress_report() {
    let t = TestApp::new();
    let round = t.open_round();
    let team = t.account(&[Role::ProgrammeTeam]);
    let anna = t.resident();
    let payee = t.organisation("Stichting Lang");
    let plan = t.draft(&anna, &round, crate::app::testing::complete_content(&payee));
    t.app
        .write(|tx| crate::app::plans::submit(tx, &anna.actor(), &plan.id, None, None))
        .expect("submitted");
    t.approved(&plan.id, &team);
    // Adopted early in the plan's first year: it runs two years, so a progress report.
    t.close_call(&team, &round);
    t.app
        .write(|tx| {
            crate::app::adoptions::adopt(
                tx,
                &team.actor(),
                &round.id,
                crate::app::adoptions::AdoptionInput {
                    adopted_on: NaiveDate::from_ymd_opt(2025, 1, 15),
                    reference: Some("B&W 2025/1".into()),
                    deferred: vec![],
                },
            )
        })
        .expect("adopted");
    let v = t
        .app
        .read(|c| of_plan(c, &team.actor(), &plan.id))
        .unwrap()
        .unwrap();
    assert_eq!(v.reports.len(), 2, "a progress report halfway");
    let input = ReportInput {
        kind: Some("final".into()),
        done: Some("Eerder klaar".into()),
        reach: Some(5),
        spent: vec![],
        stopped_reason: None,
    };
    let after = t
        .app
        .write(|tx| file_report(tx, &anna.actor(), &v.grant.id, &input))
        .unwrap();
    assert_eq!(after.reports.len(), 1);
    assert_eq!(after.reports[0].kind, ReportKind::Final);
}

#[test]
fn a_filed_report_is_not_reminded_of() {
    let t = TestApp::new();
    let (anna, v) = adopted(&t);
    let input = ReportInput {
        kind: Some("final".into()),
        done: Some("Klaar".into()),
        reach: Some(10),
        spent: vec![],
        stopped_reason: None,
    };
    t.app
        .write(|tx| file_report(tx, &anna.actor(), &v.grant.id, &input))
        .expect("filed");
    let due = v
        .reports
        .iter()
        .find(|r| r.kind == ReportKind::Final)
        .unwrap()
        .due_on;
    // The grant stays running, but its final report is in: only a progress report (if
    // any) could still be reminded of, and a late final report never is.
    let sent = remind(&t.app.db, "http://x", due + chrono::Duration::days(1)).unwrap();
    assert!(t
        .outbox()
        .iter()
        .filter(|m| m.kind == "report_reminder")
        .all(|m| !m.subject.contains("eindverslag")));
    assert!(sent <= 1);
}
