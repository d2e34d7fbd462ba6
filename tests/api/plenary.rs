//! The round's plans shown to each other (issue 32, part 5): after the window closes, each
//! applicant with a submitted plan in the round sees every submitted plan's title, summary,
//! lead, goals and theme, and nothing of persons or the assessment; everyone else 404.

use serde_json::json;

use crate::helpers::*;

#[test]
fn applicants_see_each_others_plans_once_the_window_has_closed() {
    let s = setup();
    let app = &s.app;
    let first = s.submitted();
    // A resident's plan without a lead organisation reads "Inwoner(s)"; a summary is shown.
    let (_, second_owner) = app.user_with(&["applicant"], Some("resident"), None);
    let mut plan = complete_plan(&s.org);
    plan["title"] = json!("Buurtmoestuin Noord");
    plan["summary"] = json!("Een moestuin achter het buurthuis.");
    plan.as_object_mut().unwrap().remove("lead_partner");
    let second = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&second_owner),
            plan,
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/plans/{second}/submit"),
        Some(&second_owner),
        json!({}),
    )
    .expect(200);
    // One withdrawn, one a draft: neither is shown, and a draft's owner does not take part.
    let withdrawn = s.submitted();
    app.post(
        &format!("/plans/{withdrawn}/withdraw"),
        Some(&s.resident),
        json!({"reason": "Dubbel ingediend"}),
    )
    .expect(200);
    let (_, drafter) = app.user_with(&["applicant"], Some("resident"), None);
    app.post(
        &format!("/rounds/{}/plans", s.round),
        Some(&drafter),
        complete_plan(&s.org),
    )
    .expect(201);
    let path = format!("/rounds/{}/plenary", s.round);
    // Before the window closes: nobody.
    app.get(&path, Some(&s.resident)).expect(404);
    app.close_call(&s.team, &s.round);
    let r = app.get(&path, Some(&s.resident)).expect(200);
    assert_eq!(r.body["round_id"], s.round.as_str());
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", r.text);
    let garden = items
        .iter()
        .find(|p| p["title"] == "Buurtmoestuin Noord")
        .unwrap();
    assert_eq!(garden["lead_organisation"], "Inwoner(s)");
    assert_eq!(garden["summary"], "Een moestuin achter het buurthuis.");
    assert_eq!(garden["theme"]["code"], "JJO");
    assert_eq!(garden["goals"][0]["code"], "B");
    assert!(garden["goals"][0]["text"].as_str().unwrap().len() > 3);
    assert!(garden["reference"].as_str().unwrap().starts_with("SVN-"));
    let homework = items
        .iter()
        .find(|p| p["title"] == "Huiswerkklas in De Heuvel")
        .unwrap();
    assert_eq!(homework["lead_organisation"], "Welzijn Leidschendam-Noord");
    // Only those fields: no person, no id, no status, nothing of the assessment.
    let keys: Vec<&String> = homework.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec![
            "goals",
            "lead_organisation",
            "reference",
            "summary",
            "theme",
            "title"
        ]
    );
    assert!(!r.text.contains("Test Gebruiker") && !r.text.contains("@planloket.test"));
    assert!(!r.text.contains(&first) && !r.text.contains(&second));
    // The other owner sees the same; the draft's owner, the team and the board do not.
    app.get(&path, Some(&second_owner)).expect(200);
    app.get(&path, Some(&drafter)).expect(404);
    app.get(&path, Some(&s.team)).expect(404);
    let (_, board) = app.user_with(&["board_member"], None, None);
    app.get(&path, Some(&board)).expect(404);
    app.get(&path, None).expect(401);
    app.get("/rounds/no-such-round/plenary", Some(&s.resident))
        .expect(404);
}
