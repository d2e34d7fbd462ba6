//! The real action table of 2025-2026 (`demo/actions-2025-2026.json`, 56 rows) replayed
//! through the API as the programme ran it: organisations' own actions filed by the team,
//! residents' plans filed for them at the desk, two reservations, every plan assessed, voted
//! on and adopted. The budget then shows the printed totals per theme, and the overview the
//! rows funded otherwise as such (never "€ 0").

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::spawn_app;

const TABLE: &str = include_str!("../../demo/actions-2025-2026.json");

/// The totals printed in the plan per theme: what the programme contributes, reservations
/// included.
const PUBLISHED: [(&str, i64); 3] = [("JJO", 145_450), ("FZT", 72_770), ("FVW", 94_370)];

#[test]
fn the_56_actions_replay_to_the_published_totals() {
    let table: Value = serde_json::from_str(TABLE).unwrap();
    let app = spawn_app();
    let admin = app.admin_token();
    let team = app.team_token();
    let chair = app.user_with(&["board_chair"], None, None).1;
    let member = app.user_with(&["board_member"], None, None).1;
    let round = app.open_round(&team);

    let mut orgs: HashMap<String, String> = HashMap::new();
    for o in table["organisations"].as_array().unwrap() {
        let r = app
            .post(
                "/organisations",
                Some(&admin),
                json!({"name": o["name"], "kind": o["kind"]}),
            )
            .expect(201);
        orgs.insert(
            o["name"].as_str().unwrap().into(),
            r.body["id"].as_str().unwrap().into(),
        );
    }
    let party = |name: &Value| json!({"organisation_id": orgs[name.as_str().unwrap()]});

    let rows = table["actions"].as_array().unwrap();
    assert_eq!(rows.len(), 56);
    let mut filed: HashMap<String, String> = HashMap::new();
    let mut expected_funding: HashMap<String, String> = HashMap::new();
    for row in rows {
        let title = row["title"].as_str().unwrap().to_string();
        if row["reservation"] == json!(true) {
            app.post(
                &format!("/rounds/{round}/reservations"),
                Some(&team),
                json!({"theme": row["theme"], "amount_eur": row["requested_eur"], "purpose": title}),
            )
            .expect(201);
            continue;
        }
        let mut plan = json!({
            "title": title,
            "description": row["description"],
            "goals": row["goals"],
            "budget_line": row.get("budget_line").unwrap_or(&row["theme"]),
            "partners": row["partners"].as_array().unwrap().iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            "co_leads": row.get("co_leads").map(|c| c.as_array().unwrap().iter().map(&party).collect::<Vec<_>>()).unwrap_or_default(),
            "continuing": row["continuing"],
            "funding": row["funding"],
            "requested_eur": row["requested_eur"],
            "other_funding": row["other_funding"],
            "start_year": row["start_year"],
            "end_year": row["end_year"],
        });
        if let Some(lead) = row.get("lead").filter(|l| !l.is_null()) {
            plan["lead_partner"] = party(lead);
        }
        if let Some(payee) = row.get("payee") {
            plan["payee_id"] = json!(orgs[payee.as_str().unwrap()]);
        }
        if let Some(whole) = row.get("part_of") {
            plan["links"] =
                json!([{"plan_id": filed[whole.as_str().unwrap()], "relation": "part_of"}]);
        }
        // A resident with an account comes to the desk; an organisation's action is its own.
        let submitter = if let Some(name) = row.get("resident") {
            let (_, token) = app.user_with(&["applicant"], Some("resident"), None);
            let me = app.get("/me", Some(&token)).expect(200);
            plan["filed_for"] =
                json!({"email": me.body["email"], "name": name, "kind": "resident"});
            token
        } else {
            plan["filed_for"] = json!({"organisation_id": orgs[row["lead"].as_str().unwrap()]});
            team.clone()
        };
        let id = app
            .post(&format!("/rounds/{round}/plans"), Some(&team), plan)
            .expect(201)
            .body["id"]
            .as_str()
            .unwrap()
            .to_string();
        let step = |path: &str, token: &str, body: Value| {
            app.post(&format!("/plans/{id}/{path}"), Some(token), body)
                .expect(200)
        };
        step("submit", &submitter, json!({}));
        step("start-review", &team, json!({}));
        let scores: Vec<Value> = [
            "IMPACT",
            "GEEN_BESTAAND_AANBOD",
            "MEERDERE_DOELEN",
            "SAMENWERKING",
        ]
        .iter()
        .map(|c| json!({"criterion": c, "score": 2, "motivation": "Volgens het uitvoeringsplan"}))
        .collect();
        step(
            "pre-advice",
            &team,
            json!({"recommendation": "positive", "proposed_eur": row["requested_eur"].as_i64().unwrap_or(0),
                   "motivation": "Opgenomen in het uitvoeringsplan", "scores": scores}),
        );
        step("open-vote", &team, json!({}));
        for voter in [&chair, &member] {
            app.post(
                &format!("/plans/{id}/votes"),
                Some(voter),
                json!({"vote": "for"}),
            )
            .expect(200);
        }
        let closed = step("close-vote", &chair, json!({}));
        assert_eq!(closed.body["status"], "approved", "{title}");
        expected_funding.insert(title.clone(), row["funding"].as_str().unwrap().into());
        filed.insert(title, id);
    }
    app.close_call(&team, &round);
    app.post(
        &format!("/rounds/{round}/adoption"),
        Some(&team),
        json!({"adopted_on": table["adopted_on"], "reference": table["reference"], "deferred": []}),
    )
    .expect(201);

    // The next period: every continuing action waits as a draft, an organisation's own
    // action still its own (held by the team, no applicant), a resident's for the resident.
    let next = app
        .post(
            &format!("/rounds/{round}/copy"),
            Some(&team),
            json!({"name": "Sterk voor Noord — uitvoeringsplan 2027-2028", "start_year": 2027, "end_year": 2028}),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let drafts = app
        .get(&format!("/plans?round={next}&page_size=100"), Some(&team))
        .expect(200);
    let continuing = rows
        .iter()
        .filter(|r| r["continuing"] == json!(true) && r.get("resident").is_none())
        .count();
    assert_eq!(drafts.body["total"], continuing, "{}", drafts.text);
    for d in drafts.body["items"].as_array().unwrap() {
        assert_eq!(d["status"], "draft");
        assert!(d["own_action_of"].is_string(), "{d}");
    }

    // Per theme: granted plus reserved is the printed total, and the rest fits the budget.
    let budget = app
        .get(&format!("/rounds/{round}/budget"), Some(&team))
        .expect(200);
    for (theme, total) in PUBLISHED {
        let line = budget.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["theme"] == theme)
            .unwrap();
        assert_eq!(
            line["granted_eur"].as_i64().unwrap() + line["reserved_eur"].as_i64().unwrap(),
            total,
            "{theme}: {line}"
        );
        assert!(line["remaining_eur"].as_i64().unwrap() >= 0, "{line}");
    }

    // The overview lists every plan under its budget line, with its funding kind.
    let overview = app
        .get(&format!("/rounds/{round}/overview"), None)
        .expect(200);
    let mut shown = 0;
    let mut otherwise: HashMap<(String, String), usize> = HashMap::new();
    for theme in overview.body["themes"].as_array().unwrap() {
        for p in theme["plans"].as_array().unwrap() {
            let title = p["title"].as_str().unwrap();
            assert_eq!(p["funding"], expected_funding[title], "{title}");
            if p["funding"] != "programme" {
                *otherwise
                    .entry((
                        theme["code"].as_str().unwrap().into(),
                        p["funding"].as_str().unwrap().into(),
                    ))
                    .or_default() += 1;
            }
            shown += 1;
        }
    }
    assert_eq!(shown, 54);
    // The published totals per theme are the document's: the plans and the reservations,
    // each reservation a row with its purpose.
    for (theme, total) in PUBLISHED {
        let t = overview.body["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == theme)
            .unwrap();
        assert_eq!(t["total_eur"], total, "{theme}");
        assert_eq!(
            t["granted_eur"].as_i64().unwrap() + t["reserved_eur"].as_i64().unwrap(),
            total
        );
    }
    let reserved: Vec<(String, i64)> = overview.body["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["reservations"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["purpose"].as_str().unwrap().to_string(),
                r["amount_eur"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reserved,
        vec![
            ("Jeugd, jongeren en onderwijs".to_string(), 30_000),
            ("Regie op taalaanbod".to_string(), 35_000)
        ]
    );
    assert_eq!(overview.body["total_reserved_eur"], 65_000);
    let count = |theme: &str, kind: &str| {
        otherwise
            .get(&(theme.to_string(), kind.to_string()))
            .copied()
            .unwrap_or(0)
    };
    // As printed: "Zit in basis financiering" 1 / 5 / 2, "Geen" or "-" or empty 0 / 2 / 13.
    assert_eq!(
        [
            count("JJO", "base_funding"),
            count("FZT", "base_funding"),
            count("FVW", "base_funding")
        ],
        [1, 5, 2]
    );
    assert_eq!(
        [
            count("JJO", "none"),
            count("FZT", "none"),
            count("FVW", "none")
        ],
        [0, 2, 13]
    );
    let csv = app.send(
        "GET",
        &format!("/rounds/{round}/overview"),
        None,
        None,
        &[("Accept", "text/csv")],
    );
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.text.matches(";Gereserveerd;").count(),
        2,
        "{}",
        csv.text
    );
    assert_eq!(csv.text.matches("Zit in basis financiering").count(), 8);
    assert_eq!(csv.text.matches("Geen bijdrage").count(), 15);
    let page = app.send(
        "GET",
        &format!("/rounds/{round}/overview"),
        None,
        None,
        &[("Accept", "text/html")],
    );
    assert_eq!(
        page.text
            .matches("\">Zit in basis financiering</td>")
            .count(),
        8
    );
    // No action's amount cell says "€ 0" (a total may).
    assert!(!page
        .text
        .lines()
        .filter(|l| l.starts_with("<tr><th scope=\"row\""))
        .any(|l| l.contains("\">€ 0</td>")));
}
