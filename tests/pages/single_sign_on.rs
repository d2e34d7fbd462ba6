//! Single sign-on against a real OpenID Provider (issue 31): panva's `oidc-provider` from npm,
//! started here with its development login form (`tests/oidc/provider.mjs`). The first
//! sign-in creates the account with the mapped role; a role changed at the provider follows
//! at the next sign-in; callbacks planloket did not ask for, replayed, or with a wrong nonce
//! are refused with a Dutch page; the authorization request carries PKCE.
//!
//! Needs node and the provider package (`PLANLOKET_OIDC_PROVIDER`: its folder in
//! node_modules; `.ci/run` installs it). Without them the tests are skipped, unless
//! `PLANLOKET_REQUIRE_BROWSER` is set, as in CI.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use planloket::domain::second_factor::StaffMfa;
use planloket::domain::single_sign_on::RoleMap;
use planloket::sso::OidcSettings;
use serde_json::json;

use crate::browser::{Browser, Page};
use crate::helpers::{spawn_app_with, TestApp};

const CLIENT_ID: &str = "planloket";
const CLIENT_SECRET: &str = "planloket-test-client-secret";
/// The redirect URI as registered: the tests' `PLANLOKET_PUBLIC_URL` and `/inloggen/oidc`.
const REDIRECT_URI: &str = "http://127.0.0.1:8080/inloggen/oidc";

/// The provider, stopped when dropped; its people in a file the tests rewrite.
struct Provider {
    child: Child,
    issuer: String,
    accounts: PathBuf,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.accounts);
    }
}

impl Provider {
    /// Starts the provider, or `None` (the test is skipped) when it is not installed here.
    fn start() -> Option<Provider> {
        let module = std::env::var("PLANLOKET_OIDC_PROVIDER")
            .ok()
            .filter(|m| std::path::Path::new(m).join("lib/index.js").exists());
        let Some(module) = module else {
            assert!(
                std::env::var_os("PLANLOKET_REQUIRE_BROWSER").is_none(),
                "PLANLOKET_OIDC_PROVIDER must name node_modules/oidc-provider"
            );
            eprintln!("skipped: set PLANLOKET_OIDC_PROVIDER to node_modules/oidc-provider");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let accounts = std::env::temp_dir().join(format!(
            "planloket-oidc-{}.json",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::write(&accounts, "{}").unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let child = Command::new("node")
            .arg(script)
            .arg(port.to_string())
            .arg(&accounts)
            .arg(REDIRECT_URI)
            .arg(CLIENT_ID)
            .arg(CLIENT_SECRET)
            .env("PLANLOKET_OIDC_PROVIDER", &module)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let provider = Provider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            accounts,
        };
        let until = Instant::now() + Duration::from_secs(30);
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
        while Instant::now() < until {
            if ureq::get(&discovery).call().is_ok() {
                return Some(provider);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("oidc-provider did not answer within 30 seconds");
    }

    /// The person `login` at the provider: their address, name and provider roles.
    fn person(&self, login: &str, email: &str, name: &str, roles: &[&str]) {
        let mut all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&self.accounts).unwrap()).unwrap();
        all[login] = json!({"email": email, "name": name, "roles": roles});
        std::fs::write(&self.accounts, all.to_string()).unwrap();
    }

    fn settings(&self, trust_mfa: bool) -> OidcSettings {
        OidcSettings {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            name: "Gemeente Test".into(),
            roles_claim: "roles".into(),
            role_map: RoleMap::parse(
                "planloket-team=programme_team,planloket-bestuur=board_member,planloket-financien=finance",
            )
            .unwrap(),
            trust_mfa,
        }
    }
}

fn app_for(provider: &Provider, trust_mfa: bool, staff_mfa: StaffMfa) -> TestApp {
    let settings = provider.settings(trust_mfa);
    spawn_app_with(move |s| {
        s.oidc = Some(settings);
        s.staff_mfa = staff_mfa;
    })
}

/// The authorization request: to the provider, with PKCE (S256), state and nonce.
fn to_provider(b: &mut Browser, provider: &Provider) -> String {
    let start = b.get("/inloggen/oidc/start").expect(303);
    let url = start.location.clone().unwrap();
    assert!(
        url.starts_with(&format!("{}/auth?", provider.issuer)),
        "{url}"
    );
    for part in [
        "response_type=code",
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "client_id=planloket",
        "scope=openid+email+profile",
    ] {
        assert!(url.contains(part), "{part} not in {url}");
    }
    url
}

/// Through the provider's login form as `login`: the callback's path and query at planloket.
fn through_provider(b: &mut Browser, provider: &Provider, url: &str, login: &str) -> String {
    let mut next = url.to_string();
    for _ in 0..10 {
        let absolute = if next.starts_with('/') {
            format!("{}{next}", provider.issuer)
        } else {
            next.clone()
        };
        if absolute.starts_with(REDIRECT_URI) {
            return absolute
                .trim_start_matches("http://127.0.0.1:8080")
                .to_string();
        }
        let page = b.get_url(&absolute);
        if page.status == 200 && page.html.contains("name=\"login\"") {
            let action = page.html.split("action=\"").nth(1).unwrap();
            let action = &action[..action.find('"').unwrap()];
            let action = if action.starts_with('/') {
                format!("{}{action}", provider.issuer)
            } else {
                action.to_string()
            };
            let posted = b.post_url(
                &action,
                &[
                    ("prompt", "login"),
                    ("login", login),
                    ("password", "wat-dan-ook"),
                ],
            );
            next = posted
                .location
                .clone()
                .expect("a redirect after the login form");
            continue;
        }
        next = page
            .location
            .clone()
            .unwrap_or_else(|| panic!("no redirect at {absolute}: {}", page.html));
    }
    panic!("the provider did not send the browser back");
}

fn sign_in_via_provider(b: &mut Browser, provider: &Provider, login: &str) -> Page {
    let url = to_provider(b, provider);
    let callback = through_provider(b, provider, &url, login);
    b.get(&callback)
}

#[test]
fn the_first_sign_in_creates_the_account_and_roles_follow_the_provider() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider, true, StaffMfa::Required);
    provider.person(
        "tessa",
        "Tessa@Gemeente.test",
        "Tessa Team",
        &["planloket-team", "iets-anders"],
    );
    let mut b = Browser::new(&app);
    b.get("/inloggen")
        .expect(200)
        .shows("Inloggen met Gemeente Test")
        .shows("href=\"/inloggen/oidc/start\"");
    let landed = sign_in_via_provider(&mut b, &provider, "tessa").expect(303);
    assert_eq!(
        landed.location.as_deref(),
        Some("/beoordelen?bericht=ingelogd"),
        "the team lands on its work; the provider's sign-in counts as the second factor"
    );
    b.get("/beoordelen").expect(200);
    // The account: made with the provider's address and name, the mapped role, no password.
    let (_, admin) = app.enrolled_admin();
    let users = app.get("/users", Some(&admin)).expect(200);
    let tessa = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "tessa@gemeente.test")
        .expect("the account was created")
        .clone();
    assert_eq!(tessa["name"], "Tessa Team");
    assert_eq!(tessa["roles"], json!(["programme_team"]));
    app.post(
        "/auth/login",
        None,
        json!({"email": "tessa@gemeente.test", "password": "wat-dan-ook-1"}),
    )
    .expect(401);

    // At the provider Tessa moves to the board: at her next sign-in the team role is gone,
    // and the browser still signed in as the team is signed out.
    provider.person(
        "tessa",
        "tessa@gemeente.test",
        "Tessa Team",
        &["planloket-bestuur"],
    );
    let mut c = Browser::new(&app);
    let landed = sign_in_via_provider(&mut c, &provider, "tessa").expect(303);
    assert_eq!(
        landed.location.as_deref(),
        Some("/bestuur?bericht=ingelogd")
    );
    c.get("/bestuur").expect(200);
    c.get("/beoordelen").expect(403);
    assert_eq!(
        b.get("/beoordelen").expect(303).location.as_deref(),
        Some("/inloggen?volgende=%2Fbeoordelen")
    );
    let users = app.get("/users", Some(&admin)).expect(200);
    let roles: Vec<_> = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email"] == "tessa@gemeente.test")
        .map(|u| u["roles"].clone())
        .collect();
    assert_eq!(
        roles,
        vec![json!(["board_member"])],
        "one account, its roles replaced"
    );

    // With no planloket role left at the provider, the account is closed.
    provider.person(
        "tessa",
        "tessa@gemeente.test",
        "Tessa Team",
        &["iets-anders"],
    );
    let mut d = Browser::new(&app);
    sign_in_via_provider(&mut d, &provider, "tessa")
        .expect(403)
        .shows("geeft u geen toegang tot het planloket");
    assert_eq!(c.get("/bestuur").expect(303).status, 303);
}

#[test]
fn callbacks_planloket_did_not_ask_for_are_refused() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider, true, StaffMfa::Off);
    provider.person(
        "femke",
        "femke@gemeente.test",
        "Femke Financiën",
        &["planloket-financien"],
    );
    let mut b = Browser::new(&app);

    // A state this browser was not given.
    b.get("/inloggen/oidc?code=abc&state=def")
        .expect(400)
        .shows("Inloggen met Gemeente Test is niet gelukt");
    // The provider's error (the person stopped).
    b.get("/inloggen/oidc?error=access_denied&state=def")
        .expect(400)
        .shows("niet afgerond");

    // A callback taken to another browser is refused there.
    let url = to_provider(&mut b, &provider);
    let callback = through_provider(&mut b, &provider, &url, "femke");
    let mut other = Browser::new(&app);
    other.get(&callback).expect(400);
    // The right browser signs in once; the same callback again is refused (the state is
    // used, the code too).
    let done = b.get(&callback).expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some("/betalingen?bericht=ingelogd")
    );
    let mut again = Browser::new(&app);
    let state = callback
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    again.plant_cookie("planloket_oidc", &state);
    again.get(&callback).expect(400);

    // A nonce the ID token does not carry: the request is changed before the callback.
    let mut c = Browser::new(&app);
    let url = to_provider(&mut c, &provider);
    app.execute_sql("UPDATE oidc_requests SET nonce = 'not-the-nonce-sent'");
    let callback = through_provider(&mut c, &provider, &url, "femke");
    c.get(&callback).expect(400);
    assert_eq!(
        c.get("/betalingen").expect(303).location.as_deref(),
        Some("/inloggen?volgende=%2Fbetalingen"),
        "not signed in"
    );
}

#[test]
fn without_trusting_the_provider_staff_still_give_planlokets_code() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let app = app_for(&provider, false, StaffMfa::Required);
    provider.person(
        "bram",
        "bram@gemeente.test",
        "Bram Bestuur",
        &["planloket-bestuur"],
    );
    let mut b = Browser::new(&app);
    sign_in_via_provider(&mut b, &provider, "bram").expect(303);
    // No second factor yet: enrolment first.
    assert_eq!(
        b.get("/bestuur").expect(303).location.as_deref(),
        Some("/account/tweestap")
    );
    let page = b.get("/account/tweestap").expect(200);
    let start = page.html.find("class=\"pl-secret\">").unwrap() + "class=\"pl-secret\">".len();
    let secret = page.html[start..start + page.html[start..].find('<').unwrap()].replace(' ', "");
    let mut phone = crate::helpers::Authenticator::new(&secret);
    b.submit(
        "/account/tweestap",
        "/account/tweestap",
        &[("code", &phone.next_code())],
    )
    .expect(200);
    b.get("/bestuur").expect(200);
    // The next sign-in through the provider asks planloket's code.
    let mut c = Browser::new(&app);
    let asked = sign_in_via_provider(&mut c, &provider, "bram").expect(303);
    assert_eq!(asked.location.as_deref(), Some("/inloggen/code"));
    c.submit(
        "/inloggen/code",
        "/inloggen/code",
        &[("code", &phone.next_code())],
    )
    .expect(303);
    c.get("/bestuur").expect(200);
}
