//! Merging plans, similar plans, the ranking, and the catalog fixed once plans are submitted.

use serde_json::{json, Value};

use crate::assessment::{advice, board, plan_in};
use crate::helpers::{complete_plan, setup};

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
    // Goals of one theme: that theme pays.
    afval.as_object_mut().unwrap().remove("budget_line");
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
    let in_dutch = items[0]["reasons_nl"].to_string();
    assert!(
        in_dutch.contains("2 gedeelde doelen: B, J")
            && in_dutch.contains("gedeelde partner")
            && in_dutch.contains("vergelijkbare tekst"),
        "{in_dutch}"
    );
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

#[test]
fn a_merge_combines_both_plans_into_the_target() {
    let b = board(0);
    let lead_b = b.s.app.organisation("Stichting Jeugd en Dans");
    let mut first = complete_plan(&b.s.org);
    first["title"] = json!("Dansles voor meiden");
    first["goals"] = json!(["B"]);
    let target = b.s.draft(first);
    b.post(&format!("/plans/{target}/submit"), &b.s.resident, json!({}))
        .expect(200);
    let mut second = complete_plan(&b.s.org);
    second["title"] = json!("Streetdance op het plein");
    second["goals"] = json!(["B", "C"]);
    second["lead_partner"] = json!({"organisation_id": lead_b});
    second["partners"] = json!([{"name": "Buurthuis De Til"}]);
    let merged = b.s.draft(second);
    b.post(&format!("/plans/{merged}/submit"), &b.s.resident, json!({}))
        .expect(200);
    // An amount that is no amount is refused and nothing merges.
    let r = b
        .post(
            &format!("/plans/{merged}/merge-into"),
            &b.s.team,
            json!({"target_id": target, "requested_eur": 0}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["requested_eur"]);
    b.post(
        &format!("/plans/{merged}/merge-into"),
        &b.s.team,
        json!({"target_id": target, "requested_eur": 20000}),
    )
    .expect(200);
    let t =
        b.s.app
            .get(&format!("/plans/{target}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(t.body["goals"], json!(["B", "C"]));
    assert_eq!(t.body["co_leads"], json!([{"organisation_id": lead_b}]));
    assert!(t.body["partners"]
        .as_array()
        .unwrap()
        .contains(&json!({"name": "Buurthuis De Til"})));
    assert_eq!(t.body["requested_eur"], 20000);
    assert_eq!(t.body["merged_from"], json!([merged]));
    // The target's history says what it took in; the merged plan's where it went.
    let events =
        b.s.app
            .get(&format!("/plans/{target}/events"), Some(&b.s.team))
            .expect(200);
    assert!(
        events.text.contains("took in 'Streetdance op het plein'"),
        "{}",
        events.text
    );
    let events =
        b.s.app
            .get(&format!("/plans/{merged}/events"), Some(&b.s.team))
            .expect(200);
    assert!(
        events
            .text
            .contains("samengevoegd met 'Dansles voor meiden'"),
        "{}",
        events.text
    );
}

#[test]
fn links_tie_plans_together_and_show_both_ways() {
    let b = board(0);
    let project = b.s.submitted();
    let mut part = complete_plan(&b.s.org);
    part["title"] = json!("Moestuin bij de school");
    part["links"] = json!([{"plan_id": project, "relation": "part_of"}]);
    let part = b.s.draft(part);
    let shown =
        b.s.app
            .get(&format!("/plans/{part}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(
        shown.body["links"],
        json!([{"plan_id": project, "relation": "part_of"}])
    );
    // The other way, on the project (its page and the list).
    let p =
        b.s.app
            .get(&format!("/plans/{project}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(
        p.body["linked_from"],
        json!([{"plan_id": part, "relation": "part_of"}])
    );
    let list =
        b.s.app
            .get(&format!("/plans?round={}", b.s.round), Some(&b.s.team))
            .expect(200);
    let item = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == project.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["linked_from"][0]["plan_id"], part.as_str());
    // The applicant is not shown which plans link to theirs.
    let own =
        b.s.app
            .get(&format!("/plans/{project}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(own.body["linked_from"], json!([]));
    // Unknown, self, twice and an unknown relation are refused, naming each.
    let r =
        b.s.app
            .patch(
                &format!("/plans/{part}"),
                Some(&b.s.resident),
                json!({"links": [
                    {"plan_id": "nope", "relation": "related"},
                    {"plan_id": part, "relation": "related"},
                ]}),
            )
            .expect(400);
    assert_eq!(
        r.error_fields(),
        vec!["links[0].plan_id", "links[1].plan_id"]
    );
    b.s.app
        .patch(
            &format!("/plans/{part}"),
            Some(&b.s.resident),
            json!({"links": [{"plan_id": project, "relation": "sibling"}]}),
        )
        .expect(400);
    // Removing the link removes it on the other side too.
    b.s.app
        .patch(
            &format!("/plans/{part}"),
            Some(&b.s.resident),
            json!({"links": []}),
        )
        .expect(200);
    let p =
        b.s.app
            .get(&format!("/plans/{project}"), Some(&b.s.team))
            .expect(200);
    assert_eq!(p.body["linked_from"], json!([]));
}
