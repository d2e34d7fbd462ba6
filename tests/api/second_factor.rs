//! The second factor over the API (issue 31): staff enrol an authenticator app and sign in
//! with its code; without one they may do nothing but enrol; recovery codes; a sign-in link
//! alone does not sign an enrolled account in; the admin's reset of a lost factor.

use planloket::domain::second_factor::StaffMfa;
use serde_json::json;

use crate::helpers::*;
use crate::smtp::SmtpSink;

fn required() -> TestApp {
    spawn_app_with(|s| s.staff_mfa = StaffMfa::Required)
}

fn login_with(app: &TestApp, email: &str, otp: Option<&str>) -> Resp {
    let mut body = json!({"email": email, "password": ADMIN_PASSWORD});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    app.post("/auth/login", None, body)
}

#[test]
fn staff_without_a_second_factor_may_only_enrol_and_then_sign_in_with_its_code() {
    let app = required();
    let first = app.admin_token();
    // Signed in, but nothing besides enrolling.
    let refused = app.get("/users", Some(&first)).expect(403);
    assert_eq!(
        refused.body["type"],
        "urn:planloket:problem:mfa-enrolment-required"
    );
    app.get("/plans", Some(&first)).expect(403);
    app.get("/me", Some(&first)).expect(200);
    let status = app.get("/me/totp", Some(&first)).expect(200);
    assert_eq!(status.body["enabled"], false);

    // A wrong first code names the field and leaves the factor off.
    app.post("/me/totp", Some(&first), json!({})).expect(201);
    let wrong = app
        .post("/me/totp/confirm", Some(&first), json!({"otp": "12345"}))
        .expect(400);
    assert_eq!(wrong.error_fields(), vec!["otp"]);
    app.post("/me/totp/confirm", Some(&first), json!({}))
        .expect(400);
    let (mut phone, recovery) = app.enrol(&first);
    assert_eq!(recovery.len(), 10);
    for c in &recovery {
        let b = c.as_bytes();
        assert!(
            b.len() == 11
                && b[5] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(i, x)| i == 5 || x.is_ascii_lowercase() || x.is_ascii_digit()),
            "{c}"
        );
    }
    let status = app.get("/me/totp", Some(&first)).expect(200);
    assert_eq!(status.body["enabled"], true);
    assert_eq!(status.body["recovery_codes_left"], 10);
    // Enrolling again is refused while it is on.
    app.post("/me/totp", Some(&first), json!({})).expect(409);

    // The password alone does not sign in any more; a wrong code is refused.
    let asked = login_with(&app, ADMIN_EMAIL, None).expect(401);
    assert_eq!(asked.body["type"], "urn:planloket:problem:otp-required");
    let bad = login_with(&app, ADMIN_EMAIL, Some("000000")).expect(401);
    assert_eq!(bad.body["type"], "urn:planloket:problem:otp-invalid");
    // The code signs in, once.
    let code = phone.next_code();
    let r = login_with(&app, ADMIN_EMAIL, Some(&code)).expect(200);
    let token = r.body["access_token"].as_str().unwrap().to_string();
    app.get("/users", Some(&token)).expect(200);
    let again = login_with(&app, ADMIN_EMAIL, Some(&code)).expect(401);
    assert_eq!(again.body["type"], "urn:planloket:problem:otp-invalid");
    // A recovery code takes the code's place, once (typed in capitals too).
    let r = login_with(&app, ADMIN_EMAIL, Some(&recovery[0].to_uppercase())).expect(200);
    app.get("/users", Some(r.body["access_token"].as_str().unwrap()))
        .expect(200);
    login_with(&app, ADMIN_EMAIL, Some(&recovery[0])).expect(401);
    assert_eq!(
        app.get("/me/totp", Some(&token)).expect(200).body["recovery_codes_left"],
        9
    );
    // The token of the first sign-in, without the factor, still may only enrol.
    app.get("/users", Some(&first)).expect(403);
}

#[test]
fn applicants_sign_in_without_a_second_factor_and_may_enrol_one() {
    let app = required();
    app.post(
        "/auth/register",
        None,
        json!({"email": "anna@example.nl", "password": PASSWORD, "name": "Anna", "kind": "resident"}),
    )
    .expect(202);
    let anna = app.login("anna@example.nl", PASSWORD);
    app.get("/plans", Some(&anna)).expect(200);
    let (mut phone, _) = app.enrol(&anna);
    let asked = app
        .post(
            "/auth/login",
            None,
            json!({"email": "anna@example.nl", "password": PASSWORD}),
        )
        .expect(401);
    assert_eq!(asked.body["type"], "urn:planloket:problem:otp-required");
    app.post(
        "/auth/login",
        None,
        json!({"email": "anna@example.nl", "password": PASSWORD, "otp": phone.next_code()}),
    )
    .expect(200);
}

#[test]
fn wrong_codes_count_as_failed_sign_ins() {
    let app = required();
    let first = app.admin_token();
    app.enrol(&first);
    let mut last = 0;
    for _ in 0..10 {
        last = login_with(&app, ADMIN_EMAIL, Some("000000")).status;
        if last == 429 {
            break;
        }
        assert_eq!(last, 401);
    }
    assert_eq!(
        last, 429,
        "guessing codes is throttled like guessing passwords"
    );
}

fn link_token(sink: &SmtpSink, n: usize) -> String {
    let mails = sink.wait_for(n, 10);
    let text = mails[n - 1].decoded();
    text.split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

#[test]
fn a_link_alone_does_not_sign_an_enrolled_account_in_and_the_admin_resets_a_lost_factor() {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(move |s| {
        s.staff_mfa = StaffMfa::Required;
        s.smtp_url = Some(url);
    });
    // The admin enrols first: accounts are made by an admin signed in with a code.
    let admin_first = app.admin_token();
    app.post("/users", Some(&admin_first), json!({}))
        .expect(403);
    let (_, admin) = app.enrolled_admin();
    let team_email = "team@example.nl".to_string();
    let team_id = app
        .post(
            "/users",
            Some(&admin),
            json!({"email": team_email, "name": "Team", "password": PASSWORD, "roles": ["programme_team"]}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let team_first = app.login(&team_email, PASSWORD);
    let (mut phone, _) = app.enrol(&team_first);

    app.post("/auth/magic-link", None, json!({"email": team_email}))
        .expect(202);
    let token = link_token(&sink, 1);
    let asked = app
        .post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(401);
    assert_eq!(asked.body["type"], "urn:planloket:problem:otp-required");
    let bad = app
        .post(
            "/auth/magic-link/redeem",
            None,
            json!({"token": token, "otp": "000000"}),
        )
        .expect(401);
    assert_eq!(bad.body["type"], "urn:planloket:problem:otp-invalid");
    // The link is still good with the code, once.
    let r = app
        .post(
            "/auth/magic-link/redeem",
            None,
            json!({"token": token, "otp": phone.next_code()}),
        )
        .expect(200);
    let team = r.body["access_token"].as_str().unwrap().to_string();
    app.get("/plans", Some(&team)).expect(200);
    app.post(
        "/auth/magic-link/redeem",
        None,
        json!({"token": token, "otp": phone.next_code()}),
    )
    .expect(401);

    // The phone is lost: the admin resets it; not the holder themselves.
    app.send(
        "DELETE",
        &format!("/users/{team_id}/totp"),
        Some(&team),
        None,
        &[],
    )
    .expect(403);
    app.send(
        "DELETE",
        &format!("/users/{team_id}/totp"),
        Some(&admin),
        None,
        &[],
    )
    .expect(204);
    app.send(
        "DELETE",
        &format!("/users/{team_id}/totp"),
        Some(&admin),
        None,
        &[],
    )
    .expect(404);
    // The account's tokens ended; its holder was told.
    app.get("/me", Some(&team)).expect(401);
    let mails = sink.wait_for(2, 10);
    assert_eq!(mails[1].to, vec![team_email.clone()]);
    assert!(
        mails[1].subject().contains("tweestapsverificatie"),
        "{}",
        mails[1].subject()
    );
    // The password signs in again, to enrol anew.
    let again = app.login(&team_email, PASSWORD);
    app.get("/plans", Some(&again)).expect(403);
    app.get("/me/totp", Some(&again)).expect(200);
}

#[test]
fn with_the_policy_off_staff_work_without_a_second_factor() {
    let app = spawn_app();
    let admin = app.admin_token();
    app.get("/users", Some(&admin)).expect(200);
}
