//! The decision letters as they arrive through a real SMTP server: each element of a
//! beschikking, the copies, the co-applicant's letter, the merge and withdrawal notices, and
//! a correction of the adoption reaching letters not yet sent.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use crate::adoptions::{adopt, decided, today};
use crate::assessment::{advice, plan_in, Board};
use crate::helpers::Setup;
use crate::helpers::*;
use crate::smtp::{Received, SmtpSink};

/// A board on an app that mails through `smtp`, with a resident who registered as Anna.
fn board_mailing(smtp: &str) -> Board {
    let app = spawn_app_with_smtp(smtp);
    let team = app.team_token();
    let round = app.open_round(&team);
    let org = app.organisation("Welzijn Noord");
    app.post(
        "/auth/register",
        None,
        json!({"email": "anna@example.nl", "password": PASSWORD, "name": "Anna de Vries", "kind": "resident"}),
    )
    .expect(202);
    let resident = app.login("anna@example.nl", PASSWORD);
    let resident_id = app.get("/me", Some(&resident)).expect(200).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let chair = app.user_with(&["board_chair"], None, None).1;
    let members = (0..2)
        .map(|_| app.user_with(&["board_member"], None, None))
        .collect();
    Board {
        s: Setup {
            app,
            team,
            round,
            org,
            resident,
            resident_id,
        },
        chair,
        members,
    }
}

fn with_subject(sink: &SmtpSink, start: &str) -> Vec<Received> {
    sink.received()
        .into_iter()
        .filter(|m| m.subject().starts_with(start))
        .collect()
}

fn dutch(d: chrono::NaiveDate) -> String {
    planloket::domain::calendar::dutch_date(d)
}

#[test]
fn the_decision_letter_is_a_whole_beschikking_with_its_copies() {
    let sink = SmtpSink::start();
    let b = board_mailing(&sink.url());
    // A confirmed member of the organisation that receives the money gets a copy.
    let (_, member) =
        b.s.app
            .user_with(&["applicant"], Some("partner"), Some(&b.s.org));
    let member_email = b.s.app.get("/me", Some(&member)).expect(200).body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let mut plan = plan_in("B", 12500, &b.s.org);
    plan["title"] = json!("Taalcafe");
    let granted = decided(&b, plan, advice("conditional", 12500, [2, 2, 2, 2]));
    let mut plan = plan_in("C", 4000, &b.s.org);
    plan["title"] = json!("Moestuin");
    let refused = decided(&b, plan, advice("negative", 0, [0, 0, 0, 0]));
    adopt(
        &b,
        json!({"adopted_on": "2025-04-08", "reference": "Collegebesluit 2025/114"}),
    )
    .expect(201);
    // Receipts 2, invitations 3 + 3, letters 2 and one copy.
    let all = sink.wait_for(11, 20);
    let admin = b.s.app.admin_token();
    let ob = b.s.app.get("/outbox", Some(&admin)).expect(200);
    for m in ob.body["items"].as_array().unwrap() {
        eprintln!(
            "OUTBOX {} {} {} {}",
            m["subject"], m["status"], m["attempts"], m["last_error"]
        );
    }
    let sent_on = planloket::domain::calendar::amsterdam_date(Utc::now());
    let deadline = dutch(planloket::domain::calendar::objection_deadline(sent_on));

    let to_anna: Vec<_> = all
        .iter()
        .filter(|m| m.to == vec!["anna@example.nl".to_string()])
        .filter(|m| m.subject().starts_with("Besluit"))
        .collect();
    assert_eq!(to_anna.len(), 2);
    let grant = to_anna
        .iter()
        .find(|m| m.subject() == "Besluit op uw projectplan: Taalcafe")
        .expect("the grant letter")
        .decoded();
    for expected in [
        format!("Datum: {}", dutch(sent_on)),
        format!("Kenmerk: {}", b.s.app.reference_of(&b.s.team, &granted)),
        "Beste Anna de Vries".to_string(),
        "Het college van burgemeester en wethouders van Leidschendam-Voorburg heeft op 8 april 2025 het uitvoeringsplan Sterk voor Noord vastgesteld (kenmerk Collegebesluit 2025/114)".to_string(),
        "Het projectplan is toegekend".to_string(),
        "€ 12.500".to_string(),
        "De bijdrage wordt betaald aan Welzijn Noord".to_string(),
        "Motivering".to_string(),
        "Past binnen de kaders".to_string(),
        "Samenwerken met de bibliotheek".to_string(),
        "Dit besluit is genomen op grond van: Algemene subsidieverordening Leidschendam-Voorburg 2019".to_string(),
        "bezwaar maken bij het college van burgemeester en wethouders van Leidschendam-Voorburg".to_string(),
        "College van burgemeester en wethouders, Postbus 1005, 2260 BA Leidschendam".to_string(),
        format!("uiterlijk op {deadline}"),
        // The grant's payment and reports (issue 20): 80 % in advance, the final report 13
        // weeks after the plan's end year.
        "Betaling en verslag".to_string(),
        // The money goes to the payee, and the letter says so: never "U ontvangt".
        "Welzijn Noord ontvangt een voorschot van € 10.000 (80% van de bijdrage)".to_string(),
        "een eindverslag uiterlijk op 1 april 2027".to_string(),
    ] {
        assert!(grant.contains(&expected), "{expected} missing from {grant}");
    }
    assert!(
        !grant.to_lowercase().contains("besluit collegebesluit"),
        "{grant}"
    );
    assert!(
        !grant.contains("U ontvangt een bijdrage") && !grant.contains("U ontvangt een voorschot"),
        "{grant}"
    );

    let refusal = to_anna
        .iter()
        .find(|m| m.subject() == "Besluit op uw projectplan: Moestuin")
        .expect("the refusal")
        .decoded();
    for expected in [
        format!("Kenmerk: {}", b.s.app.reference_of(&b.s.team, &refused)),
        "niet toegekend".to_string(),
        "Past binnen de kaders".to_string(),
        "Algemene subsidieverordening Leidschendam-Voorburg 2019".to_string(),
        format!("uiterlijk op {deadline}"),
    ] {
        assert!(
            refusal.contains(&expected),
            "{expected} missing from {refusal}"
        );
    }
    assert!(!refusal.contains("€"), "no amount in a refusal");
    assert!(!refusal.contains("voorschot"), "no payment in a refusal");

    let copies: Vec<_> = all
        .iter()
        .filter(|m| m.subject().starts_with("Afschrift"))
        .collect();
    assert_eq!(copies.len(), 1, "a copy of the grant only");
    assert_eq!(copies[0].to, vec![member_email]);
    let copy = copies[0].decoded();
    assert!(
        copy.contains("omdat Welzijn Noord de bijdrage ontvangt")
            && copy.contains("van Anna de Vries"),
        "{copy}"
    );
    assert!(copy.contains("€ 12.500") && copy.contains(&deadline));
}

#[test]
fn the_owner_of_a_merged_plan_is_told_reads_the_plan_it_went_into_and_gets_its_letter() {
    let sink = SmtpSink::start();
    let b = board_mailing(&sink.url());
    b.s.app
        .post(
            "/auth/register",
            None,
            json!({"email": "bert@example.nl", "password": PASSWORD, "name": "Bert Jansen", "kind": "resident"}),
        )
        .expect(202);
    let bert = b.s.app.login("bert@example.nl", PASSWORD);
    let mut own = plan_in("B", 3000, &b.s.org);
    own["title"] = json!("Huiswerk in de wijk");
    let bert_plan =
        b.s.app
            .post(&format!("/rounds/{}/plans", b.s.round), Some(&bert), own)
            .expect(201)
            .body["id"]
            .as_str()
            .unwrap()
            .to_string();
    b.post(&format!("/plans/{bert_plan}/submit"), &bert, json!({}))
        .expect(200);
    let mut target = plan_in("B", 12500, &b.s.org);
    target["title"] = json!("Huiswerkklas");
    let target = b.voting(target, advice("positive", 12500, [2, 2, 2, 2]));
    // Before the merge, Bert cannot see Anna's plan.
    b.s.app
        .get(&format!("/plans/{target}"), Some(&bert))
        .expect(404);
    b.post(
        &format!("/plans/{bert_plan}/merge-into"),
        &b.s.team,
        json!({"target_id": target}),
    )
    .expect(200);
    let told = loop_until(|| with_subject(&sink, "Uw projectplan is samengevoegd"));
    assert_eq!(told[0].to, vec!["bert@example.nl".to_string()]);
    let text = told[0].decoded();
    assert!(
        text.contains("\"Huiswerk in de wijk\"")
            && text.contains("\"Huiswerkklas\"")
            && text.contains(&b.s.app.reference_of(&b.s.team, &target)),
        "{text}"
    );
    // Now Bert reads it as an applicant does, and may do nothing to it.
    let seen =
        b.s.app
            .get(&format!("/plans/{target}"), Some(&bert))
            .expect(200);
    assert_eq!(seen.body["status"], "in_assessment");
    assert_eq!(seen.body["allowed_actions"], json!([]));
    assert!(seen.body["pre_advice"].is_null());
    b.s.app
        .get(&format!("/plans/{target}/events"), Some(&bert))
        .expect(200);
    b.post(
        &format!("/plans/{target}/withdraw"),
        &bert,
        json!({"reason": "Niet van mij"}),
    )
    .expect(403);
    let (_, stranger) = b.s.app.user_with(&["applicant"], Some("resident"), None);
    b.s.app
        .get(&format!("/plans/{target}"), Some(&stranger))
        .expect(404);

    b.vote(&target, &b.members[0].1, "for").expect(200);
    b.vote(&target, &b.members[1].1, "for").expect(200);
    b.close(&target).expect(200);
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "Collegebesluit 2025/114"}),
    )
    .expect(201);
    let letters = loop_until(|| with_subject(&sink, "Besluit op het projectplan waarin uw plan"));
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].to, vec!["bert@example.nl".to_string()]);
    let letter = letters[0].decoded();
    assert!(
        letter.contains("Beste Bert Jansen")
            && letter.contains(
                "\"Huiswerk in de wijk\" is samengevoegd met het projectplan \"Huiswerkklas\""
            )
            && letter.contains("€ 12.500")
            && letter.contains("bezwaar"),
        "{letter}"
    );
    let seen =
        b.s.app
            .get(&format!("/plans/{target}"), Some(&bert))
            .expect(200);
    assert_eq!(seen.body["status"], "adopted");
    assert_eq!(seen.body["granted_eur"], 12500);
}

#[test]
fn withdrawing_during_a_vote_cancels_it_and_tells_the_board() {
    let sink = SmtpSink::start();
    let b = board_mailing(&sink.url());
    let mut plan = plan_in("B", 5000, &b.s.org);
    plan["title"] = json!("Voorleesuur");
    let id = b.voting(plan, advice("positive", 5000, [2, 2, 2, 2]));
    // The chair and both members are asked to vote.
    let invited = 3;
    b.vote(&id, &b.members[0].1, "for").expect(200);
    let r = b
        .post(
            &format!("/plans/{id}/withdraw"),
            &b.s.resident,
            json!({"reason": "De vrijwilliger is verhuisd"}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "withdrawn");
    let cancelled = loop_until(|| {
        let m = with_subject(&sink, "Stemming vervallen: Voorleesuur");
        if m.len() >= invited {
            m
        } else {
            Vec::new()
        }
    });
    assert_eq!(cancelled.len(), invited, "everyone asked to vote is told");
    assert_eq!(
        with_subject(&sink, "Stemming geopend: Voorleesuur").len(),
        invited
    );
    assert!(cancelled[0].decoded().contains("ingetrokken"));
    b.vote(&id, &b.members[1].1, "for").expect(409);
}

#[test]
fn an_adoption_is_corrected_while_its_letters_wait_and_the_letters_say_the_correction() {
    // Nothing listens on the mail port yet: the letters wait in the outbox.
    let port = listen_port();
    let b = board_mailing(&format!("smtp://127.0.0.1:{port}"));
    let mut plan = plan_in("B", 12500, &b.s.org);
    plan["title"] = json!("Taalcafe");
    decided(&b, plan, advice("positive", 12500, [2, 2, 2, 2]));
    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "Collegebesluit 2025/114"}),
    )
    .expect(201);
    let path = format!(
        "/rounds/{}/adoptions/{}",
        b.s.round,
        r.body["id"].as_str().unwrap()
    );
    // Past the first (failed) attempt, well before the next.
    std::thread::sleep(Duration::from_millis(700));
    let yesterday =
        planloket::domain::calendar::amsterdam_date(Utc::now()) - chrono::Duration::days(1);
    let r = b
        .s
        .app
        .patch(
            &path,
            Some(&b.s.team),
            json!({"adopted_on": yesterday.to_string(), "reference": "Collegebesluit 2025/115"}),
        )
        .expect(200);
    assert_eq!(
        (
            &r.body["reference"],
            &r.body["version"],
            &r.body["letters_sent"]
        ),
        (&json!("Collegebesluit 2025/115"), &json!(2), &json!(false))
    );
    let r =
        b.s.app
            .patch(&path, Some(&b.s.team), json!({"reference": " "}))
            .expect(400);
    assert_eq!(r.error_fields(), vec!["reference"]);
    b.s.app
        .patch(&path, Some(&b.s.resident), json!({"reference": "x"}))
        .expect(403);
    let round =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200);
    assert_eq!(round.body["adoption_reference"], "Collegebesluit 2025/115");

    let sink = SmtpSink::start_on(port);
    let letters = wait_until(30, || with_subject(&sink, "Besluit op uw projectplan"));
    let letter = letters.first().expect("the decision letter").decoded();
    assert!(
        letter.contains("Collegebesluit 2025/115") && letter.contains(&dutch(yesterday)),
        "{letter}"
    );
    assert!(!letter.contains("2025/114"), "{letter}");
    // Once a letter is out, the adoption is what it is.
    let mut sent = false;
    for _ in 0..100 {
        if b.s.app.get(&path, Some(&b.s.team)).expect(200).body["letters_sent"] == json!(true) {
            sent = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sent);
    let r =
        b.s.app
            .patch(
                &path,
                Some(&b.s.team),
                json!({"reference": "Collegebesluit 2025/116"}),
            )
            .expect(409);
    assert!(r.body["detail_nl"].as_str().unwrap().contains("verstuurd"));
}

/// Polls `f` until it finds something (ten seconds at most).
fn loop_until(f: impl Fn() -> Vec<Received>) -> Vec<Received> {
    wait_until(10, f)
}

fn wait_until(secs: u64, f: impl Fn() -> Vec<Received>) -> Vec<Received> {
    let until = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        let found = f();
        if !found.is_empty() {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}
