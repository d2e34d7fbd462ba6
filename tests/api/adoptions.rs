//! The college's adoptions: records, supplementary adoptions, deferred plans, corrections,
//! publication per plan, and a round closed for good after its first adoption.

use chrono::Utc;
use serde_json::{json, Value};

use crate::assessment::{advice, board, plan_in, Board};
use crate::helpers::*;

/// The date in Amsterdam today, as an adoption may carry it.
pub fn today() -> String {
    planloket::domain::calendar::amsterdam_date(Utc::now()).to_string()
}

/// A plan taken into a vote and decided by the board (two members and the chair).
pub fn decided(b: &Board, plan: Value, advice: Value) -> String {
    let id = b.voting(plan, advice);
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    b.close(&id).expect(200);
    id
}

pub fn adopt(b: &Board, body: Value) -> Resp {
    b.s.app.close_call(&b.s.team, &b.s.round);
    b.s.app.post(
        &format!("/rounds/{}/adoption", b.s.round),
        Some(&b.s.team),
        body,
    )
}

fn status_seen(b: &Board, id: &str) -> Value {
    b.s.app
        .get(&format!("/plans/{id}"), Some(&b.s.resident))
        .expect(200)
        .body["status"]
        .clone()
}

#[test]
fn the_first_adoption_waits_until_the_call_for_plans_has_closed() {
    let b = board(2);
    let granted = decided(
        &b,
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let body = json!({"adopted_on": today(), "reference": "B&W 2025/114"});
    let r =
        b.s.app
            .post(
                &format!("/rounds/{}/adoption", b.s.round),
                Some(&b.s.team),
                body.clone(),
            )
            .expect(409);
    let nl = r.body["detail_nl"].as_str().unwrap();
    assert!(nl.contains("staat open voor plannen tot"), "{nl}");
    assert!(nl.contains("Ronde bewerken"), "{nl}");
    // Nothing changed: the round is still open, the plan still waits.
    let round =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200);
    assert_eq!(round.body["adopted_on"], Value::Null);
    b.s.app.close_call(&b.s.team, &b.s.round);
    let r =
        b.s.app
            .post(
                &format!("/rounds/{}/adoption", b.s.round),
                Some(&b.s.team),
                body,
            )
            .expect(201);
    assert_eq!(r.body["adopted"], json!([granted]));
}

#[test]
fn an_adoption_waits_for_every_plan_still_being_assessed_unless_it_is_deferred() {
    let b = board(2);
    let granted = decided(
        &b,
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let in_review = b.s.submitted();
    b.post(
        &format!("/plans/{in_review}/start-review"),
        &b.s.team,
        json!({}),
    )
    .expect(200);
    let submitted = b.s.submitted();

    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114"}),
    )
    .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:undecided-plans");
    assert_eq!(r.body["plan_ids"], json!([in_review, submitted]));
    assert!(r.body["detail_nl"]
        .as_str()
        .unwrap()
        .contains("in behandeling"));
    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114", "deferred": [in_review]}),
    )
    .expect(409);
    assert_eq!(r.body["plan_ids"], json!([submitted]));

    // Deferring is for plans still being assessed, of this round.
    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114", "deferred": [granted, "nope"]}),
    )
    .expect(400);
    assert_eq!(r.error_fields(), vec!["deferred[0]", "deferred[1]"]);
    // Not dated in the future.
    let tomorrow = (planloket::domain::calendar::amsterdam_date(Utc::now())
        + chrono::Duration::days(1))
    .to_string();
    let r = adopt(
        &b,
        json!({"adopted_on": tomorrow, "reference": "B&W 2025/114", "deferred": [in_review, submitted]}),
    )
    .expect(400);
    assert_eq!(r.error_fields(), vec!["adopted_on"]);
    assert!(r.body["errors"][0]["message_nl"]
        .as_str()
        .unwrap()
        .contains("toekomst"));
    assert_eq!(
        status_seen(&b, &granted),
        "in_assessment",
        "nothing changed"
    );

    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114", "deferred": [in_review, submitted]}),
    )
    .expect(201);
    let adoption = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/rounds/{}/adoptions/{adoption}", b.s.round).as_str())
    );
    assert_eq!(r.body["sequence"], 1);
    assert_eq!(r.body["plans"], json!([granted]));
    assert_eq!(r.body["adopted"], json!([granted]));
    assert_eq!(r.body["deferred"], json!([in_review, submitted]));
    assert_eq!(status_seen(&b, &granted), "adopted");
    let plan =
        b.s.app
            .get(&format!("/plans/{granted}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(plan.body["adoption_id"], json!(adoption));
}

#[test]
fn a_plan_decided_after_the_adoption_is_published_by_a_supplementary_one() {
    let b = board(2);
    let first = decided(
        &b,
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let later = b.voting(
        plan_in("C", 7000, &b.s.org),
        advice("positive", 7000, [2, 2, 2, 2]),
    );
    let refused = b.voting(
        plan_in("A", 3000, &b.s.org),
        advice("negative", 0, [0, 0, 0, 0]),
    );
    adopt(
        &b,
        json!({"adopted_on": "2025-04-08", "reference": "B&W 2025/114", "deferred": [later, refused]}),
    )
    .expect(201);
    for id in [&later, &refused] {
        b.vote(id, &b.members[0].1, "for").expect(200);
        b.vote(id, &b.members[1].1, "for").expect(200);
        b.close(id).expect(200);
    }
    // Decided after the adoption: not published, not on the overview.
    assert_eq!(status_seen(&b, &later), "in_assessment");
    assert_eq!(status_seen(&b, &refused), "in_assessment");
    let overview = |b: &Board| {
        b.s.app
            .get(&format!("/rounds/{}/overview", b.s.round), None)
            .expect(200)
            .body
    };
    let o = overview(&b);
    let listed: Vec<_> = o["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["plans"].as_array().unwrap().iter())
        .map(|p| p["plan_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, vec![first.clone()]);
    assert_eq!(o["total_granted_eur"], 9000);

    // Earlier than the first adoption, refused; nothing new, refused.
    let r = adopt(
        &b,
        json!({"adopted_on": "2025-04-01", "reference": "B&W 2025/160"}),
    )
    .expect(400);
    assert_eq!(r.error_fields(), vec!["adopted_on"]);
    let r = adopt(
        &b,
        json!({"adopted_on": "2025-06-03", "reference": "B&W 2025/160"}),
    )
    .expect(201);
    assert_eq!(r.body["sequence"], 2);
    assert_eq!(r.body["plans"], json!([later, refused]));
    assert_eq!(r.body["adopted"], json!([later]));
    assert_eq!(r.body["rejected"], json!([refused]));
    assert_eq!(status_seen(&b, &later), "adopted");
    assert_eq!(status_seen(&b, &refused), "rejected");
    adopt(
        &b,
        json!({"adopted_on": "2025-06-04", "reference": "B&W 2025/161"}),
    )
    .expect(409);

    let list =
        b.s.app
            .get(&format!("/rounds/{}/adoptions", b.s.round), Some(&b.s.team))
            .expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            &items[0]["adopted_on"],
            &items[0]["reference"],
            &items[0]["plans"]
        ),
        (
            &json!("2025-04-08"),
            &json!("B&W 2025/114"),
            &json!([first])
        )
    );
    assert_eq!(
        (
            &items[1]["adopted_on"],
            &items[1]["reference"],
            &items[1]["plans"]
        ),
        (
            &json!("2025-06-03"),
            &json!("B&W 2025/160"),
            &json!([later, refused])
        )
    );
    let one = items[1]["id"].as_str().unwrap();
    b.s.app
        .get(
            &format!("/rounds/{}/adoptions/{one}", b.s.round),
            Some(&b.chair),
        )
        .expect(200);
    b.s.app
        .get(
            &format!("/rounds/{}/adoptions", b.s.round),
            Some(&b.s.resident),
        )
        .expect(403);
    b.s.app
        .get(&format!("/rounds/{}/adoptions", b.s.round), None)
        .expect(401);
    b.s.app
        .get(
            &format!("/rounds/{}/adoptions/nope", b.s.round),
            Some(&b.s.team),
        )
        .expect(404);

    let o = overview(&b);
    assert_eq!(
        o["adoptions"],
        json!([
            {"adopted_on": "2025-04-08", "reference": "B&W 2025/114"},
            {"adopted_on": "2025-06-03", "reference": "B&W 2025/160"}
        ])
    );
    assert_eq!(
        (&o["adopted_on"], &o["reference"]),
        (&json!("2025-04-08"), &json!("B&W 2025/114"))
    );
    assert_eq!(o["total_granted_eur"], 16000);
    let html =
        b.s.app
            .send(
                "GET",
                &format!("/rounds/{}/overview", b.s.round),
                None,
                None,
                &[("Accept", "text/html")],
            )
            .expect(200);
    assert!(
        html.text
            .contains("Aanvullend vastgesteld op 3 juni 2025 (kenmerk B&amp;W 2025/160)"),
        "{}",
        html.text
    );
}

#[test]
fn a_round_is_adopted_only_with_its_legal_frame() {
    let b = board(2);
    let round =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200);
    assert_eq!(
        round.body["authority"],
        "het college van burgemeester en wethouders van Leidschendam-Voorburg"
    );
    assert_eq!(
        round.body["legal_basis"],
        "Algemene subsidieverordening Leidschendam-Voorburg 2019"
    );
    b.s.app
        .patch(
            &format!("/rounds/{}", b.s.round),
            Some(&b.s.team),
            json!({"legal_basis": "", "objection_address": " "}),
        )
        .expect(200);
    let r = adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114"}),
    )
    .expect(409);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("legal_basis, objection_address") && !detail.contains("authority"),
        "{detail}"
    );
    let r =
        b.s.app
            .patch(
                &format!("/rounds/{}", b.s.round),
                Some(&b.s.team),
                json!({"legal_basis": "Asv 2019", "objection_address": "Postbus 1005\n2260 BA Leidschendam", "authority": "x\u{202E}y"}),
            )
            .expect(400);
    assert_eq!(r.error_fields(), vec!["authority"]);
    b.s.app
        .patch(
            &format!("/rounds/{}", b.s.round),
            Some(&b.s.team),
            json!({"legal_basis": "Asv 2019", "objection_address": "Postbus 1005\n2260 BA Leidschendam"}),
        )
        .expect(200);
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114"}),
    )
    .expect(201);
    let round =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200);
    assert_eq!(
        round.body["objection_address"],
        "Postbus 1005\n2260 BA Leidschendam"
    );
    assert_eq!(round.body["status"], "adopted");
}

#[test]
fn nothing_is_submitted_after_the_first_adoption_but_an_answer_may_come_until_then() {
    let b = board(2);
    let draft = b.s.draft(crate::helpers::complete_plan(&b.s.org));
    let asked = b.s.submitted();
    b.post(
        &format!("/plans/{asked}/start-review"),
        &b.s.team,
        json!({}),
    )
    .expect(200);
    b.post(
        &format!("/plans/{asked}/request-info"),
        &b.s.team,
        json!({"message": "Wie begeleidt de kinderen?"}),
    )
    .expect(200);
    // The deadline passes: the question may still be answered until the adoption.
    let now = Utc::now();
    b.s.app
        .patch(
            &format!("/rounds/{}", b.s.round),
            Some(&b.s.team),
            json!({"opens_at": (now - chrono::Duration::days(40)).to_rfc3339(), "closes_at": (now - chrono::Duration::days(1)).to_rfc3339()}),
        )
        .expect(200);
    b.post(&format!("/plans/{asked}/submit"), &b.s.resident, json!({}))
        .expect(200);
    b.post(
        &format!("/plans/{asked}/start-review"),
        &b.s.team,
        json!({}),
    )
    .expect(200);
    b.post(
        &format!("/plans/{asked}/request-info"),
        &b.s.team,
        json!({"message": "En wie betaalt de zaal?"}),
    )
    .expect(200);
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114", "deferred": [asked]}),
    )
    .expect(201);

    // After the adoption: no submission, no resubmission, no new draft, no new question.
    let r = b
        .post(&format!("/plans/{draft}/submit"), &b.s.resident, json!({}))
        .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:round-closed");
    let r = b
        .post(&format!("/plans/{asked}/submit"), &b.s.resident, json!({}))
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("adopted"));
    assert!(r.body["detail_nl"]
        .as_str()
        .unwrap()
        .contains("vastgesteld"));
    b.s.app
        .post(
            &format!("/rounds/{}/plans", b.s.round),
            Some(&b.s.resident),
            json!({"title": "Te laat"}),
        )
        .expect(409);
    // The plan still waiting for an answer can be withdrawn by its owner.
    b.post(
        &format!("/plans/{asked}/withdraw"),
        &b.s.resident,
        json!({"reason": "Te laat"}),
    )
    .expect(200);
    let other =
        b.s.app
            .get(&format!("/plans/{draft}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(other.body["status"], "draft");
}

#[test]
fn a_question_cannot_be_put_after_the_adoption() {
    let b = board(2);
    let plan = b.s.submitted();
    b.post(&format!("/plans/{plan}/start-review"), &b.s.team, json!({}))
        .expect(200);
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114", "deferred": [plan]}),
    )
    .expect(201);
    let r = b
        .post(
            &format!("/plans/{plan}/request-info"),
            &b.s.team,
            json!({"message": "Nog een vraag"}),
        )
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("no question"));
}

#[test]
fn the_owner_withdraws_until_the_decision_is_published() {
    let b = board(2);
    let pre_advised = b.s.submitted();
    b.post(
        &format!("/plans/{pre_advised}/start-review"),
        &b.s.team,
        json!({}),
    )
    .expect(200);
    b.post(
        &format!("/plans/{pre_advised}/pre-advice"),
        &b.s.team,
        advice("positive", 9000, [2, 2, 2, 2]),
    )
    .expect(200);
    let seen =
        b.s.app
            .get(&format!("/plans/{pre_advised}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(seen.body["allowed_actions"], json!(["withdraw"]));
    b.post(
        &format!("/plans/{pre_advised}/withdraw"),
        &b.s.resident,
        json!({"reason": "We doen het anders"}),
    )
    .expect(200);

    // Approved but not yet adopted: withdrawing frees the money.
    let approved = decided(
        &b,
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let granted = |b: &Board| {
        let r =
            b.s.app
                .get(&format!("/rounds/{}/budget", b.s.round), Some(&b.s.team))
                .expect(200);
        r.body["items"][0]["granted_eur"].as_i64().unwrap()
    };
    assert_eq!(granted(&b), 9000);
    b.post(
        &format!("/plans/{approved}/withdraw"),
        &b.s.resident,
        json!({"reason": "Geen vrijwilligers meer"}),
    )
    .expect(200);
    assert_eq!(granted(&b), 0);

    // Rejected and published: final.
    let refused = decided(
        &b,
        plan_in("A", 3000, &b.s.org),
        advice("negative", 0, [0, 0, 0, 0]),
    );
    adopt(
        &b,
        json!({"adopted_on": today(), "reference": "B&W 2025/114"}),
    )
    .expect(201);
    let r = b
        .post(
            &format!("/plans/{refused}/withdraw"),
            &b.s.resident,
            json!({"reason": "Te laat"}),
        )
        .expect(409);
    assert_eq!(r.body["state"], "rejected");
    assert_eq!(r.body["allowed_actions"], json!([]));
}

#[test]
fn a_resubmission_may_carry_an_answer_and_nothing_else() {
    let b = board(2);
    let id = b.s.draft(crate::helpers::complete_plan(&b.s.org));
    let r = b
        .post(
            &format!("/plans/{id}/submit"),
            &b.s.resident,
            json!({"answer": "Alvast"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["answer"]);
    let r = b
        .post(
            &format!("/plans/{id}/submit"),
            &b.s.resident,
            json!({"antwoord": "x"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["antwoord"]);
    b.s.app
        .send(
            "POST",
            &format!("/plans/{id}/submit"),
            Some(&b.s.resident),
            Some(("text/plain", b"antwoord")),
            &[],
        )
        .expect(415);
    // No body at all is a plain submission.
    b.s.app
        .send(
            "POST",
            &format!("/plans/{id}/submit"),
            Some(&b.s.resident),
            None,
            &[],
        )
        .expect(200);
    b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
        .expect(200);
    b.post(
        &format!("/plans/{id}/request-info"),
        &b.s.team,
        json!({"message": "Wie begeleidt de kinderen?"}),
    )
    .expect(200);
    b.post(
        &format!("/plans/{id}/submit"),
        &b.s.resident,
        json!({"answer": "Twee vrijwilligers van de bibliotheek"}),
    )
    .expect(200);
    for token in [&b.s.team, &b.s.resident] {
        let plan =
            b.s.app
                .get(&format!("/plans/{id}"), Some(token))
                .expect(200);
        assert_eq!(
            plan.body["info_request"]["answer"],
            "Twee vrijwilligers van de bibliotheek"
        );
        assert_eq!(
            plan.body["info_request"]["message"],
            "Wie begeleidt de kinderen?"
        );
    }
    let events =
        b.s.app
            .get(&format!("/plans/{id}/events"), Some(&b.s.team))
            .expect(200);
    let last = events.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["action"], &last["reason"]),
        (
            &json!("submit"),
            &json!("Twee vrijwilligers van de bibliotheek")
        )
    );
}

#[test]
fn of_simultaneous_adoptions_one_is_recorded() {
    let b = board(2);
    let granted = decided(
        &b,
        plan_in("B", 9000, &b.s.org),
        advice("positive", 9000, [2, 2, 2, 2]),
    );
    let Board { s, .. } = b;
    s.app.close_call(&s.team, &s.round);
    let (round, team) = (s.round.clone(), s.team.clone());
    let app = std::sync::Arc::new(s.app);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let (app, barrier, round, team) =
                (app.clone(), barrier.clone(), round.clone(), team.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(
                    &format!("/rounds/{round}/adoption"),
                    Some(&team),
                    json!({"adopted_on": today(), "reference": format!("B&W 2025/{i}")}),
                )
                .status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409]);
    let list = app
        .get(&format!("/rounds/{round}/adoptions"), Some(&team))
        .expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["plans"], json!([granted]));
}

#[test]
fn a_withdrawal_and_an_adoption_at_once_never_both_take_the_plan() {
    for _ in 0..3 {
        let b = board(2);
        let id = decided(
            &b,
            plan_in("B", 9000, &b.s.org),
            advice("positive", 9000, [2, 2, 2, 2]),
        );
        let Board { s, .. } = b;
        s.app.close_call(&s.team, &s.round);
        let (round, team, resident) = (s.round.clone(), s.team.clone(), s.resident.clone());
        let app = std::sync::Arc::new(s.app);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let withdraw = {
            let (app, barrier, id) = (app.clone(), barrier.clone(), id.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(
                    &format!("/plans/{id}/withdraw"),
                    Some(&resident),
                    json!({"reason": "Toch niet"}),
                )
                .status
            })
        };
        let adopt = {
            let (app, barrier, round, team) =
                (app.clone(), barrier.clone(), round.clone(), team.clone());
            std::thread::spawn(move || {
                barrier.wait();
                app.post(
                    &format!("/rounds/{round}/adoption"),
                    Some(&team),
                    json!({"adopted_on": today(), "reference": "B&W 2025/114"}),
                )
                .body
            })
        };
        let (withdrawn, adoption) = (withdraw.join().unwrap(), adopt.join().unwrap());
        let plan = app.get(&format!("/plans/{id}"), Some(&team)).expect(200);
        match plan.body["status"].as_str().unwrap() {
            "withdrawn" => {
                assert_eq!(withdrawn, 200);
                assert!(adoption["plans"] == json!([]) || adoption["status"] == 409);
            }
            "adopted" => {
                assert_eq!(withdrawn, 409);
                assert_eq!(adoption["plans"], json!([id]));
            }
            other => panic!("the plan is {other}: one of the two must have won"),
        }
    }
}
