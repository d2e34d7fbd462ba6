//! Reviewers on the pages (issue 32): the team assigns them on the plan's page, the work list
//! filters "Aan mij toegewezen", and a reviewer's work list, plan page and evaluation show
//! only the plans assigned to them, without the conversation.

use crate::helpers::*;

#[test]
fn the_team_assigns_a_reviewer_who_sees_and_evaluates_only_that_plan() {
    let s = setup();
    let app = &s.app;
    let plan = s.submitted();
    let other = s.submitted();
    let (reviewer_id, reviewer_email, _) = crate::account(app, &["reviewer"], None, None);
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    let page = format!("/plannen/{plan}");
    team.get(&page)
        .expect(200)
        .shows("id=\"beoordelaars\"")
        .shows("Er is niemand toegewezen")
        .shows(&format!("value=\"{reviewer_id}\""));
    // A date in the past is named.
    team.submit(
        &page,
        &format!("{page}/beoordelaars"),
        &[("beoordelaar", &reviewer_id), ("datum", "2020-01-01")],
    )
    .expect(409)
    .shows("Uiterlijk op:");
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(10)).to_string();
    let saved = team
        .submit(
            &page,
            &format!("{page}/beoordelaars"),
            &[("beoordelaar", &reviewer_id), ("datum", &due)],
        )
        .expect(303);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("{page}?bericht=toegewezen#beoordelaars").as_str())
    );
    team.get(&format!("{page}?bericht=toegewezen"))
        .expect(200)
        .shows("De beoordelaars zijn opgeslagen.")
        .shows("uiterlijk");
    // The team's own list: every plan, or those assigned to the visitor (none yet).
    team.get("/beoordelen?ronde=alle")
        .expect(200)
        .shows("Aan mij toegewezen")
        .shows("Plannen (2)");
    team.get("/beoordelen?ronde=alle&toegewezen=mij")
        .expect(200)
        .shows("Plannen (0)");

    // The reviewer: the work list holds the one plan; its page without the conversation.
    let mut r = crate::browser::Browser::new(app);
    r.sign_in(&reviewer_email, PASSWORD);
    let list = r.get("/beoordelen?ronde=alle").expect(200);
    list.shows("U ziet de plannen die aan u zijn toegewezen")
        .shows("Plannen (1)")
        .shows(&format!("/plannen/{plan}"));
    let seen = r.get(&page).expect(200);
    seen.shows("Huiswerkklas in De Heuvel");
    assert!(
        !seen.html.contains("Gesprek met de indieners"),
        "no conversation"
    );
    assert!(
        !seen.html.contains("Beoordelaars opslaan"),
        "the team assigns"
    );
    r.get(&format!("/plannen/{other}")).expect(404);
    r.get(&format!("{page}/beoordeling")).expect(200);
    r.get(&format!("{page}/pre-advies")).expect(403);
    r.get("/bestuur").expect(403);
}
