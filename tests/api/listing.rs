//! Reading plans: the list (filtered, paged, kept per caller, current across instances) and
//! one plan.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::helpers::{complete_plan, setup};

#[test]
fn plans_are_listed_filtered_and_paged() {
    let s = setup();
    let mut ids = Vec::new();
    for (i, (title, goals)) in [
        ("Taalcafé voor ouders", vec!["J"]),
        ("Huiswerkklas", vec!["B"]),
        ("Buurtmoestuin", vec!["O", "R"]),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = complete_plan(&s.org);
        body["title"] = json!(title);
        body["goals"] = json!(goals);
        // Goals of one theme: that theme pays.
        body.as_object_mut().unwrap().remove("budget_line");
        let id = s.draft(body);
        if i < 2 {
            s.app
                .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
                .expect(200);
        }
        ids.push(id);
    }
    let own = s.app.get("/plans", Some(&s.resident)).expect(200);
    assert_eq!(own.body["total"], 3);
    assert_eq!(
        (own.body["page"].as_i64(), own.body["page_size"].as_i64()),
        (Some(1), Some(20))
    );
    // Newest first.
    assert_eq!(own.body["items"][0]["id"], ids[2].as_str());

    let staff = s.app.get("/plans", Some(&s.team)).expect(200);
    assert_eq!(staff.body["total"], 2, "staff do not see drafts");
    let by_status = s
        .app
        .get("/plans?status=draft", Some(&s.resident))
        .expect(200);
    assert_eq!(by_status.body["total"], 1);
    let by_theme = s.app.get("/plans?theme=FZT", Some(&s.team)).expect(200);
    assert_eq!(by_theme.body["items"][0]["title"], "Taalcafé voor ouders");
    let by_goal = s.app.get("/plans?goal=B", Some(&s.team)).expect(200);
    assert_eq!(by_goal.body["total"], 1);
    let by_text = s.app.get("/plans?q=TAALCAFE", Some(&s.team)).expect(200);
    assert_eq!(by_text.body["total"], 1, "case and accents are folded");
    let by_description = s.app.get("/plans?q=groep%206", Some(&s.team)).expect(200);
    assert_eq!(by_description.body["total"], 2);
    let by_round = s
        .app
        .get(
            &format!("/plans?round={}&status=submitted", s.round),
            Some(&s.team),
        )
        .expect(200);
    assert_eq!(by_round.body["total"], 2);
    let literal = s.app.get("/plans?q=%25", Some(&s.team)).expect(200);
    assert_eq!(literal.body["total"], 0, "LIKE wildcards match literally");

    let page = s
        .app
        .get("/plans?page=2&page_size=2", Some(&s.resident))
        .expect(200);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["total"], 3);
    let page = s
        .app
        .get("/plans?page=2&page_size=1", Some(&s.team))
        .expect(200);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["total"], 2);

    let r = s
        .app
        .get(
            "/plans?page_size=101&page=0&status=done&colour=red",
            Some(&s.team),
        )
        .expect(400);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["colour", "page", "page_size", "status"]);
    s.app.get("/plans?page=abc", Some(&s.team)).expect(400);
    s.app.get("/plans", None).expect(401);
}

#[test]
fn list_totals_follow_changes_made_through_another_instance() {
    let s = setup();
    let other = spawn_second(&s.app);
    let by_round = format!("/plans?round={}&status=submitted", s.round);
    let totals = |app: &TestApp| {
        (
            app.get(&by_round, Some(&s.team)).expect(200).body["total"].clone(),
            app.get("/plans", Some(&s.team)).expect(200).body["total"].clone(),
        )
    };
    s.submitted();
    // Counted (and kept) by this instance.
    assert_eq!(totals(&s.app), (json!(1), json!(1)));

    // The other instance files and submits a plan: this one must not answer its old count.
    let draft = other
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&s.resident),
            complete_plan(&s.org),
        )
        .expect(201);
    let id = draft.body["id"].as_str().unwrap().to_string();
    other
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
    assert_eq!(totals(&s.app), (json!(2), json!(2)));

    other
        .post(
            &format!("/plans/{id}/withdraw"),
            Some(&s.resident),
            json!({"reason": "Toch niet nodig"}),
        )
        .expect(200);
    assert_eq!(totals(&s.app), (json!(1), json!(2)));
    assert_eq!(totals(&other), (json!(1), json!(2)));
}

#[test]
fn list_pages_follow_changes_made_through_another_instance_and_are_per_caller() {
    let s = setup();
    let other = spawn_second(&s.app);
    let (_, member) = s.app.user_with(&["board_member"], None, None);
    let by_round = format!("/plans?round={}&page_size=10", s.round);
    let id = s.submitted();
    let page = |app: &TestApp, token: &str| app.get(&by_round, Some(token)).expect(200).body;

    // Rendered (and kept) by this instance, once for each caller.
    let team_page = page(&s.app, &s.team);
    assert_eq!(team_page["items"][0]["status"], "submitted");
    assert!(team_page["items"][0]["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("start_review")));
    let member_page = page(&s.app, &member);
    assert_eq!(member_page["items"][0]["status"], "submitted");
    assert!(
        !member_page["items"][0]["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("start_review")),
        "a board member must not be shown the team's page: {member_page}"
    );
    assert_eq!(page(&s.app, &s.team), team_page, "the same page again");

    // The other instance changes the plan: this one must not answer the page it kept.
    other
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let team_page = page(&s.app, &s.team);
    assert_eq!(team_page["items"][0]["status"], "in_review");
    assert_eq!(team_page["items"][0]["version"], json!(3));
    assert_eq!(page(&s.app, &member)["items"][0]["status"], "in_review");

    // A plan merged into it by the other instance shows in its `merged_from`.
    let second = s.submitted();
    other
        .post(
            &format!("/plans/{second}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    other
        .post(
            &format!("/plans/{second}/merge-into"),
            Some(&s.team),
            json!({"target_id": id}),
        )
        .expect(200);
    let team_page = page(&s.app, &s.team);
    let target = team_page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(id))
        .unwrap();
    assert_eq!(target["merged_from"], json!([second]));
    assert_eq!(team_page["total"], json!(2));
}

#[test]
fn walking_the_pages_in_order_gives_what_reading_each_page_alone_gives() {
    let s = setup();
    let other = spawn_second(&s.app);
    let (_, member) = s.app.user_with(&["board_member"], None, None);
    for _ in 0..7 {
        s.submitted();
    }
    let sized = |app: &TestApp, token: &str, size: usize, page: usize| -> Vec<Value> {
        let url = format!("/plans?round={}&page_size={size}&page={page}", s.round);
        let b = app.get(&url, Some(token)).expect(200).body;
        b["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect()
    };
    let ids = |app: &TestApp, token: &str, page: usize| sized(app, token, 2, page);
    // In order on this instance, so each page after the first starts from where the one before
    // ended; each page alone and backwards on the other, a board member's first reads.
    let check = |n: usize| {
        let walked: Vec<Vec<Value>> = (1..=5).map(|p| ids(&s.app, &s.team, p)).collect();
        let alone: Vec<Vec<Value>> = (1..=5).rev().map(|p| ids(&other, &member, p)).collect();
        let alone: Vec<Vec<Value>> = alone.into_iter().rev().collect();
        assert_eq!(walked, alone);
        let all: Vec<Value> = walked.concat();
        assert_eq!(all.len(), n);
        let mut unique = all.clone();
        unique.sort_by_key(|v| v.to_string());
        unique.dedup();
        assert_eq!(unique.len(), n, "no plan twice: {all:?}");
        // Again, now from the marks the walk left.
        let again: Vec<Vec<Value>> = (1..=5).rev().map(|p| ids(&s.app, &s.team, p)).collect();
        assert_eq!(again.into_iter().rev().collect::<Vec<_>>(), walked);
        // Pages of 3 start between the marks pages of 2 left (a mark, then some rows on).
        let threes: Vec<Vec<Value>> = (1..=3).map(|p| sized(&s.app, &s.team, 3, p)).collect();
        assert_eq!(threes.concat(), all);
        walked
    };
    let before = check(7);
    // A plan filed since comes first and moves every other plan one place on.
    let newest = s.submitted();
    let after = check(8);
    assert_eq!(after[0][0], json!(newest));
    assert_eq!(after.concat()[1..], before.concat()[..]);
}

#[test]
fn reading_a_plan_needs_a_live_account_before_anything_is_said_of_the_plan() {
    let s = setup();
    let id = s.submitted();
    let unknown = "/plans/00000000-0000-7000-8000-000000000000";
    s.app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    s.app.get(unknown, Some(&s.resident)).expect(404);

    s.app
        .patch(
            &format!("/users/{}", s.resident_id),
            Some(&s.app.admin_token()),
            json!({"active": false}),
        )
        .expect(200);
    s.app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(401);
    s.app.get(unknown, Some(&s.resident)).expect(401);
}
