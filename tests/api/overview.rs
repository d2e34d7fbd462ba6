//! The published "Overzicht acties": JSON, CSV and a printable HTML page, checked in a browser.

use std::process::Command;

use serde_json::{json, Value};

use crate::assessment::{advice, board, plan_in, Board};
use crate::helpers::*;

/// A round with three granted plans (one a youth plan charged to FZT's budget), one refused,
/// one still in review.
fn decided_round() -> (Board, Vec<String>) {
    let b = board(2);
    let mut granted = Vec::new();
    let mut swim = plan_in("A", 30000, &b.s.org);
    swim["title"] = json!("Zwemles voor iedereen");
    swim["continuing"] = json!(true);
    let mut youth = plan_in("D", 20000, &b.s.org);
    youth["title"] = json!("Jongerenwerk <script>alert('x')</script>");
    youth["budget_line"] = json!("FZT");
    youth["partners"] = json!([{"name": "Jongerencentrum \"De Plek\""}]);
    let mut garden = plan_in("O", 15000, &b.s.org);
    garden["title"] = json!("Buurtmoestuin");
    for (plan, amount) in [(swim, 30000), (youth, 20000), (garden, 12500)] {
        let id = b.voting(plan, advice("positive", amount, [3, 2, 2, 2]));
        b.vote(&id, &b.members[0].1, "for").expect(200);
        b.vote(&id, &b.members[1].1, "for").expect(200);
        b.close(&id).expect(200);
        granted.push(id);
    }
    let refused = b.voting(
        plan_in("R", 5000, &b.s.org),
        advice("negative", 0, [0, 0, 0, 0]),
    );
    b.vote(&refused, &b.members[0].1, "for").expect(200);
    b.vote(&refused, &b.members[1].1, "for").expect(200);
    b.close(&refused).expect(200);
    b.s.submitted();
    (b, granted)
}

/// Adopts the round, deferring the plan still submitted.
fn adopt(b: &Board) {
    let open =
        b.s.app
            .get(
                &format!("/plans?round={}&status=submitted", b.s.round),
                Some(&b.s.team),
            )
            .expect(200);
    let deferred: Vec<_> = open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(deferred.len(), 1);
    b.s.app.close_call(&b.s.team, &b.s.round);
    b.s.app
        .post(
            &format!("/rounds/{}/adoption", b.s.round),
            Some(&b.s.team),
            json!({"adopted_on": "2025-04-08", "reference": "College 2025/114", "deferred": deferred}),
        )
        .expect(201);
}

fn get_as(app: &TestApp, path: &str, token: Option<&str>, accept: &str) -> Resp {
    app.send("GET", path, token, None, &[("Accept", accept)])
}

#[test]
fn before_adoption_only_the_programme_team_sees_a_draft() {
    let (b, _) = decided_round();
    let path = format!("/rounds/{}/overview", b.s.round);
    get_as(&b.s.app, &path, None, "application/json").expect(404);
    get_as(&b.s.app, &path, Some(&b.s.resident), "application/json").expect(404);
    get_as(&b.s.app, &path, Some(&b.chair), "text/html").expect(404);
    let draft = get_as(&b.s.app, &path, Some(&b.s.team), "application/json").expect(200);
    assert!(draft.body["adopted_on"].is_null());
    assert_eq!(draft.body["total_granted_eur"], 62500);
    assert_eq!(draft.header("cache-control"), Some("no-store"));
    let page = get_as(&b.s.app, &path, Some(&b.s.team), "text/html").expect(200);
    assert!(page.text.contains("Concept"));
}

#[test]
fn the_adopted_overview_is_public_json_grouped_by_budget_line_with_totals() {
    let (b, granted) = decided_round();
    adopt(&b);
    let r = get_as(
        &b.s.app,
        &format!("/rounds/{}/overview", b.s.round),
        None,
        "application/json",
    )
    .expect(200);
    assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(r.body["adopted_on"], "2025-04-08");
    assert_eq!(r.body["reference"], "College 2025/114");
    assert_eq!(r.body["total_granted_eur"], 62500);
    let themes = r.body["themes"].as_array().unwrap();
    let codes: Vec<&str> = themes.iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["JJO", "FZT", "FVW"]);
    let titles = |t: &Value| {
        t["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&themes[0]), vec!["Zwemles voor iedereen"]);
    assert_eq!(
        titles(&themes[1]),
        vec!["Jongerenwerk <script>alert('x')</script>"],
        "charged to FZT's budget, shown in FZT's table"
    );
    assert_eq!(titles(&themes[2]), vec!["Buurtmoestuin"]);
    assert_eq!(
        (
            themes[0]["granted_eur"].as_i64(),
            themes[0]["budget_eur"].as_i64()
        ),
        (Some(30000), Some(146000))
    );
    assert_eq!(themes[1]["granted_eur"], 20000);
    let swim = &themes[0]["plans"][0];
    assert_eq!(swim["plan_id"], granted[0].as_str());
    assert_eq!(swim["lead_partner"], "Welzijn Leidschendam-Noord");
    assert_eq!(swim["continuing"], true);
    assert_eq!(swim["programme_funding_eur"], 30000);
    assert_eq!(swim["other_funding_eur"], 2500);
    assert_eq!(swim["goals"], json!(["A"]));
    // Without Accept, JSON; with something it cannot serve, 406.
    let plain =
        b.s.app
            .get(&format!("/rounds/{}/overview", b.s.round), None)
            .expect(200);
    assert_eq!(plain.body["total_granted_eur"], 62500);
    get_as(
        &b.s.app,
        &format!("/rounds/{}/overview", b.s.round),
        None,
        "application/pdf",
    )
    .expect(406);
    get_as(
        &b.s.app,
        "/rounds/00000000-0000-7000-8000-000000000000/overview",
        None,
        "application/json",
    )
    .expect(404);
}

#[test]
fn the_csv_has_a_bom_a_header_and_one_row_per_action() {
    let (b, _) = decided_round();
    adopt(&b);
    let r = get_as(
        &b.s.app,
        &format!("/rounds/{}/overview", b.s.round),
        None,
        "text/csv",
    )
    .expect(200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.text.starts_with('\u{feff}'));
    let lines: Vec<&str> = r
        .text
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split("\r\n")
        .collect();
    assert_eq!(lines.len(), 4, "a header and three actions");
    assert!(lines[0].starts_with("Opgave;Titel;Korte omschrijving;Draagt bij aan doelen;Hoofdpartner;Werkt samen met;Doorlopend/nieuw;Financiering programma;Financiering anders;Looptijd"));
    let amounts: i64 = lines[1..]
        .iter()
        .map(|l| l.split(';').nth(7).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(amounts, 62500);
    assert!(lines[2].starts_with("Financiële zelfredzaamheid en taal;Jongerenwerk"));
    assert!(lines[2].contains("\"Jongerencentrum \"\"De Plek\"\"\""));
}

#[test]
fn the_html_page_escapes_user_text_and_draws_a_chart_per_theme() {
    let (b, _) = decided_round();
    adopt(&b);
    let r = get_as(
        &b.s.app,
        &format!("/rounds/{}/overview", b.s.round),
        None,
        "text/html",
    )
    .expect(200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.text.contains("<html lang=\"nl\">"));
    assert!(!r.text.contains("<script>") && r.text.contains("&lt;script&gt;"));
    assert_eq!(r.text.matches("<svg").count(), 3);
    assert!(r.text.contains("€ 30.000") && r.text.contains("€ 62.500"));
    assert!(r.text.contains("Jongerencentrum &quot;De Plek&quot;"));
    // Headers on two levels: every data cell names its column's and its row's header.
    let cells = r.text.matches("<td headers=\"opgave-").count()
        + r.text
            .matches("<td class=\"amount\" headers=\"opgave-")
            .count();
    let rows = r.text.matches("<th scope=\"row\" id=\"opgave-").count();
    assert!(rows > 0 && cells >= rows * 8, "{rows} rows, {cells} cells");
}

fn chromium() -> Option<String> {
    if let Ok(path) = std::env::var("PLANLOKET_CHROMIUM") {
        return Some(path);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

fn run_chromium(bin: &str, args: &[&str]) -> std::process::Output {
    let profile = std::env::temp_dir().join(format!(
        "planloket-chromium-{}",
        uuid::Uuid::now_v7().simple()
    ));
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(profile);
    out
}

#[test]
fn the_page_renders_in_a_real_browser_with_its_tables_and_charts() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var("PLANLOKET_REQUIRE_BROWSER").is_err(),
            "PLANLOKET_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!("skipped: no chromium on this machine (CI installs it)");
        return;
    };
    let (b, _) = decided_round();
    adopt(&b);
    let url = format!("{}/rounds/{}/overview", b.s.app.base, b.s.round);
    let dom = run_chromium(&bin, &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<h1>Overzicht acties</h1>"), "{dom}");
    assert_eq!(
        dom.matches("<svg").count(),
        3,
        "a chart per theme in the rendered DOM"
    );
    assert_eq!(dom.matches("<table>").count(), 3);
    assert!(dom.contains("Zwemles voor iedereen") && dom.contains("€ 62.500"));
    assert!(!dom.contains("<script>alert"), "user text stays text");

    let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("overview.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &bin,
        &[
            "--window-size=1280,2200",
            &format!("--screenshot={}", shot.display()),
            &url,
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot is saved as target/overview.png");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

#[test]
fn the_next_period_copies_the_frame_and_continues_the_continuing_actions() {
    let (b, granted) = decided_round();
    adopt(&b);
    let earlier =
        b.s.app
            .get(&format!("/rounds/{}", b.s.round), None)
            .expect(200);
    let path = format!("/rounds/{}/copy", b.s.round);
    // Checked whole: a period that ends before it starts is refused, naming the field.
    let r = b
        .post(
            &path,
            &b.s.team,
            json!({"start_year": 2028, "end_year": 2027}),
        )
        .expect(400);
    assert!(
        r.error_fields().contains(&"end_year".to_string()),
        "{}",
        r.text
    );
    b.post(&path, &b.s.resident, json!({})).expect(403);
    let now = chrono::Utc::now();
    let r = b
        .post(
            &path,
            &b.s.team,
            json!({
                "name": "Sterk voor Noord — uitvoeringsplan 2027-2028",
                "start_year": 2027,
                "end_year": 2028,
                "opens_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                "closes_at": (now + chrono::Duration::days(60)).to_rfc3339(),
            }),
        )
        .expect(201);
    let next = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["name"],
        "Sterk voor Noord — uitvoeringsplan 2027-2028"
    );
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["themes"], earlier.body["themes"]);
    assert_eq!(r.body["criteria"], earlier.body["criteria"]);
    assert_eq!(r.body["authority"], earlier.body["authority"]);
    // The swimming lessons (continuing, adopted) wait as a draft for their owner.
    let mine =
        b.s.app
            .get(&format!("/plans?round={next}"), Some(&b.s.resident))
            .expect(200);
    let items = mine.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", mine.text);
    let draft = &items[0];
    assert_eq!(draft["title"], "Zwemles voor iedereen");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["start_year"], serde_json::Value::Null);
    assert_eq!(
        draft["links"],
        json!([{"plan_id": granted[0], "relation": "continues"}])
    );
}

#[test]
fn the_table_prints_the_short_description_the_teams_note_and_the_residents_lead() {
    let b = board(2);
    let app = &b.s.app;
    let mut garden = plan_in("O", 4000, &b.s.org);
    garden["title"] = json!("Moestuin aan de Heuvel");
    garden["description"] = json!("Een heel lang verhaal over de moestuin. ".repeat(40));
    garden["summary"] = json!("Een moestuin voor en door de buurt.");
    garden.as_object_mut().unwrap().remove("lead_partner");
    garden["other_funding"] = json!([{"source": "Aangevuld door Inholland", "amount_eur": 0}]);
    // The summary has its limit, named like every field.
    let mut long = garden.clone();
    long["summary"] = json!("x".repeat(401));
    let r = app
        .post(
            &format!("/rounds/{}/plans", b.s.round),
            Some(&b.s.resident),
            long,
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["summary"], "{}", r.text);
    let id = b.voting(garden, advice("positive", 4000, [3, 2, 2, 2]));
    b.vote(&id, &b.members[0].1, "for").expect(200);
    b.vote(&id, &b.members[1].1, "for").expect(200);
    b.close(&id).expect(200);
    // The team's note on the row: only the team, at most 400 characters, empty removes it.
    let note = format!("/plans/{id}/note");
    let put = |token: &str, body: Value| {
        app.send(
            "PUT",
            &note,
            Some(token),
            Some(("application/json", body.to_string().as_bytes())),
            &[],
        )
    };
    put(&b.s.resident, json!({"note": "x"})).expect(403);
    put(&b.chair, json!({"note": "x"})).expect(403);
    let r = put(&b.s.team, json!({"note": "x".repeat(401)})).expect(400);
    assert_eq!(r.error_fields(), vec!["note"]);
    app.send(
        "PUT",
        "/plans/no-such-plan/note",
        Some(&b.s.team),
        Some(("application/json", br#"{"note": "x"}"#)),
        &[],
    )
    .expect(404);
    let r = put(
        &b.s.team,
        json!({"note": " Gaat ten laste budget financiële zelfredzaamheid "}),
    )
    .expect(200);
    assert_eq!(
        r.body["note"],
        "Gaat ten laste budget financiële zelfredzaamheid"
    );
    b.s.app.close_call(&b.s.team, &b.s.round);
    app.post(
        &format!("/rounds/{}/adoption", b.s.round),
        Some(&b.s.team),
        json!({"adopted_on": "2025-04-08", "reference": "College 2025/114"}),
    )
    .expect(201);
    let path = format!("/rounds/{}/overview", b.s.round);
    let o = get_as(app, &path, None, "application/json").expect(200);
    let row = o.body["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["plans"].as_array().unwrap().iter())
        .find(|p| p["plan_id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["summary"], "Een moestuin voor en door de buurt.");
    assert!(
        row.get("description").is_none(),
        "the description stays on the plan page"
    );
    assert_eq!(row["lead_partner"], "Inwoner(s)");
    assert_eq!(
        row["note"],
        "Gaat ten laste budget financiële zelfredzaamheid"
    );
    let page = get_as(app, &path, None, "text/html").expect(200);
    assert!(page.text.contains("Een moestuin voor en door de buurt."));
    assert!(!page.text.contains("Een heel lang verhaal"));
    assert!(page.text.contains(">Inwoner(s)</td>"), "{}", page.text);
    assert!(page.text.contains(">Aangevuld door Inholland</td>"));
    assert!(page
        .text
        .contains("<span class=\"note\">Gaat ten laste budget financiële zelfredzaamheid</span>"));
    let csv = get_as(app, &path, None, "text/csv").expect(200);
    let line = csv
        .text
        .lines()
        .find(|l| l.contains("Moestuin aan de Heuvel"))
        .unwrap();
    assert!(
        line.contains(";Inwoner(s);")
            && line.contains(";4000;;2025-2026;Aangevuld door Inholland;"),
        "{line}"
    );
    assert!(
        line.ends_with(";Gaat ten laste budget financiële zelfredzaamheid"),
        "{line}"
    );
    // Removed again: the row has no note.
    put(&b.s.team, json!({"note": ""})).expect(200);
    let o = get_as(app, &path, None, "application/json").expect(200);
    assert!(o.text.contains("\"note\":null"), "{}", o.text);
}
