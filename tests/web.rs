//! The web front in a real browser: `planloket demo` started on a database of its own (SQLite,
//! or PostgreSQL when `PLANLOKET_TEST_POSTGRES_URL` is set), and the applicant's journeys of
//! `tests/web/journeys.py` driven through Debian's Chromium by Playwright for Python, with
//! axe-core on every page. Screenshots are kept in `target/screens/`.
//!
//! Needs python3 with `playwright` (`PLANLOKET_PYTHON` names another interpreter), Chromium at
//! /usr/bin/chromium, and axe-core's `axe.min.js` (`PLANLOKET_AXE_JS`, by default
//! `target/web-tools/node_modules/axe-core/axe.min.js`: `npm install --prefix
//! target/web-tools axe-core@4`). Without them the test is skipped, unless
//! `PLANLOKET_REQUIRE_BROWSER` is set, as `.ci/run` sets it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};

/// The service, stopped when dropped; beside it the identity provider, when there is one.
struct Service {
    child: Child,
    base: String,
    data: PathBuf,
    db: Option<(String, String)>,
    provider: Option<Child>,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(p) = self.provider.as_mut() {
            let _ = p.kill();
            let _ = p.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
        if let Some((admin, name)) = &self.db {
            if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

fn free_port() -> u16 {
    let start = 20_000 + (uuid::Uuid::now_v7().as_u128() % 10_000) as u16;
    (start..32_000)
        .chain(20_000..start)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below 32000")
}

fn start() -> Service {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let data = std::env::temp_dir().join(format!("planloket-web-{id}"));
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planloket"));
    cmd.arg("demo")
        .env("PLANLOKET_DATA_DIR", &data)
        .env("PLANLOKET_BIND", format!("127.0.0.1:{port}"))
        .env("PLANLOKET_PUBLIC_URL", &base)
        .env(
            "PLANLOKET_JWT_SECRET",
            // Letters beside the hex id: the service asks 16 different bytes of a key.
            format!("web-test-{id}-GHIJKLMNOPQRSTUV"),
        )
        .env("PLANLOKET_LOG", "warn")
        // Staff sign in as a municipality requires: the journeys enrol each staff account's
        // authenticator app at its first sign-in and compute its codes from the secret.
        .env("PLANLOKET_STAFF_MFA", "required")
        .env_remove("PLANLOKET_SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let db = match std::env::var("PLANLOKET_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin) => {
            let name = format!("planloket_web_{id}");
            let mut c = diesel::PgConnection::establish(&admin).expect("connect to PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .expect("a database for the web test");
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            cmd.env("DATABASE_URL", url);
            Some((admin, name))
        }
        None => {
            cmd.env_remove("DATABASE_URL");
            None
        }
    };
    let provider = identity_provider(&mut cmd, &base, &data);
    let child = cmd.spawn().expect("start planloket demo");
    let service = Service {
        child,
        base,
        data,
        db,
        provider,
    };
    let until = Instant::now() + Duration::from_secs(60);
    while Instant::now() < until {
        if ureq::get(&format!("{}/api/v1/health", service.base))
            .timeout(Duration::from_secs(1))
            .call()
            .is_ok()
        {
            return service;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("planloket demo did not answer within a minute");
}

/// The municipality's identity provider for the single sign-on journey: panva's
/// oidc-provider (`tests/oidc/provider.mjs`) when `PLANLOKET_OIDC_PROVIDER` names it, with one
/// person, "sanne", of the programme team; the demo is configured to sign in through it.
fn identity_provider(demo: &mut Command, base: &str, data: &Path) -> Option<Child> {
    let module = std::env::var("PLANLOKET_OIDC_PROVIDER")
        .ok()
        .filter(|m| Path::new(m).join("lib/index.js").exists())?;
    let port = free_port();
    let accounts = data.join("provider-accounts.json");
    std::fs::write(
        &accounts,
        r#"{"sanne": {"email": "sanne@gemeente.test", "name": "Sanne Gemeente", "roles": ["planloket-team"]}}"#,
    )
    .unwrap();
    let secret = "web-journey-client-secret";
    let child = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/provider.mjs"))
        .arg(port.to_string())
        .arg(&accounts)
        .arg(format!("{base}/inloggen/oidc"))
        .arg("planloket")
        .arg(secret)
        .env("PLANLOKET_OIDC_PROVIDER", module)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts the identity provider");
    let issuer = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(30);
    while ureq::get(&format!("{issuer}/.well-known/openid-configuration"))
        .call()
        .is_err()
    {
        assert!(
            Instant::now() < until,
            "the identity provider did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    demo.env("PLANLOKET_OIDC_ISSUER", issuer)
        .env("PLANLOKET_OIDC_CLIENT_ID", "planloket")
        .env("PLANLOKET_OIDC_CLIENT_SECRET", secret)
        .env("PLANLOKET_OIDC_NAME", "Gemeente Leidschendam-Voorburg")
        .env("PLANLOKET_OIDC_ROLE_MAP", "planloket-team=programme_team")
        .env("PLANLOKET_OIDC_TRUST_MFA", "1");
    Some(child)
}

/// What the browser test needs, or why it cannot run here.
fn tools() -> Result<(String, PathBuf), String> {
    let python = std::env::var("PLANLOKET_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_playwright = Command::new(&python)
        .args(["-c", "import playwright.sync_api"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_playwright {
        return Err(format!(
            "{python} has no playwright (pip install playwright)"
        ));
    }
    let chromium =
        std::env::var("PLANLOKET_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    let axe = std::env::var("PLANLOKET_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/web-tools/node_modules/axe-core/axe.min.js")
        });
    if !axe.exists() {
        return Err(format!(
            "no axe-core at {} (npm install --prefix target/web-tools axe-core@4)",
            axe.display()
        ));
    }
    Ok((python, axe))
}

#[test]
fn applicants_file_their_plans_in_a_browser_and_every_page_passes_axe() {
    let (python, axe) = match tools() {
        Ok(t) => t,
        Err(why) => {
            assert!(
                std::env::var("PLANLOKET_REQUIRE_BROWSER").is_err(),
                "PLANLOKET_REQUIRE_BROWSER is set, but {why}"
            );
            eprintln!("skipped: {why}");
            return;
        }
    };
    let service = start();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let screens = root.join("target/screens");
    let out = Command::new(python)
        .env(
            "PLANLOKET_JOURNEY_SSO",
            if service.provider.is_some() { "1" } else { "" },
        )
        .arg(root.join("tests/web/journeys.py"))
        .arg(&service.base)
        .arg(service.data.join("mail"))
        .arg(&screens)
        .arg(&axe)
        .output()
        .expect("run the journeys");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser journeys failed:\n{stdout}\n{stderr}"
    );
    eprintln!("{stdout}");
    assert!(stdout.contains("journeys passed"), "{stdout}");
}
