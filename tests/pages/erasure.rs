//! Erasing one's own account on the pages (issue 33): "Account verwijderen" on the account
//! page leads to a confirmation; a wrong password is named; a plan still assessed refuses with
//! what one can do; with only drafts the account goes and the browser is signed out.

use crate::helpers::*;

#[test]
fn a_resident_with_drafts_only_deletes_the_account_after_confirming() {
    let s = setup();
    let app = &s.app;
    let (id, email, token) = crate::account(app, &["applicant"], Some("resident"), None);
    let _ = id;
    app.post(
        &format!("/rounds/{}/plans", s.round),
        Some(&token),
        serde_json::json!({"title": "Een idee"}),
    )
    .expect(201);
    let mut b = crate::browser::Browser::new(app);
    b.sign_in(&email, PASSWORD);
    b.get("/account")
        .expect(200)
        .shows("href=\"/account/verwijderen\"");
    let page = "/account/verwijderen";
    b.get(page)
        .expect(200)
        .shows("Account definitief verwijderen");
    let wrong = b
        .submit(page, page, &[("password", "niet-het-wachtwoord")])
        .expect(400);
    assert_eq!(wrong.summary_fields(), vec!["password"]);
    let done = b.submit(page, page, &[("password", PASSWORD)]).expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some("/?bericht=account-verwijderd")
    );
    b.get("/?bericht=account-verwijderd")
        .expect(200)
        .shows("Uw account is verwijderd");
    let again = b.get("/mijn-plannen").expect(303);
    assert!(again.location.unwrap().starts_with("/inloggen"));
}

#[test]
fn a_plan_in_assessment_keeps_the_account_and_says_what_to_do() {
    let s = setup();
    s.submitted();
    let mut b = crate::applicant::sign_in_resident(&s);
    let page = "/account/verwijderen";
    b.submit(page, page, &[("password", PASSWORD)])
        .expect(409)
        .shows("Trek het plan eerst in");
    b.get("/mijn-plannen").expect(200);
}

#[test]
fn my_data_page_shows_what_is_held_and_offers_the_file() {
    let s = setup();
    let plan = s.submitted();
    s.app
        .get(&format!("/plans/{plan}"), Some(&s.team))
        .expect(200);
    let mut b = crate::applicant::sign_in_resident(&s);
    b.get("/account")
        .expect(200)
        .shows("href=\"/mijn-gegevens\"");
    let mut page = b.get("/mijn-gegevens").expect(200);
    // The team's reading is written by the worker within seconds.
    for _ in 0..100 {
        if page.html.contains("plan bekeken") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        page = b.get("/mijn-gegevens").expect(200);
    }
    page.shows("Uw plannen (1)")
        .shows("Huiswerkklas in De Heuvel")
        .shows("Ontvangstbevestiging")
        .shows("plan bekeken")
        .shows("programmateam")
        .shows("href=\"/mijn-gegevens/download\"");
    let file = b.get("/mijn-gegevens/download");
    assert_eq!(file.status, 200);
    assert_eq!(file.content_type, "application/json");
    assert!(
        file.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-disposition")
                && v.starts_with("attachment")),
        "{:?}",
        file.headers
    );
    let data: serde_json::Value = serde_json::from_str(&file.html).unwrap();
    assert_eq!(data["plans"][0]["id"], plan.as_str());
}
