//! Reviewers assigned per plan (issue 32, part 4): the team assigns reviewers with a due date;
//! an external reviewer sees only the plans assigned to them, evaluates them, and cannot
//! pre-advise, vote or read the conversation; nobody tied to the plan is assigned; the
//! assignment and a reminder three days before the due date are mailed.

use serde_json::{json, Value};

use crate::helpers::*;

fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.get("/outbox?page_size=100", Some(&app.admin_token()))
        .expect(200)
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect()
}

fn email_of(app: &TestApp, token: &str) -> String {
    app.get("/me", Some(token)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_reviewer_sees_evaluates_and_does_nothing_else_on_the_plans_assigned_to_them() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    let other = s.submitted();
    let (reviewer_id, reviewer) = app.user_with(&["reviewer"], None, None);
    // Not yet assigned: nothing to see.
    app.get(&format!("/plans/{plan}"), Some(&reviewer))
        .expect(404);
    assert_eq!(
        app.get("/plans", Some(&reviewer)).expect(200).body["total"],
        0
    );
    let due = today() + chrono::Duration::days(14);
    let path = format!("/plans/{plan}/assignees");
    let r = app
        .send(
            "PUT",
            &path,
            Some(&s.team),
            Some((
                "application/json",
                json!({"user_ids": [reviewer_id], "due_on": due.to_string()})
                    .to_string()
                    .as_bytes(),
            )),
            &[],
        )
        .expect(200);
    assert_eq!(r.body["user_ids"], json!([reviewer_id]));
    assert_eq!(r.body["due_on"], due.to_string());
    assert_eq!(r.body["assignees"][0]["name"], "Test Gebruiker");
    assert_eq!(mails_to(app, &email_of(app, &reviewer)), vec!["assigned"]);
    // The plan, and only it, in the reviewer's list; the other plan is not found.
    assert_eq!(
        ids(&app.get("/plans", Some(&reviewer)).expect(200).body),
        vec![plan.clone()]
    );
    app.get(&format!("/plans/{other}"), Some(&reviewer))
        .expect(404);
    app.get(&format!("/plans/{other}/attachments"), Some(&reviewer))
        .expect(404);
    let seen = app
        .get(&format!("/plans/{plan}"), Some(&reviewer))
        .expect(200);
    assert_eq!(
        seen.body["status"], "submitted",
        "the assessment's own status"
    );
    app.get(&format!("/plans/{plan}/attachments"), Some(&reviewer))
        .expect(200);
    app.get(&path, Some(&reviewer)).expect(200);
    // The review starts; the reviewer evaluates, and may not pre-advise.
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    let advice = crate::assessment::advice("positive", 10000, [3, 3, 3, 3]);
    app.post(
        &format!("/plans/{plan}/evaluations"),
        Some(&reviewer),
        json!({"scores": advice["scores"]}),
    )
    .expect(201);
    app.post(
        &format!("/plans/{plan}/pre-advice"),
        Some(&reviewer),
        advice.clone(),
    )
    .expect(403);
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&reviewer),
        json!({}),
    )
    .expect(403);
    // Nor reads the conversation, nor assigns.
    app.get(&format!("/plans/{plan}/messages"), Some(&reviewer))
        .expect(403);
    app.send(
        "PUT",
        &path,
        Some(&reviewer),
        Some(("application/json", br#"{"user_ids": []}"#)),
        &[],
    )
    .expect(403);
    // Taken off: the plan is gone for them.
    app.send(
        "PUT",
        &path,
        Some(&s.team),
        Some(("application/json", br#"{"user_ids": [], "due_on": null}"#)),
        &[],
    )
    .expect(200);
    app.get(&format!("/plans/{plan}"), Some(&reviewer))
        .expect(404);
    // An applicant learns nothing of who reviews.
    app.get(&path, Some(&s.resident)).expect(403);
}

#[test]
fn the_team_lists_what_is_assigned_to_it_and_bad_assignments_are_refused() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    let _other = s.submitted();
    let (me_id, me) = app.user_with(&["programme_team"], None, None);
    let path = format!("/plans/{plan}/assignees");
    let put = |token: &str, body: Value| {
        app.send(
            "PUT",
            &path,
            Some(token),
            Some(("application/json", body.to_string().as_bytes())),
            &[],
        )
    };
    put(&me, json!({"user_ids": [me_id]})).expect(200);
    let mine = app.get("/plans?assigned_to=me", Some(&me)).expect(200);
    assert_eq!(ids(&mine.body), vec![plan.clone()]);
    assert_eq!(app.get("/plans", Some(&me)).expect(200).body["total"], 2);
    let r = app.get("/plans?assigned_to=anna", Some(&me)).expect(400);
    assert_eq!(r.error_fields(), vec!["assigned_to"]);
    // Unknown people, a board member, a date in the past: each field named.
    let (board_id, _) = app.user_with(&["board_member"], None, None);
    let r = put(
        &me,
        json!({"user_ids": ["nobody", board_id], "due_on": "2020-01-01"}),
    )
    .expect(400);
    assert_eq!(
        r.error_fields(),
        vec!["user_ids[0]", "user_ids[1]", "due_on"]
    );
    let r = put(&me, json!({"user_ids": [me_id], "due_on": "morgen"})).expect(400);
    assert_eq!(r.error_fields(), vec!["due_on"]);
    put(&me, json!({"due_on": null})).expect(400);
    // Conflict of interest: a reviewer of the plan's lead organisation is not assigned.
    let (tied_id, _) = app.user_with(&["reviewer"], None, Some(&s.org));
    let r = put(&me, json!({"user_ids": [tied_id]})).expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:conflict");
    // What was assigned stands.
    assert_eq!(
        ids(&app.get("/plans?assigned_to=me", Some(&me)).expect(200).body),
        vec![plan.clone()]
    );
    // Applicants and the board do not assign.
    put(&s.resident, json!({"user_ids": []})).expect(403);
    // A draft is not the team's to see.
    let draft = s.draft(complete_plan(&s.org));
    app.send(
        "PUT",
        &format!("/plans/{draft}/assignees"),
        Some(&me),
        Some(("application/json", br#"{"user_ids": []}"#)),
        &[],
    )
    .expect(404);
}

#[test]
fn the_reminder_goes_three_days_before_the_due_date_once() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    let (reviewer_id, reviewer) = app.user_with(&["reviewer"], None, None);
    let due = today() + chrono::Duration::days(2);
    app.send(
        "PUT",
        &format!("/plans/{plan}/assignees"),
        Some(&s.team),
        Some((
            "application/json",
            json!({"user_ids": [reviewer_id], "due_on": due.to_string()})
                .to_string()
                .as_bytes(),
        )),
        &[],
    )
    .expect(200);
    // A second instance looks for reminders as it starts (then every hour).
    let second = spawn_second(app);
    let address = email_of(app, &reviewer);
    let mut kinds = Vec::new();
    for _ in 0..100 {
        kinds = mails_to(app, &address);
        if kinds.len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        kinds.iter().filter(|k| *k == "review_reminder").count(),
        1,
        "{kinds:?}"
    );
    drop(second);
    let third = spawn_second(app);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(mails_to(app, &address).len(), 2, "not twice");
    drop(third);
}
