//! Prometheus metrics (issue 34): `GET /metrics` beside the API, for the holder of
//! `PLANLOKET_METRICS_TOKEN` only; requests counted by route template, never by path; the
//! outbox, sign-ins, the pool, the caches and the build; and the text accepted by
//! `promtool check metrics` (Debian's `prometheus` package) when it is installed.

use crate::helpers::*;

fn metrics_url(app: &TestApp) -> String {
    format!("http://{}/metrics", app.addr)
}

/// The value of the sample that starts with `series` (name and labels as written).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// `promtool check metrics` on the text; `None` when promtool is not installed (CI sets
/// PLANLOKET_REQUIRE_PROMTOOL=1, where it must be).
fn promtool(text: &str) -> Option<(bool, String)> {
    use std::io::Write;
    let child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("PLANLOKET_REQUIRE_PROMTOOL").is_err(),
                "promtool is required here: {e}"
            );
            return None;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), said))
}

#[test]
fn metrics_are_served_to_the_token_holder_by_route_template() {
    let s = setup();
    let app = &s.app;
    let url = metrics_url(app);
    // Without the token, or with another: 401 (as problem+json, like every refusal).
    let r = app.get(&url, None).expect(401);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    app.get(&url, Some("not-the-metrics-token-0123456789"))
        .expect(401);
    // A user's token is not the metrics token either.
    app.get(&url, Some(&app.admin_token())).expect(401);

    // Traffic to count: a plan read by id (its id must not appear), a refused sign-in, a
    // unknown path.
    let plan = s.draft(complete_plan(&s.org));
    app.get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(200);
    app.get(&format!("/plans/{plan}"), Some(&s.resident))
        .expect(200);
    app.post(
        "/auth/login",
        None,
        serde_json::json!({"email": ADMIN_EMAIL, "password": "wrong password here"}),
    )
    .expect(401);
    app.get("/no-such-thing/4711", None).expect(404);
    // A page, by its template too (a visitor not signed in is sent to sign in).
    let page = app.get(&format!("http://{}/plannen/{plan}", app.addr), None);

    let r = app.get(&url, Some(METRICS_TOKEN)).expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = &r.text;
    assert!(
        sample(
            text,
            "http_requests_total{method=\"GET\",route=\"/api/v1/plans/{id}\",status=\"200\"}"
        ) >= Some(2.0),
        "{text}"
    );
    assert!(
        sample(
            text,
            "http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/plans/{id}\"}"
        ) >= Some(2.0)
    );
    assert!(
        sample(
            text,
            "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"
        ) >= Some(1.0),
        "{text}"
    );
    assert!(
        sample(
            text,
            &format!(
                "http_requests_total{{method=\"GET\",route=\"/plannen/{{id}}\",status=\"{}\"}}",
                page.status
            )
        ) >= Some(1.0),
        "{text}"
    );
    assert!(!text.contains(&plan), "no path's id in a label");
    assert!(!text.contains("4711"), "no unknown path in a label");
    assert!(sample(text, "planloket_signin_failures_total") >= Some(1.0));
    assert!(sample(text, "planloket_throttled_attempts_total").is_some());
    assert!(sample(text, "planloket_outbox_pending").is_some());
    assert!(sample(text, "planloket_outbox_oldest_pending_age_seconds").is_some());
    assert!(sample(text, "planloket_mails_sent_total").is_some());
    assert!(sample(text, "planloket_mails_failed_total").is_some());
    assert!(sample(text, "planloket_db_pool_connections{state=\"in_use\"}") >= Some(0.0));
    assert!(sample(text, "planloket_db_pool_max_connections") >= Some(1.0));
    for cache in [
        "api_list_pages",
        "list_totals",
        "list_page_starts",
        "similar_plans",
        "web_my_plans",
        "web_work_list",
    ] {
        assert!(
            sample(text, &format!("planloket_cache_bytes{{cache=\"{cache}\"}}")).is_some(),
            "{cache}"
        );
    }
    assert!(text.contains("planloket_build_info{version=\""));
    if let Some((ok, said)) = promtool(text) {
        assert!(ok, "promtool check metrics: {said}\n{text}");
    }
}

#[test]
fn mails_sent_and_waiting_are_counted() {
    let app = spawn_app();
    let url = metrics_url(&app);
    // A sign-in link asked for writes a mail; the worker sends it (as a file here).
    app.post(
        "/auth/magic-link",
        None,
        serde_json::json!({"email": ADMIN_EMAIL}),
    )
    .expect(202);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let text = app.get(&url, Some(METRICS_TOKEN)).expect(200).text;
        // The worker counts a mail once it is recorded as sent; both show once it is.
        if sample(&text, "planloket_mails_sent_total") >= Some(1.0)
            && sample(&text, "planloket_outbox_pending") == Some(0.0)
        {
            assert_eq!(
                sample(&text, "planloket_outbox_oldest_pending_age_seconds"),
                Some(0.0)
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail counted: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn without_a_token_configured_there_are_no_metrics() {
    let app = spawn_app_with(|s| s.metrics_token = None);
    let url = metrics_url(&app);
    app.get(&url, None).expect(404);
    app.get(&url, Some(METRICS_TOKEN)).expect(404);
}
