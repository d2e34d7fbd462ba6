//! Reservations: budget held for a purpose before a plan exists counts against the cap
//! (PRODUCT.md → Amendments → "Actions the programme funds otherwise").

use std::sync::{Arc, Barrier};

use serde_json::json;

use crate::assessment::{advice, board, plan_in};

#[test]
fn a_reservation_holds_budget_until_it_is_released() {
    let b = board(2);
    let round = b.s.round.clone();
    let path = format!("/rounds/{round}/reservations");
    // Every bad field at once; only the programme team reserves.
    let r = b
        .post(
            &path,
            &b.s.team,
            json!({"theme": "XYZ", "amount_eur": 0, "purpose": " "}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["theme", "amount_eur", "purpose"]);
    b.post(
        &path,
        &b.s.resident,
        json!({"theme": "JJO", "amount_eur": 1000, "purpose": "x"}),
    )
    .expect(403);
    // JJO has € 146.000: hold € 140.000 for "Regie op taalaanbod".
    let r = b
        .post(
            &path,
            &b.s.team,
            json!({"theme": "JJO", "amount_eur": 140000, "purpose": "Regie op taalaanbod"}),
        )
        .expect(201);
    let reservation = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["purpose"], "Regie op taalaanbod");
    let list = b.s.app.get(&path, Some(&b.chair)).expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let budget =
        b.s.app
            .get(&format!("/rounds/{round}/budget"), Some(&b.s.team))
            .expect(200);
    let jjo = &budget.body["items"][0];
    assert_eq!(
        (jjo["reserved_eur"].as_i64(), jjo["remaining_eur"].as_i64()),
        (Some(140000), Some(6000))
    );
    // More than is left cannot be reserved, nor granted.
    let r = b
        .post(
            &path,
            &b.s.team,
            json!({"theme": "JJO", "amount_eur": 6001, "purpose": "Nog meer"}),
        )
        .expect(409);
    assert_eq!(r.body["remaining_eur"], 6000);
    let id = b.voting(
        plan_in("A", 10000, &b.s.org),
        advice("positive", 10000, [3, 2, 2, 2]),
    );
    let ranking =
        b.s.app
            .get(
                &format!("/rounds/{round}/ranking?theme=JJO"),
                Some(&b.s.team),
            )
            .expect(200);
    assert_eq!(ranking.body["items"][0]["reserved_eur"], 140000);
    assert_eq!(ranking.body["items"][0]["fits"], false);
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    let r = b.close(&id).expect(409);
    assert_eq!(r.body["remaining_eur"], 6000, "{}", r.text);
    // Released, the money is free: the grant goes through.
    let release = |token: &str| {
        b.s.app.send(
            "DELETE",
            &format!("/reservations/{reservation}"),
            Some(token),
            None,
            &[],
        )
    };
    assert_eq!(release(&b.members[0].1).status, 403);
    assert_eq!(release(&b.s.team).status, 204);
    assert_eq!(release(&b.s.team).status, 409, "released once");
    assert_eq!(
        b.s.app
            .send("DELETE", "/reservations/nope", Some(&b.s.team), None, &[])
            .status,
        404
    );
    assert!(
        b.s.app.get(&path, Some(&b.s.team)).expect(200).body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    b.close(&id).expect(200);
}

#[test]
fn reservations_racing_for_the_last_of_a_line_cannot_both_win() {
    let b = board(0);
    let path = format!("/rounds/{}/reservations", b.s.round);
    b.post(
        &path,
        &b.s.team,
        json!({"theme": "JJO", "amount_eur": 100000, "purpose": "Eerste"}),
    )
    .expect(201);
    let barrier = Arc::new(Barrier::new(4));
    let results: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let barrier = barrier.clone();
                let (app, team, path) = (&b.s.app, &b.s.team, &path);
                scope.spawn(move || {
                    barrier.wait();
                    app.post(
                        path,
                        Some(team),
                        json!({"theme": "JJO", "amount_eur": 40000, "purpose": format!("Race {i}")}),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|s| **s == 201).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|s| **s == 409).count(),
        3,
        "{results:?}"
    );
}

#[test]
fn a_reservation_turns_into_a_plan_and_holds_its_money_until_the_grant() {
    let b = board(2);
    let round = b.s.round.clone();
    let path = format!("/rounds/{round}/reservations");
    let municipality = b.s.app.organisation("Gemeente Leidschendam-Voorburg");
    // FZT has € 75.000: € 35.000 held for "Regie op taalaanbod", the other € 40.000 too.
    let held = b
        .post(
            &path,
            &b.s.team,
            json!({"theme": "FZT", "amount_eur": 35000, "purpose": "Regie op taalaanbod"}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.post(
        &path,
        &b.s.team,
        json!({"theme": "FZT", "amount_eur": 40000, "purpose": "Taalcafés"}),
    )
    .expect(201);
    let turn = format!("/reservations/{held}/plan");
    let mut plan = crate::helpers::complete_plan(&municipality);
    plan["goals"] = json!(["J"]);
    // Goals of one theme: that theme pays.
    plan.as_object_mut().unwrap().remove("budget_line");
    for field in ["title", "requested_eur", "payee_id"] {
        plan.as_object_mut().unwrap().remove(field);
    }
    // Only the team, and always for someone; another budget line is refused.
    let r = b.post(&turn, &b.s.team, plan.clone()).expect(400);
    assert_eq!(r.error_fields(), vec!["filed_for"]);
    plan["filed_for"] = json!({"organisation_id": municipality});
    b.post(&turn, &b.s.resident, plan.clone()).expect(403);
    let mut elsewhere = plan.clone();
    elsewhere["budget_line"] = json!("JJO");
    let r = b.post(&turn, &b.s.team, elsewhere).expect(400);
    assert_eq!(r.error_fields(), vec!["budget_line"]);
    // One step: the plan takes the purpose as title, the amount and the theme.
    let r = b.post(&turn, &b.s.team, plan.clone()).expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["title"], "Regie op taalaanbod");
    assert_eq!(r.body["requested_eur"], 35000);
    assert_eq!(r.body["budget_line"], "FZT");
    assert_eq!(r.body["own_action_of"], json!(municipality));
    b.post(&turn, &b.s.team, plan).expect(409);
    let list = b.s.app.get(&path, Some(&b.s.team)).expect(200);
    let standing = list.body["items"].as_array().unwrap();
    assert_eq!(standing.len(), 2, "still held while the plan is assessed");
    assert!(standing.iter().any(|r| r["plan_id"] == json!(id)));

    // The line is full, yet the plan is granted: its own reservation makes room, and the
    // grant takes its place.
    let step = |p: &str, token: &str, body: serde_json::Value| {
        b.post(&format!("/plans/{id}/{p}"), token, body).expect(200)
    };
    step("submit", &b.s.team, json!({}));
    step("start-review", &b.s.team, json!({}));
    step(
        "pre-advice",
        &b.s.team,
        advice("positive", 35000, [2, 2, 2, 2]),
    );
    step("open-vote", &b.s.team, json!({}));
    b.vote(&id, &b.chair, "for").expect(200);
    for (_, member) in &b.members {
        b.vote(&id, member, "for").expect(200);
    }
    assert_eq!(b.close(&id).expect(200).body["status"], "approved");
    let list = b.s.app.get(&path, Some(&b.s.team)).expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let budget =
        b.s.app
            .get(&format!("/rounds/{round}/budget"), Some(&b.s.team))
            .expect(200);
    let fzt = budget.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["theme"] == "FZT")
        .unwrap()
        .clone();
    assert_eq!(
        (fzt["granted_eur"].as_i64(), fzt["reserved_eur"].as_i64()),
        (Some(35000), Some(40000))
    );
    // A released reservation is not turned into a plan.
    b.s.app
        .send(
            "DELETE",
            &format!("/reservations/{held}"),
            Some(&b.s.team),
            None,
            &[],
        )
        .expect(409);
}
