//! Nothing leaks before publication, and accounts hold under attack (PRODUCT.md → Amendments,
//! "Confidentiality and accounts").

use std::sync::{Arc, Barrier};

use serde_json::{json, Value};

use crate::assessment::{advice, board, plan_in};
use crate::helpers::complete_plan;
use crate::helpers::*;

/// Every key and value of a JSON document, flattened into one text to search.
fn text_of(v: &Value) -> String {
    v.to_string()
}

#[test]
fn an_applicant_learns_nothing_of_the_assessment_from_a_refusal_the_history_or_a_version() {
    let b = board(2);
    let id = b.voting(
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let mine = |b: &crate::assessment::Board| {
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.s.resident))
            .expect(200)
    };
    let before = mine(&b);
    assert_eq!(before.body["status"], "in_assessment");
    let etag = before.header("etag").unwrap().to_string();

    // The board decides; nothing of it shows to the applicant.
    for (_, t) in &b.members {
        b.vote(&id, t, "for").expect(200);
    }
    b.close(&id).expect(200);
    let after = mine(&b);
    assert_eq!(after.body["status"], "in_assessment");
    assert_eq!(
        after.header("etag"),
        Some(etag.as_str()),
        "the ETag does not move"
    );
    assert_eq!(after.body["version"], before.body["version"]);
    assert_eq!(after.body["updated_at"], before.body["updated_at"]);

    // A refusal names the status the applicant sees and no staff action: only what they may
    // do, which is withdrawing, as before the decision.
    let r =
        b.s.app
            .post(
                &format!("/plans/{id}/submit"),
                Some(&b.s.resident),
                json!({}),
            )
            .expect(409);
    assert_eq!(r.body["state"], "in_assessment");
    assert_eq!(r.body["allowed_actions"], json!(["withdraw"]));
    assert_eq!(after.body["allowed_actions"], json!(["withdraw"]));
    for word in ["approved", "adopt", "voting", "pre_advised"] {
        assert!(!r.text.contains(word), "{word} in {}", r.text);
    }

    // The history holds no step of the assessment, no reason of it and no staff id.
    let events =
        b.s.app
            .get(&format!("/plans/{id}/events"), Some(&b.s.resident))
            .expect(200);
    let text = text_of(&events.body);
    for word in [
        "pre_advice",
        "vote",
        "carried",
        "€ 9.000",
        "positive",
        "aangenomen",
        "voorgesteld",
        "positief",
    ] {
        assert!(!text.contains(word), "{word} in {text}");
    }
    for item in events.body["items"].as_array().unwrap() {
        let actor = &item["actor_id"];
        assert!(
            actor.is_null() || actor == &json!(b.s.resident_id),
            "only their own id: {item}"
        );
    }
    // Staff see the whole history.
    let staff =
        b.s.app
            .get(&format!("/plans/{id}/events"), Some(&b.s.team))
            .expect(200);
    assert!(text_of(&staff.body).contains("aangenomen"));
}

#[test]
fn a_vote_that_does_not_carry_is_not_told_before_publication() {
    let b = board(2);
    let id = b.voting(
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "against").expect(200);
    b.close(&id).expect(200);
    let events =
        b.s.app
            .get(&format!("/plans/{id}/events"), Some(&b.s.resident))
            .expect(200);
    let text = text_of(&events.body);
    assert!(
        !text.contains("not carried") && !text.contains("close_vote"),
        "{text}"
    );
}

#[test]
fn a_decided_tally_stays_as_it_was_decided() {
    let b = board(3);
    let id = b.voting(
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    for (_, t) in &b.members {
        b.vote(&id, t, "for").expect(200);
    }
    b.close(&id).expect(200);
    let tally = |b: &crate::assessment::Board| {
        b.s.app
            .get(&format!("/plans/{id}/votes"), Some(&b.chair))
            .expect(200)
            .body
    };
    let decided = tally(&b);
    assert_eq!(
        (decided["for"].as_i64(), decided["eligible"].as_i64()),
        (Some(3), Some(4))
    );
    // The board changes afterwards: one member leaves, another joins.
    let admin = b.s.app.admin_token();
    b.s.app
        .patch(
            &format!("/users/{}", b.members[0].0),
            Some(&admin),
            json!({"active": false}),
        )
        .expect(200);
    b.s.app.user_with(&["board_member"], None, None);
    b.s.app.user_with(&["board_member"], None, None);
    let later = tally(&b);
    for k in ["for", "against", "abstain", "cast", "eligible", "recused"] {
        assert_eq!(later[k], decided[k], "{k}");
    }
}

#[test]
fn guesses_sent_at_once_are_counted_before_the_password_is_checked() {
    let app = spawn_app();
    let (_, _) = app.user_with(&["programme_team"], None, None);
    let email = "doelwit@example.nl";
    let admin = app.admin_token();
    app.post("/users", Some(&admin), json!({"email": email, "name": "Doelwit", "password": PASSWORD, "roles": ["programme_team"]}))
        .expect(201);
    let n = 30;
    let barrier = Arc::new(Barrier::new(n));
    let app = Arc::new(app);
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                let password = if i == n - 1 {
                    PASSWORD.to_string()
                } else {
                    format!("verkeerd-wachtwoord-{i}")
                };
                barrier.wait();
                app.post(
                    "/auth/login",
                    None,
                    json!({"email": email, "password": password}),
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    // Five attempts per address are checked; the right one, if among them, gives its
    // attempt back, so one more may be checked after it: never more than six of thirty.
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(
        checked <= 6,
        "at most five failed guesses are checked per address: {statuses:?}"
    );
    assert!(statuses.iter().all(|s| [200, 401, 429].contains(s)));
}

#[test]
fn the_sign_in_throttle_holds_across_instances_on_one_database() {
    let a = spawn_app();
    let b = spawn_second(&a);
    let wrong = json!({"email": ADMIN_EMAIL, "password": "verkeerd-wachtwoord"});
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        app.post("/auth/login", None, wrong.clone()).expect(401);
    }
    let r = b.post("/auth/login", None, wrong).expect(429);
    assert!(r.header("retry-after").is_some());
}

#[test]
fn registration_and_sign_in_links_are_throttled_too() {
    let app = spawn_app();
    for i in 0..3 {
        app.post("/auth/register", None, json!({"email": "veel@example.nl", "password": format!("een-goed-wachtwoord-{i}"), "name": "Veel", "kind": "resident"}))
            .expect(202);
    }
    app.post("/auth/register", None, json!({"email": "veel@example.nl", "password": PASSWORD, "name": "Veel", "kind": "resident"}))
        .expect(429);
    for _ in 0..3 {
        app.post(
            "/auth/magic-link",
            None,
            json!({"email": "veel@example.nl"}),
        )
        .expect(202);
    }
    app.post(
        "/auth/magic-link",
        None,
        json!({"email": "veel@example.nl"}),
    )
    .expect(429);
}

#[test]
fn a_board_members_organisation_typed_by_name_still_recuses_them() {
    let b = board(2);
    let org = b.s.app.organisation("Bibliotheek Leidschendam");
    let (_, tied) = b.s.app.user_with(&["board_member"], None, Some(&org));
    let mut plan = complete_plan(&b.s.org);
    plan["partners"] = json!([{"name": "  bibliotheek   LEIDSCHENDAM "}]);
    let id = b.voting(plan, advice("positive", 10000, [2, 2, 2, 2]));
    let r = b.vote(&id, &tied, "for").expect(403);
    assert_eq!(r.body["type"], "urn:planloket:problem:recused");
    assert_eq!(r.body["recusal"], "partner");
    // The plan names the registered organisation now.
    let p =
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(p.body["partners"], json!([{"organisation_id": org}]));
}

#[test]
fn a_name_disguised_by_invisible_look_alike_or_wide_characters_still_recuses() {
    let b = board(2);
    let org = b.s.app.organisation("Woningcorporatie Leidschendam");
    let (_, tied) = b.s.app.user_with(&["board_member"], None, Some(&org));
    for (field, disguised) in [
        ("lead_partner", "Woningcorporatie Leid\u{200B}schendam"),
        ("lead_partner", "Woningcorporatie Leid\u{AD}schendam"),
        ("partners", "Woningcorporatie Leid\u{2060}schendam"),
        ("partners", "Woningcorporatie Leids\u{0441}hendam"),
        ("lead_partner", "\u{FF37}oningcorporatie Leidschendam"),
    ] {
        let mut plan = complete_plan(&b.s.org);
        let named = json!({"name": disguised});
        plan[field] = if field == "partners" {
            json!([named])
        } else {
            named
        };
        let id = b.voting(plan, advice("positive", 10000, [2, 2, 2, 2]));
        let r = b.vote(&id, &tied, "for").expect(403);
        assert_eq!(
            r.body["type"], "urn:planloket:problem:recused",
            "{disguised:?}"
        );
        // The plan names the registered organisation, not the disguise.
        let p =
            b.s.app
                .get(&format!("/plans/{id}"), Some(&b.s.team))
                .expect(200);
        let named = if field == "partners" {
            p.body["partners"][0].clone()
        } else {
            p.body["lead_partner"].clone()
        };
        assert_eq!(named, json!({"organisation_id": org}), "{disguised:?}");
    }
    // Registering the same name again in disguise is refused as a duplicate.
    let r = b.s.app.post(
        "/organisations",
        Some(&b.s.team),
        json!({"name": "Woningcorporatie Leid\u{200B}schendam", "kind": "housing"}),
    );
    assert_eq!(r.status, 409, "{}", r.text);
}

#[test]
fn credential_changes_end_every_token_and_sign_in_link() {
    let app = spawn_app();
    let admin = app.admin_token();
    let (id, token) = app.user_with(&["programme_team"], None, None);
    app.get("/me", Some(&token)).expect(200);
    // Deactivated and reactivated: the old token does not come back.
    for active in [false, true] {
        app.patch(
            &format!("/users/{id}"),
            Some(&admin),
            json!({"active": active}),
        )
        .expect(200);
    }
    app.get("/me", Some(&token)).expect(401);
    let me = app.get("/me", Some(&admin)).expect(200);
    let email = me.body["email"].as_str().unwrap().to_string();
    let fresh = app.login(&email, ADMIN_PASSWORD);
    // An e-mail change ends the admin's own tokens.
    let r = app
        .patch(
            &format!("/users/{}", me.body["id"].as_str().unwrap()),
            Some(&fresh),
            json!({"email": "nieuw-adres@planloket.test"}),
        )
        .expect(200);
    assert_eq!(r.body["email"], "nieuw-adres@planloket.test");
    app.get("/me", Some(&fresh)).expect(401);
    app.login("nieuw-adres@planloket.test", ADMIN_PASSWORD);
}

#[test]
fn a_sign_in_link_mailed_before_a_credential_change_no_longer_signs_in() {
    let sink = crate::smtp::SmtpSink::start();
    let app = spawn_app_with_smtp(&sink.url());
    let admin = app.admin_token();
    let (id, _) = app.user_with(&["programme_team"], None, None);
    let email = app.get("/users", Some(&admin)).expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(id))
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_string();
    app.post("/auth/magic-link", None, json!({"email": email}))
        .expect(202);
    let mail = sink.wait_for(1, 10).remove(0).decoded();
    let token = mail
        .split("token=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect::<String>();
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        json!({"password": "een-nieuw-wachtwoord-8"}),
    )
    .expect(200);
    app.post("/auth/magic-link/redeem", None, json!({"token": token}))
        .expect(401);
}

#[test]
fn names_and_titles_refuse_text_direction_overrides() {
    let s = crate::helpers::setup();
    let mut plan = complete_plan(&s.org);
    plan["title"] = json!("Huiswerk\u{202E}klas");
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            plan,
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["title"]);
}

#[test]
fn parse_errors_name_no_internal_types() {
    let s = crate::helpers::setup();
    let mut plan = complete_plan(&s.org);
    plan["partners"] = json!([{"what": "x"}]);
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            plan,
        )
        .expect(400);
    assert!(
        !r.text.contains("PartyRef") && !r.text.contains("untagged"),
        "{}",
        r.text
    );
    let mut plan = complete_plan(&s.org);
    plan["start_year"] = json!("volgend jaar");
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            plan,
        )
        .expect(400);
    assert!(!r.text.contains("i32"), "{}", r.text);
    assert_eq!(r.error_fields(), vec!["start_year"]);
}

#[test]
fn an_applicants_own_list_is_paged_in_the_database_and_drafts_are_capped() {
    let s = crate::helpers::setup();
    for i in 0..planloket::app::plans::DRAFTS_MAX {
        let mut plan = complete_plan(&s.org);
        plan["title"] = json!(format!("Concept {i}"));
        s.app
            .post(
                &format!("/rounds/{}/plans", s.round),
                Some(&s.resident),
                plan,
            )
            .expect(201);
    }
    let r = s
        .app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            complete_plan(&s.org),
        )
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("drafts"));
    let page = s
        .app
        .get("/plans?page=2&page_size=10&status=draft", Some(&s.resident))
        .expect(200);
    assert_eq!(page.body["total"], planloket::app::plans::DRAFTS_MAX);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 10);
    assert_eq!(page.body["items"][0]["title"], "Concept 14", "newest first");
}
