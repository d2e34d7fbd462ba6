//! The programme team assesses and the board decides.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::helpers::{complete_plan, setup, Setup};

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
    pub fn post(&self, path: &str, token: &str, body: Value) -> Resp {
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
    // Goals of one theme: that theme pays.
    p.as_object_mut().unwrap().remove("budget_line");
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
    // A date for the answer that is not after today, or no date at all, is named.
    let r = s
        .app
        .post(
            &format!("/plans/{id}/request-info"),
            Some(&s.team),
            json!({"message": "", "answer_by": "gisteren"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["message", "answer_by"]);
    let r = s
        .app
        .post(
            &format!("/plans/{id}/request-info"),
            Some(&s.team),
            json!({"message": "Wie begeleidt de kinderen?"}),
        )
        .expect(200);
    assert_eq!(r.body["status"], "needs_info");
    // No date given: two weeks.
    let today = planloket::domain::calendar::amsterdam_date(chrono::Utc::now());
    assert_eq!(
        r.body["info_request"]["answer_by"],
        (today + chrono::Duration::days(14)).to_string()
    );

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
    assert_eq!(
        suggestions[0]["reason_nl"],
        "2 doelen (B, J) uit 2 opgaven (FZT, JJO)"
    );
    assert_eq!(
        suggestions[1]["reason_nl"],
        "1 samenwerkingspartner; betrokkenheid van bewoners beschreven"
    );

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
