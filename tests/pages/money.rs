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
