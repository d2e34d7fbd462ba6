//! Co-applicants (issue 32, part 3): the owner invites people by e-mail address; a new
//! address gets an account and a one-time sign-in link, an applicant with an account a mail.
//! Co-applicants read and edit the plan, write in the conversation and add attachments; only
//! the owner submits and withdraws. Versions name who made them; letters go to the owner with
//! a copy to each co-applicant.

use serde_json::json;

use crate::helpers::*;

fn delete(app: &TestApp, path: &str, token: &str) -> Resp {
    app.send("DELETE", path, Some(token), None, &[])
}

/// The outbox's mails to `to`: (kind, subject).
fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    app.get("/outbox?page_size=100", Some(&app.admin_token()))
        .expect(200)
        .body["items"]
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

#[test]
fn an_invited_address_signs_in_edits_and_cannot_submit() {
    let sink = crate::smtp::SmtpSink::start();
    let app = spawn_app_with_smtp(&sink.url());
    let team = app.team_token();
    let round = app.open_round(&team);
    let org = app.organisation("Buurthuis De Vlinder");
    let (_, anna) = app.user_with(&["applicant"], Some("resident"), None);
    let plan = app
        .post(
            &format!("/rounds/{round}/plans"),
            Some(&anna),
            complete_plan(&org),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/plans/{plan}/co-applicants");
    let r = app
        .post(
            &path,
            Some(&anna),
            json!({"email": "Bob.Jansen@Example.nl", "name": "Bob Jansen"}),
        )
        .expect(201);
    assert_eq!(r.body["email"], "bob.jansen@example.nl");
    assert_eq!(r.body["name"], "Bob Jansen");
    let bob_id = r.body["user_id"].as_str().unwrap().to_string();
    assert!(r.body["invited_at"].is_string());
    let mail = sink.wait_for(1, 10).remove(0).decoded();
    assert!(mail.contains("samen het projectplan"), "{mail}");
    let token = mail
        .split("/aanmelden?token=")
        .nth(1)
        .expect("a sign-in link for a new address")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    let bob = app
        .post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Bob sees the draft, in his list too, and may edit it but not submit or delete it.
    let seen = app.get(&format!("/plans/{plan}"), Some(&bob)).expect(200);
    assert_eq!(seen.body["allowed_actions"], json!(["edit"]));
    let listed = app.get("/plans", Some(&bob)).expect(200);
    assert_eq!(listed.body["items"][0]["id"], plan.as_str());
    app.patch(
        &format!("/plans/{plan}"),
        Some(&bob),
        json!({"title": "Huiswerkklas samen met Bob"}),
    )
    .expect(200);
    app.post(&format!("/plans/{plan}/submit"), Some(&bob), json!({}))
        .expect(403);
    delete(&app, &format!("/plans/{plan}"), &bob).expect(403);
    let list = app.get(&path, Some(&bob)).expect(200);
    assert_eq!(list.body["items"][0]["user_id"], bob_id.as_str());
    // The owner submits; the version names who made it.
    app.post(&format!("/plans/{plan}/submit"), Some(&anna), json!({}))
        .expect(200);
    app.post(
        &format!("/plans/{plan}/withdraw"),
        Some(&bob),
        json!({"reason": "Weg"}),
    )
    .expect(403);
    let versions = app
        .get(&format!("/plans/{plan}/versions"), Some(&bob))
        .expect(200);
    let v = &versions.body["items"][0];
    assert_eq!(v["submitted_by"], "Test Gebruiker");
    assert_eq!(v["changed_by"], json!(["Test Gebruiker", "Bob Jansen"]));
    assert_eq!(v["plan"]["title"], "Huiswerkklas samen met Bob");
    let staff = app
        .get(&format!("/plans/{plan}/versions"), Some(&team))
        .expect(200);
    assert_eq!(staff.body["items"][0]["changed_by"], v["changed_by"]);
    // Co-applicants write in the conversation and receive the receipt as a copy.
    app.post(
        &format!("/plans/{plan}/messages"),
        Some(&bob),
        json!({"body": "Ik doe mee met de huiswerkklas."}),
    )
    .expect(201);
    let bob_mails = mails_to(&app, "bob.jansen@example.nl");
    assert!(
        bob_mails.iter().any(|(k, _)| k == "receipt"),
        "{bob_mails:?}"
    );
}

#[test]
fn an_existing_applicant_is_mailed_and_the_rules_of_inviting_hold() {
    let s = setup();
    let app = &s.app;
    let plan = s.draft(complete_plan(&s.org));
    let path = format!("/plans/{plan}/co-applicants");
    let (carla_id, carla) = app.user_with(&["applicant"], Some("partner"), None);
    let carla_email = app.get("/me", Some(&carla)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&path, Some(&s.resident), json!({"email": carla_email}))
        .expect(201);
    let mails = mails_to(app, &carla_email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "co_applicant");
    // Twice: 409; the owner's own address, a bad address, a new address without a name: 422.
    let r = app
        .post(&path, Some(&s.resident), json!({"email": carla_email}))
        .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:conflict");
    let own = app.get("/me", Some(&s.resident)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(&path, Some(&s.resident), json!({"email": own}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email"]);
    let r = app
        .post(&path, Some(&s.resident), json!({"email": "geen-adres"}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email"]);
    let r = app
        .post(
            &path,
            Some(&s.resident),
            json!({"email": "nieuw@example.nl"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["name"]);
    // A staff address files no plans.
    let team_email = app.get("/me", Some(&s.team)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&path, Some(&s.resident), json!({"email": team_email}))
        .expect(400);
    // Only the owner invites; others do not see the plan at all.
    app.post(
        &path,
        Some(&carla),
        json!({"email": "ander@example.nl", "name": "Ander"}),
    )
    .expect(403);
    let (_, other) = app.user_with(&["applicant"], Some("resident"), None);
    app.get(&path, Some(&other)).expect(404);
    app.post(
        &path,
        Some(&other),
        json!({"email": "x@example.nl", "name": "X"}),
    )
    .expect(404);
    app.get(&path, None).expect(401);
    // Another applicant may not take Carla off; Carla steps out and no longer sees the plan.
    delete(app, &format!("{path}/{carla_id}"), &other).expect(404);
    delete(app, &format!("{path}/nobody"), &s.resident).expect(404);
    delete(app, &format!("{path}/{carla_id}"), &carla).expect(204);
    app.get(&format!("/plans/{plan}"), Some(&carla)).expect(404);
    // The owner invites her again and takes her off.
    app.post(&path, Some(&s.resident), json!({"email": carla_email}))
        .expect(201);
    delete(app, &format!("{path}/{carla_id}"), &s.resident).expect(204);
    assert_eq!(
        app.get(&path, Some(&s.resident)).expect(200).body["items"],
        json!([])
    );
}

#[test]
fn the_team_sees_co_applicants_and_letters_copy_them() {
    let s = setup();
    let app = &s.app;
    let plan = s.draft(complete_plan(&s.org));
    let path = format!("/plans/{plan}/co-applicants");
    app.post(
        &path,
        Some(&s.resident),
        json!({"email": "dirk@example.nl", "name": "Dirk de Boer"}),
    )
    .expect(201);
    // A draft is not the team's to see.
    app.get(&path, Some(&s.team)).expect(404);
    app.post(
        &format!("/plans/{plan}/submit"),
        Some(&s.resident),
        json!({}),
    )
    .expect(200);
    let list = app.get(&path, Some(&s.team)).expect(200);
    assert_eq!(list.body["items"][0]["name"], "Dirk de Boer");
    // The team's question goes to the owner and, as a copy, to Dirk.
    app.post(
        &format!("/plans/{plan}/start-review"),
        Some(&s.team),
        json!({}),
    )
    .expect(200);
    app.post(
        &format!("/plans/{plan}/request-info"),
        Some(&s.team),
        json!({"message": "Wie leidt de huiswerkklas?"}),
    )
    .expect(200);
    let dirk = mails_to(app, "dirk@example.nl");
    let kinds: Vec<&str> = dirk.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.contains(&"question"), "{kinds:?}");
    // The board does not invite.
    let (_, board) = app.user_with(&["board_member"], None, None);
    app.post(
        &path,
        Some(&board),
        json!({"email": "y@example.nl", "name": "Y"}),
    )
    .expect(403);
}
