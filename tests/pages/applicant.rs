//! A resident's pages: the plan form, saving a draft, the check before submitting, submitting
//! and withdrawing.

use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{complete_plan, setup};

pub(crate) fn sign_in_resident(s: &crate::helpers::Setup) -> Browser<'_> {
    // The setup's resident signs in with the API's password too.
    let me = s.app.get("/me", Some(&s.resident)).expect(200);
    let mut b = Browser::new(&s.app);
    b.sign_in(me.body["email"].as_str().unwrap(), crate::helpers::PASSWORD);
    b
}

#[test]
fn the_plan_form_shows_the_goals_of_each_theme() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    b.get(&format!("/rondes/{}/plannen/nieuw", s.round))
        .expect(200)
        .shows("name=\"goals\"")
        .shows("Concept opslaan");
}

#[test]
fn goals_of_two_themes_ask_which_pays_offering_those_two() {
    let s = setup();
    let mut plan = complete_plan(&s.org);
    plan.as_object_mut().unwrap().remove("budget_line");
    let id = s.draft(plan);
    let mut b = sign_in_resident(&s);
    let check = b.get(&format!("/plannen/{id}/indienen")).expect(200);
    check.shows("#budget_line");
    let form = b.get(&format!("/plannen/{id}/bewerken")).expect(200);
    form.shows("Uit het budget van welke opgave (thema)?");
    // B is a goal of "Jeugd, jongeren en onderwijs", J of the second theme: those two only.
    assert!(form.html.contains("<option value=\"JJO\""), "JJO offered");
    assert!(form.html.contains("<option value=\"FZT\""), "FZT offered");
    assert!(
        !form.html.contains("<option value=\"FVW\""),
        "FVW is no theme of the goals"
    );
}

#[test]
fn a_draft_with_mistakes_comes_back_whole_with_each_field_named() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    let form = format!("/rondes/{}/plannen/nieuw", s.round);
    let page = b
        .submit(
            &form,
            &form,
            &[
                ("action", "opslaan"),
                ("title", "Moestuin"),
                ("requested_eur", "ongeveer 40"),
                ("start_year", "twintig"),
            ],
        )
        .expect(400);
    page.shows("Er is iets niet goed ingevuld")
        .shows("value=\"Moestuin\"")
        .shows("value=\"ongeveer 40\"");
    let fields = page.summary_fields();
    assert!(fields.contains(&"requested_eur".to_string()), "{fields:?}");
    assert!(fields.contains(&"start_year".to_string()), "{fields:?}");
    // Nothing was stored.
    let mine = s.app.get("/plans", Some(&s.resident)).expect(200);
    assert_eq!(mine.body["total"], 0);
}

#[test]
fn every_mistake_of_the_form_is_named_in_one_pass_from_top_to_bottom() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    let form = format!("/rondes/{}/plannen/nieuw", s.round);
    let long_title = "t".repeat(250);
    // A title too long, an amount in words and no goals, with "Plan indienen": the first try
    // names all three (and what else submitting asks), the title first.
    let page = b
        .submit(
            &form,
            &form,
            &[
                ("action", "indienen"),
                ("title", &long_title),
                ("requested_eur", "ongeveer 40"),
            ],
        )
        .expect(400);
    let fields = page.summary_fields();
    for f in ["title", "requested_eur", "goals", "description"] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    let at = |f: &str| fields.iter().position(|x| x == f).unwrap();
    assert!(at("title") < at("goals") && at("goals") < at("requested_eur"));
    page.shows("Vul een bedrag in cijfers in")
        .shows("hoogstens 200 tekens")
        .shows("hoogstens 20.000 tekens");
    assert!(!page.html.contains("zonder komma</"), "no comma was typed");
    let mine = s.app.get("/plans", Some(&s.resident)).expect(200);
    assert_eq!(mine.body["total"], 0, "nothing was stored");
}

#[test]
fn a_draft_is_saved_and_listed_under_my_plans() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    let form = format!("/rondes/{}/plannen/nieuw", s.round);
    let page = b
        .submit(
            &form,
            &form,
            &[("action", "opslaan"), ("title", "Moestuin aan de Heuvel")],
        )
        .expect(303);
    let id = page.location_id();
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=opgeslagen").as_str())
    );
    b.get(page.location.as_deref().unwrap())
        .expect(200)
        .shows("Uw concept is opgeslagen.");
    let round_name = s
        .app
        .get(&format!("/rounds/{}", s.round), Some(&s.team))
        .expect(200)
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    b.get("/mijn-plannen")
        .expect(200)
        .shows("Moestuin aan de Heuvel")
        .shows("Aanvullen en indienen")
        .shows(">Ronde</th>")
        .shows(&format!(
            "<td class=\"utrecht-table__cell\">{round_name}</td>"
        ));
}

#[test]
fn the_check_page_names_what_is_missing_before_submitting() {
    let s = setup();
    let id = s.draft(json!({"title": "Moestuin"}));
    let mut b = sign_in_resident(&s);
    let page = b.get(&format!("/plannen/{id}/indienen")).expect(200);
    page.shows("/plannen/")
        .shows("#description")
        .shows("#goals");
}

#[test]
fn a_complete_plan_is_submitted_from_the_check_page() {
    let s = setup();
    let id = s.draft(complete_plan(&s.org));
    let mut b = sign_in_resident(&s);
    let check = format!("/plannen/{id}/indienen");
    let page = b.submit(&check, &check, &[]).expect(303);
    assert_eq!(
        page.location.as_deref(),
        Some("/mijn-plannen?bericht=ingediend")
    );
    let plan = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(plan.body["status"], "submitted");
    // The reference the submission gave is on the plan's page and in the list.
    b.get(&format!("/plannen/{id}"))
        .expect(200)
        .shows("Huiswerkklas in De Heuvel")
        .shows("Kenmerk")
        .shows("SVN-2025-0001");
    b.get("/mijn-plannen").expect(200).shows("SVN-2025-0001");
    // Back to the check page, the form or the button after submitting: to the plan's page,
    // which says so in plain words.
    let back = b.get(&check).expect(303);
    assert_eq!(
        back.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=al-ingediend").as_str())
    );
    b.get(&format!("/plannen/{id}?bericht=al-ingediend"))
        .expect(200)
        .shows("Dit plan is al ingediend");
    let again = b.submit(&format!("/plannen/{id}"), &check, &[]).expect(303);
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=niet-meer").as_str())
    );
    let edit = b.get(&format!("/plannen/{id}/bewerken")).expect(303);
    assert_eq!(
        edit.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=niet-bewerkbaar").as_str())
    );
}

#[test]
fn withdrawing_asks_a_reason_and_then_withdraws() {
    let s = setup();
    let id = s.submitted();
    let mut b = sign_in_resident(&s);
    let form = format!("/plannen/{id}/intrekken");
    let page = b.submit(&form, &form, &[("reason", "")]).expect(400);
    assert_eq!(page.summary_fields(), vec!["reason"]);
    b.submit(
        &form,
        &form,
        &[("reason", "We doen het met de school samen")],
    )
    .expect(303);
    let plan = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(plan.body["status"], "withdrawn");
}

#[test]
fn another_applicants_plan_is_not_found() {
    let s = setup();
    let id = s.submitted();
    let (mut other, _) = crate::signed_in(&s.app, &["applicant"], Some("resident"));
    other.get(&format!("/plannen/{id}")).expect(404);
    other.get(&format!("/plannen/{id}/intrekken")).expect(404);
}

#[test]
fn the_teams_pages_refuse_an_applicant_in_dutch() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    b.get("/beoordelen")
        .expect(403)
        .shows("Geen toegang")
        .shows("Dit is voor het programmateam en de beoordelaars.");
    b.get(&format!("/rondes/{}/budget", s.round))
        .expect(403)
        .shows("Dit is voor het programmateam en het bestuur.");
    b.get("/beheer/gebruikers")
        .expect(403)
        .shows("Dit is voor beheerders.");
}

#[test]
fn the_short_description_has_its_limit_named_and_is_kept_with_the_draft() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    let form = format!("/rondes/{}/plannen/nieuw", s.round);
    b.get(&form)
        .expect(200)
        .shows("Korte omschrijving")
        .shows("hoogstens 400 tekens");
    let long = "x".repeat(401);
    let page = b
        .submit(
            &form,
            &form,
            &[
                ("action", "opslaan"),
                ("title", "Moestuin"),
                ("summary", long.as_str()),
            ],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["summary"]);
    let page = b
        .submit(
            &form,
            &form,
            &[
                ("action", "opslaan"),
                ("title", "Moestuin"),
                ("summary", "Een moestuin voor de buurt."),
            ],
        )
        .expect(303);
    let id = page.location_id();
    let stored = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200);
    assert_eq!(stored.body["summary"], "Een moestuin voor de buurt.");
}

#[test]
fn a_closed_rounds_form_says_why_and_what_is_open_instead() {
    let s = setup();
    s.app.close_call(&s.team, &s.round);
    let mut b = sign_in_resident(&s);
    let page = b
        .get(&format!("/rondes/{}/plannen/nieuw", s.round))
        .expect(200);
    page.shows("Deze ronde is gesloten")
        .shows("Gesloten sinds")
        .shows("Mijn plannen");
    assert!(
        !page.html.contains("name=\"title\""),
        "no form to fill in for nothing"
    );
}

#[test]
fn an_answer_typed_before_changing_the_plan_is_kept_and_sent_with_it() {
    let s = setup();
    let id = s.submitted();
    for (path, body) in [
        ("start-review", json!({})),
        (
            "request-info",
            json!({"message": "Wie begeleidt de kinderen?"}),
        ),
    ] {
        s.app
            .post(&format!("/plans/{id}/{path}"), Some(&s.team), body)
            .expect(200);
    }
    let mut b = sign_in_resident(&s);
    let plan_page = format!("/plannen/{id}");
    let page = b.get(&plan_page).expect(200);
    page.shows("Antwoord graag vóór")
        .shows("Antwoord bewaren en plan aanpassen");
    assert!(
        !page
            .html
            .contains(&format!("href=\"/plannen/{id}/bewerken\"")),
        "no link away from the typed answer"
    );
    let kept = b
        .submit(
            &plan_page,
            &format!("/plannen/{id}/antwoord"),
            &[("answer", "Twee vrijwilligers van de bibliotheek.")],
        )
        .expect(303);
    assert_eq!(
        kept.location.as_deref(),
        Some(format!("/plannen/{id}/bewerken").as_str())
    );
    // Back on the plan, the answer is in the box; the team does not read it.
    b.get(&plan_page)
        .expect(200)
        .shows(">Twee vrijwilligers van de bibliotheek.</textarea>");
    let team_view = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert!(!team_view.text.contains("Twee vrijwilligers"));
    // Submitted from the check page without an answer: the kept one goes with it.
    let check = format!("/plannen/{id}/indienen");
    b.submit(&plan_page, &check, &[]).expect(303);
    let after = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert_eq!(after.body["status"], "submitted");
    assert_eq!(
        after.body["info_request"]["answer"],
        "Twee vrijwilligers van de bibliotheek."
    );
    // Nothing more to keep once the plan no longer waits for an answer.
    b.submit(
        &plan_page,
        &format!("/plannen/{id}/antwoord"),
        &[("answer", "nog iets")],
    )
    .expect(303);
}

#[test]
fn a_resident_deletes_a_draft_after_confirming_and_a_submitted_plan_is_never_deleted() {
    let s = setup();
    let draft = s.draft(complete_plan(&s.org));
    let mut b = sign_in_resident(&s);
    let plan_page = format!("/plannen/{draft}");
    b.get(&plan_page)
        .expect(200)
        .shows(&format!("href=\"/plannen/{draft}/verwijderen\""));
    let ask = format!("/plannen/{draft}/verwijderen");
    b.get(&ask)
        .expect(200)
        .shows("Ja, concept verwijderen")
        .shows("Niet verwijderen");
    let gone = b.submit(&ask, &ask, &[]).expect(303);
    assert_eq!(
        gone.location.as_deref(),
        Some("/mijn-plannen?bericht=concept-verwijderd")
    );
    b.get("/mijn-plannen?bericht=concept-verwijderd")
        .expect(200)
        .shows("Het concept is verwijderd");
    s.app
        .get(&format!("/plans/{draft}"), Some(&s.resident))
        .expect(404);
    // A submitted plan offers no deleting, and the address goes back to the plan.
    let submitted = s.submitted();
    assert!(!b
        .get(&format!("/plannen/{submitted}"))
        .html
        .contains("Concept verwijderen"));
    let back = b
        .get(&format!("/plannen/{submitted}/verwijderen"))
        .expect(303);
    assert_eq!(
        back.location.as_deref(),
        Some(format!("/plannen/{submitted}?bericht=niet-meer").as_str())
    );
}

#[test]
fn a_section_saved_on_its_own_comes_back_to_that_section_of_the_form() {
    let s = setup();
    let mut b = sign_in_resident(&s);
    let form = format!("/rondes/{}/plannen/nieuw", s.round);
    b.get(&form)
        .expect(200)
        .shows("value=\"opslaan#deel-plan\"")
        .shows("value=\"opslaan#deel-geld\"");
    let saved = b
        .submit(
            &form,
            &form,
            &[("action", "opslaan#deel-wie"), ("title", "Moestuin")],
        )
        .expect(303);
    let to = saved.location.unwrap();
    assert!(
        to.starts_with("/plannen/") && to.ends_with("/bewerken?bericht=opgeslagen#deel-wie"),
        "{to}"
    );
    b.get(to.split('#').next().unwrap())
        .expect(200)
        .shows("Uw concept is opgeslagen")
        .shows("value=\"Moestuin\"");
    // A section the form does not have goes to the plan, as "Concept opslaan" does.
    let other = b
        .submit(
            &form,
            &form,
            &[("action", "opslaan#elders"), ("title", "Moestuin 2")],
        )
        .expect(303);
    assert!(other.location.unwrap().ends_with("?bericht=opgeslagen"));
}
