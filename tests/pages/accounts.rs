//! Signing in and out, registering, and the form token every post must carry.

use crate::browser::Browser;
use crate::helpers::{spawn_app, PASSWORD};

#[test]
fn a_page_for_the_signed_in_sends_a_visitor_to_sign_in_and_back() {
    let app = spawn_app();
    let page = Browser::new(&app).get("/mijn-plannen").expect(303);
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?volgende=%2Fmijn-plannen")
    );
}

#[test]
fn signing_in_sets_a_session_cookie_the_page_cannot_read_and_lands_on_own_plans() {
    let app = spawn_app();
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let mut b = Browser::new(&app);
    let page = b.sign_in(&email, PASSWORD);
    assert_eq!(
        page.location.as_deref(),
        Some("/mijn-plannen?bericht=ingelogd")
    );
    let session = page
        .cookies
        .iter()
        .find(|c| c.starts_with("planloket_sessie="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    b.get("/mijn-plannen").expect(200).shows("Mijn plannen");
}

#[test]
fn a_wrong_password_is_named_on_the_form_and_signs_nobody_in() {
    let app = spawn_app();
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let mut b = Browser::new(&app);
    let page = b
        .submit(
            "/inloggen",
            "/inloggen",
            &[("email", &email), ("password", "niet-het-goede-wachtwoord")],
        )
        .expect(401);
    assert_eq!(page.summary_fields(), vec!["email"]);
    assert!(page
        .cookies
        .iter()
        .all(|c| !c.starts_with("planloket_sessie=")));
    b.get("/mijn-plannen").expect(303);
}

#[test]
fn an_empty_sign_in_form_names_both_fields() {
    let app = spawn_app();
    let page = Browser::new(&app)
        .submit("/inloggen", "/inloggen", &[("email", ""), ("password", "")])
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["email", "password"]);
}

#[test]
fn a_post_without_the_form_token_or_with_another_visitors_changes_nothing() {
    let app = spawn_app();
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let mut b = Browser::new(&app);
    b.get("/inloggen");
    let page = b
        .post_raw("/inloggen", &[("email", &email), ("password", PASSWORD)])
        .expect(403);
    page.shows("Formulier verlopen")
        .shows("Er is niets gewijzigd");
    // A token from another visitor's page is not this visitor's.
    let theirs = Browser::new(&app).get("/inloggen").token();
    b.post_raw(
        "/inloggen",
        &[("csrf", &theirs), ("email", &email), ("password", PASSWORD)],
    )
    .expect(403);
    b.get("/mijn-plannen").expect(303);
}

#[test]
fn registering_with_mistakes_names_each_field_and_keeps_what_was_typed() {
    let app = spawn_app();
    let page = Browser::new(&app)
        .submit(
            "/registreren",
            "/registreren",
            &[
                ("name", "Anna de Vries"),
                ("email", "geen-adres"),
                ("password", "kort"),
                ("kind", "resident"),
            ],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["email", "password"]);
    page.shows("value=\"Anna de Vries\"");
}

#[test]
fn registering_signs_the_new_account_in_on_its_way_and_mails_a_known_address() {
    let app = spawn_app();
    let (_, known, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let to = "/rondes/r1/plannen/nieuw";
    let mut b = Browser::new(&app);
    let form = b
        .get(&format!("/registreren?volgende={}", to.replace('/', "%2F")))
        .expect(200);
    form.shows(&format!("name=\"volgende\" value=\"{to}\""))
        .shows("/inloggen?volgende=%2Frondes%2Fr1%2Fplannen%2Fnieuw");
    let register = |b: &mut Browser, email: &str, next: &str| {
        b.submit(
            "/registreren",
            "/registreren",
            &[
                ("name", "Anna de Vries"),
                ("email", email),
                ("password", "een-lang-wachtwoord-7"),
                ("kind", "resident"),
                ("volgende", next),
            ],
        )
    };
    // A new address: signed in, on to where the person was going.
    let new = register(&mut b, "anna.nieuw@planloket.test", to).expect(303);
    assert_eq!(new.location.as_deref(), Some(to));
    b.get("/mijn-plannen").expect(200).shows("Anna de Vries");
    // Another host is never a destination.
    let mut other = Browser::new(&app);
    let away = register(&mut other, "bert.nieuw@planloket.test", "//evil.example").expect(303);
    assert_eq!(
        away.location.as_deref(),
        Some("/mijn-plannen?bericht=welkom")
    );
    // A known address: nobody is signed in; its holder gets a mail.
    let mut third = Browser::new(&app);
    let again = register(&mut third, &known, to).expect(200);
    again.shows("Aanmelding ontvangen").shows("al een account");
    third.get("/mijn-plannen").expect(303);
}

#[test]
fn signing_out_ends_the_session() {
    let app = spawn_app();
    let (mut b, _) = crate::signed_in(&app, &["applicant"], Some("resident"));
    let token = b.get("/mijn-plannen").expect(200).token();
    let page = b.post_raw("/uitloggen", &[("csrf", &token)]).expect(303);
    assert!(page
        .cookies
        .iter()
        .any(|c| c.starts_with("planloket_sessie=") && c.contains("Max-Age=0")));
    b.get("/mijn-plannen").expect(303);
}

#[test]
fn the_account_page_lists_the_sessions_and_signs_out_everywhere() {
    let app = spawn_app();
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    Browser::new(&app).get("/account").expect(303);
    // Twelve sign-ins: the account keeps its ten newest sessions, the two oldest end.
    let mut browsers: Vec<Browser> = (0..12).map(|_| Browser::new(&app)).collect();
    for b in browsers.iter_mut() {
        b.sign_in(&email, PASSWORD);
    }
    browsers[0].get("/mijn-plannen").expect(303);
    browsers[1].get("/mijn-plannen").expect(303);
    browsers[2].get("/mijn-plannen").expect(200);
    let page = browsers[11].get("/account").expect(200);
    page.shows("Mijn account")
        .shows(&email)
        .shows("Overal uitloggen");
    assert_eq!(
        page.html
            .matches("<td class=\"utrecht-table__cell\">ja</td>")
            .count(),
        1
    );
    assert_eq!(
        page.html
            .matches("<td class=\"utrecht-table__cell\">nee</td>")
            .count(),
        9
    );
    // Signing out everywhere ends every browser's session, this one's too.
    let token = page.token();
    let out = browsers[11]
        .post_raw("/account/overal-uitloggen", &[("csrf", &token)])
        .expect(303);
    assert_eq!(out.location.as_deref(), Some("/?bericht=overal-uitgelogd"));
    for b in browsers.iter_mut() {
        b.get("/mijn-plannen").expect(303);
    }
    // Without the form token it changes nothing.
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD);
    b.post_raw("/account/overal-uitloggen", &[("csrf", "nope")]);
    b.get("/mijn-plannen").expect(200);
}

#[test]
fn behind_https_the_cookies_are_host_only_and_secure_and_hsts_is_sent() {
    let app = crate::helpers::spawn_app_with(|s| s.public_url = "https://planloket.example".into());
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let mut b = Browser::new(&app);
    let page = b.get("/inloggen").expect(200);
    assert_eq!(
        page.headers
            .get("strict-transport-security")
            .map(String::as_str),
        Some("max-age=31536000")
    );
    let form = page
        .cookies
        .iter()
        .find(|c| c.starts_with("__Host-planloket_formulier="))
        .expect("a __Host- form cookie");
    assert!(
        form.contains("Secure") && form.contains("Path=/") && !form.contains("Domain"),
        "{form}"
    );
    let signed = b.sign_in(&email, PASSWORD);
    let session = signed
        .cookies
        .iter()
        .find(|c| c.starts_with("__Host-planloket_sessie="))
        .expect("a __Host- session cookie");
    assert!(
        session.contains("Secure") && session.contains("HttpOnly"),
        "{session}"
    );
    b.get("/mijn-plannen").expect(200);
    // The API says the same.
    let r = app.get("/rounds", None);
    assert_eq!(
        r.header("strict-transport-security"),
        Some("max-age=31536000")
    );
}

#[test]
fn a_planted_form_cookie_with_a_token_of_ones_own_choosing_does_not_pass() {
    let app = spawn_app();
    let (_, email, _) = crate::account(&app, &["applicant"], Some("resident"), None);
    let chosen = "ab".repeat(32);
    let mut victim = Browser::new(&app);
    victim.plant_cookie("planloket_formulier", &chosen);
    // The double submit of old: the cookie's value as the form's token. Refused.
    let r = victim.post_raw(
        "/inloggen",
        &[("csrf", &chosen), ("email", &email), ("password", PASSWORD)],
    );
    assert_eq!(r.status, 403, "{}", r.html);
    assert!(!r.cookies.iter().any(|c| c.starts_with("planloket_sessie=")));
    // The page binds its token to the cookie: that token is not the cookie's value.
    let page = victim.get("/inloggen").expect(200);
    assert_ne!(page.token(), chosen);
    victim.sign_in(&email, PASSWORD);
}

#[test]
fn a_query_or_a_form_that_does_not_read_is_a_dutch_400_page() {
    let app = spawn_app();
    let (mut b, _) = crate::signed_in(&app, &["applicant"], Some("resident"));
    for path in [
        "/mijn-plannen?pagina=abc",
        "/mijn-plannen?bericht=a&bericht=b",
    ] {
        let page = b.get(path).expect(400);
        page.shows("Dit adres of formulier klopt niet");
        assert!(!page.html.contains("deserialize") && !page.html.contains("duplicate"));
    }
    // A field given twice in a posted form.
    let mut visitor = Browser::new(&app);
    let token = visitor.get("/inloggen").token();
    let page = visitor
        .post_raw(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "a@planloket.test"),
                ("email", "b@planloket.test"),
                ("password", PASSWORD),
            ],
        )
        .expect(400);
    page.shows("Er is niets gewijzigd");
    assert!(!page.html.contains("unsupported"), "{}", page.html);
}

#[test]
fn staff_land_on_their_own_work_after_signing_in() {
    let app = spawn_app();
    for (roles, home) in [
        (&["programme_team"][..], "/beoordelen"),
        (&["board_member"][..], "/bestuur"),
        (&["board_chair"][..], "/bestuur"),
        (&["finance"][..], "/betalingen"),
        (&["admin"][..], "/beheer/gebruikers"),
    ] {
        let (_, email, _) = crate::account(&app, roles, None, None);
        let mut b = Browser::new(&app);
        let page = b.sign_in(&email, PASSWORD);
        let to = format!("{home}?bericht=ingelogd");
        assert_eq!(page.location.as_deref(), Some(to.as_str()), "{roles:?}");
        b.get(&to).expect(200).shows("U bent ingelogd");
    }
}

#[test]
fn the_account_page_changes_the_name_and_the_password_and_asks_the_new_address_to_confirm() {
    let app = spawn_app();
    let (_, email, api_token) = crate::account(&app, &["applicant"], Some("resident"), None);
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD);
    // The name: an empty one is named; a new one is shown.
    let page = b
        .submit("/account", "/account/naam", &[("name", "  ")])
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["name"]);
    let done = b
        .submit("/account", "/account/naam", &[("name", "Anna de Vries")])
        .expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some("/account?bericht=naam-gewijzigd")
    );
    b.get("/account?bericht=naam-gewijzigd")
        .expect(200)
        .shows("Uw naam is gewijzigd")
        .shows("Anna de Vries");
    // The password: the current one must be right; then the API's token ends, this browser
    // goes on.
    let page = b
        .submit(
            "/account",
            "/account/wachtwoord",
            &[("current_password", "fout"), ("new_password", "kort")],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["new_password"]);
    let page = b
        .submit(
            "/account",
            "/account/wachtwoord",
            &[
                ("current_password", "fout-wachtwoord"),
                ("new_password", "een-nieuw-wachtwoord-9"),
            ],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["current_password"]);
    b.submit(
        "/account",
        "/account/wachtwoord",
        &[
            ("current_password", PASSWORD),
            ("new_password", "een-nieuw-wachtwoord-9"),
        ],
    )
    .expect(303);
    b.get("/account?bericht=wachtwoord-gewijzigd")
        .expect(200)
        .shows("Uw wachtwoord is gewijzigd");
    app.get("/me", Some(&api_token)).expect(401);
    // The address: a link goes to the new one; until then nothing changes.
    let page = b
        .submit(
            "/account",
            "/account/e-mailadres",
            &[
                ("new_email", "anna.nieuw@example.nl"),
                ("email_password", ""),
            ],
        )
        .expect(400);
    assert_eq!(page.summary_fields(), vec!["email_password"]);
    b.submit(
        "/account",
        "/account/e-mailadres",
        &[
            ("new_email", "anna.nieuw@example.nl"),
            ("email_password", "een-nieuw-wachtwoord-9"),
        ],
    )
    .expect(200)
    .shows("We hebben een e-mail gestuurd naar anna.nieuw@example.nl")
    .shows(&email);
    // A link that does not work says so, and changes nothing.
    let confirm = "/account/e-mailadres/bevestigen?token=onzin";
    b.get(confirm).expect(200).shows("E-mailadres bevestigen");
    b.submit(
        confirm,
        "/account/e-mailadres/bevestigen",
        &[("token", "onzin")],
    )
    .expect(409)
    .shows("Deze link werkt niet meer");
    b.get("/account").expect(200).shows(&email);
}
