//! The programme team's, the board's and the admin's pages: the work list, one action on a
//! plan, a question, the board's agenda, accounts; each refused to the wrong role in Dutch.

use serde_json::{json, Value};

use crate::browser::Browser;
use crate::helpers::{setup, Setup};

/// A browser signed in as a new account with `roles`.
fn as_role<'a>(s: &'a Setup, roles: &[&str]) -> (Browser<'a>, String) {
    crate::signed_in(&s.app, roles, None)
}

/// A positive pre-advice for the amount the complete plan asks.
fn advice() -> Value {
    let scores: Vec<Value> = [
        "IMPACT",
        "GEEN_BESTAAND_AANBOD",
        "MEERDERE_DOELEN",
        "SAMENWERKING",
    ]
    .iter()
    .map(|c| json!({"criterion": c, "score": 3, "motivation": "ok"}))
    .collect();
    json!({"recommendation": "positive", "proposed_eur": 12500, "motivation": "Past goed.", "scores": scores})
}

/// A submitted plan taken through review and pre-advice into the board's vote.
fn voting(s: &Setup) -> String {
    let id = s.submitted();
    for (path, body) in [
        ("start-review", json!({})),
        ("pre-advice", advice()),
        ("open-vote", json!({})),
    ] {
        s.app
            .post(&format!("/plans/{id}/{path}"), Some(&s.team), body)
            .expect(200);
    }
    id
}

#[test]
fn the_work_list_shows_the_team_each_submitted_plan_and_its_next_step() {
    let s = setup();
    s.submitted();
    let (mut b, _) = as_role(&s, &["programme_team"]);
    b.get("/beoordelen")
        .expect(200)
        .shows("Huiswerkklas in De Heuvel")
        .shows("In behandeling nemen");
}

#[test]
fn a_bad_filter_on_the_work_list_is_named_in_the_summary() {
    let s = setup();
    let (mut b, _) = as_role(&s, &["programme_team"]);
    let page = b.get("/beoordelen?status=besloten").expect(400);
    assert_eq!(page.summary_fields(), vec!["status"]);
}

#[test]
fn the_board_does_not_reach_the_teams_work_list() {
    let s = setup();
    let (mut b, _) = as_role(&s, &["board_member"]);
    b.get("/beoordelen")
        .expect(403)
        .shows("Dit is voor het programmateam en de beoordelaars.");
}

#[test]
fn the_team_takes_a_plan_into_review_from_its_page() {
    let s = setup();
    let id = s.submitted();
    let (mut b, _) = as_role(&s, &["programme_team"]);
    let plan_page = format!("/plannen/{id}");
    let version = s
        .app
        .get(&plan_page.replace("/plannen", "/plans"), Some(&s.team))
        .expect(200)
        .body["version"]
        .to_string();
    let page = b
        .submit(
            &plan_page,
            &format!("/plannen/{id}/actie"),
            &[("actie", "start_review"), ("versie", &version)],
        )
        .expect(303);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=in-behandeling").as_str())
    );
    let plan = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert_eq!(plan.body["status"], "in_review");
}

#[test]
fn a_button_pressed_on_an_old_page_goes_back_to_the_plan_and_changes_nothing() {
    let s = setup();
    let id = s.submitted();
    let (mut b, _) = as_role(&s, &["programme_team"]);
    let page = b
        .submit(
            &format!("/plannen/{id}"),
            &format!("/plannen/{id}/actie"),
            &[("actie", "start_review"), ("versie", "0")],
        )
        .expect(303);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=niet-meer").as_str())
    );
    b.get(page.location.as_deref().unwrap())
        .expect(200)
        .shows("Dat kan niet meer")
        .shows("Hieronder ziet u hoe het er nu voor staat");
    let plan = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert_eq!(plan.body["status"], "submitted");
}

#[test]
fn an_empty_question_is_named_and_a_question_moves_the_plan_to_needs_info() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let (mut b, _) = as_role(&s, &["programme_team"]);
    let form = format!("/plannen/{id}/vraag");
    let version = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200)
        .body["version"]
        .to_string();
    let page = b
        .submit(&form, &form, &[("message", ""), ("versie", &version)])
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["message"]);
    b.submit(
        &form,
        &form,
        &[
            ("message", "Wie begeleidt de kinderen?"),
            ("versie", &version),
        ],
    )
    .expect(303);
    let plan = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert_eq!(plan.body["status"], "needs_info");
}

#[test]
fn the_evaluation_form_is_the_teams_only() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            json!({}),
        )
        .expect(200);
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get(&format!("/plannen/{id}/beoordeling"))
        .expect(200)
        .shows("IMPACT");
    let (mut chair, _) = as_role(&s, &["board_chair"]);
    chair.get(&format!("/plannen/{id}/beoordeling")).expect(403);
}

#[test]
fn the_board_sees_its_agenda_and_the_team_does_not() {
    let s = setup();
    let id = voting(&s);
    let (mut member, _) = as_role(&s, &["board_member"]);
    member
        .get("/bestuur")
        .expect(200)
        .shows(&format!("plan-{id}"))
        .shows("Huiswerkklas in De Heuvel")
        .shows("kenmerk SVN-2025-0001")
        // What the board weighs beside the advice: the amount asked, the theme, who does it.
        .shows("<dt>Gevraagd</dt><dd>€ 12.500</dd>")
        .shows("<dd>Jeugd, jongeren en onderwijs</dd>")
        .shows("<dt>Werkt samen met</dt><dd>Bibliotheek Noord</dd>");
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get("/bestuur")
        .expect(403)
        .shows("Dit is voor de leden van het bestuur.");
}

#[test]
fn a_vote_is_cast_from_the_agenda() {
    let s = setup();
    let id = voting(&s);
    let (mut member, token) = as_role(&s, &["board_member"]);
    member
        .submit(
            "/bestuur",
            &format!("/plannen/{id}/stem"),
            &[("vote", "for")],
        )
        .expect(303);
    let votes = s
        .app
        .get(&format!("/plans/{id}/votes"), Some(&token))
        .expect(200);
    assert_eq!(votes.body["for"], 1, "{}", votes.text);
    // The count reads as Dutch: one member "heeft" voted.
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get(&format!("/plannen/{id}"))
        .expect(200)
        .shows("stemgerechtigden heeft gestemd");
    // A vote from a page left open after the vote ended: to the plan, said plainly.
    s.app
        .post(
            &format!("/plans/{id}/cancel-vote"),
            Some(&s.team),
            serde_json::json!({}),
        )
        .expect(200);
    let late = member
        .submit(
            "/bestuur",
            &format!("/plannen/{id}/stem"),
            &[("vote", "against")],
        )
        .expect(303);
    assert_eq!(
        late.location.as_deref(),
        Some(format!("/plannen/{id}?bericht=niet-meer").as_str())
    );
    member
        .get(&format!("/plannen/{id}?bericht=niet-meer"))
        .expect(200)
        .shows("Dat kan niet meer");
}

#[test]
fn a_conflict_declared_twice_is_a_dutch_409_page() {
    let s = setup();
    let id = voting(&s);
    let (mut member, _) = as_role(&s, &["board_member"]);
    let path = format!("/plannen/{id}/belangenconflict");
    member
        .submit(
            "/bestuur",
            &path,
            &[("reason", "Ik zit in het bestuur van de school")],
        )
        .expect(303);
    member
        .submit("/bestuur", &path, &[("reason", "Nog eens")])
        .expect(409)
        .shows("Dit kan niet");
}

#[test]
fn the_admin_keeps_accounts_and_names_each_mistake_in_a_new_one() {
    let s = setup();
    let mut admin = Browser::new(&s.app);
    admin.sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD);
    admin
        .get("/beheer/gebruikers")
        .expect(200)
        .shows("Gebruikers");
    let form = "/beheer/gebruikers/nieuw";
    // The financial administration is a role the admin assigns like the others.
    admin
        .get(form)
        .expect(200)
        .shows("value=\"finance\"")
        .shows("financiële administratie");
    let page = admin
        .submit(form, form, &[("name", ""), ("email", "geen-adres")])
        .expect(400);
    let fields = page.summary_fields();
    assert!(
        fields.contains(&"email".to_string()) && fields.contains(&"name".to_string()),
        "{fields:?}"
    );
}

#[test]
fn the_team_reads_organisations_and_the_outbox_but_not_accounts() {
    let s = setup();
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get("/beheer/organisaties")
        .expect(200)
        .shows("Welzijn Leidschendam-Noord");
    team.get("/beheer/post").expect(200);
    team.get("/beheer/gebruikers")
        .expect(403)
        .shows("Dit is voor beheerders.");
}

#[test]
fn a_new_round_is_the_teams_to_make() {
    let s = setup();
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get("/rondes/nieuw").expect(200);
    let (mut chair, _) = as_role(&s, &["board_chair"]);
    chair.get("/rondes/nieuw").expect(403);
    chair
        .get(&format!("/rondes/{}/budget", s.round))
        .expect(200)
        .shows("Jeugd, jongeren en onderwijs");
}

#[test]
fn the_adoption_page_warns_of_an_open_call_says_what_it_leaves_out_and_asks_confirmation() {
    let s = setup();
    // A draft that will never be submitted, and a submitted plan still being assessed.
    s.draft(crate::helpers::complete_plan(&s.org));
    s.submitted();
    let (mut b, _) = as_role(&s, &["programme_team"]);
    let here = format!("/rondes/{}/vaststelling", s.round);
    let page = b.get(&here).expect(200);
    page.shows("staat nog open voor plannen tot")
        .shows("Wat deze vaststelling buiten laat")
        .shows("1 concept dat nooit is ingediend")
        .shows("1 plan(nen) in behandeling");
    // Without the confirmation nothing is recorded, and the summary names it.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let r = b.submit(
        &here,
        &here,
        &[("adopted_on", &today), ("reference", "B&W 2026/1")],
    );
    assert_eq!(r.status, 400, "{}", r.html);
    assert_eq!(r.summary_fields(), vec!["bevestigd"]);
    // Confirmed while the call is open: refused, saying how to close it first.
    let r = b.submit(
        &here,
        &here,
        &[
            ("adopted_on", &today),
            ("reference", "B&W 2026/1"),
            ("bevestigd", "ja"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.html);
    r.shows("Ronde bewerken");
    assert!(s
        .app
        .get(&format!("/rounds/{}", s.round), None)
        .expect(200)
        .body["adopted_on"]
        .is_null());
}

#[test]
fn the_team_keeps_a_note_and_reaches_the_applicant_from_the_plan_page_and_the_board_does_not() {
    let s = setup();
    let id = voting(&s);
    let here = format!("/plannen/{id}");
    let (mut team, _) = as_role(&s, &["programme_team"]);
    team.get(&here)
        .expect(200)
        .shows("Opmerking in het overzicht acties")
        // How to reach the applicant: the team's, not the board's.
        .shows("bereikbaar op <a class=\"utrecht-link\" href=\"mailto:");
    let action = format!("{here}/opmerking");
    let long = "x".repeat(401);
    team.submit(&here, &action, &[("note", long.as_str())])
        .expect(409)
        .shows("Opmerking in het overzicht");
    team.submit(
        &here,
        &action,
        &[("note", "Gaat ten laste budget financiële zelfredzaamheid")],
    )
    .expect(303);
    team.get(&format!("{here}?bericht=opmerking"))
        .expect(200)
        .shows("De opmerking in het overzicht acties is opgeslagen")
        .shows("Gaat ten laste budget financiële zelfredzaamheid</textarea>");
    let (mut member, _) = as_role(&s, &["board_member"]);
    let page = member.get(&here).expect(200);
    assert!(
        !page.html.contains("Opmerking in het overzicht"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("bereikbaar op"), "{}", page.html);
    member
        .submit(&here, &action, &[("note", "mijn opmerking")])
        .expect(403);
}

#[test]
fn a_plan_funded_otherwise_never_reads_as_zero_euros_on_the_board_or_the_plan_page() {
    let s = setup();
    let mut plan = crate::helpers::complete_plan(&s.org);
    plan["funding"] = json!("base_funding");
    plan.as_object_mut().unwrap().remove("requested_eur");
    let id = s.draft(plan);
    s.app
        .post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
    let mut advice = advice();
    advice["proposed_eur"] = json!(0);
    for (path, body) in [
        ("start-review", json!({})),
        ("pre-advice", advice),
        ("open-vote", json!({})),
    ] {
        s.app
            .post(&format!("/plans/{id}/{path}"), Some(&s.team), body)
            .expect(200);
    }
    let (mut member, _) = as_role(&s, &["board_member"]);
    let agenda = member.get("/bestuur").expect(200);
    agenda.shows("Voorgesteld: <strong>Zit in basis financiering</strong>");
    assert!(!agenda.html.contains("€ 0<"), "{}", agenda.html);
    let (mut team, _) = as_role(&s, &["programme_team"]);
    let page = team.get(&format!("/plannen/{id}")).expect(200);
    page.shows("Voorgesteld: <strong>Zit in basis financiering</strong>")
        .shows("Uit het budget van de opgave (thema)");
    assert!(!page.html.contains("€ 0<"), "{}", page.html);
}

#[test]
fn closing_a_vote_first_says_what_follows_and_closes_only_when_confirmed() {
    let s = setup();
    let id = voting(&s);
    let (mut chair, token) = as_role(&s, &["board_chair"]);
    s.app
        .post(
            &format!("/plans/{id}/votes"),
            Some(&token),
            json!({"vote": "for", "comment": ""}),
        )
        .expect(200);
    let version = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200)
        .body["version"]
        .to_string();
    let action = format!("/plannen/{id}/actie");
    let ask = chair
        .submit(
            "/bestuur",
            &action,
            &[("actie", "close_vote"), ("versie", &version)],
        )
        .expect(200);
    ask.shows("Wat er daarna gebeurt")
        .shows("Ja, stemming sluiten")
        .shows("name=\"bevestigd\" value=\"ja\"");
    let plan = s.app.get(&format!("/plans/{id}"), Some(&token)).expect(200);
    assert_eq!(plan.body["status"], "voting", "nothing closed yet");
    let done = chair
        .submit(
            "/bestuur",
            &action,
            &[
                ("actie", "close_vote"),
                ("versie", &version),
                ("bevestigd", "ja"),
            ],
        )
        .expect(303);
    assert!(done
        .location
        .unwrap()
        .starts_with("/bestuur?bericht=stemming-"));
    let plan = s.app.get(&format!("/plans/{id}"), Some(&token)).expect(200);
    assert_ne!(plan.body["status"], "voting");
}
