//! The board: votes, conflicts of interest, quorum, closing, the budget cap under races, and
//! what the applicant sees of the decision (PRODUCT.md → Domain rules, Visibility).

use std::sync::{Arc, Barrier};

use serde_json::json;

use crate::assessment::{advice, board, plan_in};
use crate::helpers::complete_plan;
use crate::helpers::*;

#[test]
fn a_member_of_a_partner_organisation_is_recused_and_told_why() {
    let b = board(2);
    let partner_org = b.s.app.organisation("Bibliotheek Leidschendam");
    let (_, tied) =
        b.s.app
            .user_with(&["board_member"], None, Some(&partner_org));
    let mut plan = complete_plan(&b.s.org);
    plan["partners"] = json!([{"organisation_id": partner_org}]);
    let id = b.voting(plan, advice("positive", 10000, [2, 2, 2, 2]));
    let r = b.vote(&id, &tied, "for").expect(403);
    assert!(
        r.body["detail"].as_str().unwrap().contains("collaborates"),
        "{}",
        r.text
    );
    let r = b.vote(&id, &b.members[0].1, "for").expect(200);
    assert_eq!(
        (
            r.body["eligible"].as_i64(),
            r.body["recused"].as_i64(),
            r.body["cast"].as_i64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(r.body["recusals"][0]["reason"], "partner");

    // A member may declare a conflict too; their vote no longer counts.
    b.post(
        &format!("/plans/{id}/conflicts"),
        &b.members[0].1,
        json!({"reason": "Mijn zus leidt het project"}),
    )
    .expect(201);
    b.post(
        &format!("/plans/{id}/conflicts"),
        &b.members[0].1,
        json!({}),
    )
    .expect(409);
    let r = b.vote(&id, &b.members[0].1, "for").expect(403);
    assert!(r.body["detail"].as_str().unwrap().contains("declared"));
    let tally =
        b.s.app
            .get(&format!("/plans/{id}/votes"), Some(&b.chair))
            .expect(200);
    assert_eq!(
        (tally.body["eligible"].as_i64(), tally.body["cast"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(tally.body["votes"][0]["counted"], false);
    b.post(&format!("/plans/{id}/conflicts"), &b.s.team, json!({}))
        .expect(403);
}

#[test]
fn without_quorum_the_vote_cannot_close() {
    let b = board(3);
    let id = b.voting(
        complete_plan(&b.s.org),
        advice("positive", 10000, [2, 2, 2, 2]),
    );
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    // 2 of 4 eligible (three members and the chair): exactly half is not a quorum.
    let r = b.close(&id).expect(409);
    assert!(
        r.body["detail"].as_str().unwrap().contains("no quorum"),
        "{}",
        r.text
    );
    // A client tells this refusal from others by its type, with the counts beside it.
    assert_eq!(r.body["type"], "urn:planloket:problem:no-quorum");
    assert_eq!(
        (r.body["cast"].as_i64(), r.body["eligible"].as_i64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.chair))
            .expect(200)
            .body["status"],
        "voting"
    );
}

#[test]
fn a_changed_vote_counts_once_as_changed() {
    let b = board(2);
    let id = b.voting(
        complete_plan(&b.s.org),
        advice("positive", 10000, [2, 2, 2, 2]),
    );
    b.vote(&id, &b.members[0].1, "for").expect(200);
    let r = b.vote(&id, &b.members[0].1, "against").expect(200);
    assert_eq!(
        (
            r.body["for"].as_i64(),
            r.body["against"].as_i64(),
            r.body["cast"].as_i64()
        ),
        (Some(0), Some(1), Some(1))
    );
    assert_eq!(r.body["votes"].as_array().unwrap().len(), 1);
}

#[test]
fn a_tie_sends_the_plan_back_to_review_and_the_applicant_is_not_told() {
    let b = board(3);
    let id = b.voting(
        complete_plan(&b.s.org),
        advice("positive", 10000, [2, 2, 2, 2]),
    );
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "against").expect(200);
    b.vote(&id, &b.chair, "abstain").expect(200);
    let r = b.close(&id).expect(200);
    assert_eq!(r.body["status"], "in_review");
    assert!(r.body["granted_eur"].is_null() && r.body["decision"].is_null());
    let mine =
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(mine.body["status"], "in_review");
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
    assert!(
        last["reason"].as_str().unwrap().contains("niet aangenomen"),
        "{last}"
    );
}

#[test]
fn a_carried_negative_pre_advice_rejects_the_plan() {
    let b = board(2);
    let id = b.voting(complete_plan(&b.s.org), advice("negative", 0, [0, 1, 0, 1]));
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    let r = b.close(&id).expect(200);
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["decision"]["outcome"], "rejected");
    assert!(r.body["granted_eur"].is_null());
}

#[test]
fn a_grant_beyond_the_line_is_refused_with_the_remaining_amount() {
    let b = board(2);
    // FVW has € 98.000.
    let first = b.voting(
        plan_in("R", 60000, &b.s.org),
        advice("positive", 60000, [3, 3, 3, 3]),
    );
    let second = b.voting(
        plan_in("O", 50000, &b.s.org),
        advice("conditional", 45000, [2, 2, 2, 2]),
    );
    for id in [&first, &second] {
        b.vote(id, &b.members[0].1, "for").expect(200);
        b.vote(id, &b.members[1].1, "for").expect(200);
    }
    let r = b.close(&first).expect(200);
    assert_eq!(
        (r.body["status"].as_str(), r.body["granted_eur"].as_i64()),
        (Some("approved"), Some(60000))
    );
    let r = b.close(&second).expect(409);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("FVW") && detail.contains("38000"),
        "{detail}"
    );
    assert_eq!(r.body["type"], "urn:planloket:problem:budget-exceeded");
    assert_eq!(r.body["remaining_eur"], 38000);
    assert_eq!(
        b.s.app
            .get(&format!("/plans/{second}"), Some(&b.chair))
            .expect(200)
            .body["status"],
        "voting"
    );

    let budget =
        b.s.app
            .get(&format!("/rounds/{}/budget", b.s.round), Some(&b.s.team))
            .expect(200);
    let fvw = budget.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["theme"] == "FVW")
        .unwrap()
        .clone();
    assert_eq!(
        fvw,
        json!({"theme": "FVW", "name": "Fijn en veilig wonen", "budget_eur": 98000, "requested_eur": 110000, "proposed_eur": 105000, "granted_eur": 60000, "reserved_eur": 0, "remaining_eur": 38000})
    );
    let jjo = budget.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["theme"] == "JJO")
        .unwrap()
        .clone();
    assert_eq!(
        (jjo["granted_eur"].as_i64(), jjo["remaining_eur"].as_i64()),
        (Some(0), Some(146000))
    );
    b.s.app
        .get(
            &format!("/rounds/{}/budget", b.s.round),
            Some(&b.s.resident),
        )
        .expect(403);

    // The budget may not drop below what is granted.
    let mut round =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200)
            .body;
    round["themes"][2]["budget_eur"] = json!(59999);
    let themes = round["themes"].clone();
    b.s.app
        .patch(
            &format!("/rounds/{}", b.s.round),
            Some(&b.s.team),
            json!({"themes": themes}),
        )
        .expect(409);
}

#[test]
fn ten_simultaneous_closes_of_one_vote_decide_once() {
    let b = board(2);
    let id = b.voting(
        complete_plan(&b.s.org),
        advice("positive", 10000, [2, 2, 2, 2]),
    );
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    let barrier = Arc::new(Barrier::new(10));
    let b = Arc::new(b);
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let (b, barrier, id) = (b.clone(), barrier.clone(), id.clone());
            std::thread::spawn(move || {
                barrier.wait();
                b.close(&id).status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    statuses.sort();
    assert_eq!(statuses, [vec![200], vec![409; 9]].concat());
    let events =
        b.s.app
            .get(&format!("/plans/{id}/events"), Some(&b.s.team))
            .expect(200);
    let closes = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "close_vote")
        .count();
    assert_eq!(closes, 1);
}

/// Two plans racing for the last of FVW's € 98.000 (each asks € 60.000): only one wins.
fn race_for_one_budget(second_instance: bool) {
    let b = board(2);
    let one = b.voting(
        plan_in("R", 60000, &b.s.org),
        advice("positive", 60000, [3, 3, 3, 3]),
    );
    let two = b.voting(
        plan_in("O", 60000, &b.s.org),
        advice("positive", 60000, [3, 3, 3, 3]),
    );
    for id in [&one, &two] {
        b.vote(id, &b.members[0].1, "for").expect(200);
        b.vote(id, &b.members[1].1, "for").expect(200);
    }
    let other = second_instance.then(|| spawn_second(&b.s.app));
    let barrier = Arc::new(Barrier::new(2));
    let results: Vec<u16> = std::thread::scope(|scope| {
        let handles = vec![
            scope.spawn(|| {
                barrier.wait();
                b.close(&one).status
            }),
            scope.spawn(|| {
                barrier.wait();
                let app = other.as_ref().unwrap_or(&b.s.app);
                app.post(
                    &format!("/plans/{two}/close-vote"),
                    Some(&b.chair),
                    json!({}),
                )
                .status
            }),
        ];
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = results.clone();
    sorted.sort();
    assert_eq!(sorted, vec![200, 409], "{results:?}");
    let budget =
        b.s.app
            .get(&format!("/rounds/{}/budget", b.s.round), Some(&b.s.team))
            .expect(200);
    let fvw = budget.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["theme"] == "FVW")
        .unwrap()
        .clone();
    assert_eq!(fvw["granted_eur"], 60000);
}

#[test]
fn two_decisions_racing_for_one_budget_cannot_both_win() {
    race_for_one_budget(false);
}

#[test]
fn two_instances_racing_for_one_budget_cannot_both_win() {
    race_for_one_budget(true);
}

#[test]
fn the_applicant_sees_the_decision_only_after_adoption() {
    let b = board(2);
    let granted = b.voting(
        complete_plan(&b.s.org),
        advice("conditional", 10000, [3, 2, 2, 3]),
    );
    let refused = b.voting(
        plan_in("R", 5000, &b.s.org),
        advice("negative", 0, [0, 0, 1, 0]),
    );
    for id in [&granted, &refused] {
        b.vote(id, &b.members[0].1, "for").expect(200);
        b.vote(id, &b.members[1].1, "for").expect(200);
        b.close(id).expect(200);
    }
    for id in [&granted, &refused] {
        let mine =
            b.s.app
                .get(&format!("/plans/{id}"), Some(&b.s.resident))
                .expect(200);
        assert_eq!(mine.body["status"], "in_assessment");
        assert!(
            mine.body["pre_advice"].is_null()
                && mine.body["granted_eur"].is_null()
                && mine.body["decision"].is_null(),
            "{}",
            mine.text
        );
        b.s.app
            .get(&format!("/plans/{id}/votes"), Some(&b.s.resident))
            .expect(403);
        let events =
            b.s.app
                .get(&format!("/plans/{id}/events"), Some(&b.s.resident))
                .expect(200);
        assert!(
            !events.text.contains("approved")
                && !events.text.contains("rejected")
                && !events.text.contains("pre_advised"),
            "{}",
            events.text
        );
    }
    let listed =
        b.s.app
            .get("/plans?status=in_assessment", Some(&b.s.resident))
            .expect(200);
    assert_eq!(listed.body["total"], 2);
    assert_eq!(
        b.s.app
            .get("/plans?status=approved", Some(&b.s.resident))
            .expect(200)
            .body["total"],
        0
    );

    b.s.app.close_call(&b.s.team, &b.s.round);
    b.post(
        &format!("/rounds/{}/adoption", b.s.round),
        &b.chair,
        json!({"adopted_on": "2025-04-08", "reference": "College 2025/114"}),
    )
    .expect(403);
    let r = b
        .post(
            &format!("/rounds/{}/adoption", b.s.round),
            &b.s.team,
            json!({"adopted_on": "8 april", "reference": ""}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["adopted_on"]);
    let r = b
        .post(
            &format!("/rounds/{}/adoption", b.s.round),
            &b.s.team,
            json!({"adopted_on": "2025-04-08", "reference": "College 2025/114"}),
        )
        .expect(201);
    assert_eq!(r.body["adopted"], json!([granted]));
    assert_eq!(r.body["rejected"], json!([refused]));
    b.post(
        &format!("/rounds/{}/adoption", b.s.round),
        &b.s.team,
        json!({"adopted_on": "2025-04-09", "reference": "Nog eens"}),
    )
    .expect(409);
    assert_eq!(
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200)
            .body["status"],
        "adopted"
    );

    let mine =
        b.s.app
            .get(&format!("/plans/{granted}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(mine.body["status"], "adopted");
    assert_eq!(mine.body["granted_eur"], 10000);
    assert_eq!(
        mine.body["decision"]["conditions"],
        "Samenwerken met de bibliotheek"
    );
    assert_eq!(mine.body["pre_advice"]["total_score"], 10);
    let mine =
        b.s.app
            .get(&format!("/plans/{refused}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(mine.body["status"], "rejected");
    assert_eq!(mine.body["decision"]["motivation"], "Past binnen de kaders");
    let tally =
        b.s.app
            .get(&format!("/plans/{refused}/votes"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(tally.body["for"], 2);
    assert_eq!(
        tally.body["votes"],
        json!([]),
        "individual votes stay with the board"
    );
    let evaluations =
        b.s.app
            .get(
                &format!("/plans/{granted}/evaluations"),
                Some(&b.s.resident),
            )
            .expect(200);
    assert_eq!(evaluations.body["evaluations"], json!([]));
    let events =
        b.s.app
            .get(&format!("/plans/{granted}/events"), Some(&b.s.resident))
            .expect(200);
    assert!(events.text.contains("College 2025/114"));
}

#[test]
fn every_lead_recuses_their_members_a_co_lead_named_by_name_too() {
    let b = board(2);
    let colead = b.s.app.organisation("Stichting Jeugd en Dans");
    let (_, tied) = b.s.app.user_with(&["board_member"], None, Some(&colead));
    let mut plan = complete_plan(&b.s.org);
    // "Woej, SJD": the second lead typed by name, as the printed table has it.
    plan["co_leads"] = json!([{"name": "stichting jeugd en dans "}]);
    let id = b.voting(plan, advice("positive", 10000, [2, 2, 2, 2]));
    let shown =
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.s.team))
            .expect(200);
    // A name that is a registered organisation's is kept as that organisation.
    assert_eq!(
        shown.body["co_leads"][0]["organisation_id"],
        colead.as_str()
    );
    let r = b.vote(&id, &tied, "for").expect(403);
    assert!(
        r.body["detail"].as_str().unwrap().contains("lead partner"),
        "{}",
        r.text
    );
}

#[test]
fn a_co_lead_must_be_a_known_organisation_or_a_name() {
    let b = board(1);
    let mut plan = complete_plan(&b.s.org);
    plan["co_leads"] = json!([{"organisation_id": "no-such-org"}, {"name": ""}]);
    let r =
        b.s.app
            .post(
                &format!("/rounds/{}/plans", b.s.round),
                Some(&b.s.resident),
                plan,
            )
            .expect(400);
    let fields = r.error_fields();
    assert!(fields.contains(&"co_leads[0]".to_string()), "{fields:?}");
    assert!(fields.contains(&"co_leads[1]".to_string()), "{fields:?}");
}
