//! Hostile input: every odd body is answered 4xx as problem+json, and nothing is stored.

use serde_json::json;

use crate::helpers::*;
use crate::helpers::{complete_plan, setup};

fn post_raw(app: &TestApp, path: &str, token: &str, body: &[u8]) -> Resp {
    app.send(
        "POST",
        path,
        Some(token),
        Some(("application/json", body)),
        &[],
    )
}

#[test]
fn hostile_bodies_are_refused_and_nothing_is_stored() {
    let s = setup();
    let path = format!("/rounds/{}/plans", s.round);
    let many_goals = format!(
        "{{\"title\": \"x\", \"goals\": [{}]}}",
        vec!["\"A\""; 50_000].join(",")
    );
    let many_partners = format!(
        "{{\"title\": \"x\", \"partners\": [{}]}}",
        vec!["{\"name\": \"p\"}"; 50_000].join(",")
    );
    let deep = format!(
        "{{\"title\": \"x\", \"description\": {}1{}}}",
        "[".repeat(64),
        "]".repeat(64)
    );
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("50,000 goals", many_goals.into_bytes()),
        ("50,000 partners", many_partners.into_bytes()),
        (
            "a number beyond i64",
            br#"{"title": "x", "requested_eur": 99999999999999999999999}"#.to_vec(),
        ),
        (
            "a float amount",
            br#"{"title": "x", "requested_eur": 12.5}"#.to_vec(),
        ),
        (
            "a string amount",
            br#"{"title": "x", "requested_eur": "12500"}"#.to_vec(),
        ),
        ("a number title", br#"{"title": 12}"#.to_vec()),
        ("64-deep nesting", deep.into_bytes()),
        ("invalid UTF-8", b"{\"title\": \"\xff\xfe\"}".to_vec()),
        (
            "duplicate keys",
            br#"{"title": "a", "title": "b"}"#.to_vec(),
        ),
        ("a NUL in a title", b"{\"title\": \"a\\u0000b\"}".to_vec()),
        ("a raw NUL byte", b"{\"title\": \"a\x00b\"}".to_vec()),
        ("not an object", br#"["title"]"#.to_vec()),
        ("a bare string", br#""title""#.to_vec()),
        ("an empty body", b"".to_vec()),
        ("null", b"null".to_vec()),
        (
            "a title of 201 characters",
            format!("{{\"title\": \"{}\"}}", "x".repeat(201)).into_bytes(),
        ),
    ];
    for (what, body) in &bodies {
        let r = post_raw(&s.app, &path, &s.resident, body);
        assert!(
            (400..500).contains(&r.status),
            "{what}: answered {} {}",
            r.status,
            r.text
        );
        r.expect(400);
    }
    assert_eq!(
        s.app.get("/plans", Some(&s.resident)).expect(200).body["total"],
        0,
        "nothing was stored"
    );

    // The same on an existing plan: it is left as it was.
    let r = s
        .app
        .post(&path, Some(&s.resident), complete_plan(&s.org))
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_string();
    let before = s
        .app
        .get(&format!("/plans/{id}"), Some(&s.resident))
        .expect(200)
        .body;
    for (what, body) in &bodies {
        let r = s.app.send(
            "PATCH",
            &format!("/plans/{id}"),
            Some(&s.resident),
            Some(("application/json", body)),
            &[],
        );
        assert!(
            (400..500).contains(&r.status),
            "{what}: answered {} {}",
            r.status,
            r.text
        );
    }
    assert_eq!(
        s.app
            .get(&format!("/plans/{id}"), Some(&s.resident))
            .expect(200)
            .body,
        before
    );
}

#[test]
fn hostile_query_strings_and_paths_are_refused_cleanly() {
    let s = setup();
    for q in [
        "page=99999999999999999999",
        "page_size=-1",
        "q=%00",
        "goal=%25%25%25",
        "round=%FF",
        "status=draft&status=submitted",
    ] {
        let r = s.app.get(&format!("/plans?{q}"), Some(&s.team));
        assert!(
            r.status == 200 || r.status == 400,
            "{q}: {} {}",
            r.status,
            r.text
        );
        if r.status == 400 {
            r.expect(400);
        }
    }
    for p in [
        "/plans/%00",
        "/plans/..%2F..%2Fetc%2Fpasswd",
        &format!("/plans/{}", "x".repeat(5000)),
    ] {
        let r = s.app.get(p, Some(&s.team));
        assert!(r.status == 404 || r.status == 400, "{p}: {}", r.status);
    }
    let r = s.app.post(
        "/auth/login",
        None,
        json!({"email": "a\u{0}b@example.nl", "password": "x"}),
    );
    assert_eq!(r.status, 401);
}
