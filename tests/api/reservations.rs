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
