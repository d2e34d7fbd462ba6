//! Paying grants with four eyes: the team records bank accounts and releases payments,
//! finance confirms accounts and sends batches to the bank; batches made at once, the file a
//! batch keeps, and the names and accounts a bank file cannot carry.

use serde_json::{json, Value};

use crate::adoptions::{adopt, decided, today};
use crate::assessment::{advice, board, plan_in};
use crate::grants::{granted, validate_pain001, IBAN};
use crate::helpers::*;

#[test]
fn two_batches_made_at_once_never_share_a_payment() {
    let (b, g) = granted(5000);
    let app = &b.s.app;
    let body = json!({"iban": IBAN, "holder": "Welzijn"}).to_string();
    app.send(
        "PUT",
        &format!("/organisations/{}/bank-account", b.s.org),
        Some(&b.s.team),
        Some(("application/json", body.as_bytes())),
        &[],
    )
    .expect(200);
    let payment = g["payments"][0]["id"].as_str().unwrap();
    app.post(
        &format!("/payments/{payment}/release"),
        Some(&b.s.team),
        json!({}),
    )
    .expect(200);
    let fin = app.confirmed_by_finance(&b.s.org);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| app.post("/payment-batches", Some(&fin), json!({})).status))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let batches = app.get("/payment-batches", Some(&b.s.team)).expect(200);
    assert_eq!(batches.body["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_batch_keeps_the_file_it_was_made_with_and_its_account_cannot_change_until_paid() {
    let (b, g) = granted(5000);
    let app = &b.s.app;
    let account = format!("/organisations/{}/bank-account", b.s.org);
    let put = |iban: &str, holder: &str| {
        let body = json!({"iban": iban, "holder": holder}).to_string();
        app.send(
            "PUT",
            &account,
            Some(&b.s.team),
            Some(("application/json", body.as_bytes())),
            &[],
        )
    };
    put(IBAN, "Welzijn Leidschendam-Noord").expect(200);
    let payment = g["payments"][0]["id"].as_str().unwrap();
    app.post(
        &format!("/payments/{payment}/release"),
        Some(&b.s.team),
        json!({}),
    )
    .expect(200);
    let fin = app.confirmed_by_finance(&b.s.org);
    let batch = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(201);
    let id = batch.body["id"].as_str().unwrap().to_string();
    let file = || {
        let r = app.send(
            "GET",
            &format!("/payment-batches/{id}"),
            Some(&fin),
            None,
            &[("Accept", "application/xml")],
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.text
    };
    let made = file();
    validate_pain001(&made);
    assert!(made.contains("<IBAN>NL02ABNA0123456789</IBAN>"));
    // The payee reads the plan's reference first on its statement.
    assert!(made.contains("<Ustrd>SVN-2025-0001 voorschot "), "{made}");
    // The same bytes on every download.
    assert_eq!(file(), made);
    // While the batch is with the bank, the account it pays cannot change (DECISIONS).
    let r = put("BE68 5390 0754 7034", "Welzijn Noord").expect(409);
    assert!(
        r.body["detail_nl"].as_str().unwrap().contains("batch"),
        "{}",
        r.text
    );
    assert_eq!(
        app.get(&account, Some(&b.s.team)).expect(200).body["iban"],
        "NL02ABNA0123456789"
    );
    app.post(
        &format!("/payment-batches/{id}/paid"),
        Some(&fin),
        json!({}),
    )
    .expect(200);
    // Paid: the account may change; the batch's file still says what was paid where.
    put("BE68 5390 0754 7034", "Welzijn Noord").expect(200);
    assert_eq!(file(), made);
    assert!(!made.contains("BE68"));
}

#[test]
fn a_holder_name_a_bank_file_cannot_carry_and_an_iban_outside_sepa_are_refused() {
    let (b, _) = granted(5000);
    let app = &b.s.app;
    let account = format!("/organisations/{}/bank-account", b.s.org);
    for (iban, holder, field) in [
        (IBAN, "北京 Организация", "holder"),
        (IBAN, "Ελληνικά", "holder"),
        (IBAN, "123 / 456", "holder"),
        ("XK05 1212 0123 4567 8906", "Stichting Kosovo", "iban"),
    ] {
        let body = json!({"iban": iban, "holder": holder}).to_string();
        let r = app
            .send(
                "PUT",
                &account,
                Some(&b.s.team),
                Some(("application/json", body.as_bytes())),
                &[],
            )
            .expect(400);
        assert_eq!(r.error_fields(), vec![field], "{holder}: {}", r.text);
    }
    assert_eq!(
        app.get(&account, Some(&b.s.team)).expect(200).body["iban"],
        Value::Null
    );
    // Accents are Latin letters a bank file carries (folded in the file).
    let body = json!({"iban": IBAN, "holder": "Café Łódź & Zn."}).to_string();
    app.send(
        "PUT",
        &account,
        Some(&b.s.team),
        Some(("application/json", body.as_bytes())),
        &[],
    )
    .expect(200);
}

fn put_account(app: &TestApp, token: &str, org: &str, iban: &str, holder: &str) -> Resp {
    let body = json!({"iban": iban, "holder": holder}).to_string();
    app.send(
        "PUT",
        &format!("/organisations/{org}/bank-account"),
        Some(token),
        Some(("application/json", body.as_bytes())),
        &[],
    )
}

#[test]
fn a_bank_account_is_paid_into_only_once_a_second_person_confirmed_it() {
    let b = board(2);
    let app = &b.s.app;
    let woej = app.organisation("Stichting Woej");
    decided(
        &b,
        plan_in("B", 4000, &b.s.org),
        advice("positive", 4000, [2, 2, 2, 2]),
    );
    decided(
        &b,
        plan_in("B", 3000, &woej),
        advice("positive", 3000, [2, 2, 2, 2]),
    );
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/201"}),
    )
    .expect(201);
    let (fin, other_fin) = (app.finance_token(), app.finance_token());
    // The team records one account, finance the other: both wait for a confirmation.
    put_account(app, &b.s.team, &b.s.org, IBAN, "Welzijn Noord").expect(200);
    let r = put_account(app, &fin, &woej, "BE68 5390 0754 7034", "Woej").expect(200);
    assert_eq!(r.body["confirmed"], false);
    assert_eq!(r.body["confirmed_by"], Value::Null);
    // The team releases both, confirmed or not: only batching waits.
    let due = app.get("/payments?status=due", Some(&b.s.team)).expect(200);
    for p in due.body["items"].as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        app.post(
            &format!("/payments/{id}/release"),
            Some(&b.s.team),
            json!({}),
        )
        .expect(200);
        // Finance releases nothing: that is the team's half.
        app.post(&format!("/payments/{id}/release"), Some(&fin), json!({}))
            .expect(403);
    }
    // Nobody confirms their own change; the board and the team confirm nothing.
    let confirm = |org: &str, token: &str| {
        app.post(
            &format!("/organisations/{org}/bank-account/confirm"),
            Some(token),
            json!({}),
        )
    };
    let r = confirm(&woej, &fin).expect(409);
    assert!(
        r.body["detail_nl"].as_str().unwrap().contains("vier ogen"),
        "{}",
        r.text
    );
    confirm(&woej, &b.s.team).expect(403);
    confirm(&woej, &b.chair).expect(403);
    confirm(&app.organisation("Zonder rekening"), &fin).expect(409);
    confirm("no-such-organisation", &fin).expect(404);
    // The team's account confirmed by finance: the batch pays it and says what it left out.
    let r = confirm(&b.s.org, &fin).expect(200);
    assert_eq!(r.body["confirmed"], true);
    assert!(r.body["confirmed_at"].is_string());
    let batch = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(201);
    assert_eq!(batch.body["count"], 1);
    assert_eq!(batch.body["total_eur"], 3200);
    let left: Vec<&Value> = batch.body["left_out"].as_array().unwrap().iter().collect();
    assert_eq!(left.len(), 1, "{}", batch.text);
    assert_eq!(left[0]["payee_id"], woej.as_str());
    assert_eq!(left[0]["bank_account_confirmed"], false);
    // A second person of finance confirms Woej's: its payment goes into the next batch.
    confirm(&woej, &other_fin).expect(200);
    confirm(&woej, &other_fin).expect(200);
    let next = app
        .post("/payment-batches", Some(&fin), json!({}))
        .expect(201);
    assert_eq!(next.body["total_eur"], 2400);
    assert_eq!(next.body["left_out"], json!([]));
    let id = next.body["id"].as_str().unwrap();
    app.post(
        &format!("/payment-batches/{id}/paid"),
        Some(&b.s.team),
        json!({}),
    )
    .expect(403);
    app.post(
        &format!("/payment-batches/{id}/paid"),
        Some(&fin),
        json!({}),
    )
    .expect(200);
    // A changed account waits for a confirmation again; the same account again changes nothing.
    put_account(app, &b.s.team, &woej, "BE68 5390 0754 7034", "Woej").expect(200);
    let same = app
        .get(&format!("/organisations/{woej}/bank-account"), Some(&fin))
        .expect(200);
    assert_eq!(same.body["confirmed"], true);
    let r = put_account(app, &b.s.team, &woej, IBAN, "Stichting Woej").expect(200);
    assert_eq!(r.body["confirmed"], false);
    assert_eq!(r.body["confirmed_by"], Value::Null);
}

#[test]
fn the_team_and_finance_are_never_one_account() {
    let app = spawn_app();
    let admin = app.admin_token();
    let r = app
        .post(
            "/users",
            Some(&admin),
            json!({"email": "beide@planloket.test", "name": "Beide", "password": PASSWORD, "roles": ["programme_team", "finance"]}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["roles"]);
}

#[test]
fn payment_conditions_of_the_pre_advice_hold_back_the_payments_they_come_before() {
    let b = board(2);
    let app = &b.s.app;
    // Bad conditions are named, each field; nothing is recorded.
    let id = b.s.draft(plan_in("B", 5000, &b.s.org));
    b.post(&format!("/plans/{id}/submit"), &b.s.resident, json!({}))
        .expect(200);
    b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
        .expect(200);
    let mut bad = advice("conditional", 5000, [2, 2, 2, 2]);
    bad["payment_conditions"] =
        json!([{"text": " ", "before": "advance"}, {"text": "Foto's", "before": "later"}]);
    let r = b
        .post(&format!("/plans/{id}/pre-advice"), &b.s.team, bad)
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec!["payment_conditions[0].text", "payment_conditions[1].before"]
    );
    let mut good = advice("conditional", 5000, [2, 2, 2, 2]);
    good["payment_conditions"] = json!([
        {"text": "Schriftelijke toestemming van Vidomes vóór de eerste betaling", "before": "advance"},
        {"text": "Foto's van de activiteit in het eindverslag", "before": "final"}
    ]);
    let r = b
        .post(&format!("/plans/{id}/pre-advice"), &b.s.team, good)
        .expect(200);
    assert_eq!(
        r.body["pre_advice"]["payment_conditions"][1]["before"], "final",
        "{}",
        r.text
    );
    b.post(&format!("/plans/{id}/open-vote"), &b.s.team, json!({}))
        .expect(200);
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    b.close(&id).expect(200);
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/202"}),
    )
    .expect(201);
    let grants = app
        .get(&format!("/grants?round={}", b.s.round), Some(&b.s.team))
        .expect(200);
    let g = &grants.body["items"][0];
    let grant = g["id"].as_str().unwrap().to_string();
    let conditions = g["conditions"].as_array().unwrap();
    assert_eq!(conditions.len(), 2);
    assert_eq!(conditions[0]["before"], "advance");
    assert_eq!(conditions[0]["met_on"], Value::Null);
    let (first, second) = (
        conditions[0]["id"].as_str().unwrap().to_string(),
        conditions[1]["id"].as_str().unwrap().to_string(),
    );
    // The applicant reads the conditions too: they are the ones to meet them.
    let mine = app
        .get(&format!("/grants/{grant}"), Some(&b.s.resident))
        .expect(200);
    assert_eq!(mine.body["conditions"][0]["id"], first.as_str());
    put_account(app, &b.s.team, &b.s.org, IBAN, "Welzijn Noord").expect(200);
    let payment = g["payments"][0]["id"].as_str().unwrap().to_string();
    let due = app.get("/payments?status=due", Some(&b.s.team)).expect(200);
    assert_eq!(
        due.body["items"][0]["conditions"].as_array().unwrap().len(),
        1
    );
    // The advance waits for the condition before it (not for the one before the final).
    let r = app
        .post(
            &format!("/payments/{payment}/release"),
            Some(&b.s.team),
            json!({}),
        )
        .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:conditions-open");
    assert_eq!(r.body["conditions"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["conditions"][0]["id"], first.as_str());
    assert!(
        r.body["detail_nl"].as_str().unwrap().contains("Vidomes"),
        "{}",
        r.text
    );
    // Only the team records a condition as met; a long note is named; once only.
    let met = |cid: &str, token: &str, note: &str| {
        app.post(
            &format!("/grants/{grant}/conditions/{cid}/met"),
            Some(token),
            json!({"note": note}),
        )
    };
    met(&first, &b.s.resident, "").expect(403);
    met(&first, &app.finance_token(), "").expect(403);
    met("no-such-condition", &b.s.team, "").expect(404);
    let r = met(&first, &b.s.team, &"x".repeat(5001)).expect(400);
    assert_eq!(r.error_fields(), vec!["note"]);
    app.post(
        &format!("/grants/{grant}/conditions/{first}/met"),
        Some(&b.s.team),
        json!({"note": "ok", "extra": 1}),
    )
    .expect(400);
    let r = met(&first, &b.s.team, "Brief van Vidomes van 3 maart").expect(200);
    assert_eq!(r.body["note"], "Brief van Vidomes van 3 maart");
    assert!(r.body["met_on"].is_string());
    assert!(r.body["met_by"].is_string());
    met(&first, &b.s.team, "nog eens").expect(409);
    let after = app
        .get(&format!("/grants/{grant}"), Some(&b.s.team))
        .expect(200);
    assert_eq!(
        after.body["conditions"][0]["note"],
        "Brief van Vidomes van 3 maart"
    );
    assert_eq!(after.body["conditions"][1]["met_on"], Value::Null);
    app.post(
        &format!("/payments/{payment}/release"),
        Some(&b.s.team),
        json!({}),
    )
    .expect(200);
    // The second condition still holds back the final payment (checked in the domain);
    // it is met like the first.
    met(&second, &b.s.team, "").expect(200);
}

#[test]
fn an_organisation_without_members_reads_its_letters_at_its_contact_address() {
    let b = board(2);
    let app = &b.s.app;
    let woej = app
        .post(
            "/organisations",
            Some(&b.s.team),
            json!({"name": "Woej", "kind": "welfare", "contact_email": "post@woej.nl"}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    decided(
        &b,
        plan_in("B", 4000, &woej),
        advice("positive", 4000, [2, 2, 2, 2]),
    );
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/204"}),
    )
    .expect(201);
    put_account(app, &b.s.team, &woej, IBAN, "Stichting Woej").expect(200);
    let admin = app.admin_token();
    let to_woej: Vec<String> = app.get("/outbox", Some(&admin)).expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == "post@woej.nl")
        .map(|m| m["subject"].as_str().unwrap().to_string())
        .collect();
    // The decision letter's copy and the notice of the bank account reach Woej.
    assert_eq!(to_woej.len(), 2, "{to_woej:?}");
    assert!(
        to_woej.iter().any(|s| s.contains("Bankrekening")),
        "{to_woej:?}"
    );
}
