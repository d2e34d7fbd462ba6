//! The pages over HTTP, without a browser: status codes, redirects, the form token, role
//! refusals in Dutch, error summaries naming each field, and the 409 page. Every test spawns
//! the service as the API tests do (SQLite, or PostgreSQL with `PLANLOKET_TEST_POSTGRES_URL`).
//! The browser journeys (`tests/web.rs`) walk the same pages in Chromium with axe-core.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod browser;

mod accounts;
mod applicant;
mod co_applicants;
mod conversation;
mod erasure;
mod money;
mod plan_attachments;
mod plenary;
mod public;
mod reviewers;
mod single_sign_on;
mod staff;
mod two_step;

use helpers::{TestApp, PASSWORD};
use serde_json::json;

/// An account with `roles` made through the admin API: its id, e-mail address and token.
pub fn account(
    app: &TestApp,
    roles: &[&str],
    kind: Option<&str>,
    organisation_id: Option<&str>,
) -> (String, String, String) {
    let email = format!(
        "{}-{}@planloket.test",
        roles.join("-").replace('_', "-"),
        uuid::Uuid::now_v7().simple()
    );
    let r = app
        .post(
            "/users",
            Some(&app.admin_token()),
            json!({"email": email, "name": "Test Gebruiker", "password": PASSWORD, "roles": roles, "kind": kind, "organisation_id": organisation_id}),
        )
        .expect(201);
    let token = app.login(&email, PASSWORD);
    (r.body["id"].as_str().unwrap().to_string(), email, token)
}

/// A browser signed in as a new account with `roles`; its token for the API beside it.
pub fn signed_in<'a>(
    app: &'a TestApp,
    roles: &[&str],
    kind: Option<&str>,
) -> (browser::Browser<'a>, String) {
    let (_, email, token) = account(app, roles, kind, None);
    let mut b = browser::Browser::new(app);
    b.sign_in(&email, PASSWORD);
    (b, token)
}
