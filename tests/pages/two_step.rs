//! The second factor in the pages (issue 31): a staff member without one is sent to enrol,
//! enrols with the QR code's secret, sees the recovery codes once, and from then on signs in
//! with the password and the code on `/inloggen/code`.

use planloket::domain::second_factor::StaffMfa;
use serde_json::json;

use crate::browser::{Browser, Page};
use crate::helpers::{
    spawn_app_with, Authenticator, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD,
};

/// An app that asks staff a second factor, with an admin token signed in with one.
fn required() -> (TestApp, String) {
    let app = spawn_app_with(|s| s.staff_mfa = StaffMfa::Required);
    let (_, admin) = app.enrolled_admin();
    (app, admin)
}

fn team_member(app: &TestApp, admin: &str) -> String {
    let email = format!("team-{}@planloket.test", uuid::Uuid::now_v7().simple());
    app.post(
        "/users",
        Some(admin),
        json!({"email": email, "name": "Tessa Team", "password": PASSWORD, "roles": ["programme_team"]}),
    )
    .expect(201);
    email
}

/// The secret the enrolment page shows, without its spaces.
fn secret_on(page: &Page) -> String {
    let start = page
        .html
        .find("class=\"pl-secret\">")
        .expect("the secret as text")
        + "class=\"pl-secret\">".len();
    let end = page.html[start..].find('<').unwrap() + start;
    page.html[start..end].replace(' ', "")
}

fn recovery_codes_on(page: &Page) -> Vec<String> {
    page.html
        .split("<li class=\"utrecht-unordered-list__item\"><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect()
}

#[test]
fn staff_are_sent_to_enrol_and_then_sign_in_with_a_code() {
    let (app, admin) = required();
    let email = team_member(&app, &admin);
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD);
    // Nothing but enrolment: the work list sends them there, and so does any staff page.
    let to = b.get("/beoordelen").expect(303);
    assert_eq!(to.location.as_deref(), Some("/account/tweestap"));
    assert_eq!(
        b.get("/account").expect(303).location.as_deref(),
        Some("/account/tweestap")
    );
    let page = b.get("/account/tweestap").expect(200);
    page.shows("Tweestapsverificatie instellen")
        .shows("<svg")
        .shows("QR-code om uw account toe te voegen")
        .shows("name=\"code\"")
        .shows("autocomplete=\"one-time-code\"");
    let secret = secret_on(&page);
    assert_eq!(secret.len(), 32, "{secret}");
    // Reloading shows the same secret until it is confirmed.
    assert_eq!(secret_on(&b.get("/account/tweestap").expect(200)), secret);
    let wrong = b
        .submit("/account/tweestap", "/account/tweestap", &[("code", "12")])
        .expect(400);
    assert_eq!(wrong.summary_fields(), vec!["code"]);
    let mut phone = Authenticator::new(&secret);
    let done = b
        .submit(
            "/account/tweestap",
            "/account/tweestap",
            &[("code", &phone.next_code())],
        )
        .expect(200);
    done.shows("Tweestapsverificatie staat aan")
        .shows("u ziet ze maar één keer");
    let codes = recovery_codes_on(&done);
    assert_eq!(codes.len(), 10, "{}", done.html);
    // This session counts as signed in with the factor from now on.
    b.get("/beoordelen").expect(200);
    b.get("/account")
        .expect(200)
        .shows("Tweestapsverificatie staat <strong>aan</strong>")
        .shows("nog 10 ongebruikte herstelcodes");
    // The codes are not shown again.
    let again = b.get("/account/tweestap").expect(200);
    assert!(recovery_codes_on(&again).is_empty());
    again.shows("nog 10 ongebruikte herstelcodes");

    // Signing in again: the password, then the code.
    let mut b = Browser::new(&app);
    let asked = b
        .submit(
            "/inloggen?volgende=%2Fbeoordelen",
            "/inloggen",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("volgende", "/beoordelen"),
            ],
        )
        .expect(303);
    assert_eq!(
        asked.location.as_deref(),
        Some("/inloggen/code?volgende=%2Fbeoordelen")
    );
    // Waiting for the code signs nobody in.
    assert_eq!(
        b.get("/beoordelen").expect(303).location.as_deref(),
        Some("/inloggen?volgende=%2Fbeoordelen")
    );
    let page = b.get("/inloggen/code?volgende=%2Fbeoordelen").expect(200);
    page.shows("name=\"code\"").shows("herstelcodes");
    let wrong = b
        .submit(
            "/inloggen/code",
            "/inloggen/code",
            &[("code", "000000"), ("volgende", "/beoordelen")],
        )
        .expect(401);
    assert_eq!(wrong.summary_fields(), vec!["code"]);
    let done = b
        .submit(
            "/inloggen/code",
            "/inloggen/code",
            &[("code", &phone.next_code()), ("volgende", "/beoordelen")],
        )
        .expect(303);
    assert_eq!(done.location.as_deref(), Some("/beoordelen"));
    b.get("/beoordelen").expect(200);

    // A recovery code in place of the code, once.
    let mut c = Browser::new(&app);
    c.sign_in(&email, PASSWORD);
    c.submit("/inloggen/code", "/inloggen/code", &[("code", &codes[0])])
        .expect(303);
    c.get("/beoordelen").expect(200);
    let mut d = Browser::new(&app);
    d.sign_in(&email, PASSWORD);
    d.submit("/inloggen/code", "/inloggen/code", &[("code", &codes[0])])
        .expect(401);
}

#[test]
fn the_code_page_without_a_waiting_sign_in_goes_back_to_signing_in() {
    let (app, _) = required();
    let mut b = Browser::new(&app);
    assert_eq!(
        b.get("/inloggen/code").expect(303).location.as_deref(),
        Some("/inloggen")
    );
    let page = b
        .submit("/inloggen", "/inloggen/code", &[("code", "123456")])
        .expect(303);
    assert_eq!(
        page.location.as_deref(),
        Some("/inloggen?bericht=code-verlopen")
    );
    b.get("/inloggen?bericht=code-verlopen")
        .expect(200)
        .shows("Het inloggen duurde te lang");
    // Not signed in: the enrolment page asks to sign in first.
    assert_eq!(
        b.get("/account/tweestap").expect(303).location.as_deref(),
        Some("/inloggen?volgende=%2Faccount%2Ftweestap")
    );
}

#[test]
fn applicants_may_enrol_from_their_account_page() {
    let (app, _) = required();
    let email = "anna@example.nl";
    app.post(
        "/auth/register",
        None,
        json!({"email": email, "password": PASSWORD, "name": "Anna", "kind": "resident"}),
    )
    .expect(202);
    let mut b = Browser::new(&app);
    b.sign_in(email, PASSWORD);
    b.get("/mijn-plannen").expect(200);
    b.get("/account")
        .expect(200)
        .shows("Tweestapsverificatie staat <strong>uit</strong>")
        .shows("href=\"/account/tweestap\"");
    let page = b.get("/account/tweestap").expect(200);
    assert!(!page
        .html
        .contains("Medewerkers van het planloket loggen in met een tweede stap"));
    let mut phone = Authenticator::new(&secret_on(&page));
    b.submit(
        "/account/tweestap",
        "/account/tweestap",
        &[("code", &phone.next_code())],
    )
    .expect(200);
    let mut c = Browser::new(&app);
    let asked = c
        .submit(
            "/inloggen",
            "/inloggen",
            &[("email", email), ("password", PASSWORD)],
        )
        .expect(303);
    assert_eq!(asked.location.as_deref(), Some("/inloggen/code"));
}

#[test]
fn the_admin_resets_a_lost_second_factor_on_the_account_page() {
    let app = spawn_app_with(|s| s.staff_mfa = StaffMfa::Required);
    let (mut admin_phone, admin) = app.enrolled_admin();
    let email = team_member(&app, &admin);
    let team_first = app.login(&email, PASSWORD);
    app.enrol(&team_first);
    let team_id = app.get("/me", Some(&team_first)).expect(200).body["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The admin signs in in the browser with the password and the code.
    let mut b = Browser::new(&app);
    let asked = b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert_eq!(asked.location.as_deref(), Some("/inloggen/code"));
    b.submit(
        "/inloggen/code",
        "/inloggen/code",
        &[("code", &admin_phone.next_code())],
    )
    .expect(303);
    let page = format!("/beheer/gebruikers/{team_id}");
    b.get(&page)
        .expect(200)
        .shows("Staat <strong>aan</strong> (10 ongebruikte herstelcodes)");
    let done = b
        .submit(&page, &format!("{page}/tweestap"), &[])
        .expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("{page}?bericht=tweestap-uitgezet").as_str())
    );
    b.get(&format!("{page}?bericht=tweestap-uitgezet"))
        .expect(200)
        .shows("De tweestapsverificatie van dit account staat uit")
        .shows("Staat <strong>uit</strong>");
    // The holder's tokens ended; the password signs in, to enrol again.
    app.get("/me", Some(&team_first)).expect(401);
    let mut t = Browser::new(&app);
    t.sign_in(&email, PASSWORD);
    assert_eq!(
        t.get("/beoordelen").expect(303).location.as_deref(),
        Some("/account/tweestap")
    );
    // Nobody else resets a factor: a team member signed in with a code is refused.
    let page = t.get("/account/tweestap").expect(200);
    let mut phone = Authenticator::new(&secret_on(&page));
    t.submit(
        "/account/tweestap",
        "/account/tweestap",
        &[("code", &phone.next_code())],
    )
    .expect(200);
    t.submit(
        "/account/tweestap",
        &format!("/beheer/gebruikers/{team_id}/tweestap"),
        &[],
    )
    .expect(403);
}

#[test]
fn a_browser_signed_in_before_the_factor_was_turned_on_elsewhere_is_told_to_sign_in_again() {
    let (app, admin) = required();
    let email = team_member(&app, &admin);
    let mut b = Browser::new(&app);
    b.sign_in(&email, PASSWORD);
    // Enrolled over the API meanwhile.
    let token = app.login(&email, PASSWORD);
    app.enrol(&token);
    assert_eq!(
        b.get("/beoordelen").expect(303).location.as_deref(),
        Some("/account/tweestap")
    );
    b.get("/account/tweestap")
        .expect(200)
        .shows("In deze browser bent u ingelogd zonder de code")
        .shows("action=\"/uitloggen\"");
}
