//! The programme team assesses and the board decides.

use std::sync::{Arc, Barrier};

use serde_json::{json, Value};

use crate::helpers::*;
use crate::plans::{complete_plan, setup, Setup};

const CRITERIA: [&str; 4] = [
    "IMPACT",
    "GEEN_BESTAAND_AANBOD",
    "MEERDERE_DOELEN",
    "SAMENWERKING",
];

/// A pre-advice scoring every criterion.
pub fn advice(recommendation: &str, proposed: i64, scores: [i64; 4]) -> Value {
    let scores: Vec<Value> = CRITERIA
        .iter()
        .zip(scores)
        .map(|(c, s)| json!({"criterion": c, "score": s, "motivation": "ok"}))
        .collect();
    let conditions = if recommendation == "conditional" {
        "Samenwerken met de bibliotheek"
    } else {
        ""
    };
    json!({"recommendation": recommendation, "proposed_eur": proposed, "motivation": "Past binnen de kaders", "conditions": conditions, "scores": scores})
}

/// A setup with a board: a chair and `members` members, none tied to the plans.
pub struct Board {
    pub s: Setup,
    pub chair: String,
    pub members: Vec<(String, String)>,
}

pub fn board(members: usize) -> Board {
    let s = setup();
    let chair = s.app.user_with(&["board_chair"], None, None).1;
    let members = (0..members)
        .map(|_| s.app.user_with(&["board_member"], None, None))
        .collect();
    Board { s, chair, members }
}

impl Board {
    fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.s.app.post(path, Some(token), body)
    }

    /// A submitted plan taken through review and pre-advice into a vote.
    pub fn voting(&self, plan: Value, advice: Value) -> String {
        let id = self.s.draft(plan);
        self.post(&format!("/plans/{id}/submit"), &self.s.resident, json!({}))
            .expect(200);
        self.post(
            &format!("/plans/{id}/start-review"),
            &self.s.team,
            json!({}),
        )
        .expect(200);
        self.post(&format!("/plans/{id}/pre-advice"), &self.s.team, advice)
            .expect(200);
        self.post(&format!("/plans/{id}/open-vote"), &self.s.team, json!({}))
            .expect(200);
        id
    }

    pub fn vote(&self, id: &str, token: &str, vote: &str) -> Resp {
        self.post(
            &format!("/plans/{id}/votes"),
            token,
            json!({"vote": vote, "comment": ""}),
        )
    }

    pub fn close(&self, id: &str) -> Resp {
        self.post(&format!("/plans/{id}/close-vote"), &self.chair, json!({}))
    }
}

pub fn plan_in(theme_goal: &str, requested: i64, org: &str) -> Value {
    let mut p = complete_plan(org);
    p["goals"] = json!([theme_goal]);
    p["requested_eur"] = json!(requested);
    p
}

#[test]
fn the_information_loop_keeps_both_versions_and_shows_the_question() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let r = s
        .app
        .post(
            &format!("/plans/{id}/request-info"),
            Some(&s.team),
            json!({"message": "Wie begeleidt de kinderen?"}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "needs_info");

    let mine = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(mine.body["status"], "needs_info");
    assert_eq!(
        mine.body["info_request"]["message"],
        "Wie begeleidt de kinderen?"
    );
    assert_eq!(
        mine.body["allowed_actions"],
        json!(["edit", "submit", "withdraw"])
    );

    s.app
        .patch(
            &format!("/plans/{id}"),
            Some(&s.resident),
            json!({"description": "Twee vrijwilligers en een leerkracht begeleiden."}),
        )
        .expect(200);
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
    let versions = s
        .app
        .get(&format!("/plans/{id}/versions"), Some(&s.resident))
        .expect(200);
    let items = versions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["version"], 1);
    assert!(items[0]["plan"]["description"]
        .as_str()
        .unwrap()
        .contains("huiswerkbegeleiding"));
    assert_eq!(
        items[1]["plan"]["description"],
        "Twee vrijwilligers en een leerkracht begeleiden."
    );

    let events = s
        .app
        .get(&format!("/plans/{id}/events"), Some(&s.team))
        .expect(200);
    let steps: Vec<(String, String)> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "needs_info"),
        ("needs_info", "submitted"),
    ];
    assert_eq!(
        steps,
        expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        events.body["items"][2]["reason"],
        "Wie begeleidt de kinderen?"
    );
}

#[test]
fn evaluations_are_kept_apart_and_a_not_applicable_score_is_left_out_of_the_mean() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&s.team),
            json!({"scores": []}),
        )
        .expect(409);
    // Not a budget or a quorum refusal: the plan's state, with what it allows.
    let r = s
        .app
        .post(
            &format!("/plans/{id}/revise-pre-advice"),
            Some(&s.team),
            json!({}),
        )
        .expect(409);
    assert_eq!(r.body["type"], "urn:planloket:problem:not-allowed-in-state");
    assert_eq!(r.body["state"], "submitted");
    assert!(r.body["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("start_review")));
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let other_reviewer = s.app.team_token();
    let scores = |a: Value, b: Value, c: Value, d: Value| {
        json!({"scores": [
            {"criterion": "IMPACT", "score": a, "motivation": "groot bereik"},
            {"criterion": "GEEN_BESTAAND_AANBOD", "score": b},
            {"criterion": "MEERDERE_DOELEN", "score": c},
            {"criterion": "SAMENWERKING", "score": d}
        ]})
    };
    let r = s
        .app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&s.team),
            scores(json!(1), json!(2), json!(null), json!(3)),
        )
        .expect(201);
    assert_eq!(r.body["scores"][2]["score"], Value::Null);
    // Replaceable until the pre-advice.
    s.app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&s.team),
            scores(json!(3), json!(2), json!(null), json!(3)),
        )
        .expect(200);
    s.app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&other_reviewer),
            scores(json!(2), json!(null), json!(null), json!(2)),
        )
        .expect(201);
    let bad = s
        .app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&other_reviewer),
            scores(json!(4), json!(0), json!(0), json!(-1)),
        )
        .expect(400);
    assert_eq!(
        bad.error_fields(),
        vec!["scores[0].score", "scores[3].score"]
    );

    let r = s
        .app
        .get(&format!("/plans/{id}/evaluations"), Some(&s.team))
        .expect(200);
    assert_eq!(r.body["evaluations"].as_array().unwrap().len(), 2);
    assert_eq!(
        r.body["means"][0],
        json!({"criterion": "IMPACT", "mean": 2.5, "count": 2})
    );
    assert_eq!(
        r.body["means"][1],
        json!({"criterion": "GEEN_BESTAAND_AANBOD", "mean": 2.0, "count": 1})
    );
    assert_eq!(
        r.body["means"][2],
        json!({"criterion": "MEERDERE_DOELEN", "mean": null, "count": 0})
    );
    let suggestions = r.body["suggestions"].as_array().unwrap();
    assert_eq!(suggestions[0]["criterion"], "MEERDERE_DOELEN");
    assert_eq!(suggestions[0]["score"], 2, "goals B and J span two themes");
    assert_eq!(suggestions[1]["criterion"], "SAMENWERKING");

    s.app
        .get(&format!("/plans/{id}/evaluations"), Some(&s.resident))
        .expect(403);
    let (_, member) = s.app.user_with(&["board_member"], None, None);
    s.app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&member),
            scores(json!(1), json!(1), json!(1), json!(1)),
        )
        .expect(403);

    // The pre-advice defaults to the rounded means; a criterion with no mean must be scored.
    let r = s
        .app
        .post(
            &format!("/plans/{id}/pre-advice"),
            Some(&s.team),
            json!({"recommendation": "positive", "proposed_eur": 10000, "motivation": "Goed plan"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["scores"]);
    assert!(r.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("MEERDERE_DOELEN"));
    let r = s.app
        .post(
            &format!("/plans/{id}/pre-advice"),
            Some(&s.team),
            json!({"recommendation": "positive", "proposed_eur": 10000, "motivation": "Goed plan", "scores": [{"criterion": "MEERDERE_DOELEN", "score": 2}]}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "pre_advised");
    let scores: Vec<i64> = r.body["pre_advice"]["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_i64().unwrap())
        .collect();
    assert_eq!(scores, vec![3, 2, 2, 3]);
    assert_eq!(r.body["pre_advice"]["total_score"], 10);
    // Evaluations close with the pre-advice.
    s.app
        .post(
            &format!("/plans/{id}/evaluations"),
            Some(&s.team),
            scores_all(1),
        )
        .expect(409);
}

fn scores_all(n: i64) -> Value {
    json!({"scores": CRITERIA.iter().map(|c| json!({"criterion": c, "score": n})).collect::<Vec<_>>()})
}

#[test]
fn a_pre_advice_reports_every_broken_rule() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let r = s.app
        .post(
            &format!("/plans/{id}/pre-advice"),
            Some(&s.team),
            json!({"recommendation": "conditional", "proposed_eur": 12501, "motivation": "", "scores": [{"criterion": "IMPACT", "score": 3}]}),
        )
        .expect(400);
    assert_eq!(
        r.error_fields(),
        vec![
            "motivation",
            "conditions",
            "proposed_eur",
            "scores",
            "scores",
            "scores"
        ]
    );
    let r = s
        .app
        .post(
            &format!("/plans/{id}/pre-advice"),
            Some(&s.team),
            json!({"recommendation": "maybe"}),
        )
        .expect(400);
    assert!(r.error_fields().contains(&"recommendation".to_string()));
    assert_eq!(
        s.app
            .get(&format!("/plans/{id}"), Some(&s.team))
            .expect(200)
            .body["status"],
        "in_review"
    );
}

#[test]
fn a_revised_pre_advice_goes_back_to_review() {
    let b = board(1);
    let id = b.s.submitted();
    b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
        .expect(200);
    b.post(
        &format!("/plans/{id}/pre-advice"),
        &b.s.team,
        advice("positive", 10000, [3, 3, 2, 2]),
    )
    .expect(200);
    let r = b
        .post(
            &format!("/plans/{id}/revise-pre-advice"),
            &b.s.team,
            json!({}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "in_review");
    b.post(
        &format!("/plans/{id}/pre-advice"),
        &b.s.team,
        advice("negative", 0, [0, 1, 0, 1]),
    )
    .expect(200);
    let r = b
        .post(&format!("/plans/{id}/open-vote"), &b.chair, json!({}))
        .expect(200);
    assert_eq!(r.body["status"], "voting");
    let r = b
        .post(&format!("/plans/{id}/cancel-vote"), &b.s.team, json!({}))
        .expect(200);
    assert_eq!(r.body["status"], "in_review");
}

#[test]
fn roles_that_must_not_act_are_forbidden() {
    let b = board(1);
    let id = b.s.submitted();
    let member = &b.members[0].1;
    b.post(
        &format!("/plans/{id}/start-review"),
        &b.s.resident,
        json!({}),
    )
    .expect(403);
    b.post(&format!("/plans/{id}/start-review"), member, json!({}))
        .expect(403);
    b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
        .expect(200);
    b.post(
        &format!("/plans/{id}/pre-advice"),
        member,
        advice("positive", 1, [1, 1, 1, 1]),
    )
    .expect(403);
    b.post(
        &format!("/plans/{id}/request-info"),
        &b.chair,
        json!({"message": "?"}),
    )
    .expect(403);
    b.post(
        &format!("/plans/{id}/pre-advice"),
        &b.s.team,
        advice("positive", 1000, [1, 1, 1, 1]),
    )
    .expect(200);
    b.post(&format!("/plans/{id}/open-vote"), member, json!({}))
        .expect(403);
    b.post(&format!("/plans/{id}/open-vote"), &b.s.team, json!({}))
        .expect(200);
    b.vote(&id, &b.s.team, "for").expect(403);
    b.vote(&id, &b.s.resident, "for").expect(403);
    b.post(&format!("/plans/{id}/close-vote"), member, json!({}))
        .expect(403);
    b.post(&format!("/plans/{id}/close-vote"), &b.s.team, json!({}))
        .expect(403);
    let r = b.vote(&id, member, "maybe").expect(400);
    assert_eq!(r.error_fields(), vec!["vote"]);
}

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
        last["reason"].as_str().unwrap().contains("not carried"),
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
        json!({"theme": "FVW", "name": "Fijn en veilig wonen", "budget_eur": 98000, "requested_eur": 110000, "proposed_eur": 105000, "granted_eur": 60000, "remaining_eur": 38000})
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
        .expect(200);
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
fn a_plan_merges_into_another_of_the_same_round() {
    let b = board(0);
    let a = b.s.submitted();
    let target = b.s.submitted();
    b.post(&format!("/plans/{a}/merge-into"), &b.s.team, json!({}))
        .expect(400);
    let r = b
        .post(
            &format!("/plans/{a}/merge-into"),
            &b.s.team,
            json!({"target_id": a}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["target_id"]);
    b.post(
        &format!("/plans/{a}/merge-into"),
        &b.s.team,
        json!({"target_id": "nope"}),
    )
    .expect(400);
    let other_round = b.s.app.open_round(&b.s.team);
    let r =
        b.s.app
            .post(
                &format!("/rounds/{other_round}/plans"),
                Some(&b.s.resident),
                complete_plan(&b.s.org),
            )
            .expect(201);
    let elsewhere = r.body["id"].as_str().unwrap().to_string();
    b.post(
        &format!("/plans/{elsewhere}/submit"),
        &b.s.resident,
        json!({}),
    )
    .expect(200);
    let r = b
        .post(
            &format!("/plans/{a}/merge-into"),
            &b.s.team,
            json!({"target_id": elsewhere}),
        )
        .expect(400);
    assert!(r.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("another round"));
    b.post(
        &format!("/plans/{a}/merge-into"),
        &b.s.resident,
        json!({"target_id": target}),
    )
    .expect(403);

    let r = b
        .post(
            &format!("/plans/{a}/merge-into"),
            &b.s.team,
            json!({"target_id": target}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "merged");
    assert_eq!(r.body["merged_into"], target.as_str());
    let t =
        b.s.app
            .get(&format!("/plans/{target}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(t.body["merged_from"], json!([a]));
    let listed =
        b.s.app
            .get("/plans?status=submitted", Some(&b.s.team))
            .expect(200);
    let found = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == target.as_str())
        .unwrap()
        .clone();
    assert_eq!(found["merged_from"], json!([a]));

    // A second plan merged into the same target is listed after the first.
    let second = b.s.submitted();
    b.post(
        &format!("/plans/{second}/start-review"),
        &b.s.team,
        json!({}),
    )
    .expect(200);
    b.post(
        &format!("/plans/{second}/merge-into"),
        &b.s.team,
        json!({"target_id": target}),
    )
    .expect(200);
    let t =
        b.s.app
            .get(&format!("/plans/{target}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(t.body["merged_from"], json!([a, second]));

    // A terminal plan takes nothing more.
    let third = b.s.submitted();
    let r = b
        .post(
            &format!("/plans/{third}/merge-into"),
            &b.s.team,
            json!({"target_id": a}),
        )
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("merged"));
}

#[test]
fn similar_plans_are_found_with_their_reasons() {
    let b = board(0);
    let bieb = b.s.app.organisation("Bibliotheek Noord Leidschendam");
    let mut huiswerk = complete_plan(&b.s.org);
    huiswerk["partners"] = json!([{"organisation_id": bieb}]);
    let mut ook_huiswerk = huiswerk.clone();
    ook_huiswerk["title"] = json!("Huiswerkbegeleiding Prinsenhof");
    ook_huiswerk["description"] =
        json!("Huiswerkbegeleiding voor kinderen van groep 6 tot 8 na schooltijd.");
    let mut afval = complete_plan(&b.s.org);
    afval["title"] = json!("Afval prikken");
    afval["description"] = json!("Met buren zwerfvuil opruimen rond de speeltuin.");
    afval["goals"] = json!(["Q"]);
    afval["partners"] = json!([]);
    afval["lead_partner"] = Value::Null;
    let ids: Vec<String> = [huiswerk, ook_huiswerk, afval]
        .into_iter()
        .map(|p| {
            let id = b.s.draft(p);
            b.post(&format!("/plans/{id}/submit"), &b.s.resident, json!({}))
                .expect(200);
            id
        })
        .collect();
    let r =
        b.s.app
            .get(&format!("/plans/{}/similar", ids[0]), Some(&b.s.team))
            .expect(200);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items[0]["plan_id"], ids[1].as_str());
    let reasons: Vec<&str> = items[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"shared goals: B, J"), "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("Bibliotheek Noord Leidschendam")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("similar text")),
        "{reasons:?}"
    );
    assert!(items.iter().all(|i| i["plan_id"] != ids[0].as_str()));
    let afval_score = items
        .iter()
        .find(|i| i["plan_id"] == ids[2].as_str())
        .map(|i| i["score"].as_f64().unwrap())
        .unwrap_or(0.0);
    assert!(items[0]["score"].as_f64().unwrap() > afval_score);
    b.s.app
        .get(&format!("/plans/{}/similar", ids[0]), Some(&b.s.resident))
        .expect(403);
}

#[test]
fn the_ranking_orders_plans_by_score_with_the_running_total() {
    let b = board(0);
    let mut ids = Vec::new();
    for (goal, proposed, scores) in [
        ("R", 50000, [3, 3, 3, 3]),
        ("O", 40000, [1, 1, 1, 1]),
        ("Q", 30000, [3, 2, 3, 2]),
    ] {
        let id = b.s.draft(plan_in(goal, proposed, &b.s.org));
        b.post(&format!("/plans/{id}/submit"), &b.s.resident, json!({}))
            .expect(200);
        b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
            .expect(200);
        b.post(
            &format!("/plans/{id}/pre-advice"),
            &b.s.team,
            advice("positive", proposed, scores),
        )
        .expect(200);
        ids.push(id);
    }
    // Not yet pre-advised: not ranked.
    b.s.submitted();
    let r =
        b.s.app
            .get(
                &format!("/rounds/{}/ranking?theme=FVW", b.s.round),
                Some(&b.chair),
            )
            .expect(200);
    let items = r.body["items"].as_array().unwrap();
    let order: Vec<&str> = items
        .iter()
        .map(|i| i["plan_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![ids[0].as_str(), ids[2].as_str(), ids[1].as_str()]
    );
    let totals: Vec<i64> = items
        .iter()
        .map(|i| i["running_total_eur"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, vec![50000, 80000, 120000]);
    let fits: Vec<bool> = items.iter().map(|i| i["fits"].as_bool().unwrap()).collect();
    assert_eq!(fits, vec![true, true, false]);
    assert_eq!(items[0]["total_score"], 12);
    let all =
        b.s.app
            .get(&format!("/rounds/{}/ranking", b.s.round), Some(&b.s.team))
            .expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 3);
    let r =
        b.s.app
            .get(
                &format!("/rounds/{}/ranking?theme=XYZ", b.s.round),
                Some(&b.s.team),
            )
            .expect(400);
    assert_eq!(r.error_fields(), vec!["theme"]);
    b.s.app
        .get(
            &format!("/rounds/{}/ranking", b.s.round),
            Some(&b.s.resident),
        )
        .expect(403);
}

#[test]
fn once_plans_are_submitted_the_catalog_codes_are_fixed() {
    let s = setup();
    s.submitted();
    let mut round = s
        .app
        .get(&format!("/rounds/{}", s.round), None)
        .expect(200)
        .body;
    round["themes"][0]["goals"][0]["code"] = json!("AA");
    let themes = round["themes"].clone();
    let r = s
        .app
        .patch(
            &format!("/rounds/{}", s.round),
            Some(&s.team),
            json!({"themes": themes}),
        )
        .expect(409);
    assert!(r.body["detail"].as_str().unwrap().contains("goal codes"));
    round["themes"][0]["goals"][0]["code"] = json!("A");
    round["themes"][0]["budget_eur"] = json!(150000);
    let themes = round["themes"].clone();
    let r = s
        .app
        .patch(
            &format!("/rounds/{}", s.round),
            Some(&s.team),
            json!({"themes": themes}),
        )
        .expect(200);
    assert_eq!(r.body["themes"][0]["budget_eur"], 150000);
}
