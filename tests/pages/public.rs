//! What everyone sees: the home page, a round's frame, unknown paths, the headers of a page.

use crate::browser::Browser;
use crate::helpers::spawn_app;

#[test]
fn the_home_page_is_dutch_and_names_the_open_round() {
    let app = spawn_app();
    let round = app.open_round(&app.team_token());
    let page = Browser::new(&app).get("/").expect(200);
    page.shows("— Planloket Sterk voor Noord</title>")
        .shows(&format!("/rondes/{round}"));
}

#[test]
fn a_rounds_frame_shows_its_themes_and_the_button_to_file() {
    let app = spawn_app();
    let round = app.open_round(&app.team_token());
    Browser::new(&app)
        .get(&format!("/rondes/{round}"))
        .expect(200)
        .shows("Jeugd, jongeren en onderwijs")
        .shows("Plan indienen");
}

#[test]
fn an_unknown_path_or_round_is_a_dutch_404_page() {
    let app = spawn_app();
    let mut b = Browser::new(&app);
    b.get("/bestaat-niet")
        .expect(404)
        .shows("Pagina niet gevonden");
    b.get("/rondes/01a00000-0000-7000-8000-000000000000")
        .expect(404)
        .shows("Pagina niet gevonden");
}

#[test]
fn every_page_carries_the_security_headers_and_is_not_cached() {
    let app = spawn_app();
    let page = Browser::new(&app).get("/").expect(200);
    let csp = &page.headers["content-security-policy"];
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["referrer-policy"], "same-origin");
    assert_eq!(page.headers["cache-control"], "no-store");
}

#[test]
fn the_stylesheet_is_served_by_the_service_itself_and_cached_long() {
    let app = spawn_app();
    let mut b = Browser::new(&app);
    let home = b.get("/").expect(200);
    let start = home.html.find("/static/").unwrap();
    let end = home.html[start..].find('"').unwrap() + start;
    let css = b.get(&home.html[start..end]);
    assert_eq!(css.status, 200);
    assert!(
        css.content_type.starts_with("text/css"),
        "{}",
        css.content_type
    );
    assert!(css.headers["cache-control"].contains("max-age"));
}

#[test]
fn the_overview_of_a_round_not_yet_adopted_is_not_found_to_the_public() {
    let app = spawn_app();
    let round = app.open_round(&app.team_token());
    Browser::new(&app)
        .get(&format!("/rondes/{round}/overzicht"))
        .expect(404);
}

#[test]
fn the_overview_links_its_spreadsheet_and_its_print_view_to_who_may_read_it() {
    let app = spawn_app();
    let team_token = app.team_token();
    let round = app.open_round(&team_token);
    // Not adopted: a draft for the team, not found to anyone else, in every form.
    for path in [
        format!("/rondes/{round}/overzicht.csv"),
        format!("/rondes/{round}/overzicht/afdrukken"),
    ] {
        Browser::new(&app).get(&path).expect(404);
    }
    let (mut team, _) = crate::signed_in(&app, &["programme_team"], None);
    team.get(&format!("/rondes/{round}/overzicht"))
        .expect(200)
        .shows(&format!("href=\"/rondes/{round}/overzicht.csv\""))
        .shows(&format!("href=\"/rondes/{round}/overzicht/afdrukken\""));
    let csv = team.get(&format!("/rondes/{round}/overzicht.csv"));
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    assert!(
        csv.headers["content-disposition"].starts_with("attachment;"),
        "{:?}",
        csv.headers
    );
    assert!(csv.html.contains("Opgave;Titel;Korte omschrijving"));
    let print = team
        .get(&format!("/rondes/{round}/overzicht/afdrukken"))
        .expect(200);
    print.shows("Overzicht acties").shows("Concept");
    // The print view carries no style of its own (the content security policy forbids
    // inline styles): the site's stylesheet, and no menu.
    assert!(!print.html.contains("<style"), "{}", print.html);
    assert!(print.html.contains("rel=\"stylesheet\" href=\"/static/"));
    assert!(!print.html.contains("Hoofdmenu"));
}

#[test]
fn the_glossary_explains_the_words_the_pages_use() {
    let app = spawn_app();
    let page = Browser::new(&app).get("/begrippen").expect(200);
    for (id, term) in [
        ("opgave", "Opgave (thema)"),
        ("trekker", "Trekker"),
        ("bijdrage", "Bijdrage (subsidie)"),
        ("basisfinanciering", "Basisfinanciering"),
    ] {
        page.shows(&format!("<dt id=\"{id}\">{term}"));
    }
    // Every page links to it.
    Browser::new(&app)
        .get("/")
        .expect(200)
        .shows("href=\"/begrippen\"");
}

#[test]
fn the_privacy_page_states_the_terms_applied_and_every_page_links_to_it() {
    let app = spawn_app();
    let mut b = Browser::new(&app);
    let page = b.get("/privacy").expect(200);
    page.shows("Privacy: wat planloket met uw gegevens doet")
        .shows("AVG artikel 6 lid 1 onder e")
        .shows("Bewaartermijnen")
        // The defaults of the retention policy, as applied.
        .shows("12 maanden na de laatste wijziging; 30 dagen vooraf")
        .shows("24 maanden")
        .shows("90 dagen")
        .shows("10 jaar na de vaststelling")
        .shows("Selectielijst gemeenten en intergemeentelijke organen 2020")
        .shows("privacy@leidschendam-voorburg.nl")
        .shows("Autoriteit Persoonsgegevens");
    for path in ["/", "/begrippen", "/inloggen"] {
        b.get(path).expect(200).shows("href=\"/privacy\"");
    }
    b.get("/registreren")
        .expect(200)
        .shows("leest u op <a class=\"utrecht-link\" href=\"/privacy\">");
}
