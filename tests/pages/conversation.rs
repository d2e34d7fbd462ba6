//! The conversation on the plan page (issue 32): the applicant and the team write from
//! `/plannen/{id}`, each sees the other's messages with the formal question in one timeline,
//! and the board sees none of it.

use serde_json::json;

use crate::helpers::*;

#[test]
fn the_applicant_and_the_team_talk_on_the_plan_page_and_the_board_sees_none_of_it() {
    let s = setup();
    let app = &s.app;
    let (mut applicant, token) = crate::signed_in(app, &["applicant"], Some("resident"));
    let r = app
        .post(
            &format!("/rounds/{}/plans", s.round),
            Some(&token),
            complete_plan(&s.org),
        )
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    let page = format!("/plannen/{id}");
    // A draft: the conversation opens with the submission, and says so.
    applicant
        .get(&page)
        .expect(200)
        .shows("Gesprek met het programmateam")
        .shows("Als u het plan hebt ingediend");
    app.post(&format!("/plans/{id}/submit"), Some(&token), json!({}))
        .expect(200);
    applicant
        .get(&page)
        .expect(200)
        .shows("Er zijn nog geen berichten.")
        .shows("Het bestuur leest het niet.");
    let to = format!("/plannen/{id}/berichten");
    // An empty message is named, in Dutch.
    applicant
        .submit(&page, &to, &[("bericht", "  ")])
        .expect(409)
        .shows("Uw bericht: is verplicht");
    let sent = applicant
        .submit(
            &page,
            &to,
            &[("bericht", "Kunnen wij samenwerken met de bibliotheek?")],
        )
        .expect(303);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=bericht-verstuurd#gesprek").as_str())
    );
    applicant
        .get(&format!("/plannen/{id}?bericht=bericht-verstuurd"))
        .expect(200)
        .shows("Uw bericht is verstuurd.")
        .shows("Kunnen wij samenwerken met de bibliotheek?")
        .shows("Test Gebruiker (indiener)");

    let (mut team, team_token) = crate::signed_in(app, &["programme_team"], None);
    team.get(&page)
        .expect(200)
        .shows("Gesprek met de indieners")
        .shows("Kunnen wij samenwerken met de bibliotheek?");
    team.submit(
        &page,
        &to,
        &[("bericht", "Ja, graag. Zet ze als partner in het plan.")],
    )
    .expect(303);
    // The formal question takes its place in the same timeline.
    app.post(
        &format!("/plans/{id}/start-review"),
        Some(&team_token),
        json!({}),
    )
    .expect(200);
    app.post(
        &format!("/plans/{id}/request-info"),
        Some(&team_token),
        json!({"message": "Welke dagen is de huiswerkklas open?"}),
    )
    .expect(200);
    let shown = applicant.get(&page).expect(200);
    shown
        .shows("Ja, graag. Zet ze als partner in het plan.")
        .shows("Test Gebruiker (programmateam)")
        .shows("Vraag van het programmateam");
    let html = &shown.html;
    let first = html.find("Kunnen wij samenwerken").unwrap();
    let reply = html.find("Ja, graag.").unwrap();
    let question = html.rfind("Welke dagen is de huiswerkklas open?").unwrap();
    assert!(
        first < reply && reply < question,
        "the timeline is in order"
    );

    let (mut board, _) = crate::signed_in(app, &["board_member"], None);
    let seen = board.get(&page).expect(200);
    assert!(
        !seen.html.contains("Gesprek met"),
        "the board reads no conversation"
    );
    assert!(!seen.html.contains("Kunnen wij samenwerken"));
    board
        .submit(&page, &to, &[("bericht", "Mag ik meedoen?")])
        .expect(403);
}
