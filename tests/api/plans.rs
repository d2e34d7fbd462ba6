//! The applicant's side: file, edit, submit, withdraw, read, list.

use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::*;

#[test]
fn a_resident_files_a_draft_edits_and_submits_it() {
    let s = setup();
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            complete_plan(&s.org),
        )
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location").unwrap(), format!("/api/v1/plans/{id}"));
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["applicant_kind"], "resident");
    assert_eq!(r.body["owner_id"], s.resident_id.as_str());
    assert_eq!(
        r.body["allowed_actions"],
        json!(["edit", "delete", "submit"])
    );
    assert_eq!(r.body["budget_line"], "JJO");
    assert_eq!(r.body["lead_partner"], json!({"organisation_id": s.org}));
    assert_eq!(r.body["partners"], json!([{"name": "Bibliotheek Noord"}]));

    let r = s
        .app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"title": "Huiswerkklas Noord", "expected_reach": null}),
        )
        .expect(200);
    assert_eq!(r.body["title"], "Huiswerkklas Noord");
    assert!(r.body["expected_reach"].is_null());
    assert_eq!(r.body["requested_eur"], 12500, "fields left out stay");
    assert_eq!(r.header("etag"), Some("\"2\""));

    let r = s
        .app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
    assert_eq!(r.body["status"], "submitted");
    assert!(r.body["submitted_at"].is_string());
    assert_eq!(r.body["allowed_actions"], json!(["withdraw"]));

    let events = s
        .app
        .get(&format!("/plans/{id}/events"), Some(&s.resident))
        .expect(200);
    let items = events.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["from"], "draft");
    assert_eq!(items[0]["to"], "submitted");
    assert_eq!(items[0]["actor_id"], s.resident_id.as_str());
    assert!(items[0]["at"].is_string());

    let versions = s
        .app
        .get(&format!("/plans/{id}/versions"), Some(&s.resident))
        .expect(200);
    let items = versions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(items[0]["plan"]["title"], "Huiswerkklas Noord");
    assert_eq!(items[0]["plan"]["budget_line"], "JJO");
}

#[test]
fn a_submitted_plan_can_no_longer_be_edited_or_deleted() {
    let s = setup();
    let id = s.submitted();
    let r = s
        .app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"title": "Anders"}),
        )
        .expect(409);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("submitted") && detail.contains("withdraw"),
        "{detail}"
    );
    s.app
        .send(
            "DELETE",
            &format!("/plans/{id}"),
            Some(&s.resident),
            None,
            &[],
        )
        .expect(409);
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(409);
}

#[test]
fn a_draft_is_deleted_by_its_owner() {
    let s = setup();
    let id = s.draft(json!({"title": "Kladje"}));
    let r = s.app.send(
        "DELETE",
        &format!("/plans/{id}"),
        Some(&s.resident),
        None,
        &[],
    );
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    s.app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(404);
}

#[test]
fn another_applicants_plan_is_not_found_on_every_route() {
    let s = setup();
    let draft = s.draft(complete_plan(&s.org));
    let submitted = s.submitted();
    let (_, other) = s.app.user_with(&["applicant"], Some("partner"), None);
    for id in [&draft, &submitted] {
        s.app.get(&format!("/plans/{id}"), Some(&other)).expect(404);
        s.app
            .patch(
                &format!("/plans/{id}"),
                Some(&other),
                json!({"title": "Van mij"}),
            )
            .expect(404);
        s.app
            .send("DELETE", &format!("/plans/{id}"), Some(&other), None, &[])
            .expect(404);
        s.app
            .post(&format!("/plans/{id}/submit"), Some(&other), json!({}))
            .expect(404);
        s.app
            .post(
                &format!("/plans/{id}/withdraw"),
                Some(&other),
                json!({"reason": "x"}),
            )
            .expect(404);
        s.app
            .get(&format!("/plans/{id}/events"), Some(&other))
            .expect(404);
        s.app
            .get(&format!("/plans/{id}/versions"), Some(&other))
            .expect(404);
    }
    let list = s.app.get("/plans", Some(&other)).expect(200);
    assert_eq!(list.body["total"], 0);
    // Nothing changed for the owner.
    assert_eq!(
        s.app
            .get(&format!("/plans/{draft}"), Some(&s.resident))
            .expect(200)
            .body["version"],
        1
    );
}

#[test]
fn drafts_are_visible_to_their_owner_only() {
    let s = setup();
    let draft = s.draft(complete_plan(&s.org));
    let (_, member) = s.app.user_with(&["board_member"], None, None);
    for t in [&s.team, &member] {
        s.app.get(&format!("/plans/{draft}"), Some(t)).expect(404);
        assert_eq!(s.app.get("/plans", Some(t)).expect(200).body["total"], 0);
    }
    let submitted = s.submitted();
    let r = s
        .app
        .get(&format!("/plans/{submitted}"), Some(&member))
        .expect(200);
    assert_eq!(r.body["status"], "submitted");
    // A board member may declare a conflict of interest on a plan before the board
    // decides; nothing else.
    assert_eq!(r.body["allowed_actions"], json!(["declare_conflict"]));
    // Seeing a plan is not acting on it: a board member may not submit or withdraw it.
    s.app
        .post(
            &format!("/plans/{submitted}/withdraw"),
            Some(&member),
            json!({"reason": "x"}),
        )
        .expect(403);
    let (_, admin_only) = s.app.user_with(&["admin"], None, None);
    s.app
        .get(&format!("/plans/{submitted}"), Some(&admin_only))
        .expect(404);
}

#[test]
fn a_stale_etag_is_refused_with_412_and_nothing_changes() {
    let s = setup();
    let id = s.draft(complete_plan(&s.org));
    let bytes = serde_json::to_vec(&json!({"title": "Eerste"})).unwrap();
    let r = s
        .app
        .send(
            "PATCH",
            &format!("/plans/{id}"),
            Some(&s.resident),
            Some(("application/json", &bytes)),
            &[("If-Match", "\"1\"")],
        )
        .expect(200);
    assert_eq!(r.header("etag"), Some("\"2\""));
    let bytes = serde_json::to_vec(&json!({"title": "Tweede"})).unwrap();
    let r = s
        .app
        .send(
            "PATCH",
            &format!("/plans/{id}"),
            Some(&s.resident),
            Some(("application/json", &bytes)),
            &[("If-Match", "\"1\"")],
        )
        .expect(412);
    assert_eq!(r.body["type"], "urn:planloket:problem:stale-version");
    assert_eq!(r.body["current_version"], 2);
    // A weak tag names the same version; an If-Match that cannot be read matches nothing.
    for (tag, status) in [("W/\"1\"", 412), ("1", 412), ("\"7\", \"1\"", 412)] {
        s.app
            .send(
                "PATCH",
                &format!("/plans/{id}"),
                Some(&s.resident),
                Some(("application/json", &bytes)),
                &[("If-Match", tag)],
            )
            .expect(status);
    }
    let r = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(r.body["title"], "Eerste");
    assert_eq!(r.header("etag"), Some("\"2\""));
    s.app
        .send(
            "DELETE",
            &format!("/plans/{id}"),
            Some(&s.resident),
            None,
            &[("If-Match", "\"1\"")],
        )
        .expect(412);
    s.app
        .send(
            "PATCH",
            &format!("/plans/{id}"),
            Some(&s.resident),
            Some(("application/merge-patch+json", &bytes)),
            &[("If-Match", "*")],
        )
        .expect(200);
}

#[test]
fn a_residents_plan_needs_a_payee_to_be_submitted() {
    let s = setup();
    let mut body = complete_plan(&s.org);
    body.as_object_mut().unwrap().remove("payee_id");
    let id = s.draft(body);
    let r = s
        .app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["payee_id"]);
    assert!(r.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("never paid directly"));
    assert_eq!(
        s.app
            .get(&format!("/plans/{id}"), Some(&s.resident))
            .expect(200)
            .body["status"],
        "draft"
    );

    // A partner's plan needs no separate payee.
    let (_, partner) = s
        .app
        .user_with(&["applicant"], Some("partner"), Some(&s.org));
    let mut body = complete_plan(&s.org);
    body.as_object_mut().unwrap().remove("payee_id");
    let r = s
        .app
        .post(&format!("/rounds/{}/plans", s.round), Some(&partner), body)
        .expect(201);
    assert_eq!(r.body["applicant_kind"], "partner");
    let id = r.body["id"].as_str().unwrap();
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&partner), json!({}))
        .expect(200);
}

#[test]
fn the_budget_line_follows_goals_of_one_theme_and_is_asked_when_they_span_several() {
    let s = setup();
    let mut body = complete_plan(&s.org);
    body.as_object_mut().unwrap().remove("budget_line");
    // R and M are goals of one theme: it pays.
    body["goals"] = json!(["R", "M"]);
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            body.clone(),
        )
        .expect(201);
    assert_eq!(r.body["budget_line"], "FVW");
    // R and B span two themes: no theme is taken from the alphabet, the plan must name one.
    body["goals"] = json!(["R", "B"]);
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            body.clone(),
        )
        .expect(201);
    assert_eq!(r.body["budget_line"], Value::Null);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = s
        .app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["budget_line"]);
    assert!(
        r.body["errors"][0]["message_nl"]
            .as_str()
            .unwrap_or_default()
            .contains("meer dan één opgave"),
        "{}",
        r.text
    );
    let r = s
        .app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"budget_line": "FZT"}),
        )
        .expect(200);
    assert_eq!(r.body["budget_line"], "FZT");
    let r = s
        .app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"budget_line": "XXX"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["budget_line"]);
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
}

#[test]
fn an_unknown_goal_code_is_named_with_the_codes_that_exist() {
    let s = setup();
    let mut body = complete_plan(&s.org);
    body["goals"] = json!(["B", "Z"]);
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            body,
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["goals[1]"]);
    let msg = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("'Z'") && msg.contains("A, B, C, D, E"),
        "{msg}"
    );
}

#[test]
fn every_submission_rule_is_reported_at_once() {
    let s = setup();
    let id = s.draft(json!({"title": "Alleen een titel", "start_year": 2024, "end_year": 2027}));
    let r = s
        .app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec![
            "description",
            "goals",
            "requested_eur",
            "start_year",
            "end_year",
            "payee_id"
        ]
    );
}

#[test]
fn bad_values_are_refused_when_saved_naming_each_field() {
    let s = setup();
    let body = json!({"title": "", "requested_eur": -1, "other_funding": [{"source": "", "amount_eur": -5}], "partners": [{"organisation_id": "nope"}], "payee_id": "nope"});
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            body,
        )
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec![
            "title",
            "partners[0]",
            "payee_id",
            "requested_eur",
            "other_funding[0].source",
            "other_funding[0].amount_eur"
        ]
    );
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            json!({"title": "x", "requested_eur": "veel"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["requested_eur"]);
}

#[test]
fn applicants_cannot_set_status_or_assessment_fields() {
    let s = setup();
    for field in [
        "status",
        "granted_eur",
        "pre_advice",
        "decision",
        "version",
        "owner_id",
    ] {
        let mut body = complete_plan(&s.org);
        body[field] = json!("approved");
        let r = s
            .app
            .post(
                &format!("/rounds/{}/plans", s.round),
                Some(&s.resident),
                body,
            )
            .expect(400);
        assert_eq!(r.error_fields(), vec![field.to_string()]);
    }
    let id = s.draft(complete_plan(&s.org));
    let r = s
        .app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"status": "submitted"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["status"]);
    assert_eq!(
        s.app
            .get(&format!("/plans/{id}"), Some(&s.resident))
            .expect(200)
            .body["status"],
        "draft"
    );
}

#[test]
fn only_applicants_file_plans_and_only_in_a_known_round() {
    let s = setup();
    s.app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.team),
            complete_plan(&s.org),
        )
        .expect(403);
    s.app
        .post(
            "/rounds/00000000-0000-7000-8000-000000000000/plans",
            Some(&s.resident),
            complete_plan(&s.org),
        )
        .expect(404);
    s.app
        .post(
            &format!("/rounds/{}/plans", s.round),
            None,
            complete_plan(&s.org),
        )
        .expect(401);
}

#[test]
fn submission_after_the_deadline_is_409() {
    let s = setup();
    let id = s.draft(complete_plan(&s.org));
    let now = Utc::now();
    s.app
        .patch(&format!("/rounds/{}", s.round), Some(&s.team), json!({"opens_at": (now - Duration::hours(2)).to_rfc3339(), "closes_at": (now - Duration::hours(1)).to_rfc3339()}))
        .expect(200);
    let r = s
        .app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(409);
    assert!(
        r.body["detail"].as_str().unwrap().contains("closed"),
        "{}",
        r.text
    );
    assert_eq!(
        s.app
            .get(&format!("/plans/{id}"), Some(&s.resident))
            .expect(200)
            .body["status"],
        "draft"
    );
    // And no new drafts either.
    s.app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            complete_plan(&s.org),
        )
        .expect(409);
}

#[test]
fn a_plan_is_withdrawn_with_a_reason() {
    let s = setup();
    let id = s.submitted();
    let r = s
        .app
        .post(
            &format!("/plans/{id}/withdraw"),
            Some(&s.resident),
            json!({}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["reason"]);
    let r = s
        .app
        .post(
            &format!("/plans/{id}/withdraw"),
            Some(&s.resident),
            json!({"reason": "Geen vrijwilligers gevonden"}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "withdrawn");
    assert_eq!(r.body["allowed_actions"], json!([]));
    let events = s
        .app
        .get(&format!("/plans/{id}/events"), Some(&s.resident))
        .expect(200);
    let last = events.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str()),
        (Some("submitted"), Some("withdrawn"))
    );
    assert_eq!(last["reason"], "Geen vrijwilligers gevonden");
    let r = s
        .app
        .post(
            &format!("/plans/{id}/withdraw"),
            Some(&s.resident),
            json!({"reason": "nog eens"}),
        )
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("final"));
}

#[test]
fn eight_simultaneous_submits_of_one_draft_make_one_transition() {
    let s = setup();
    let id = s.draft(complete_plan(&s.org));
    let app = Arc::new(s.app);
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (app, barrier, id, token) =
                (app.clone(), barrier.clone(), id.clone(), s.resident.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(&format!("/plans/{id}/submit"), Some(&token), json!({}))
                    .status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![200, 409, 409, 409, 409, 409, 409, 409]);
    let events = app
        .get(&format!("/plans/{id}/events"), Some(&s.resident))
        .expect(200);
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
    let versions = app
        .get(&format!("/plans/{id}/versions"), Some(&s.resident))
        .expect(200);
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_submitted_plan_gets_a_reference_people_can_quote_and_find() {
    let s = setup();
    let first = s.draft(complete_plan(&s.org));
    let draft = s
        .app
        .get(&format!("/plans/{first}"), Some(&s.resident))
        .expect(200);
    assert_eq!(draft.body["reference"], Value::Null, "a draft has none");
    let r = s
        .app
        .post(
            &format!("/plans/{first}/submit"),
            Some(&s.resident),
            json!({}),
        )
        .expect(200);
    assert_eq!(r.body["reference"], "SVN-2025-0001");
    // The next plan of the round gets the next number; a second round of the same programme
    // and year counts on, so no reference is given twice.
    let second = s.submitted();
    let other_round = s.app.open_round(&s.team);
    let mut elsewhere = complete_plan(&s.org);
    elsewhere["title"] = json!("Taalcafé");
    let third = s
        .app
        .post(
            &format!("/rounds/{other_round}/plans"),
            Some(&s.resident),
            elsewhere,
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.app
        .post(
            &format!("/plans/{third}/submit"),
            Some(&s.resident),
            json!({}),
        )
        .expect(200);
    let reference = |id: &str| {
        s.app
            .get(&format!("/plans/{id}"), Some(&s.team))
            .expect(200)
            .body["reference"]
            .clone()
    };
    assert_eq!(reference(&second), "SVN-2025-0002");
    assert_eq!(reference(&third), "SVN-2025-0003");
    // Found by it, as the letter quotes it, in any case.
    let found = s
        .app
        .get("/plans?q=svn-2025-0002", Some(&s.team))
        .expect(200);
    assert_eq!(found.body["total"], 1);
    assert_eq!(found.body["items"][0]["id"], json!(second));
}
