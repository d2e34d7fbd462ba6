//! Mail: every letter arrives at the right address through a real SMTP server, never twice,
//! never for a change that failed, also when the server was down for a while.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::complete_plan;
use crate::helpers::*;
use crate::smtp::SmtpSink;

struct MailSetup {
    app: TestApp,
    sink: SmtpSink,
    team: String,
    round: String,
    org: String,
    resident: String,
    resident_email: String,
}

fn mail_setup() -> MailSetup {
    let sink = SmtpSink::start();
    let app = spawn_app_with_smtp(&sink.url());
    let team = app.team_token();
    let round = app.open_round(&team);
    let org = app.organisation("Welzijn Noord");
    let resident_email = "anna@example.nl".to_string();
    app.post("/auth/register", None, json!({"email": resident_email, "password": PASSWORD, "name": "Anna de Vries", "kind": "resident"}))
        .expect(202);
    let resident = app.login(&resident_email, PASSWORD);
    MailSetup {
        app,
        sink,
        team,
        round,
        org,
        resident,
        resident_email,
    }
}

impl MailSetup {
    fn submitted(&self, body: Value) -> String {
        let r = self
            .app
            .post(
                &format!("/rounds/{}/plans", self.round),
                Some(&self.resident),
                body,
            )
            .expect(201);
        let id = r.body["id"].as_str().unwrap().to_string();
        self.app
            .post(
                &format!("/plans/{id}/submit"),
                Some(&self.resident),
                json!({}),
            )
            .expect(200);
        id
    }
}

fn advice(recommendation: &str, proposed: i64, conditions: &str, motivation: &str) -> Value {
    let scores: Vec<Value> = [
        "IMPACT",
        "GEEN_BESTAAND_AANBOD",
        "MEERDERE_DOELEN",
        "SAMENWERKING",
    ]
    .iter()
    .map(|c| json!({"criterion": c, "score": 2}))
    .collect();
    json!({"recommendation": recommendation, "proposed_eur": proposed, "motivation": motivation, "conditions": conditions, "scores": scores})
}

#[test]
fn a_submitted_plan_gets_a_receipt_and_a_question_reaches_the_applicant() {
    let m = mail_setup();
    let mut plan = complete_plan(&m.org);
    plan["title"] = json!("Huiswerkklas Heuvel");
    let id = m.submitted(plan);
    let mails = m.sink.wait_for(1, 10);
    assert_eq!(mails.len(), 1);
    let receipt = &mails[0];
    assert_eq!(receipt.to, vec![m.resident_email.clone()]);
    assert_eq!(receipt.from, "planloket@localhost");
    assert_eq!(
        receipt.subject(),
        "Ontvangstbevestiging: Huiswerkklas Heuvel"
    );
    let text = receipt.decoded();
    assert!(
        text.contains("Beste Anna de Vries")
            && text.contains("ontvangstbevestiging")
            && text.contains(&m.app.reference_of(&m.team, &id)),
        "{text}"
    );
    assert!(
        text.contains("Content-Type: text/plain") && text.contains("Content-Type: text/html"),
        "text and HTML"
    );

    m.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&m.team),
            json!({}),
        )
        .expect(200);
    m.app
        .post(
            &format!("/plans/{id}/request-info"),
            Some(&m.team),
            json!({"message": "Wie begeleidt de kinderen?"}),
        )
        .expect(200);
    let mails = m.sink.wait_for(2, 10);
    let question = &mails[1];
    assert_eq!(question.to, vec![m.resident_email.clone()]);
    assert!(question.decoded().contains("Wie begeleidt de kinderen?"));
}

#[test]
fn a_vote_invites_eligible_members_only_and_decisions_are_mailed_at_adoption() {
    let m = mail_setup();
    let admin = m.app.admin_token();
    let partner_org = m.app.organisation("Bibliotheek Noord");
    let mut emails = Vec::new();
    for (i, (role, org)) in [
        ("board_chair", None),
        ("board_member", None),
        ("board_member", None),
        ("board_member", Some(partner_org.as_str())),
    ]
    .into_iter()
    .enumerate()
    {
        let email = format!("bestuur{i}@example.nl");
        m.app
            .post("/users", Some(&admin), json!({"email": email, "name": format!("Bestuurslid {i}"), "password": PASSWORD, "roles": [role], "organisation_id": org}))
            .expect(201);
        emails.push(email);
    }
    let chair = m.app.login(&emails[0], PASSWORD);
    let members: Vec<String> = emails[1..3]
        .iter()
        .map(|e| m.app.login(e, PASSWORD))
        .collect();

    let mut granted_plan = complete_plan(&m.org);
    granted_plan["title"] = json!("Taalcafe");
    granted_plan["partners"] = json!([{"organisation_id": partner_org}]);
    let mut refused_plan = complete_plan(&m.org);
    refused_plan["title"] = json!("Moestuin");
    // No tie to the fourth member's organisation (not even by name): all four are invited.
    refused_plan["partners"] = json!([]);
    let granted = m.submitted(granted_plan);
    let refused = m.submitted(refused_plan);
    m.sink.wait_for(2, 10);
    for (id, a) in [
        (
            &granted,
            advice(
                "conditional",
                12500,
                "Samenwerken met de bibliotheek",
                "Sterk plan",
            ),
        ),
        (
            &refused,
            advice("negative", 0, "", "Er is al een moestuin in de wijk"),
        ),
    ] {
        m.app
            .post(
                &format!("/plans/{id}/start-review"),
                Some(&m.team),
                json!({}),
            )
            .expect(200);
        m.app
            .post(&format!("/plans/{id}/pre-advice"), Some(&m.team), a)
            .expect(200);
    }
    m.app
        .post(
            &format!("/plans/{granted}/open-vote"),
            Some(&m.team),
            json!({}),
        )
        .expect(200);
    let mails = m.sink.wait_for(5, 10);
    let invited: Vec<String> = mails
        .iter()
        .filter(|x| x.subject() == "Stemming geopend: Taalcafe")
        .flat_map(|x| x.to.clone())
        .collect();
    let mut invited_sorted = invited.clone();
    invited_sorted.sort();
    assert_eq!(
        invited_sorted,
        vec![emails[0].clone(), emails[1].clone(), emails[2].clone()],
        "the recused member gets none"
    );
    let invitation = mails
        .iter()
        .find(|x| x.subject() == "Stemming geopend: Taalcafe")
        .unwrap()
        .decoded();
    assert!(
        invitation.contains("€ 12.500") && invitation.contains("positief onder voorwaarden"),
        "{invitation}"
    );

    m.app
        .post(
            &format!("/plans/{refused}/open-vote"),
            Some(&m.team),
            json!({}),
        )
        .expect(200);
    for id in [&granted, &refused] {
        for t in members.iter().chain([&chair]) {
            m.app
                .post(
                    &format!("/plans/{id}/votes"),
                    Some(t),
                    json!({"vote": "for"}),
                )
                .expect(200);
        }
        m.app
            .post(&format!("/plans/{id}/close-vote"), Some(&chair), json!({}))
            .expect(200);
    }
    let before = m.sink.wait_for(9, 10).len();
    assert_eq!(
        before, 9,
        "receipts 2, invitations 3 + 4; nothing about the decision before adoption"
    );
    assert!(m
        .sink
        .to(&m.resident_email)
        .iter()
        .all(|x| !x.subject().starts_with("Besluit")));

    m.app.close_call(&m.team, &m.round);
    m.app
        .post(
            &format!("/rounds/{}/adoption", m.round),
            Some(&m.team),
            json!({"adopted_on": "2025-04-08", "reference": "College 2025/114"}),
        )
        .expect(201);
    m.sink.wait_for(11, 10);
    let decisions: Vec<_> = m
        .sink
        .to(&m.resident_email)
        .into_iter()
        .filter(|x| x.subject().starts_with("Besluit"))
        .collect();
    assert_eq!(decisions.len(), 2);
    let letter_date = planloket::domain::calendar::amsterdam_date(chrono::Utc::now());
    let deadline = planloket::domain::calendar::dutch_date(
        planloket::domain::calendar::objection_deadline(letter_date),
    );
    let grant = decisions
        .iter()
        .find(|x| x.subject().contains("Taalcafe"))
        .unwrap()
        .decoded();
    for expected in [
        "toegekend",
        "€ 12.500",
        "Samenwerken met de bibliotheek",
        "8 april 2025",
        "College 2025/114",
        "bezwaar",
        deadline.as_str(),
    ] {
        assert!(grant.contains(expected), "{expected} missing from {grant}");
    }
    let refusal = decisions
        .iter()
        .find(|x| x.subject().contains("Moestuin"))
        .unwrap()
        .decoded();
    for expected in [
        "niet toegekend",
        "Er is al een moestuin in de wijk",
        "College 2025/114",
        deadline.as_str(),
    ] {
        assert!(
            refusal.contains(expected),
            "{expected} missing from {refusal}"
        );
    }
}

#[test]
fn a_mail_written_while_the_smtp_server_is_down_is_delivered_once_it_is_up() {
    // A port with nothing listening yet.
    let port = listen_port();
    let app = spawn_app_with_smtp(&format!("smtp://127.0.0.1:{port}"));
    let admin = app.admin_token();
    app.post(
        "/users",
        Some(&admin),
        json!({"email": "team@example.nl", "name": "Team", "roles": ["programme_team"]}),
    )
    .expect(201);
    app.post(
        "/auth/magic-link",
        None,
        json!({"email": "team@example.nl"}),
    )
    .expect(202);
    // The first attempt fails at once; the mail waits in the outbox with the error.
    let mut waited = 0;
    let failed = loop {
        let r = app.get("/outbox", Some(&admin)).expect(200);
        if r.body["items"][0]["attempts"].as_i64().unwrap_or(0) >= 1 || waited > 100 {
            break r;
        }
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    };
    assert_eq!(failed.body["items"][0]["status"], "pending");
    assert!(failed.body["items"][0]["last_error"].is_string());

    let sink = SmtpSink::start_on(port);
    let mails = sink.wait_for(1, 20);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["team@example.nl".to_string()]);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(sink.received().len(), 1, "delivered exactly once");
    let r = app.get("/outbox?status=sent", Some(&admin)).expect(200);
    assert_eq!(r.body["total"], 1);
    assert!(r.body["items"][0]["attempts"].as_i64().unwrap() >= 2);
}

#[test]
fn a_change_that_fails_writes_no_mail() {
    let m = mail_setup();
    let mut plan = complete_plan(&m.org);
    plan.as_object_mut().unwrap().remove("payee_id");
    let r = m
        .app
        .post(
            &format!("/rounds/{}/plans", m.round),
            Some(&m.resident),
            plan,
        )
        .expect(201);
    let id = r.body["id"].as_str().unwrap();
    m.app
        .post(&format!("/plans/{id}/submit"), Some(&m.resident), json!({}))
        .expect(400);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(m.sink.received().is_empty());
    let outbox = m.app.get("/outbox", Some(&m.app.admin_token())).expect(200);
    assert_eq!(outbox.body["total"], 0);

    // The same at the storage level: a letter written in a transaction that fails is gone.
    let db = planloket::db::Db::open(&m.app.db.url()).unwrap();
    let result: Result<(), planloket::app::Error> = db.write(|tx| {
        planloket::app::outbox::enqueue(
            tx,
            planloket::mail::letters::magic_link("x@example.nl", "X", "http://127.0.0.1/x")?,
        )?;
        Err(planloket::app::Error::Changed(
            "plan (the change fails after the letter was written)",
        ))
    });
    assert!(result.is_err());
    std::thread::sleep(Duration::from_millis(1500));
    assert!(m.sink.received().is_empty());
    assert_eq!(
        m.app
            .get("/outbox", Some(&m.app.admin_token()))
            .expect(200)
            .body["total"],
        0
    );
}

#[test]
fn two_instances_send_each_mail_once() {
    let sink = SmtpSink::start();
    let a = spawn_app_with_smtp(&sink.url());
    let b = spawn_second(&a);
    let db = planloket::db::Db::open(&a.db.url()).unwrap();
    db.write(|tx| {
        for i in 0..40 {
            planloket::app::outbox::enqueue(
                tx,
                planloket::mail::letters::magic_link(
                    &format!("user{i}@example.nl"),
                    "X",
                    "http://127.0.0.1/x",
                )?,
            )?;
        }
        Ok::<_, planloket::app::Error>(())
    })
    .unwrap();
    let mails = sink.wait_for(40, 30);
    std::thread::sleep(Duration::from_millis(2500));
    let mails_after = sink.received();
    assert_eq!(mails.len(), 40);
    assert_eq!(mails_after.len(), 40, "no mail sent twice");
    let mut to: Vec<String> = mails_after.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 40);
    drop(b);
}

#[test]
fn a_magic_link_signs_in_once() {
    let m = mail_setup();
    let r = m
        .app
        .post(
            "/auth/magic-link",
            None,
            json!({"email": "ANNA@example.nl"}),
        )
        .expect(202);
    assert!(r.body["detail"].is_string());
    let mails = m.sink.wait_for(1, 10);
    assert_eq!(mails[0].to, vec![m.resident_email.clone()]);
    let text = mails[0].decoded();
    let link_start = text
        .find("http://127.0.0.1:8080/aanmelden?token=")
        .expect("the link points at PLANLOKET_PUBLIC_URL");
    let token: String = text[link_start..]
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(token.len(), 64);

    let signed_in = m
        .app
        .post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(200);
    let access = signed_in.body["access_token"].as_str().unwrap();
    assert_eq!(
        m.app.get("/me", Some(access)).expect(200).body["email"],
        m.resident_email.as_str()
    );
    m.app
        .post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(401);
    m.app
        .post(
            "/auth/magic-link/redeem",
            None,
            json!({"token": "00".repeat(32)}),
        )
        .expect(401);
    m.app
        .post("/auth/magic-link/redeem", None, json!({}))
        .expect(400);
}

#[test]
fn a_magic_link_request_tells_nothing_about_the_address() {
    let m = mail_setup();
    let known = m
        .app
        .post("/auth/magic-link", None, json!({"email": m.resident_email}))
        .expect(202);
    let unknown = m
        .app
        .post(
            "/auth/magic-link",
            None,
            json!({"email": "nobody@example.nl"}),
        )
        .expect(202);
    assert_eq!(known.text, unknown.text);
    m.sink.wait_for(1, 10);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(m.sink.received().len(), 1);
    assert!(m.sink.to("nobody@example.nl").is_empty());
    m.app
        .post("/auth/magic-link", None, json!({"email": "geen-adres"}))
        .expect(400);
}

#[test]
fn repeated_failed_logins_and_link_requests_are_throttled() {
    let app = spawn_app();
    for _ in 0..5 {
        app.post(
            "/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": "wrong-password"}),
        )
        .expect(401);
    }
    let r = app
        .post(
            "/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": "wrong-password"}),
        )
        .expect(429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));
    // Even the right password waits: the address is locked for the window.
    app.post(
        "/auth/login",
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .expect(429);

    for _ in 0..3 {
        app.post(
            "/auth/magic-link",
            None,
            json!({"email": "someone@example.nl"}),
        )
        .expect(202);
    }
    let r = app
        .post(
            "/auth/magic-link",
            None,
            json!({"email": "someone@example.nl"}),
        )
        .expect(429);
    assert!(r.header("retry-after").is_some());
}

#[test]
fn someone_elses_guesses_do_not_lock_the_holder_out_and_links_are_limited_per_day() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.trusted_proxies = planloket::domain::client::TrustedProxies::parse("127.0.0.1").unwrap();
        s.throttle.links_address = planloket::domain::throttle::parse_limit("100/900").unwrap();
    });
    let from = |client: &str, password: &str| {
        let body = json!({"email": ADMIN_EMAIL, "password": password}).to_string();
        app.send(
            "POST",
            "/auth/login",
            None,
            Some(("application/json", body.as_bytes())),
            &[("X-Forwarded-For", client)],
        )
    };
    // The holder signs in from home once; that client is theirs from now on.
    from("198.51.100.1", ADMIN_PASSWORD).expect(200);
    // One client guesses: after five failures it is held, the holder's own client is not,
    // nor is a third client.
    for _ in 0..5 {
        from("203.0.113.66", "wrong-password").expect(401);
    }
    let r = from("203.0.113.66", ADMIN_PASSWORD).expect(429);
    assert!(r.header("retry-after").is_some());
    from("198.51.100.1", ADMIN_PASSWORD).expect(200);
    from("192.0.2.7", ADMIN_PASSWORD).expect(200);
    // Guesses spread over many clients meet the address's loose limit (20 in 15 minutes, the
    // five above included): a new client then waits, the holder's own does not.
    for i in 0..15 {
        let s = from(&format!("203.0.113.{}", 100 + i), "wrong-password");
        assert_eq!(s.status, 401, "guess {i}");
    }
    from("192.0.2.99", ADMIN_PASSWORD).expect(429);
    from("198.51.100.1", ADMIN_PASSWORD).expect(200);
    // A forwarded address from a client that is no trusted proxy is not believed: that is
    // tested in the domain (`domain::client`); here every peer is 127.0.0.1, the proxy.

    // At most ten sign-in mails to one address a day, from however many clients.
    let link = |client: &str| {
        let body = json!({"email": "veel-post@example.nl"}).to_string();
        app.send(
            "POST",
            "/auth/magic-link",
            None,
            Some(("application/json", body.as_bytes())),
            &[("X-Forwarded-For", client)],
        )
    };
    for i in 0..10 {
        link(&format!("203.0.113.{}", 200 + i)).expect(202);
    }
    let r = link("203.0.113.250").expect(429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 900, "the daily limit: {retry}");
}

#[test]
fn the_outbox_shows_recipients_to_admins_only_and_retries_on_request() {
    let port = listen_port();
    let app = spawn_app_with_smtp(&format!("smtp://127.0.0.1:{port}"));
    let admin = app.admin_token();
    let team = app.team_token();
    app.post("/auth/magic-link", None, json!({"email": ADMIN_EMAIL}))
        .expect(202);
    // The link is made after the answer (its time tells nothing of the address).
    let mut waited = 0;
    let r = loop {
        let r = app.get("/outbox", Some(&admin)).expect(200);
        if r.body["items"][0].is_object() || waited > 100 {
            break r;
        }
        std::thread::sleep(Duration::from_millis(50));
        waited += 1;
    };
    let item = r.body["items"][0].clone();
    assert_eq!(item["to"], ADMIN_EMAIL);
    assert_eq!(item["kind"], "magic_link");
    let masked = app.get("/outbox", Some(&team)).expect(200);
    assert_eq!(masked.body["items"][0]["to"], "a***@planloket.test");
    let (_, applicant) = app.user_with(&["applicant"], Some("resident"), None);
    app.get("/outbox", Some(&applicant)).expect(403);
    app.get("/outbox?status=lost", Some(&admin)).expect(400);

    let id = item["id"].as_str().unwrap();
    app.post(&format!("/outbox/{id}/retry"), Some(&team), json!({}))
        .expect(403);
    let r = app
        .post(&format!("/outbox/{id}/retry"), Some(&admin), json!({}))
        .expect(200);
    assert_eq!(r.body["status"], "pending");
    app.post(
        "/outbox/00000000-0000-7000-8000-000000000000/retry",
        Some(&admin),
        json!({}),
    )
    .expect(404);

    let sink = SmtpSink::start_on(port);
    sink.wait_for(1, 20);
    // Wait for the row to be marked sent, then a retry is refused: a sent mail is not sent twice.
    for _ in 0..100 {
        if app
            .get("/outbox?status=sent", Some(&admin))
            .expect(200)
            .body["total"]
            == 1
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    app.post(&format!("/outbox/{id}/retry"), Some(&admin), json!({}))
        .expect(409);
}
