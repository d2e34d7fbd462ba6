//! The processing log (issue 33): staff reading a person's plan or account, and changes to
//! them, are logged with time, role and activity; the admin exports a period.

use serde_json::{json, Value};

use crate::helpers::*;

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// The admin's export of today, polled until `pred` holds (reads are written by the worker
/// every few seconds).
fn log_until(app: &TestApp, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let admin = app.admin_token();
    let path = format!("/processing-log?from={}&to={}", today(), today());
    let mut items = Vec::new();
    for _ in 0..100 {
        items = app.get(&path, Some(&admin)).expect(200).body["items"]
            .as_array()
            .unwrap()
            .clone();
        if pred(&items) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    items
}

#[test]
fn staff_reads_and_changes_are_logged_and_a_persons_own_reads_are_not() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    app.get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(200);
    app.get(&format!("/plans/{plan}"), Some(&s.team))
        .expect(200);
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    let viewed = |e: &Value| e["activity"] == "plan_viewed" && e["record_id"] == plan.as_str();
    let items = log_until(app, |items| items.iter().any(viewed));
    let seen: Vec<&Value> = items.iter().filter(|e| viewed(e)).collect();
    assert_eq!(
        seen.len(),
        1,
        "one read by the team, none by the resident: {items:?}"
    );
    assert_eq!(seen[0]["role"], "programme_team");
    assert_eq!(seen[0]["subject_id"], s.resident_id.as_str());
    assert_eq!(seen[0]["label"], "plan bekeken");
    assert!(seen[0]["actor_name"].is_string());
    let changed: Vec<&Value> = items
        .iter()
        .filter(|e| e["activity"] == "plan_changed:start_review")
        .collect();
    assert_eq!(changed.len(), 1, "{items:?}");
    assert_eq!(changed[0]["subject_id"], s.resident_id.as_str());
    // The resident's own submission is no processing by the municipality of their data.
    assert!(!items.iter().any(
        |e| e["activity"] == "plan_changed:submit" && e["subject_id"] == s.resident_id.as_str()
    ));
    // The admin reading the accounts reads each.
    let admin = app.admin_token();
    app.get("/users", Some(&admin)).expect(200);
    let items = log_until(app, |items| {
        items
            .iter()
            .any(|e| e["activity"] == "account_viewed" && e["subject_id"] == s.resident_id.as_str())
    });
    assert!(items
        .iter()
        .any(|e| e["activity"] == "account_viewed" && e["role"] == "admin"));
}

#[test]
fn only_the_admin_exports_a_period_named_by_valid_dates() {
    let s = setup();
    let app = &s.app;
    let admin = app.admin_token();
    let r = app
        .get("/processing-log?from=gisteren&to=2026-13-01", Some(&admin))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["from", "to"]);
    let r = app
        .get(
            "/processing-log?from=2026-03-02&to=2026-03-01",
            Some(&admin),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["to"]);
    app.get(
        &format!("/processing-log?from={}&to={}", today(), today()),
        Some(&s.team),
    )
    .expect(403);
    app.get("/processing-log?from=2026-01-01&to=2026-01-02", None)
        .expect(401);
}

#[test]
fn reading_a_plan_through_a_list_or_its_history_is_logged_too() {
    let s = setup();
    let app = &s.app;
    let first = s.submitted();
    let second = s.submitted();
    let (_, board) = app.user_with(&["board_member"], None, None);
    // The board lists the plans; the team reads one's history only.
    app.get("/plans", Some(&board)).expect(200);
    app.get(&format!("/plans/{first}/events"), Some(&s.team))
        .expect(200);
    let read_by = |items: &[Value], plan: &str, role: &str| {
        items
            .iter()
            .any(|e| e["activity"] == "plan_viewed" && e["record_id"] == plan && e["role"] == role)
    };
    let items = log_until(app, |items| {
        read_by(items, &first, "board_member")
            && read_by(items, &second, "board_member")
            && read_by(items, &first, "programme_team")
    });
    assert!(read_by(&items, &first, "board_member"), "{items:?}");
    assert!(read_by(&items, &second, "board_member"), "{items:?}");
    assert!(read_by(&items, &first, "programme_team"), "{items:?}");
    assert!(!read_by(&items, &second, "programme_team"), "{items:?}");
}
