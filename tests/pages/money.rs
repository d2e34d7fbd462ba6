//! After adoption: grants, payments and bank accounts in the browser.

use crate::helpers::setup;

#[test]
fn every_signed_in_person_reads_their_grants_page() {
    let s = setup();
    let (mut b, _) = crate::signed_in(&s.app, &["applicant"], Some("resident"));
    b.get("/subsidies").expect(200).shows("Subsidies");
}

#[test]
fn payments_are_the_teams_page() {
    let s = setup();
    let (mut team, _) = crate::signed_in(&s.app, &["programme_team"], None);
    team.get("/betalingen").expect(200).shows("Betalingen");
    let (mut resident, _) = crate::signed_in(&s.app, &["applicant"], Some("resident"));
    resident.get("/betalingen").expect(403);
}

#[test]
fn a_wrong_iban_is_named_and_nothing_is_recorded() {
    let s = setup();
    let (mut team, token) = crate::signed_in(&s.app, &["programme_team"], None);
    let form = format!("/beheer/organisaties/{}/bankrekening", s.org);
    team.get(&form).expect(200);
    let page = team
        .submit(
            &form,
            &form,
            &[
                ("iban", "NL00 BANK 0123 4567 89"),
                ("holder", "Welzijn Noord"),
            ],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["iban"]);
    let stored = s
        .app
        .get(
            &format!("/organisations/{}/bank-account", s.org),
            Some(&token),
        )
        .expect(200);
    assert!(stored.body["iban"].is_null(), "{}", stored.text);
}

#[test]
fn a_recorded_iban_is_shown_with_its_holder() {
    let s = setup();
    let (mut team, _) = crate::signed_in(&s.app, &["programme_team"], None);
    let form = format!("/beheer/organisaties/{}/bankrekening", s.org);
    team.submit(
        &form,
        &form,
        &[
            ("iban", "NL91 ABNA 0417 1643 00"),
            ("holder", "Welzijn Noord"),
        ],
    )
    .expect(303);
    team.get(&form)
        .expect(200)
        .shows("Welzijn Noord")
        .shows("NL91");
}

#[test]
fn finance_confirms_an_account_the_team_recorded_and_makes_the_batches() {
    let s = setup();
    let (mut team, _) = crate::signed_in(&s.app, &["programme_team"], None);
    let form = format!("/beheer/organisaties/{}/bankrekening", s.org);
    team.submit(
        &form,
        &form,
        &[
            ("iban", "NL91 ABNA 0417 1643 00"),
            ("holder", "Welzijn Noord"),
        ],
    )
    .expect(303);
    let page = team.get(&form).expect(200);
    page.shows("Nog niet bevestigd");
    assert!(
        !page.html.contains("Bankrekening bevestigen"),
        "{}",
        page.html
    );
    let (mut finance, _) = crate::signed_in(&s.app, &["finance"], None);
    finance
        .get("/betalingen")
        .expect(200)
        .shows("financiële administratie");
    finance
        .get(&form)
        .expect(200)
        .shows("Nog niet bevestigd")
        .shows("Bankrekening bevestigen");
    finance
        .submit(&form, &format!("{form}/bevestigen"), &[])
        .expect(303);
    let page = finance
        .get(&format!("{form}?bericht=bankrekening-bevestigd"))
        .expect(200);
    page.shows("De bankrekening is bevestigd")
        .shows("Bevestigd door Test Gebruiker");
    assert!(!page.html.contains("Nog niet bevestigd"), "{}", page.html);
    // The team confirms nothing and makes no batch.
    team.submit(&form, &format!("{form}/bevestigen"), &[])
        .expect(403);
    team.submit("/betalingen", "/betalingen/batches", &[])
        .expect(403);
}

fn scores() -> Vec<serde_json::Value> {
    [
        "IMPACT",
        "GEEN_BESTAAND_AANBOD",
        "MEERDERE_DOELEN",
        "SAMENWERKING",
    ]
    .iter()
    .map(|c| serde_json::json!({"criterion": c, "score": 3, "motivation": "ok"}))
    .collect()
}

#[test]
fn the_pre_advice_form_names_a_bad_payment_condition_in_its_own_row() {
    let s = setup();
    let id = s.submitted();
    s.app
        .post(
            &format!("/plans/{id}/start-review"),
            Some(&s.team),
            serde_json::json!({}),
        )
        .expect(200);
    let version = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200)
        .body["version"]
        .to_string();
    let (mut team, _) = crate::signed_in(&s.app, &["programme_team"], None);
    let form = format!("/plannen/{id}/pre-advies");
    team.get(&form)
        .expect(200)
        .shows("Voorwaarden voor betaling")
        .shows("de slotbetaling");
    let mut fields = vec![
        ("versie", version.as_str()),
        ("recommendation", "conditional"),
        ("proposed_eur", "10000"),
        ("motivation", "Past goed."),
        ("conditions", "Toestemming van Vidomes"),
        ("voorwaarde_0", ""),
        ("voorwaarde_0_voor", "advance"),
        ("voorwaarde_1", "Schriftelijke toestemming van Vidomes"),
        ("voorwaarde_1_voor", "later"),
    ];
    for c in [
        "IMPACT",
        "GEEN_BESTAAND_AANBOD",
        "MEERDERE_DOELEN",
        "SAMENWERKING",
    ] {
        fields.push((Box::leak(format!("score_{c}").into_boxed_str()), "2"));
    }
    let page = team.submit(&form, &form, &fields).expect(400);
    assert_eq!(page.summary_fields(), vec!["voorwaarde_1_voor"]);
    page.shows("Schriftelijke toestemming van Vidomes");
    fields[8] = ("voorwaarde_1_voor", "final");
    team.submit(&form, &form, &fields).expect(303);
    let stored = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.team))
        .expect(200);
    assert_eq!(
        stored.body["pre_advice"]["payment_conditions"],
        serde_json::json!([{"text": "Schriftelijke toestemming van Vidomes", "before": "final"}])
    );
}

/// A plan of the setup's resident, paid to `payee`, taken through review, `advice` and a vote
/// of one chair to a carried decision; the round's call closed, ready for adoption.
fn decided(s: &crate::helpers::Setup, payee: &str, advice: serde_json::Value) -> String {
    use serde_json::json;
    let app = &s.app;
    let id = s.draft(crate::helpers::complete_plan(payee));
    app.post(&format!("/plans/{id}/submit"), Some(&s.resident), json!({}))
        .expect(200);
    for (path, body) in [
        ("start-review", json!({})),
        ("pre-advice", advice),
        ("open-vote", json!({})),
    ] {
        app.post(&format!("/plans/{id}/{path}"), Some(&s.team), body)
            .expect(200);
    }
    let chair = app.user_with(&["board_chair"], None, None).1;
    app.post(
        &format!("/plans/{id}/votes"),
        Some(&chair),
        json!({"vote": "for", "comment": ""}),
    )
    .expect(200);
    app.post(&format!("/plans/{id}/close-vote"), Some(&chair), json!({}))
        .expect(200);
    app.close_call(&s.team, &s.round);
    id
}

/// A plan decided with `advice` and adopted today: the id of its grant.
fn granted(s: &crate::helpers::Setup, advice: serde_json::Value) -> String {
    use serde_json::json;
    decided(s, &s.org, advice);
    let today = chrono::Utc::now().date_naive().to_string();
    s.app
        .post(
            &format!("/rounds/{}/adoption", s.round),
            Some(&s.team),
            json!({"adopted_on": today, "reference": "B&W 2025/203"}),
        )
        .expect(201);
    s.app
        .get(&format!("/grants?round={}", s.round), Some(&s.team))
        .expect(200)
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_team_records_a_payment_condition_as_met_on_the_grant_page() {
    use serde_json::json;
    let s = setup();
    let app = &s.app;
    let mut advice = json!({"recommendation": "positive", "proposed_eur": 5000, "motivation": "Past goed.", "scores": scores()});
    advice["payment_conditions"] =
        json!([{"text": "Schriftelijke toestemming van Vidomes", "before": "advance"}]);
    let grant = granted(&s, advice);
    let page_path = format!("/subsidies/{grant}");
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    let page = team.get(&page_path).expect(200);
    page.shows("Voorwaarden voor betaling")
        .shows("Schriftelijke toestemming van Vidomes")
        .shows("Nog niet voldaan.");
    let condition = app
        .get(&format!("/grants/{grant}"), Some(&s.team))
        .expect(200)
        .body["conditions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let action = format!("/subsidies/{grant}/voorwaarden/{condition}/voldaan");
    // The applicant reads the condition, but records nothing.
    let (mut resident, _) = crate::signed_in(app, &["applicant"], Some("resident"));
    resident
        .submit("/subsidies", &action, &[("note", "zelf gedaan")])
        .expect(403);
    // A note too long is said; nothing is recorded.
    let long = "x".repeat(5001);
    team.submit(&page_path, &action, &[("note", long.as_str())])
        .expect(409)
        .shows("Waaruit blijkt dat eraan is voldaan");
    let done = team
        .submit(&page_path, &action, &[("note", "Brief van 3 maart")])
        .expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("{page_path}?bericht=voorwaarde-voldaan").as_str())
    );
    team.get(&page_path)
        .expect(200)
        .shows("Voldaan")
        .shows("Brief van 3 maart");
    // From the payments page, back to it.
    team.submit(
        "/betalingen",
        &action,
        &[("note", "nog eens"), ("terug", "betalingen")],
    )
    .expect(409);
}

#[test]
fn the_adoption_page_names_a_payee_that_would_get_no_copy_until_it_has_an_address() {
    use serde_json::json;
    let s = setup();
    let app = &s.app;
    let silent = app.organisation("Stichting Zonder Adres");
    let advice = json!({"recommendation": "positive", "proposed_eur": 5000, "motivation": "Past goed.", "scores": scores()});
    decided(&s, &silent, advice);
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    let here = format!("/rondes/{}/vaststelling", s.round);
    team.get(&here)
        .expect(200)
        .shows("Krijgt geen afschrift:")
        .shows("Stichting Zonder Adres");
    team.get("/beheer/organisaties")
        .expect(200)
        .shows("zij krijgt geen afschrift");
    // A bad address is named in the summary, by its own organisation's field.
    let action = format!("/beheer/organisaties/{silent}/contact");
    let page = team
        .submit(
            "/beheer/organisaties",
            &action,
            &[("contact_email", "geen adres")],
        )
        .expect(400);
    assert_eq!(
        page.summary_fields(),
        vec![format!("contact_email-{silent}")]
    );
    page.shows("geen adres");
    team.submit(
        "/beheer/organisaties",
        &action,
        &[("contact_email", "post@zonderadres.nl")],
    )
    .expect(303);
    team.get("/beheer/organisaties?bericht=contact")
        .expect(200)
        .shows("Het e-mailadres voor brieven is opgeslagen")
        .shows("post@zonderadres.nl");
    let page = team.get(&here).expect(200);
    assert!(
        !page.html.contains("Krijgt geen afschrift"),
        "{}",
        page.html
    );
}

#[test]
fn a_report_lists_each_attachment_and_the_applicant_removes_one() {
    use serde_json::json;
    let s = setup();
    let app = &s.app;
    let advice = json!({"recommendation": "positive", "proposed_eur": 5000, "motivation": "Past goed.", "scores": scores()});
    let grant = granted(&s, advice);
    let r = app
        .post(
            &format!("/grants/{grant}/reports"),
            Some(&s.resident),
            json!({"kind": "final", "done": "Gedaan", "reach": 10,
                "spent": [{"source": "programme", "amount_eur": 1000}]}),
        )
        .expect(201);
    let report = r.body["reports"][0]["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (name, kind, bytes) in [
        ("verslag.pdf", "application/pdf", &b"%PDF-1.4 verslag"[..]),
        ("klas.png", "image/png", &b"\x89PNG\r\n\x1a\n klas"[..]),
    ] {
        let a = app
            .send(
                "POST",
                &format!("/reports/{report}/attachments?name={name}"),
                Some(&s.resident),
                Some((kind, bytes)),
                &[],
            )
            .expect(201);
        ids.push(a.body["id"].as_str().unwrap().to_string());
    }
    let page_path = format!("/subsidies/{grant}");
    let mut b = crate::applicant::sign_in_resident(&s);
    let page = b.get(&page_path).expect(200);
    page.shows("verslag.pdf")
        .shows("klas.png")
        .shows("aria-label=\"klas.png verwijderen\"")
        .shows("hoogstens 10");
    let download = b.get(&format!("/verslagen/{report}/bijlagen/{}", ids[1]));
    assert_eq!(download.status, 200);
    let remove = format!("/verslagen/{report}/bijlagen/{}/verwijderen", ids[1]);
    // The team reads the attachments but removes none.
    let (mut team, _) = crate::signed_in(app, &["programme_team"], None);
    team.get(&page_path).expect(200).shows("klas.png");
    assert!(!team.get(&page_path).html.contains("verwijderen\""));
    team.submit(&page_path, &remove, &[]).expect(403);
    let done = b.submit(&page_path, &remove, &[]).expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("{page_path}?bericht=bijlage-verwijderd").as_str())
    );
    let page = b.get(&page_path).expect(200);
    page.shows("verslag.pdf");
    assert!(!page.html.contains("klas.png"));
}
