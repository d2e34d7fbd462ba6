use chrono::{NaiveDate, Utc};

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn eur(v: i64) -> Eur {
    Eur::parse(v).unwrap()
}

fn grant(amount: i64) -> Grant {
    Grant {
        id: "g".into(),
        plan_id: "p".into(),
        round_id: "r".into(),
        amount: eur(amount),
        payee_id: Some("org".into()),
        status: GrantStatus::Running,
        final_amount: None,
        final_motivation: None,
        claim: None,
        stopped_reason: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn report(kind: ReportKind, due_on: NaiveDate) -> Report {
    Report {
        id: format!("r-{}", kind.as_str()),
        grant_id: "g".into(),
        kind,
        due_on,
        filed: None,
        accepted_at: None,
        attachments: Vec::new(),
        reminded_soon_on: None,
        reminded_late_on: None,
    }
}

fn filed(spent_programme: i64) -> Filed {
    Filed {
        done: "gedaan".into(),
        reach: 40,
        spent: vec![Spent {
            source: PROGRAMME_SOURCE.into(),
            amount_eur: eur(spent_programme),
        }],
        stopped_reason: None,
        filed_at: Utc::now(),
        filed_by: "u".into(),
    }
}

fn payment(kind: PaymentKind, amount: i64, status: PaymentStatus) -> Payment {
    Payment {
        id: format!("pay-{}", kind.as_str()),
        grant_id: "g".into(),
        kind,
        amount: eur(amount),
        status,
        batch_id: None,
        created_at: Utc::now(),
        released_at: None,
        paid_at: None,
    }
}

#[test]
fn the_advance_is_the_round_s_share_rounded_down() {
    assert_eq!(advance(eur(12_500), 80), eur(10_000));
    assert_eq!(advance(eur(999), 80), eur(799));
    assert_eq!(advance(eur(1000), 0), Eur::ZERO);
    assert_eq!(advance(eur(1000), 100), eur(1000));
    assert_eq!(advance(eur(1000), 150), eur(1000), "clamped");
}

#[test]
fn a_plan_of_two_years_reports_halfway_and_13_weeks_after_its_end_year() {
    let dates = report_dates(2025, 2026, day(2025, 3, 1));
    assert_eq!(dates.len(), 2);
    assert_eq!(dates[0].0, ReportKind::Progress);
    // Halfway from the adoption (1 March 2025) to the end of 2026.
    assert_eq!(dates[0].1, day(2026, 1, 30));
    assert_eq!(dates[1], (ReportKind::Final, day(2027, 4, 1)));
    // One year: only the final report.
    assert_eq!(
        report_dates(2025, 2025, day(2025, 3, 1)),
        vec![(ReportKind::Final, day(2026, 4, 1))]
    );
    // Two calendar years but adopted in the second: less than a year left, no progress report.
    assert_eq!(report_dates(2025, 2026, day(2026, 1, 15)).len(), 1);
    assert_eq!(
        report_dates(2025, 2026, day(2025, 12, 1)).len(),
        2,
        "13 months"
    );
    // Adopted after the end year: the final report 13 weeks after the adoption.
    assert_eq!(
        report_dates(2024, 2024, day(2025, 2, 1)),
        vec![(ReportKind::Final, day(2025, 5, 3))]
    );
}

#[test]
fn a_payment_is_released_once_and_only_into_a_known_account() {
    let g = grant(1000);
    let due = payment(PaymentKind::Advance, 800, PaymentStatus::Due);
    assert!(check_release(&g, &due, true).is_ok());
    assert!(check_release(&g, &due, false).is_err());
    let released = payment(PaymentKind::Advance, 800, PaymentStatus::Released);
    assert!(check_release(&g, &released, true).is_err());
    let mut nobody = grant(1000);
    nobody.payee_id = None;
    let e = check_release(&nobody, &due, true).unwrap_err();
    assert!(e.message_nl().contains("ontvangende organisatie"));
}

#[test]
fn a_batch_is_paid_or_cancelled_once() {
    let mut b = PaymentBatch {
        id: "b".into(),
        status: BatchStatus::Exported,
        total: eur(10),
        count: 1,
        execution_date: day(2026, 1, 1),
        created_by: "u".into(),
        created_at: Utc::now(),
        closed_at: None,
    };
    assert!(check_batch_step(&b, BatchStatus::Paid).is_ok());
    assert!(check_batch_step(&b, BatchStatus::Cancelled).is_ok());
    b.status = BatchStatus::Paid;
    assert!(check_batch_step(&b, BatchStatus::Cancelled).is_err());
    b.status = BatchStatus::Cancelled;
    assert!(check_batch_step(&b, BatchStatus::Paid).is_err());
}

fn input(kind: &str) -> ReportInput {
    ReportInput {
        kind: Some(kind.into()),
        done: Some("Twaalf bijeenkomsten".into()),
        reach: Some(40),
        spent: vec![SpentInput {
            source: Some(PROGRAMME_SOURCE.into()),
            amount_eur: Some(700),
        }],
        stopped_reason: None,
    }
}

#[test]
fn spending_is_bounded_by_the_grant_and_a_sane_figure() {
    let g = grant(1000);
    let reports = vec![report(ReportKind::Final, day(2027, 4, 1))];
    let mut over = input("final");
    over.spent = vec![
        SpentInput {
            source: Some("Fonds 1818".into()),
            amount_eur: Some(1_000_000_000_000),
        },
        SpentInput {
            source: Some(PROGRAMME_SOURCE.into()),
            amount_eur: Some(1_001),
        },
    ];
    let DomainError::Invalid(fields) = check_report(&g, &reports, &over).unwrap_err() else {
        panic!("refused as input")
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, vec!["spent[0].amount_eur", "spent[1].amount_eur"]);
    assert!(fields[1].message_nl.contains("€ 1.000"), "{:?}", fields[1]);
    // All of the grant is fine.
    over.spent[1].amount_eur = Some(1_000);
    over.spent[0].amount_eur = Some(5_000);
    assert!(check_report(&g, &reports, &over).is_ok());
}

#[test]
fn a_report_names_each_bad_field() {
    let g = grant(1000);
    let reports = vec![report(ReportKind::Final, day(2027, 4, 1))];
    let bad = ReportInput {
        kind: Some("tussentijds".into()),
        done: Some(" ".into()),
        reach: Some(-1),
        spent: vec![
            SpentInput {
                source: Some("programme".into()),
                amount_eur: Some(-5),
            },
            SpentInput {
                source: Some("programme".into()),
                amount_eur: None,
            },
        ],
        stopped_reason: Some("".into()),
    };
    let DomainError::Invalid(fields) = check_report(&g, &reports, &bad).unwrap_err() else {
        panic!("invalid");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "kind",
            "done",
            "reach",
            "spent[0].amount_eur",
            "spent[1].source",
            "spent[1].amount_eur",
            "stopped_reason"
        ]
    );
    let mut progress_stop = input("progress");
    progress_stop.stopped_reason = Some("Geen vrijwilligers".into());
    let two = vec![
        report(ReportKind::Progress, day(2026, 1, 30)),
        report(ReportKind::Final, day(2027, 4, 1)),
    ];
    assert!(matches!(
        check_report(&g, &two, &progress_stop),
        Err(DomainError::Invalid(_))
    ));
}

#[test]
fn a_report_is_filed_once_while_the_grant_runs_and_progress_comes_before_final() {
    let g = grant(1000);
    let mut reports = vec![
        report(ReportKind::Progress, day(2026, 1, 30)),
        report(ReportKind::Final, day(2027, 4, 1)),
    ];
    let ok = check_report(&g, &reports, &input("progress")).unwrap();
    assert_eq!(ok.report_id, "r-progress");
    assert_eq!(ok.spent[0].amount_eur, eur(700));
    reports[0].filed = Some(filed(100));
    assert!(matches!(
        check_report(&g, &reports, &input("progress")),
        Err(DomainError::Duplicate(_))
    ));
    reports[0].filed = None;
    reports[1].filed = Some(filed(100));
    assert!(matches!(
        check_report(&g, &reports, &input("progress")),
        Err(DomainError::Conflict(_))
    ));
    // No progress report asked for.
    let one = vec![report(ReportKind::Final, day(2027, 4, 1))];
    assert!(check_report(&g, &one, &input("progress")).is_err());
    let mut done = grant(1000);
    done.status = GrantStatus::Stopped;
    assert!(check_report(&done, &one, &input("final")).is_err());
}

#[test]
fn the_final_amount_leads_to_a_final_payment_or_a_claim() {
    let g = grant(1000);
    let mut reports = vec![report(ReportKind::Final, day(2027, 4, 1))];
    let advance_paid = vec![payment(PaymentKind::Advance, 800, PaymentStatus::Paid)];
    // Not before the final report.
    assert!(matches!(
        settle(&g, &reports, &advance_paid, Some(900), Some("ok")),
        Err(DomainError::Conflict(_))
    ));
    reports[0].filed = Some(filed(900));
    let s = settle(
        &g,
        &reports,
        &advance_paid,
        Some(900),
        Some("Besteed volgens plan"),
    )
    .unwrap();
    assert_eq!((s.final_payment, s.claim), (Some(eur(100)), None));
    let s = settle(
        &g,
        &reports,
        &advance_paid,
        Some(600),
        Some("Minder besteed"),
    )
    .unwrap();
    assert_eq!((s.final_payment, s.claim), (None, Some(eur(200))));
    let s = settle(&g, &reports, &advance_paid, Some(800), Some("Precies")).unwrap();
    assert_eq!((s.final_payment, s.claim), (None, None));
    // At most the grant; a motivation; once.
    let DomainError::Invalid(f) =
        settle(&g, &reports, &advance_paid, Some(1001), None).unwrap_err()
    else {
        panic!("invalid")
    };
    assert_eq!(
        f.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(),
        vec!["amount_eur", "motivation"]
    );
    let mut set = g.clone();
    set.final_amount = Some(eur(900));
    assert!(matches!(
        settle(&set, &reports, &advance_paid, Some(900), Some("x")),
        Err(DomainError::Duplicate(_))
    ));
    // Not while a payment is with the bank; a payment still due is replaced.
    let exported = vec![payment(PaymentKind::Advance, 800, PaymentStatus::Exported)];
    assert!(settle(&g, &reports, &exported, Some(900), Some("x")).is_err());
    let due = vec![payment(PaymentKind::Advance, 800, PaymentStatus::Due)];
    let s = settle(&g, &reports, &due, Some(900), Some("x")).unwrap();
    assert_eq!(s.final_payment, Some(eur(900)));
}

#[test]
fn reminders_go_two_weeks_before_and_once_when_late() {
    let g = grant(1000);
    let mut r = report(ReportKind::Final, day(2027, 4, 1));
    assert_eq!(reminder_due(&g, &r, day(2027, 3, 17)), None);
    assert_eq!(reminder_due(&g, &r, day(2027, 3, 18)), Some(Reminder::Soon));
    r.reminded_soon_on = Some(day(2027, 3, 18));
    assert_eq!(reminder_due(&g, &r, day(2027, 4, 1)), None);
    assert_eq!(reminder_due(&g, &r, day(2027, 4, 2)), Some(Reminder::Late));
    assert!(overdue(&r, day(2027, 4, 2)));
    r.reminded_late_on = Some(day(2027, 4, 2));
    assert_eq!(reminder_due(&g, &r, day(2027, 6, 1)), None);
    // Filed, or the grant stopped: no reminder.
    let mut f = report(ReportKind::Final, day(2027, 4, 1));
    f.filed = Some(filed(1));
    assert_eq!(reminder_due(&g, &f, day(2027, 4, 2)), None);
    let mut stopped = grant(1000);
    stopped.status = GrantStatus::Stopped;
    assert_eq!(
        reminder_due(
            &stopped,
            &report(ReportKind::Final, day(2027, 4, 1)),
            day(2027, 4, 2)
        ),
        None
    );
}

#[test]
fn an_attachment_is_a_photo_or_a_pdf_of_at_most_5_mb() {
    assert_eq!(
        check_attachment(b"%PDF-1.7 ...").unwrap(),
        "application/pdf"
    );
    assert_eq!(
        check_attachment(b"\x89PNG\r\n\x1a\n....").unwrap(),
        "image/png"
    );
    assert_eq!(
        check_attachment(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
        "image/jpeg"
    );
    assert!(check_attachment(b"<html>").is_err());
    assert!(check_attachment(b"").is_err());
    let mut big = b"%PDF-".to_vec();
    big.resize(ATTACHMENT_MAX_BYTES + 1, b' ');
    assert!(check_attachment(&big).is_err());
    assert_eq!(
        attachment_name("C:\\fotos\\buurt\"feest.jpg"),
        "buurtfeest.jpg"
    );
    assert_eq!(attachment_name("../../"), "bijlage");
}

#[test]
fn spending_from_the_programme_is_told_from_other_sources() {
    let mut f = filed(300);
    f.spent.push(Spent {
        source: "Fonds 1818".into(),
        amount_eur: eur(500),
    });
    assert_eq!(f.spent_from_programme(), eur(300));
}

#[test]
fn progress_reads_the_latest_report_and_what_the_bank_paid() {
    let mut progress_report = report(ReportKind::Progress, day(2026, 1, 30));
    progress_report.filed = Some(filed(300));
    let mut final_report = report(ReportKind::Final, day(2027, 4, 1));
    let payments = vec![
        payment(PaymentKind::Advance, 800, PaymentStatus::Paid),
        payment(PaymentKind::Final, 100, PaymentStatus::Released),
    ];
    let p = progress(&payments, &[progress_report.clone(), final_report.clone()]);
    assert_eq!((p.paid, p.spent, p.reach), (eur(800), eur(300), 40));
    let mut f = filed(900);
    f.reach = 55;
    final_report.filed = Some(f);
    let p = progress(&payments, &[progress_report, final_report]);
    assert_eq!((p.spent, p.reach), (eur(900), 55));
    assert_eq!(progress(&[], &[]), Progress::default());
}

#[test]
fn a_grant_is_seen_by_its_owner_its_payee_s_members_and_staff() {
    use crate::domain::user::{Actor, Role};
    let g = grant(100);
    let actor = |id: &str, roles: Vec<Role>, org: Option<&str>| Actor {
        user_id: id.into(),
        roles,
        organisation_id: org.map(str::to_string),
    };
    assert!(sees(
        &actor("owner", vec![Role::Applicant], None),
        &g,
        "owner"
    ));
    assert!(sees(
        &actor("m", vec![Role::Applicant], Some("org")),
        &g,
        "owner"
    ));
    assert!(sees(
        &actor("t", vec![Role::ProgrammeTeam], None),
        &g,
        "owner"
    ));
    assert!(sees(
        &actor("b", vec![Role::BoardMember], None),
        &g,
        "owner"
    ));
    assert!(!sees(
        &actor("x", vec![Role::Applicant], Some("other")),
        &g,
        "owner"
    ));
    assert!(!sees(&actor("a", vec![Role::Admin], None), &g, "owner"));
}

#[test]
fn a_download_is_named_by_what_its_bytes_are() {
    assert_eq!(
        download_name("verslag.html", "application/pdf"),
        "verslag.pdf"
    );
    assert_eq!(download_name("foto", "image/jpeg"), "foto.jpg");
    assert_eq!(
        download_name("Zomerfeest.2026.PNG", "image/png"),
        "Zomerfeest.2026.png"
    );
    assert_eq!(
        download_name(".htaccess", "application/pdf"),
        ".htaccess.pdf"
    );
    assert_eq!(
        download_name("Ütrecht é.jpeg", "image/jpeg"),
        "Ütrecht é.jpg"
    );
}
