//! Rounds with the real 2025-2026 catalog.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::helpers::*;

#[test]
fn the_team_opens_the_real_round_and_anyone_can_read_it() {
    let app = spawn_app();
    let team = app.team_token();
    let now = Utc::now();
    let r = app
        .post(
            "/rounds",
            Some(&team),
            programme_round(now - Duration::hours(1), now + Duration::days(30)),
        )
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v1/rounds/{id}")
    );
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["themes"][0]["code"], "JJO");
    assert_eq!(r.body["themes"][0]["budget_eur"], 146000);
    assert_eq!(r.body["themes"][2]["goals"].as_array().unwrap().len(), 8);
    assert_eq!(r.body["criteria"].as_array().unwrap().len(), 4);
    assert_eq!(r.body["conditions"].as_array().unwrap().len(), 5);

    let one = app.get(&format!("/rounds/{id}"), None).expect(200);
    assert_eq!(one.body, r.body);
    let list = app.get("/rounds", None).expect(200);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
}

#[test]
fn every_broken_rule_of_a_round_is_reported_at_once() {
    let app = spawn_app();
    let now = Utc::now();
    let mut round = programme_round(now, now - Duration::days(1));
    round["themes"][0]["budget_eur"] = json!(-1);
    round["themes"][1]["goals"][0]["code"] = json!("A");
    round["criteria"][0]["scale_max"] = json!(11);
    round["criteria"][1]["scale_max"] = json!(0);
    round["start_year"] = json!(2027);
    let r = app
        .post("/rounds", Some(&app.team_token()), round)
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec![
            "end_year",
            "closes_at",
            "themes[0].budget_eur",
            "themes[1].goals[0].code",
            "criteria[0].scale_max",
            "criteria[1].scale_max"
        ]
    );
    let goal = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "themes[1].goals[0].code")
        .unwrap();
    assert!(goal["message"].as_str().unwrap().contains("'A'"));
}

#[test]
fn a_round_changes_in_part_and_is_checked_whole() {
    let app = spawn_app();
    let team = app.team_token();
    let id = app.open_round(&team);
    let r = app
        .patch(
            &format!("/rounds/{id}"),
            Some(&team),
            json!({"name": "Ronde 2"}),
        )
        .expect(200);
    assert_eq!(r.body["name"], "Ronde 2");
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["themes"].as_array().unwrap().len(), 3);

    let later = Utc::now() + Duration::days(10);
    let r = app
        .patch(
            &format!("/rounds/{id}"),
            Some(&team),
            json!({"opens_at": later.to_rfc3339()}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "upcoming");

    // Closing before it opens breaks a rule of the whole round.
    let r = app
        .patch(
            &format!("/rounds/{id}"),
            Some(&team),
            json!({"closes_at": Utc::now().to_rfc3339()}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["closes_at"]);
    let r = app
        .patch(
            &format!("/rounds/{id}"),
            Some(&team),
            json!({"status": "closed"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["status"]);
    assert_eq!(
        app.get(&format!("/rounds/{id}"), None).expect(200).body["version"],
        3
    );
}

#[test]
fn rounds_are_managed_by_the_programme_team_only() {
    let app = spawn_app();
    let team = app.team_token();
    let id = app.open_round(&team);
    let now = Utc::now();
    for roles in [["admin"], ["board_chair"], ["board_member"]] {
        let (_, t) = app.user_with(&roles, None, None);
        app.post(
            "/rounds",
            Some(&t),
            programme_round(now, now + Duration::days(1)),
        )
        .expect(403);
        app.patch(&format!("/rounds/{id}"), Some(&t), json!({"name": "X"}))
            .expect(403);
    }
    app.post(
        "/rounds",
        None,
        programme_round(now, now + Duration::days(1)),
    )
    .expect(401);
}

#[test]
fn an_unknown_round_is_404() {
    let app = spawn_app();
    app.get("/rounds/00000000-0000-7000-8000-000000000000", None)
        .expect(404);
    app.patch(
        "/rounds/00000000-0000-7000-8000-000000000000",
        Some(&app.team_token()),
        json!({"name": "X"}),
    )
    .expect(404);
}

#[test]
fn a_theme_carries_the_frames_texts() {
    let app = spawn_app();
    let team = app.team_token();
    let now = Utc::now();
    let mut body = programme_round(now - Duration::hours(1), now + Duration::days(30));
    body["themes"][0]["ambition"] = json!("Alle kinderen groeien kansrijk op.");
    body["themes"][0]["current_offer"] = json!("Huiswerkbegeleiding in twee buurthuizen.");
    let r = app.post("/rounds", Some(&team), body.clone()).expect(201);
    assert_eq!(
        r.body["themes"][0]["ambition"],
        "Alle kinderen groeien kansrijk op."
    );
    assert_eq!(
        r.body["themes"][0]["current_offer"],
        "Huiswerkbegeleiding in twee buurthuizen."
    );
    // Not given: empty.
    assert_eq!(r.body["themes"][0]["intended_results"], "");
    assert_eq!(r.body["themes"][1]["ambition"], "");
    // Too long: named, and nothing is stored.
    body["themes"][1]["intended_results"] = json!("x".repeat(20_001));
    let bad = app.post("/rounds", Some(&team), body).expect(400);
    assert!(
        bad.error_fields()
            .contains(&"themes[1].intended_results".to_string()),
        "{}",
        bad.text
    );
    let all = app.get("/rounds", None).expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_round_chooses_the_prefix_of_its_references() {
    let s = setup();
    let path = format!("/rounds/{}", s.round);
    let round = s.app.get(&path, Some(&s.team)).expect(200);
    assert_eq!(
        round.body["reference_prefix"], "SVN",
        "the programme's initials"
    );
    let r = s
        .app
        .patch(&path, Some(&s.team), json!({"reference_prefix": "B"}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["reference_prefix"]);
    s.app
        .patch(
            &path,
            Some(&s.resident),
            json!({"reference_prefix": "BUURT"}),
        )
        .expect(403);
    let r = s
        .app
        .patch(&path, Some(&s.team), json!({"reference_prefix": "buurt"}))
        .expect(200);
    assert_eq!(r.body["reference_prefix"], "BUURT");
    let id = s.submitted();
    assert_eq!(s.app.reference_of(&s.team, &id), "BUURT-2025-0001");
    // Back to the programme's initials: their count is its own.
    s.app
        .patch(&path, Some(&s.team), json!({"reference_prefix": ""}))
        .expect(200);
    let next = s.submitted();
    assert_eq!(s.app.reference_of(&s.team, &next), "SVN-2025-0001");
}
