//! The retention policy (issue 33), with the clock moved on: the data is aged behind the
//! service's back, then `planloket retention --dry-run` lists and `planloket retention`
//! applies what is due, on both databases. A 13-month-old draft is warned and deleted a month
//! after the warning; a submitted plan is kept; old mail loses its text; an unused account
//! without plans goes.

use std::process::Command;

use planloket::config::DatabaseUrl;
use serde_json::json;

use crate::helpers::*;

/// Runs `planloket retention` (with `--dry-run` when asked) on the app's database: its lines.
fn retention(app: &TestApp, dry_run: bool) -> Vec<String> {
    let url = match app.db.url() {
        DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DatabaseUrl::Postgres(u) => u,
    };
    let mut c = Command::new(env!("CARGO_BIN_EXE_planloket"));
    c.env("DATABASE_URL", url)
        .env("PLANLOKET_DATA_DIR", app.db.data_dir())
        .env("PLANLOKET_LOG", "warn")
        .arg("retention");
    if dry_run {
        c.arg("--dry-run");
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A time `days` ago, as both databases read a timestamp literal.
fn ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn lines_for<'a>(lines: &'a [String], id: &str) -> Vec<&'a String> {
    lines.iter().filter(|l| l.contains(id)).collect()
}

#[test]
fn an_old_draft_is_warned_then_deleted_and_a_submitted_plan_is_kept() {
    let s = setup();
    let app = &s.app;
    let draft = s.draft(json!({"title": "Idee voor de speeltuin"}));
    let submitted = s.submitted();
    let fresh = s.draft(json!({"title": "Net begonnen"}));
    // Thirteen months untouched, both.
    for id in [&draft, &submitted] {
        app.execute_sql(&format!(
            "UPDATE plans SET updated_at = '{}', created_at = '{}' WHERE id = '{id}'",
            ago(400),
            ago(400)
        ));
    }
    let listed = retention(app, true);
    let mine = lines_for(&listed, &draft);
    assert_eq!(mine.len(), 1, "{listed:?}");
    let fields: Vec<&str> = mine[0].split('\t').collect();
    assert_eq!(
        &fields[..3],
        &["draft", draft.as_str(), "warn"],
        "{listed:?}"
    );
    assert!(
        lines_for(&listed, &submitted).is_empty(),
        "a submitted plan is kept"
    );
    assert!(lines_for(&listed, &fresh).is_empty());
    // The dry run changed nothing: no warning was mailed.
    let mails = |app: &TestApp| -> Vec<String> {
        app.get("/outbox?page_size=100", Some(&app.admin_token()))
            .expect(200)
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!mails(app).contains(&"draft_expiring".to_string()));
    // Applied: the owner is warned, the draft still there (a month to act).
    retention(app, false);
    assert!(mails(app).contains(&"draft_expiring".to_string()));
    app.get(&format!("/plans/{draft}"), Some(&s.resident))
        .expect(200);
    assert!(
        lines_for(&retention(app, true), &draft).is_empty(),
        "warned once"
    );
    // A month after the warning it goes; the submitted plan and the fresh draft stay.
    app.execute_sql(&format!(
        "UPDATE retention_warnings SET warned_at = '{}' WHERE record_id = '{draft}'",
        ago(31)
    ));
    let listed = retention(app, true);
    assert!(
        lines_for(&listed, &draft)[0].contains("\tdelete\t"),
        "{listed:?}"
    );
    retention(app, false);
    app.get(&format!("/plans/{draft}"), Some(&s.resident))
        .expect(404);
    app.get(&format!("/plans/{submitted}"), Some(&s.resident))
        .expect(200);
    app.get(&format!("/plans/{fresh}"), Some(&s.resident))
        .expect(200);
}

#[test]
fn a_draft_changed_after_the_warning_is_kept() {
    let s = setup();
    let app = &s.app;
    let draft = s.draft(json!({"title": "Buurtfeest"}));
    app.execute_sql(&format!(
        "UPDATE plans SET updated_at = '{}' WHERE id = '{draft}'",
        ago(400)
    ));
    retention(app, false);
    // The owner acts on the warning: the term counts again.
    app.patch(
        &format!("/plans/{draft}"),
        Some(&s.resident),
        json!({"title": "Buurtfeest in juni"}),
    )
    .expect(200);
    app.execute_sql(&format!(
        "UPDATE retention_warnings SET warned_at = '{}' WHERE record_id = '{draft}'",
        ago(31)
    ));
    assert!(lines_for(&retention(app, true), &draft).is_empty());
    retention(app, false);
    app.get(&format!("/plans/{draft}"), Some(&s.resident))
        .expect(200);
}

#[test]
fn old_mail_loses_its_text_and_an_unused_account_without_plans_goes() {
    let s = setup();
    let app = &s.app;
    s.submitted();
    let admin = app.admin_token();
    let all = app.get("/outbox?page_size=100", Some(&admin)).expect(200);
    let receipt = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "receipt")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.execute_sql(&format!(
        "UPDATE outbox SET status = 'sent', sent_at = '{}' WHERE id = '{receipt}'",
        ago(100)
    ));
    let (idle_id, _) = app.user_with(&["applicant"], Some("resident"), None);
    let users = app.get("/users", Some(&admin)).expect(200);
    let idle_email = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == idle_id.as_str())
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_string();
    app.execute_sql(&format!(
        "UPDATE users SET created_at = '{0}', updated_at = '{0}', last_seen_at = '{0}' WHERE id = '{idle_id}'",
        ago(800)
    ));
    // The resident who filed a plan is as old, and kept: they hold a plan.
    app.execute_sql(&format!(
        "UPDATE users SET created_at = '{0}', updated_at = '{0}', last_seen_at = '{0}' WHERE id = '{1}'",
        ago(800),
        s.resident_id
    ));
    // Sign-in records (the attempts kept for throttling) older than 90 days.
    app.execute_sql(&format!(
        "UPDATE attempts SET window_start = '{}'",
        ago(100)
    ));
    let listed = retention(app, true);
    assert!(
        listed.iter().any(|l| l.starts_with("sign_in_attempt\t")),
        "{listed:?}"
    );
    assert!(
        !listed.iter().any(|l| l.contains("@")),
        "the listing names nobody: {listed:?}"
    );
    assert_eq!(lines_for(&listed, &receipt).len(), 1, "{listed:?}");
    assert!(
        lines_for(&listed, &idle_id)[0].starts_with("account\t"),
        "{listed:?}"
    );
    assert!(lines_for(&listed, &s.resident_id).is_empty(), "{listed:?}");
    retention(app, false);
    assert!(!retention(app, true)
        .iter()
        .any(|l| l.starts_with("sign_in_attempt\t")));
    let all = app.get("/outbox?page_size=100", Some(&admin)).expect(200);
    let mail = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == receipt.as_str())
        .unwrap()
        .clone();
    assert_eq!(mail["subject"], "");
    assert_eq!(mail["kind"], "receipt");
    assert!(mail["to"].as_str().unwrap().contains("***@"), "{mail}");
    app.post(
        "/auth/login",
        None,
        json!({"email": idle_email, "password": PASSWORD}),
    )
    .expect(401);
    app.get("/me", Some(&s.resident)).expect(200);
}
