//! What is held about me, as data (issue 33): `GET /me/data` gives the account, plans (own and
//! co-applied, with versions, as the person may see them), messages, letters, grants, sessions
//! and the processing log's entries about them, without staff names; a file to download.

use serde_json::json;

use crate::helpers::*;

#[test]
fn a_resident_takes_everything_held_about_them_and_nothing_of_the_assessment() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    app.post(
        &format!("/plans/{plan}/messages"),
        Some(&s.resident),
        json!({"body": "Wij beginnen in maart."}),
    )
    .expect(201);
    // Someone else's plan the resident was invited to.
    let (_, other) = app.user_with(&["applicant"], Some("resident"), None);
    let shared = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&other),
            json!({"title": "Samen koken"}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let email = app.get("/me", Some(&s.resident)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/plans/{shared}/co-applicants"),
        Some(&other),
        json!({"email": email}),
    )
    .expect(201);
    // The team reads the plan and takes it in review.
    app.get(&format!("/plans/{plan}"), Some(&s.team))
        .expect(200);
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    let mut data = serde_json::Value::Null;
    for _ in 0..100 {
        let r = app.get("/me/data", Some(&s.resident)).expect(200);
        assert!(r
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment"));
        data = r.body;
        if data["processing_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["activity"] == "plan_viewed")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(data["account"]["email"], email.as_str());
    let plans = data["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2, "{data}");
    let own = plans.iter().find(|p| p["id"] == plan.as_str()).unwrap();
    assert_eq!(own["role"], "owner");
    // The status as the resident sees it anywhere (masked once the pre-advice is there).
    let seen = app
        .get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(200);
    assert_eq!(own["status"], seen.body["status"]);
    assert_eq!(own["decision"], serde_json::Value::Null);
    assert_eq!(own["versions"][0]["version"], 1);
    let co = plans.iter().find(|p| p["id"] == shared.as_str()).unwrap();
    assert_eq!(co["role"], "co_applicant");
    assert_eq!(data["messages"][0]["body"], "Wij beginnen in maart.");
    assert!(data["letters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["kind"] == "receipt" && l["text"].as_str().unwrap().contains("Beste")));
    assert!(data["sessions"].is_array());
    let log = data["processing_log"].as_array().unwrap();
    let viewed = log.iter().find(|e| e["activity"] == "plan_viewed").unwrap();
    assert_eq!(viewed["role"], "programme_team");
    assert_eq!(viewed["activity_nl"], "plan bekeken");
    assert!(viewed.get("actor_id").is_none() && viewed.get("actor_name").is_none());
    assert!(log
        .iter()
        .any(|e| e["activity"] == "plan_changed:start_review"));
    assert!(data["grants"].as_array().unwrap().is_empty());
    app.get("/me/data", None).expect(401);
}

#[test]
fn a_pre_advised_plan_shows_in_the_export_as_in_assessment_without_its_advice() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    app.post(
        &format!("/plans/{plan}/pre-advice"),
        Some(&s.team),
        crate::assessment::advice("positive", 10000, [3, 3, 3, 3]),
    )
    .expect(200);
    let data = app.get("/me/data", Some(&s.resident)).expect(200).body;
    let own = &data["plans"][0];
    assert_eq!(own["status"], "in_assessment");
    assert_eq!(own["decision"], serde_json::Value::Null);
    let text = data.to_string();
    assert!(
        !text.contains("pre_advised")
            && !text.contains("Past binnen de kaders")
            && !text.contains("record_pre_advice"),
        "{text}"
    );
}
