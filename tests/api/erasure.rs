//! Erasure of one's own account (issue 33): with only drafts the account goes and the address
//! can register again; while a plan is assessed it is refused, saying why and what to do;
//! after the decision the account is closed and a letter says what is kept until when.

use serde_json::json;

use crate::helpers::*;

fn erase(app: &TestApp, token: &str, password: &str) -> Resp {
    let body = json!({ "password": password }).to_string();
    app.send(
        "DELETE",
        "/me",
        Some(token),
        Some(("application/json", body.as_bytes())),
        &[],
    )
}

#[test]
fn an_account_with_only_drafts_is_erased_and_the_address_can_register_again() {
    let s = setup();
    let app = &s.app;
    app.post(
        "/auth/register",
        None,
        json!({"email": "weg@example.nl", "password": PASSWORD, "name": "Wim Weg", "kind": "resident"}),
    )
    .expect(202);
    let token = app.login("weg@example.nl", PASSWORD);
    let draft = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&token),
            json!({"title": "Een idee"}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A wrong password is named; nothing changes.
    let wrong = erase(app, &token, "niet-mijn-wachtwoord").expect(400);
    assert_eq!(wrong.error_fields(), vec!["password"]);
    app.get(&format!("/plans/{draft}"), Some(&token))
        .expect(200);
    let done = erase(app, &token, PASSWORD).expect(200);
    assert_eq!(done.body["outcome"], "erased");
    app.get("/me", Some(&token)).expect(401);
    app.post(
        "/auth/login",
        None,
        json!({"email": "weg@example.nl", "password": PASSWORD}),
    )
    .expect(401);
    // The draft went with it; the address is free again.
    app.get(&format!("/plans/{draft}"), Some(&s.team))
        .expect(404);
    app.post(
        "/auth/register",
        None,
        json!({"email": "weg@example.nl", "password": PASSWORD, "name": "Wim Weg", "kind": "resident"}),
    )
    .expect(202);
    app.login("weg@example.nl", PASSWORD);
}

#[test]
fn a_plan_in_assessment_refuses_and_after_withdrawing_the_account_is_closed_with_a_letter() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    let refused = erase(app, &s.resident, PASSWORD).expect(409);
    assert_eq!(refused.body["type"], "urn:planloket:problem:conflict");
    let nl = refused.body["detail_nl"].as_str().unwrap();
    assert!(nl.contains("Trek het plan eerst in"), "{nl}");
    app.get("/me", Some(&s.resident)).expect(200);
    app.post(
        &format!("/plans/{plan}/withdraw"),
        Some(&s.resident),
        json!({"reason": "We stoppen ermee."}),
    )
    .expect(200);
    let email = app.get("/me", Some(&s.resident)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let done = erase(app, &s.resident, PASSWORD).expect(200);
    assert_eq!(done.body["outcome"], "closed");
    app.get("/me", Some(&s.resident)).expect(401);
    app.post(
        "/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .expect(401);
    // The file stays for the team; the letter says what is kept.
    app.get(&format!("/plans/{plan}"), Some(&s.team))
        .expect(200);
    let mails = app
        .get("/outbox?page_size=100", Some(&app.admin_token()))
        .expect(200);
    let letter = mails.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "account_closed")
        .expect("a letter of the closing");
    assert_eq!(letter["to"], email.as_str());
    // The address stays with the closed account (its file names it): no new account.
    app.post(
        "/auth/register",
        None,
        json!({"email": email, "password": PASSWORD, "name": "Opnieuw", "kind": "resident"}),
    )
    .expect(202);
    app.post(
        "/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .expect(401);
}

#[test]
fn staff_accounts_are_closed_by_the_admin() {
    let s = setup();
    let r = erase(&s.app, &s.team, PASSWORD).expect(409);
    assert!(r.body["detail_nl"].as_str().unwrap().contains("beheerder"));
}
