//! The round's plans page (issue 32): shown to an applicant with a plan in the round once
//! its window has closed, linked from their plan; 404 to others.

use crate::helpers::*;

#[test]
fn an_applicant_reads_the_rounds_plans_after_the_window_and_others_do_not() {
    let s = setup();
    let app = &s.app;
    let (mut applicant, token) = crate::signed_in(app, &["applicant"], Some("resident"));
    let id = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&token),
            complete_plan(&s.org),
        )
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/plans/{id}/submit"),
        Some(&token),
        serde_json::json!({}),
    )
    .expect(200);
    let page = format!("/rondes/{}/plannen-van-de-ronde", s.round);
    applicant.get(&page).expect(404);
    let plan_page = applicant.get(&format!("/plannen/{id}")).expect(200);
    assert!(!plan_page.html.contains("plannen-van-de-ronde"));
    app.close_call(&s.team, &s.round);
    applicant
        .get(&format!("/plannen/{id}"))
        .expect(200)
        .shows(&format!("href=\"{page}\""));
    applicant
        .get(&page)
        .expect(200)
        .shows("Plannen van de ronde")
        .shows("Huiswerkklas in De Heuvel")
        .shows("Welzijn Leidschendam-Noord")
        .shows("Wij willen samenwerken met")
        .shows(&format!("href=\"/plannen/{id}#gesprek\""));
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    team.get(&page).expect(404);
    let (mut other, _) = crate::signed_in(app, &["applicant"], Some("resident"));
    other.get(&page).expect(404);
}
