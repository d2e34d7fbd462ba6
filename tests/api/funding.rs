//! Actions the programme funds otherwise (PRODUCT.md → Amendments → "Actions the programme
//! funds otherwise"): a `funding` kind; only a programme contribution asks an amount and
//! counts against the cap; the overview never says "€ 0".

use serde_json::json;

use crate::assessment::{advice, board};
use crate::helpers::complete_plan;

#[test]
fn a_plan_funded_otherwise_asks_no_amount_and_is_published_as_such() {
    let b = board(2);
    // Paid from a regular budget: no amount, and a resident needs no payee.
    let mut base = complete_plan(&b.s.org);
    base["title"] = json!("Taalcafé in de bibliotheek");
    base["funding"] = json!("base_funding");
    base.as_object_mut().unwrap().remove("requested_eur");
    base.as_object_mut().unwrap().remove("payee_id");
    let id = b.s.draft(base.clone());
    let shown =
        b.s.app
            .get(&format!("/plans/{id}"), Some(&b.s.resident))
            .expect(200);
    assert_eq!(shown.body["funding"], "base_funding");
    assert_eq!(shown.body["requested_eur"], serde_json::Value::Null);

    // An amount on a plan funded otherwise, or € 0 on a programme plan, is refused at submit.
    let mut asks = base.clone();
    asks["requested_eur"] = json!(500);
    let wrong = b.s.draft(asks);
    let r = b
        .post(&format!("/plans/{wrong}/submit"), &b.s.resident, json!({}))
        .expect(400);
    assert!(
        r.error_fields().contains(&"requested_eur".to_string()),
        "{}",
        r.text
    );
    let mut zero = complete_plan(&b.s.org);
    zero["requested_eur"] = json!(0);
    let zero = b.s.draft(zero);
    let r = b
        .post(&format!("/plans/{zero}/submit"), &b.s.resident, json!({}))
        .expect(400);
    assert!(
        r.error_fields().contains(&"requested_eur".to_string()),
        "{}",
        r.text
    );
    // The drafts are deleted: they take no further part.
    for draft in [&wrong, &zero] {
        let r = b.s.app.send(
            "DELETE",
            &format!("/plans/{draft}"),
            Some(&b.s.resident),
            None,
            &[],
        );
        assert_eq!(r.status, 204);
    }

    // Through the assessment and the vote: granted without an amount, nothing charged.
    b.post(&format!("/plans/{id}/submit"), &b.s.resident, json!({}))
        .expect(200);
    b.post(&format!("/plans/{id}/start-review"), &b.s.team, json!({}))
        .expect(200);
    b.post(
        &format!("/plans/{id}/pre-advice"),
        &b.s.team,
        advice("positive", 0, [2, 2, 2, 2]),
    )
    .expect(200);
    b.post(&format!("/plans/{id}/open-vote"), &b.s.team, json!({}))
        .expect(200);
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    b.close(&id).expect(200);
    let budget =
        b.s.app
            .get(&format!("/rounds/{}/budget", b.s.round), Some(&b.s.team))
            .expect(200);
    let granted: i64 = budget.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["granted_eur"].as_i64().unwrap())
        .sum();
    assert_eq!(granted, 0);
    b.s.app.close_call(&b.s.team, &b.s.round);
    b.s.app
        .post(
            &format!("/rounds/{}/adoption", b.s.round),
            Some(&b.s.team),
            json!({"adopted_on": "2025-04-08", "reference": "College 2025/114"}),
        )
        .expect(201);
    let overview =
        b.s.app
            .get(&format!("/rounds/{}/overview", b.s.round), None)
            .expect(200);
    let text = overview.text.clone();
    assert!(text.contains("\"funding\":\"base_funding\""), "{text}");
    let csv = b.s.app.send(
        "GET",
        &format!("/rounds/{}/overview", b.s.round),
        None,
        None,
        &[("Accept", "text/csv")],
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.text.contains("Zit in basis financiering"),
        "{}",
        csv.text
    );
    let page = b.s.app.send(
        "GET",
        &format!("/rounds/{}/overview", b.s.round),
        None,
        None,
        &[("Accept", "text/html")],
    );
    // The action's amount cell says how it is paid, never "€ 0" (totals may be € 0).
    assert!(
        page.text
            .lines()
            .filter(|l| l.starts_with("<tr><th scope=\"row\""))
            .any(|l| l.contains("class=\"amount\" headers=")
                && l.contains("\">Zit in basis financiering</td>")),
        "{}",
        page.text
    );
}
