//! Registration, sign-in, `/me` and the admin's user management.

use serde_json::json;

use crate::helpers::*;

#[test]
fn a_resident_registers_signs_in_and_sees_themselves() {
    let app = spawn_app();
    let r = app
        .post("/auth/register", None, json!({"email": "Anna@Example.NL", "password": PASSWORD, "name": "Anna de Vries", "kind": "resident"}))
        .expect(202);
    assert!(r.body["detail"].is_string());
    assert!(!r.text.contains("argon2") && r.body.get("id").is_none());

    let login = app
        .post(
            "/auth/login",
            None,
            json!({"email": "anna@example.nl", "password": PASSWORD}),
        )
        .expect(200);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 3600);
    let token = login.body["access_token"].as_str().unwrap();
    let me = app.get("/me", Some(token)).expect(200);
    assert_eq!(me.body["name"], "Anna de Vries");
    assert_eq!(me.body["email"], "anna@example.nl");
    assert_eq!(me.body["roles"], json!(["applicant"]));
    assert_eq!(me.body["kind"], "resident");
    assert!(me.body.get("password_hash").is_none() && !me.text.contains("argon2"));
}

#[test]
fn a_partner_registers_with_their_organisation() {
    let app = spawn_app();
    let org = app.organisation("Bibliotheek Noord");
    app.post("/auth/register", None, json!({"email": "p@bieb.nl", "password": PASSWORD, "name": "Piet", "kind": "partner", "organisation_id": org}))
        .expect(202);
    let piet = app.login("p@bieb.nl", PASSWORD);
    let me = app.get("/me", Some(&piet)).expect(200);
    assert_eq!(me.body["organisation_id"], org.as_str());
    // The claim is pending until the programme team confirms it.
    let team = app.team_token();
    let members = app
        .get(&format!("/organisations/{org}/members"), Some(&team))
        .expect(200);
    assert_eq!(members.body["items"][0]["email"], "p@bieb.nl");
    assert_eq!(members.body["items"][0]["organisation_confirmed"], false);
    app.get(&format!("/organisations/{org}/members"), Some(&piet))
        .expect(403);
    let id = me.body["id"].as_str().unwrap();
    app.post(
        &format!("/organisations/{org}/members"),
        Some(&piet),
        json!({"user_id": id}),
    )
    .expect(403);
    let r = app
        .post(
            &format!("/organisations/{org}/members"),
            Some(&team),
            json!({"user_id": id}),
        )
        .expect(200);
    assert_eq!(r.body["organisation_confirmed"], true);
    // Someone who never claimed it: the body names no claim.
    let r = app
        .post(
            &format!("/organisations/{org}/members"),
            Some(&team),
            json!({"user_id": "nobody"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["user_id"]);
    let r = app
        .post("/auth/register", None, json!({"email": "q@bieb.nl", "password": PASSWORD, "name": "Q", "kind": "partner", "organisation_id": "nope"}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["organisation_id"]);
}

#[test]
fn registration_reports_every_bad_field_at_once() {
    let app = spawn_app();
    let r = app
        .post(
            "/auth/register",
            None,
            json!({"email": "not-an-address", "password": "short", "name": " ", "kind": "mayor"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email", "password", "name", "kind"]);
    let r = app.post("/auth/register", None, json!({})).expect(400);
    assert_eq!(r.error_fields(), vec!["email", "password", "name", "kind"]);
}

#[test]
fn an_applicant_cannot_register_with_a_role() {
    let app = spawn_app();
    let r = app
        .post("/auth/register", None, json!({"email": "x@y.nl", "password": PASSWORD, "name": "X", "kind": "resident", "roles": ["admin"]}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["roles"]);
}

#[test]
fn registering_an_address_that_has_an_account_says_nothing_and_changes_nothing() {
    let app = spawn_app();
    let body = json!({"email": "anna@example.nl", "password": PASSWORD, "name": "Anna", "kind": "resident"});
    let first = app.post("/auth/register", None, body.clone()).expect(202);
    let mut again = body;
    again["email"] = json!("ANNA@example.nl");
    again["password"] = json!("een-ander-wachtwoord-7");
    let second = app.post("/auth/register", None, again).expect(202);
    assert_eq!(first.body, second.body, "the same answer");
    app.login("anna@example.nl", PASSWORD);
    app.post(
        "/auth/login",
        None,
        json!({"email": "anna@example.nl", "password": "een-ander-wachtwoord-7"}),
    )
    .expect(401);
}

#[test]
fn common_passwords_are_refused() {
    let app = spawn_app();
    for common in ["1234567890", "password12", "          "] {
        let r = app
            .post("/auth/register", None, json!({"email": "c@example.nl", "password": common, "name": "C", "kind": "resident"}))
            .expect(400);
        assert_eq!(r.error_fields(), vec!["password"], "{common:?}");
    }
    let admin = app.admin_token();
    let r = app
        .post("/users", Some(&admin), json!({"email": "d@example.nl", "name": "D", "password": "wachtwoord", "roles": ["programme_team"]}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["password"]);
}

#[test]
fn wrong_credentials_are_401_without_saying_which_part_is_wrong() {
    let app = spawn_app();
    let a = app
        .post(
            "/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": "wrong-password"}),
        )
        .expect(401);
    let b = app
        .post(
            "/auth/login",
            None,
            json!({"email": "nobody@planloket.test", "password": "wrong-password"}),
        )
        .expect(401);
    assert_eq!(a.body["detail"], b.body["detail"]);
    let r = app
        .post("/auth/login", None, json!({"email": ""}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email", "password"]);
}

#[test]
fn the_bootstrap_admin_manages_users() {
    let app = spawn_app();
    let admin = app.admin_token();
    let org = app.organisation("Welzijn Noord");
    let r = app
        .post("/users", Some(&admin), json!({"email": "lid@bestuur.nl", "name": "Bestuurslid", "password": PASSWORD, "roles": ["board_member"], "organisation_id": org}))
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["roles"], json!(["board_member"]));

    let list = app.get("/users", Some(&admin)).expect(200);
    let emails: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect();
    assert!(
        emails.contains(&ADMIN_EMAIL.to_string()) && emails.contains(&"lid@bestuur.nl".to_string())
    );

    let r = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"roles": ["board_member", "board_chair"], "name": "Voorzitter"}),
        )
        .expect(200);
    assert_eq!(r.body["roles"], json!(["board_member", "board_chair"]));
    assert_eq!(r.body["name"], "Voorzitter");
    assert_eq!(r.body["organisation_id"], org.as_str());
    let r = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"organisation_id": null}),
        )
        .expect(200);
    assert!(r.body["organisation_id"].is_null());

    app.patch(
        "/users/00000000-0000-7000-8000-000000000000",
        Some(&admin),
        json!({"name": "X"}),
    )
    .expect(404);
    let r = app
        .post(
            "/users",
            Some(&admin),
            json!({"email": "x", "roles": ["king"]}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email", "name", "roles"]);
    let r = app
        .post(
            "/users",
            Some(&admin),
            json!({"email": "a@b.nl", "name": "A", "roles": ["applicant"]}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["kind"]);
    app.post(
        "/users",
        Some(&admin),
        json!({"email": "lid@bestuur.nl", "name": "Dubbel", "roles": ["admin"]}),
    )
    .expect(409);
}

#[test]
fn only_admins_manage_users() {
    let app = spawn_app();
    for roles in [
        vec!["applicant"],
        vec!["programme_team"],
        vec!["board_chair"],
    ] {
        let kind = if roles[0] == "applicant" {
            Some("resident")
        } else {
            None
        };
        let (_, token) = app.user_with(&roles, kind, None);
        app.get("/users", Some(&token)).expect(403);
        app.post(
            "/users",
            Some(&token),
            json!({"email": "a@b.nl", "name": "A", "roles": ["admin"]}),
        )
        .expect(403);
        app.patch("/users/x", Some(&token), json!({"roles": ["admin"]}))
            .expect(403);
    }
    app.get("/users", None).expect(401);
}

#[test]
fn roles_are_read_on_every_request_so_a_removed_role_stops_at_once() {
    let app = spawn_app();
    let admin = app.admin_token();
    let (id, team) = app.user_with(&["programme_team"], None, None);
    app.post(
        "/organisations",
        Some(&team),
        json!({"name": "School A", "kind": "school"}),
    )
    .expect(201);
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        json!({"roles": ["board_member"]}),
    )
    .expect(200);
    // A role change ends the tokens issued before it: the old one is refused outright.
    app.post(
        "/organisations",
        Some(&team),
        json!({"name": "School B", "kind": "school"}),
    )
    .expect(401);
}

#[test]
fn a_deactivated_user_can_neither_sign_in_nor_use_an_old_token() {
    let app = spawn_app();
    let admin = app.admin_token();
    let (id, token) = app.user_with(&["board_member"], None, None);
    app.get("/me", Some(&token)).expect(200);
    let r = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"active": false}),
        )
        .expect(200);
    app.get("/me", Some(&token)).expect(401);
    let email = r.body["email"].as_str().unwrap().to_string();
    app.post(
        "/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .expect(401);
}

#[test]
fn an_admin_cannot_lock_themselves_out() {
    let app = spawn_app();
    let admin = app.admin_token();
    let me = app.get("/me", Some(&admin)).expect(200);
    let id = me.body["id"].as_str().unwrap();
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        json!({"roles": ["programme_team"]}),
    )
    .expect(409);
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        json!({"active": false}),
    )
    .expect(409);
    app.get("/users", Some(&admin)).expect(200);
}

#[test]
fn an_admin_resets_a_password() {
    let app = spawn_app();
    let admin = app.admin_token();
    let (id, old) = app.user_with(&["programme_team"], None, None);
    app.get("/me", Some(&old)).expect(200);
    let r = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"password": "nieuw-wachtwoord-9"}),
        )
        .expect(200);
    let email = r.body["email"].as_str().unwrap().to_string();
    app.post(
        "/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
    )
    .expect(401);
    app.login(&email, "nieuw-wachtwoord-9");
    // The new password ends the tokens issued before it.
    app.get("/me", Some(&old)).expect(401);
    let r = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"password": "kort"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["password"]);
}

#[test]
fn a_burst_of_sign_ins_is_answered_in_full_while_other_requests_go_on() {
    let app = spawn_app();
    let admin = app.admin_token();
    let users: Vec<String> = (0..4)
        .map(|i| {
            let email = format!("burst-{i}@planloket.test");
            app.post(
                "/users",
                Some(&admin),
                json!({"email": email, "name": "Bewoner", "password": PASSWORD, "roles": ["applicant"], "kind": "resident"}),
            )
            .expect(201);
            email
        })
        .collect();
    let reader = app.team_token();
    // Twelve sign-ins at once (Argon2 runs one per core at a time; the rest wait their turn):
    // each right password gets a token, each wrong one 401, and reads are answered meanwhile.
    let (signed_in, reads) = std::thread::scope(|scope| {
        let logins: Vec<_> = (0..12)
            .map(|i| {
                let (app, users) = (&app, &users);
                scope.spawn(move || {
                    let email = &users[i % users.len()];
                    let password = if i % 3 == 0 {
                        "wrong-password-1"
                    } else {
                        PASSWORD
                    };
                    let r = app.post(
                        "/auth/login",
                        None,
                        json!({"email": email, "password": password}),
                    );
                    (i % 3 != 0, r.status, r.body["access_token"].is_string())
                })
            })
            .collect();
        let reads = scope.spawn(|| {
            (0..20)
                .map(|_| app.get("/rounds", Some(&reader)).status)
                .collect::<Vec<u16>>()
        });
        (
            logins
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            reads.join().unwrap(),
        )
    });
    for (right, status, token) in signed_in {
        assert_eq!(
            (status, token),
            if right { (200, true) } else { (401, false) }
        );
    }
    assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
}

#[test]
fn a_holder_changes_their_own_name_password_and_address() {
    let sink = crate::smtp::SmtpSink::start();
    let app = spawn_app_with_smtp(&sink.url());
    let (_, token) = app.user_with(&["applicant"], Some("resident"), None);
    // The name: required, at most 200 characters.
    let r = app
        .patch("/me", Some(&token), json!({"name": " "}))
        .expect(400);
    assert_eq!(r.error_fields(), vec!["name"]);
    let r = app
        .patch("/me", Some(&token), json!({"name": "Anna de Vries"}))
        .expect(200);
    assert_eq!(r.body["name"], "Anna de Vries");
    let email = r.body["email"].as_str().unwrap().to_string();
    app.patch("/me", Some(&token), json!({"roles": ["admin"]}))
        .expect(400);

    // The password: the current one proven, the new one checked; then every token ends.
    let r = app
        .post(
            "/me/password",
            Some(&token),
            json!({"current_password": "fout", "new_password": "kort"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["new_password"]);
    let r = app
        .post(
            "/me/password",
            Some(&token),
            json!({"current_password": "fout-wachtwoord", "new_password": "een-nieuw-wachtwoord-9"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["current_password"]);
    app.post(
        "/me/password",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": "een-nieuw-wachtwoord-9"}),
    )
    .expect(204);
    app.get("/me", Some(&token)).expect(401);
    let token = app.login(&email, "een-nieuw-wachtwoord-9");

    // The address: a link to the new address; nothing changes before it is used.
    let r = app
        .post(
            "/me/email",
            Some(&token),
            json!({"email": "geen-adres", "password": "een-nieuw-wachtwoord-9"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["email"]);
    app.post(
        "/me/email",
        Some(&token),
        json!({"email": "anna.nieuw@example.nl", "password": "een-nieuw-wachtwoord-9"}),
    )
    .expect(202);
    assert_eq!(
        app.get("/me", Some(&token)).expect(200).body["email"],
        email
    );
    let mail = sink.wait_for(1, 10).remove(0).decoded();
    assert!(mail.contains("anna.nieuw@example.nl"), "{mail}");
    let link = mail
        .split("/account/e-mailadres/bevestigen?token=")
        .nth(1)
        .expect("a confirmation link")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    app.post("/me/email/confirm", None, json!({"token": "onzin"}))
        .expect(401);
    let r = app
        .post("/me/email/confirm", None, json!({"token": link}))
        .expect(200);
    assert_eq!(r.body["email"], "anna.nieuw@example.nl");
    // Used once; the old tokens ended; the old address is told.
    app.post("/me/email/confirm", None, json!({"token": link}))
        .expect(401);
    app.get("/me", Some(&token)).expect(401);
    app.login("anna.nieuw@example.nl", "een-nieuw-wachtwoord-9");
    let told = sink.wait_for(2, 10).remove(1).decoded();
    assert!(told.contains("is gewijzigd"), "{told}");
}
