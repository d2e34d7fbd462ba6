//! The conversation about a plan (issue 32, part 1): its applicants and the programme team
//! write to each other; the board does not read it; the other side is mailed at once and the
//! messages after it within the hour are gathered into one mail.

use serde_json::json;

use crate::helpers::*;

/// The mails in the outbox to `to`: (kind, subject).
fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    let all = app
        .get("/outbox?page_size=100", Some(&app.admin_token()))
        .expect(200);
    all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_string(),
                m["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn messages_kind(mails: &[(String, String)]) -> Vec<&str> {
    mails
        .iter()
        .filter(|(k, _)| k == "new_message")
        .map(|(_, s)| s.as_str())
        .collect()
}

/// A programme team member with a known address.
fn team_member(app: &TestApp) -> (String, String) {
    let admin = app.admin_token();
    let email = format!("team-{}@planloket.test", uuid::Uuid::now_v7().simple());
    app.post(
        "/users",
        Some(&admin),
        json!({"email": email, "name": "Tessa Team", "password": PASSWORD, "roles": ["programme_team"]}),
    )
    .expect(201);
    let token = app.login(&email, PASSWORD);
    (email, token)
}

#[test]
fn applicants_and_the_team_write_to_each_other_and_nobody_else_reads_it() {
    let s = setup();
    let app = &s.app;
    let (_, team) = team_member(app);
    let plan = s.submitted();
    let path = format!("/plans/{plan}/messages");
    let r = app
        .post(
            &path,
            Some(&s.resident),
            json!({"body": "Wij willen samenwerken met de bibliotheek.\nKan dat?"}),
        )
        .expect(201);
    assert_eq!(r.body["author_role"], "applicant");
    assert_eq!(r.body["author_name"], "Test Gebruiker");
    assert_eq!(r.body["attachments"], json!([]));
    assert!(r.body["id"].is_string() && r.body["created_at"].is_string());
    app.post(
        &path,
        Some(&team),
        json!({"body": "Ja, zet ze als partner in het plan."}),
    )
    .expect(201);
    for token in [&s.resident, &team, &s.team] {
        let list = app.get(&path, Some(token)).expect(200);
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["author_role"], "applicant");
        assert_eq!(
            items[0]["body"],
            "Wij willen samenwerken met de bibliotheek.\nKan dat?"
        );
        assert_eq!(items[1]["author_role"], "programme_team");
        assert_eq!(items[1]["author_name"], "Tessa Team");
    }
    // The board sees the plan but not the conversation; another applicant not even the plan.
    let (_, board) = app.user_with(&["board_member"], None, None);
    let r = app.get(&path, Some(&board)).expect(403);
    assert_eq!(r.body["type"], "urn:planloket:problem:forbidden");
    app.post(&path, Some(&board), json!({"body": "Mag ik meelezen?"}))
        .expect(403);
    let (_, other) = app.user_with(&["applicant"], Some("resident"), None);
    app.get(&path, Some(&other)).expect(404);
    app.post(&path, Some(&other), json!({"body": "Hallo"}))
        .expect(404);
    app.get(&path, None).expect(401);
    // The formal question is apart from it and still moves the plan.
    let plan_now = app
        .get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(200);
    assert_eq!(plan_now.body["status"], "submitted");
}

#[test]
fn a_message_needs_a_body_and_a_submitted_plan() {
    let s = setup();
    let app = &s.app;
    let draft = s.draft(complete_plan(&s.org));
    let path = format!("/plans/{draft}/messages");
    // The team sees no draft; its owner cannot write yet (nobody would read it).
    app.get(&path, Some(&s.team)).expect(404);
    let r = app
        .post(
            &path,
            Some(&s.resident),
            json!({"body": "Alvast een vraag"}),
        )
        .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:conflict");
    assert_eq!(
        app.get(&path, Some(&s.resident)).expect(200).body["items"],
        json!([])
    );
    let plan = s.submitted();
    let path = format!("/plans/{plan}/messages");
    for bad in [
        json!({}),
        json!({"body": "  "}),
        json!({"body": "x".repeat(5001)}),
    ] {
        let r = app.post(&path, Some(&s.resident), bad).expect(400);
        assert_eq!(r.error_fields(), vec!["body"], "{}", r.text);
    }
    let r = app
        .post(
            &path,
            Some(&s.resident),
            json!({"body": "Hoi", "to": "iedereen"}),
        )
        .expect(400);
    assert!(r.text.contains("to"), "{}", r.text);
    assert_eq!(
        app.get(&path, Some(&s.team)).expect(200).body["items"],
        json!([])
    );
}

#[test]
fn the_other_side_is_mailed_at_once_and_then_once_an_hour() {
    let s = setup();
    let app = &s.app;
    let (team_email, team) = team_member(app);
    let plan = s.submitted();
    let path = format!("/plans/{plan}/messages");
    app.post(
        &path,
        Some(&s.resident),
        json!({"body": "Eerste bericht, geheim-detail-1"}),
    )
    .expect(201);
    let mails = mails_to(app, &team_email);
    assert_eq!(
        messages_kind(&mails),
        vec!["Nieuw bericht over Huiswerkklas in De Heuvel"]
    );
    // Within the hour: gathered, not mailed again.
    app.post(&path, Some(&s.resident), json!({"body": "Tweede bericht"}))
        .expect(201);
    app.post(&path, Some(&s.resident), json!({"body": "Derde bericht"}))
        .expect(201);
    assert_eq!(messages_kind(&mails_to(app, &team_email)).len(), 1);
    // The team's answer goes to the applicant at once.
    app.post(
        &path,
        Some(&team),
        json!({"body": "Dank u, we kijken ernaar."}),
    )
    .expect(201);
    let me = app.get("/me", Some(&s.resident)).expect(200);
    let resident_email = me.body["email"].as_str().unwrap().to_string();
    assert_eq!(messages_kind(&mails_to(app, &resident_email)).len(), 1);
    // An hour later (the clock moved back for the first mail and message), the worker sends
    // the gathered mail: the two messages written since.
    app.execute_sql(&format!(
        "UPDATE message_notices SET mailed_at = '2020-01-01 10:00:00' WHERE plan_id = '{plan}' AND mailed_at IS NOT NULL AND waiting_since IS NOT NULL"
    ));
    app.execute_sql(&format!(
        "UPDATE plan_messages SET created_at = '2020-01-01 09:59:00' WHERE plan_id = '{plan}' AND body LIKE 'Eerste%'"
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let subjects = messages_kind(&mails_to(app, &team_email))
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        if subjects.len() == 2 {
            assert!(
                subjects.contains(&"Nieuwe berichten over Huiswerkklas in De Heuvel".to_string()),
                "{subjects:?}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no gathered mail: {subjects:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    // Once only, and the applicant (mailed within the hour, nothing waiting) gets nothing more.
    std::thread::sleep(std::time::Duration::from_secs(6));
    assert_eq!(messages_kind(&mails_to(app, &team_email)).len(), 2);
    assert_eq!(messages_kind(&mails_to(app, &resident_email)).len(), 1);
    // No mail carries what was written.
    let all = app
        .get("/outbox?page_size=100", Some(&app.admin_token()))
        .expect(200);
    assert!(!all.text.contains("geheim-detail-1"));
}
