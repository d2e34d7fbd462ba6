//! The test harness: an app spawned on port 0 with a database of its own, and an HTTP client.
//!
//! Without `PLANLOKET_TEST_POSTGRES_URL` every app gets a fresh SQLite file; with it (a URL to
//! a PostgreSQL server whose user may create databases) every app gets a fresh database there.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;

use diesel::{Connection, RunQueryDsl};
use planloket::config::{DatabaseUrl, Settings};
use planloket::startup;
use serde_json::{json, Value};

pub const ADMIN_EMAIL: &str = "admin@planloket.test";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "een-goed-wachtwoord-42";
pub const JWT_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

/// A database that lives as long as one test.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn new() -> TestDb {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match std::env::var("PLANLOKET_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                let name = format!("planloket_test_{id}");
                let mut conn = diesel::PgConnection::establish(&admin_url)
                    .expect("connect to the test PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                TestDb::Postgres { admin_url, name }
            }
            None => {
                let dir = std::env::temp_dir().join(format!("planloket-test-{id}"));
                std::fs::create_dir_all(&dir).unwrap();
                TestDb::Sqlite(dir)
            }
        }
    }

    /// A new database on the same server as `self` (which only lends its admin URL).
    pub fn fresh(self) -> TestDb {
        match &self {
            TestDb::Postgres { admin_url, .. } => {
                let admin_url = admin_url.clone();
                std::mem::forget(self);
                let name = format!("planloket_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn =
                    diesel::PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create database");
                TestDb::Postgres { admin_url, name }
            }
            TestDb::Sqlite(_) => self,
        }
    }

    pub fn url(&self) -> DatabaseUrl {
        match self {
            TestDb::Sqlite(dir) => DatabaseUrl::Sqlite(dir.join("planloket.db")),
            TestDb::Postgres { admin_url, name } => {
                DatabaseUrl::Postgres(database_url(admin_url, name))
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }

    pub fn data_dir(&self) -> PathBuf {
        match self {
            TestDb::Sqlite(dir) => dir.clone(),
            TestDb::Postgres { name, .. } => std::env::temp_dir().join(name),
        }
    }
}

/// The admin URL with its database name replaced by `name`.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|j| j + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    format!("{prefix}/{name}{query}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn);
                }
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(name));
            }
        }
    }
}

/// A running service for one test; stopped and its database removed when dropped.
pub struct TestApp {
    pub base: String,
    pub addr: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    agent: ureq::Agent,
    pub smtp_url: Option<String>,
    // Dropped last: the server must stop before its database goes. Shared by a second
    // instance on the same database (`spawn_second`).
    pub db: std::sync::Arc<TestDb>,
}

pub fn settings_for(db: &TestDb, smtp_url: Option<String>) -> Settings {
    Settings {
        database: db.url(),
        db_pool: None,
        bind: "127.0.0.1:0".into(),
        data_dir: db.data_dir(),
        jwt_secret: JWT_SECRET.to_vec(),
        smtp_url,
        mail_from: "planloket@localhost".into(),
        public_url: "http://127.0.0.1:8080".into(),
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        payer: Some(
            planloket::domain::grant::sepa::check_payer(
                Some("Gemeente Leidschendam-Voorburg"),
                Some("NL91ABNA0417164300"),
                Some("BNGHNL2G"),
            )
            .expect("a valid test payer"),
        ),
        throttle: Default::default(),
        trusted_proxies: Default::default(),
        // Off in the tests, as in the demo; the tests of the second factor turn it on.
        staff_mfa: planloket::domain::second_factor::StaffMfa::Off,
        oidc: None,
        // Every test app serves its metrics, so every test request is counted as in production.
        metrics_token: Some(METRICS_TOKEN.into()),
        retention: Default::default(),
        privacy_contact: Some("privacy@leidschendam-voorburg.nl".into()),
    }
}

/// The token the test apps serve `/metrics` to.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789abcdef";

pub fn spawn_app() -> TestApp {
    let db = TestDb::new();
    spawn_app_on(db)
}

pub fn spawn_app_on(db: TestDb) -> TestApp {
    spawn_shared(std::sync::Arc::new(db), None)
}

/// An app that sends its mail to the SMTP server at `smtp_url`.
pub fn spawn_app_with_smtp(smtp_url: &str) -> TestApp {
    spawn_shared(
        std::sync::Arc::new(TestDb::new()),
        Some(smtp_url.to_string()),
    )
}

/// Another instance of the service on the same database, as in a multi-instance deployment.
pub fn spawn_second(app: &TestApp) -> TestApp {
    spawn_shared(app.db.clone(), app.smtp_url.clone())
}

/// An app with settings changed by `change` (limits, trusted proxies, …).
pub fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_configured(std::sync::Arc::new(TestDb::new()), None, change)
}

fn spawn_shared(db: std::sync::Arc<TestDb>, smtp_url: Option<String>) -> TestApp {
    spawn_configured(db, smtp_url, |_| {})
}

fn spawn_configured(
    db: std::sync::Arc<TestDb>,
    smtp_url: Option<String>,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = settings_for(&db, smtp_url.clone());
    change(&mut settings);
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match startup::build(&settings, 1) {
                Ok(running) => {
                    tx.send(Ok((running.addr, running.server.handle())))
                        .unwrap();
                    let _ = running.server.await;
                }
                Err(e) => tx.send(Err(e)).unwrap(),
            }
        })
    });
    let (addr, handle) = rx.recv().unwrap().expect("the app starts");
    TestApp {
        base: format!("http://{addr}/api/v1"),
        addr,
        handle,
        thread: Some(thread),
        agent: ureq::AgentBuilder::new().redirects(0).build(),
        smtp_url,
        db,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An answer: status, headers (lower-case names) and the body as JSON (Null if not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The fields named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts the status and that an error answer is a complete problem+json.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        if status >= 400 {
            assert_eq!(
                self.header("content-type"),
                Some("application/problem+json"),
                "{}",
                self.text
            );
            for k in ["type", "title", "status", "detail", "errors"] {
                assert!(!self.body[k].is_null(), "problem lacks {k}: {}", self.text);
            }
            assert_eq!(self.body["status"], status);
        }
        self
    }
}

fn into_resp(r: ureq::Response) -> Resp {
    let status = r.status();
    let headers = r
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = r.header(&n).unwrap_or("").to_string();
            (n.to_ascii_lowercase(), v)
        })
        .collect();
    let text = r.into_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        body,
    }
}

impl TestApp {
    /// Sends a request with optional token, raw body and extra headers.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &[u8])>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut req = self.agent.request(method, &url);
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some((content_type, bytes)) => req.set("Content-Type", content_type).send_bytes(bytes),
            None => req.call(),
        };
        match result {
            Ok(r) => into_resp(r),
            Err(ureq::Error::Status(_, r)) => into_resp(r),
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send("GET", path, token, None, &[])
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.send("POST", path, token, Some(("application/json", &bytes)), &[])
    }

    pub fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.send(
            "PATCH",
            path,
            token,
            Some(("application/json", &bytes)),
            &[],
        )
    }

    pub fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .expect(200);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    pub fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    }

    /// Creates a user with these roles (through the admin API) and signs them in.
    pub fn user_with(
        &self,
        roles: &[&str],
        kind: Option<&str>,
        organisation_id: Option<&str>,
    ) -> (String, String) {
        let admin = self.admin_token();
        let email = format!(
            "{}-{}@planloket.test",
            roles.join("-"),
            uuid::Uuid::now_v7().simple()
        );
        let r = self
            .post(
                "/users",
                Some(&admin),
                json!({"email": email, "name": "Test Gebruiker", "password": PASSWORD, "roles": roles, "kind": kind, "organisation_id": organisation_id}),
            )
            .expect(201);
        (
            r.body["id"].as_str().unwrap().to_string(),
            self.login(&email, PASSWORD),
        )
    }

    pub fn team_token(&self) -> String {
        self.user_with(&["programme_team"], None, None).1
    }

    /// A new account of the financial administration, signed in.
    pub fn finance_token(&self) -> String {
        self.user_with(&["finance"], None, None).1
    }

    /// A finance account confirms the organisation's recorded bank account (the second pair
    /// of eyes); its token is returned for the batch steps that follow.
    pub fn confirmed_by_finance(&self, organisation: &str) -> String {
        let finance = self.finance_token();
        let r = self
            .post(
                &format!("/organisations/{organisation}/bank-account/confirm"),
                Some(&finance),
                json!({}),
            )
            .expect(200);
        assert_eq!(r.body["confirmed"], true);
        finance
    }

    pub fn organisation(&self, name: &str) -> String {
        let r = self
            .post(
                "/organisations",
                Some(&self.admin_token()),
                json!({"name": name, "kind": "partner"}),
            )
            .expect(201);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// A submitted plan's reference (`SVN-2025-0001`), as its letters quote it.
    pub fn reference_of(&self, token: &str, plan: &str) -> String {
        self.get(&format!("/plans/{plan}"), Some(token))
            .expect(200)
            .body["reference"]
            .as_str()
            .expect("a submitted plan has a reference")
            .to_string()
    }

    /// Closes a round's call for plans now, as the team does before the first adoption
    /// (`PATCH /rounds/{id}` with `closes_at`); nothing for a round adopted already.
    pub fn close_call(&self, team: &str, round: &str) {
        let r = self
            .get(&format!("/rounds/{round}"), Some(team))
            .expect(200);
        if !r.body["adopted_on"].is_null() {
            return;
        }
        let closes = chrono::Utc::now() - chrono::Duration::seconds(1);
        self.patch(
            &format!("/rounds/{round}"),
            Some(team),
            json!({"closes_at": closes.to_rfc3339()}),
        )
        .expect(200);
    }

    /// Creates the real 2025-2026 round, open from an hour ago for thirty days.
    pub fn open_round(&self, team: &str) -> String {
        let now = chrono::Utc::now();
        let body = programme_round(
            now - chrono::Duration::hours(1),
            now + chrono::Duration::days(30),
        );
        self.post("/rounds", Some(team), body).expect(201).body["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The real catalog of the 2025-2026 round with an open window.
pub fn programme_round(
    opens_at: chrono::DateTime<chrono::Utc>,
    closes_at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut v: Value = serde_json::from_str(planloket::demo::DEMO_PROGRAMME).unwrap();
    v["opens_at"] = json!(opens_at.to_rfc3339());
    v["closes_at"] = json!(closes_at.to_rfc3339());
    v
}

/// A free port below the ephemeral range (32768 and up here), for a server a test starts
/// later or again: an ephemeral port could meanwhile be given to another test's outgoing
/// connection, and the server could then not listen on it.
pub fn listen_port() -> u16 {
    let start = 20_000 + (uuid::Uuid::now_v7().as_u128() % 10_000) as u16;
    (start..32_000)
        .chain(20_000..start)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below 32000")
}

/// An app with an open round, a payee organisation and a resident applicant.
pub struct Setup {
    pub app: TestApp,
    pub team: String,
    pub round: String,
    pub org: String,
    pub resident: String,
    pub resident_id: String,
}

pub fn setup() -> Setup {
    let app = spawn_app();
    let team = app.team_token();
    let round = app.open_round(&team);
    let org = app.organisation("Welzijn Leidschendam-Noord");
    let (resident_id, resident) = app.user_with(&["applicant"], Some("resident"), None);
    Setup {
        app,
        team,
        round,
        org,
        resident,
        resident_id,
    }
}

/// A complete plan, ready to submit, paid to `org`.
pub fn complete_plan(org: &str) -> Value {
    json!({
        "title": "Huiswerkklas in De Heuvel",
        "description": "Twee middagen per week huiswerkbegeleiding voor kinderen uit groep 6 tot 8.",
        "goals": ["B", "J"],
        // B and J are goals of two themes: the plan names the one that pays.
        "budget_line": "JJO",
        "lead_partner": {"organisation_id": org},
        "partners": [{"name": "Bibliotheek Noord"}],
        "payee_id": org,
        "continuing": false,
        "requested_eur": 12500,
        "other_funding": [{"source": "Fonds 1818", "amount_eur": 2500}],
        "start_year": 2025,
        "end_year": 2026,
        "expected_reach": 40,
        "resident_involvement": "Ouders helpen mee als vrijwilliger",
        "gap_in_offer": "Er is geen huiswerkbegeleiding in de wijk"
    })
}

impl Setup {
    pub fn draft(&self, body: Value) -> String {
        let r = self
            .app
            .post(
                &format!("/rounds/{}/plans", self.round),
                Some(&self.resident),
                body,
            )
            .expect(201);
        r.body["id"].as_str().unwrap().to_string()
    }

    pub fn submitted(&self) -> String {
        let id = self.draft(complete_plan(&self.org));
        self.app
            .post(
                &format!("/plans/{id}/submit"),
                Some(&self.resident),
                json!({}),
            )
            .expect(200);
        id
    }
}

/// Codes of one secret, each for a later step than the last (a code works once), waiting for
/// the clock when the next one is more than a step ahead of now. The step before now is used
/// only while it has more than 5 seconds left, so a code never ends on its way.
pub struct Authenticator {
    pub secret: String,
    last: u64,
}

impl Authenticator {
    pub fn new(secret: &str) -> Authenticator {
        Authenticator {
            secret: secret.to_string(),
            last: 0,
        }
    }

    pub fn next_code(&mut self) -> String {
        loop {
            let at = chrono::Utc::now();
            let now = planloket::domain::second_factor::step_of(at);
            let earliest = if at.timestamp() % 30 < 25 {
                now.saturating_sub(1)
            } else {
                now
            };
            let step = (self.last + 1).max(earliest);
            if step <= now + 1 {
                self.last = step;
                return planloket::domain::second_factor::code_at(&self.secret, step).unwrap();
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
}

impl TestApp {
    /// Runs `sql` on the app's database, behind its back (to make a state the API cannot).
    pub fn execute_sql(&self, sql: &str) {
        match self.db.url() {
            DatabaseUrl::Sqlite(path) => {
                let mut c = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
                // The app's worker writes too (the processing log, retention): wait for its
                // lock as the app's own connections do.
                diesel::sql_query("PRAGMA busy_timeout = 5000")
                    .execute(&mut c)
                    .unwrap();
                diesel::sql_query(sql).execute(&mut c).unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = diesel::PgConnection::establish(&url).unwrap();
                diesel::sql_query(sql).execute(&mut c).unwrap();
            }
        }
    }

    /// The bootstrap admin with a second factor: its authenticator, and a token signed in
    /// with a code (what an admin needs while `PLANLOKET_STAFF_MFA=required`).
    pub fn enrolled_admin(&self) -> (Authenticator, String) {
        let first = self.admin_token();
        let (mut phone, _) = self.enrol(&first);
        let token = self
            .post(
                "/auth/login",
                None,
                json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "otp": phone.next_code()}),
            )
            .expect(200)
            .body["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (phone, token)
    }

    /// Enrols the account of `token`: its secret's authenticator and the recovery codes.
    pub fn enrol(&self, token: &str) -> (Authenticator, Vec<String>) {
        let r = self.post("/me/totp", Some(token), json!({})).expect(201);
        let secret = r.body["secret"].as_str().unwrap().to_string();
        let uri = r.body["otpauth_uri"].as_str().unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=planloket"));
        let mut app_codes = Authenticator::new(&secret);
        let r = self
            .post(
                "/me/totp/confirm",
                Some(token),
                json!({"otp": app_codes.next_code()}),
            )
            .expect(200);
        let codes: Vec<String> = r.body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        (app_codes, codes)
    }
}
