//! Errors and API conventions (PRODUCT.md → Errors, API conventions).

use serde_json::json;

use crate::helpers::*;

fn assert_convention_headers(r: &Resp) {
    assert_eq!(r.header("api-version"), Some("1.0.0"), "{:?}", r.headers);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
}

#[test]
fn every_answer_carries_the_version_and_security_headers() {
    let app = spawn_app();
    assert_convention_headers(&app.get("/health", None).expect(200));
    assert_convention_headers(&app.get("/me", None).expect(401));
    assert_convention_headers(&app.get("/nothing-here", None).expect(404));
    assert_convention_headers(&app.send("DELETE", "/rounds", None, None, &[]).expect(405));
    assert_convention_headers(&app.post("/auth/login", None, json!({})).expect(400));
}

#[test]
fn every_answer_carries_a_request_id_taken_from_the_caller_or_made() {
    let app = spawn_app();
    let r = app.send(
        "GET",
        "/health",
        None,
        None,
        &[("X-Request-Id", "aanvraag-42.a_b")],
    );
    assert_eq!(r.header("x-request-id"), Some("aanvraag-42.a_b"));
    let made = app.get("/health", None);
    let id = made
        .header("x-request-id")
        .expect("an id is made")
        .to_string();
    assert!(id.len() >= 32, "{id}");
    assert_ne!(
        app.get("/health", None).header("x-request-id"),
        Some(id.as_str())
    );
    // An id that could forge a log line or a header is not echoed: a new one is made.
    for bad in ["a b", "x".repeat(129).as_str(), "a;b"] {
        let r = app.send("GET", "/me", None, None, &[("X-Request-Id", bad)]);
        let echoed = r.header("x-request-id").unwrap();
        assert_ne!(echoed, bad);
        assert!(echoed.len() >= 32);
    }
    let r = app.get("/nothing-here", None).expect(404);
    assert!(r.header("x-request-id").is_some(), "errors carry one too");
}

#[test]
fn every_401_names_the_bearer_scheme() {
    let app = spawn_app();
    let r = app.get("/me", None).expect(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(r.body["type"], "urn:planloket:problem:unauthorized");
    let r = app
        .post(
            "/auth/login",
            None,
            json!({"email": "niemand@example.nl", "password": "fout-wachtwoord"}),
        )
        .expect(401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
}

#[test]
fn health_reports_the_database() {
    let app = spawn_app();
    let r = app.get("/health", None).expect(200);
    assert_eq!(r.body["status"], "up");
    assert_eq!(r.body["database"], "up");
    assert_eq!(
        r.body["backend"],
        if app.db.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
}

#[test]
fn a_trailing_slash_is_not_found_never_redirected() {
    let app = spawn_app();
    let r = app.get("/rounds/", None).expect(404);
    assert!(r.header("location").is_none());
    app.get("/health/", None).expect(404);
    app.get("/rounds", None).expect(200);
}

#[test]
fn unknown_paths_and_methods_answer_problem_json() {
    let app = spawn_app();
    let r = app.get("/plans-that-do-not-exist", None).expect(404);
    assert_eq!(r.body["type"], "urn:planloket:problem:not-found");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // Outside /api/v1 the web front answers: its home page, and an HTML
    // 404 page (in Dutch) for a path it does not know.
    let home = app.get(&format!("http://{}/", app.addr), None).expect(200);
    assert!(home
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    // Not `expect`: that helper insists on problem+json for every error.
    let missing = app.get(&format!("http://{}/bestaat-niet", app.addr), None);
    assert_eq!(missing.status, 404);
    assert!(missing
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(missing.text.contains("niet gevonden"), "{}", missing.text);
    let r = app
        .send(
            "PUT",
            "/rounds",
            None,
            Some(("application/json", b"{}")),
            &[],
        )
        .expect(405);
    assert_eq!(r.body["status"], 405);
}

#[test]
fn a_body_that_is_not_json_is_415() {
    let app = spawn_app();
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("text/plain", b"email=a")),
        &[],
    )
    .expect(415);
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("application/x-www-form-urlencoded", b"email=a")),
        &[],
    )
    .expect(415);
}

#[test]
fn malformed_json_is_400() {
    let app = spawn_app();
    let r = app
        .send(
            "POST",
            "/auth/login",
            None,
            Some(("application/json", b"{\"email\": ")),
            &[],
        )
        .expect(400);
    assert_eq!(r.body["type"], "urn:planloket:problem:malformed-body");
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("application/json", b"")),
        &[],
    )
    .expect(400);
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("application/json", b"\xff\xfe{}")),
        &[],
    )
    .expect(400);
}

#[test]
fn a_value_of_the_wrong_type_or_an_unknown_field_is_400_naming_the_field() {
    let app = spawn_app();
    let team = app.team_token();
    let mut round = programme_round(
        chrono::Utc::now(),
        chrono::Utc::now() + chrono::Duration::days(1),
    );
    round["themes"][1]["budget_eur"] = json!("veel");
    let r = app.post("/rounds", Some(&team), round).expect(400);
    assert_eq!(r.error_fields(), vec!["themes[1].budget_eur"]);
    let r = app
        .post(
            "/auth/login",
            None,
            json!({"email": "a@b.nl", "password": "x", "role": "admin"}),
        )
        .expect(400);
    assert_eq!(r.error_fields(), vec!["role"]);
    let r = app.post("/auth/login", None, json!([1, 2])).expect(400);
    assert_eq!(r.error_fields(), vec!["body"]);
    let mut round = programme_round(
        chrono::Utc::now(),
        chrono::Utc::now() + chrono::Duration::days(1),
    );
    round["start_year"] = json!(99999999999999999999u128 as f64);
    app.post("/rounds", Some(&team), round).expect(400);
}

#[test]
fn a_body_over_one_mebibyte_is_413() {
    let app = spawn_app();
    let big = format!("{{\"email\": \"{}\"}}", "a".repeat(1_100_000));
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("application/json", big.as_bytes())),
        &[],
    )
    .expect(413);
    // Just under the limit is read (and refused for what it says, not for its size).
    let fits = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(1_000_000)
    );
    app.send(
        "POST",
        "/auth/login",
        None,
        Some(("application/json", fits.as_bytes())),
        &[],
    )
    .expect(401);
}

#[test]
fn the_openapi_document_is_served_without_a_token() {
    let app = spawn_app();
    let r = app.get("/openapi.json", None).expect(200);
    assert_eq!(r.body["openapi"], "3.0.3");
    assert_eq!(r.body["info"]["version"], "1.0.0");
    assert!(r.body["paths"]["/rounds"].is_object());
}

#[test]
fn an_unreachable_database_is_503_with_nothing_internal() {
    let app = spawn_app();
    let TestDb::Postgres { admin_url, name } = &*app.db else {
        // Only a server can go away under a running service: an open SQLite file cannot.
        eprintln!("skipped on SQLite");
        return;
    };
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::PgConnection::establish(admin_url).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .unwrap();
    let r = app.get("/health", None).expect(503);
    assert!(
        !r.text.contains(name.as_str()) && !r.text.contains("postgres"),
        "{}",
        r.text
    );
    let r = app.get("/rounds", None).expect(503);
    assert_eq!(
        r.body["detail"],
        "the database is unavailable; try again shortly"
    );
}

/// Sends raw bytes and reads the answer until the server closes the connection.
fn raw(app: &TestApp, bytes: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(app.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    // The server may answer and close before all is written: that is its answer.
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The status line of an answer actix-http makes itself, before any of planloket's code runs:
/// the status is the contract; the body is the framework's (empty), as published.
fn assert_status(answer: &str, status: u16) {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status}")),
        "{answer}"
    );
}

#[test]
fn requests_the_framework_refuses_itself_get_their_status() {
    let app = spawn_app();
    // A request head over 128 KiB.
    let big = format!(
        "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(140_000)
    );
    assert_status(&raw(&app, big.as_bytes()), 431);
    // A URL too long to be one.
    let long = format!(
        "GET /api/v1/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70_000)
    );
    assert_status(&raw(&app, long.as_bytes()), 400);
    // A head that never ends.
    let slow = raw(&app, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
    assert_status(&slow, 408);
}
