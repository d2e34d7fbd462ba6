//! The `planloket` binary: subcommands, start-up checks, demo data, migrations.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

fn planloket() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_planloket"));
    c.env_remove("DATABASE_URL")
        .env_remove("PLANLOKET_STAFF_MFA")
        .env("PLANLOKET_LOG", "warn");
    c
}

/// Asserts that the command exited 0, showing what it wrote to stderr if not.
fn succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_database_scheme_stops_start_up_naming_it() {
    let out = planloket()
        .arg("migrate")
        .env("DATABASE_URL", "mysql://localhost/planloket")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'mysql'"), "{err}");
}

#[test]
fn an_unknown_second_factor_policy_stops_start_up_naming_it() {
    let dir = std::env::temp_dir().join(format!("planloket-bin-{}", uuid::Uuid::now_v7().simple()));
    let out = planloket()
        .arg("migrate")
        .env("PLANLOKET_DATA_DIR", &dir)
        .env("PLANLOKET_STAFF_MFA", "nee")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PLANLOKET_STAFF_MFA") && err.contains("required"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_pool_size_out_of_range_stops_start_up_naming_it() {
    let dir = std::env::temp_dir().join(format!("planloket-bin-{}", uuid::Uuid::now_v7().simple()));
    for bad in ["0", "65", "many", "-1"] {
        let out = planloket()
            .arg("migrate")
            .env("PLANLOKET_DATA_DIR", &dir)
            .env("PLANLOKET_DB_POOL", bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("PLANLOKET_DB_POOL") && err.contains(bad),
            "{err}"
        );
    }
    let out = planloket()
        .arg("migrate")
        .env("PLANLOKET_DATA_DIR", &dir)
        .env("PLANLOKET_DB_POOL", "3")
        .output()
        .unwrap();
    succeeded(&out);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migrate_creates_the_sqlite_file_in_the_data_dir() {
    let dir = std::env::temp_dir().join(format!("planloket-bin-{}", uuid::Uuid::now_v7().simple()));
    let out = planloket()
        .arg("migrate")
        .env("PLANLOKET_DATA_DIR", &dir)
        .output()
        .unwrap();
    succeeded(&out);
    assert!(dir.join("planloket.db").exists());
    assert!(
        dir.join("jwt-secret").exists(),
        "a signing key is generated on first start"
    );
    let secret = std::fs::read_to_string(dir.join("jwt-secret")).unwrap();
    let again = planloket()
        .arg("migrate")
        .env("PLANLOKET_DATA_DIR", &dir)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(
        std::fs::read_to_string(dir.join("jwt-secret")).unwrap(),
        secret,
        "the key is kept"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_short_or_published_jwt_secret_is_refused() {
    let dir = std::env::temp_dir().join(format!("planloket-bin-{}", uuid::Uuid::now_v7().simple()));
    for (secret, says) in [
        ("short", "at least 32 bytes"),
        (
            "change-me-to-a-long-random-secret-of-32-bytes-or-more",
            "example",
        ),
        // The tests' own key is in the repository for anyone to read.
        ("test-secret-test-secret-test-secret!", "example"),
        (
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "too easy to guess",
        ),
    ] {
        let out = planloket()
            .arg("migrate")
            .env("PLANLOKET_JWT_SECRET", secret)
            .env("PLANLOKET_DATA_DIR", &dir)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_data_dir_the_database_and_the_mail_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("planloket-bin-{}", uuid::Uuid::now_v7().simple()));
    let port = listen_port();
    let mut child = planloket()
        .arg("demo")
        .env("PLANLOKET_DATA_DIR", &dir)
        .env("PLANLOKET_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    // A sign-in link writes a mail file.
    while ureq::post(&format!("{base}/auth/magic-link"))
        .send_json(serde_json::json!({"email": "bewoner@demo.planloket.nl"}))
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the demo starts"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mail = dir.join("mail");
    while std::fs::read_dir(&mail).map_or(0, |d| d.count()) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the link is mailed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&mail), 0o700);
    for file in ["planloket.db", "planloket.db-wal", "jwt-secret"] {
        let path = dir.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    for eml in std::fs::read_dir(&mail).unwrap() {
        assert_eq!(mode(&eml.unwrap().path()), 0o600);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn demo_loads_the_round_and_one_account_per_role_then_serves() {
    let dir =
        std::env::temp_dir().join(format!("planloket-demo-{}", uuid::Uuid::now_v7().simple()));
    let mut child = planloket()
        .arg("demo")
        .env("PLANLOKET_DATA_DIR", &dir)
        .env("PLANLOKET_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let started = Instant::now();
    let (mut web, mut base) = (None, None);
    while started.elapsed() < Duration::from_secs(60) {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(url) = line.trim().strip_prefix("planloket web front: ") {
            web = Some(url.to_string());
        }
        if let Some(url) = line.trim().strip_prefix("planloket API:") {
            base = Some(url.trim().to_string());
            break;
        }
        lines.push(line);
    }
    let printed = lines.join("");
    let base = base.unwrap_or_else(|| panic!("demo did not start: {printed}"));
    assert!(
        printed.contains("second factor for staff: off"),
        "the demo says whether staff sign in with a second factor: {printed}"
    );
    // It prints the web front's address too, and that is where people find the open round.
    let web = web.unwrap_or_else(|| panic!("no web front address in {printed}"));
    let home = ureq::get(&web).call().unwrap().into_string().unwrap();
    assert!(home.contains("Sterk voor Noord"), "{home}");
    for role in [
        "admin",
        "programme_team",
        "board_chair",
        "board_member",
        "applicant",
    ] {
        assert!(printed.contains(role), "{role} missing from {printed}");
    }
    let agent = ureq::AgentBuilder::new().build();
    let rounds: serde_json::Value = agent
        .get(&format!("{base}/rounds"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(rounds["items"][0]["status"], "open");
    assert_eq!(rounds["items"][0]["themes"].as_array().unwrap().len(), 3);
    let login = agent
        .post(&format!("{base}/auth/login"))
        .send_json(serde_json::json!({"email": "voorzitter@demo.planloket.nl", "password": planloket::demo::DEMO_PASSWORD}))
        .unwrap();
    assert_eq!(login.status(), 200);
    // The container's health check: the service here is ready; one not listening is not.
    let ready = planloket()
        .arg("healthcheck")
        .arg(format!("{base}/health/ready"))
        .output()
        .unwrap();
    succeeded(&ready);
    let nobody = planloket()
        .arg("healthcheck")
        .arg("http://127.0.0.1:9/api/v1/health/ready")
        .output()
        .unwrap();
    assert!(!nobody.status.success());
    // The real action table is the adopted earlier round: per theme, granted and reserved
    // make the printed totals; the open round is its copy for 2027-2028.
    let earlier = &rounds["items"][1];
    assert_eq!(rounds["items"][0]["start_year"], 2027);
    assert_eq!(earlier["start_year"], 2025);
    let overview: serde_json::Value = agent
        .get(&format!(
            "{base}/rounds/{}/overview",
            earlier["id"].as_str().unwrap()
        ))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(overview["adopted_on"], "2025-04-08");
    let plans: usize = overview["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["plans"].as_array().unwrap().len())
        .sum();
    assert_eq!(plans, 54);
    let team: serde_json::Value = agent
        .post(&format!("{base}/auth/login"))
        .send_json(serde_json::json!({"email": "team@demo.planloket.nl", "password": planloket::demo::DEMO_PASSWORD}))
        .unwrap()
        .into_json()
        .unwrap();
    let budget: serde_json::Value = agent
        .get(&format!(
            "{base}/rounds/{}/budget",
            earlier["id"].as_str().unwrap()
        ))
        .set(
            "Authorization",
            &format!("Bearer {}", team["access_token"].as_str().unwrap()),
        )
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let totals: Vec<i64> = budget["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["granted_eur"].as_i64().unwrap() + l["reserved_eur"].as_i64().unwrap())
        .collect();
    assert_eq!(totals, [145_450, 72_770, 94_370]);
    assert!(
        printed.contains("30 continuing actions as drafts"),
        "{printed}"
    );
    child.kill().unwrap();
    let _ = child.wait();

    // A second start finds data and loads nothing more.
    let db = planloket::db::Db::open(&planloket::config::DatabaseUrl::Sqlite(
        dir.join("planloket.db"),
    ))
    .unwrap();
    assert_eq!(
        planloket::demo::load(&db, "http://127.0.0.1").unwrap(),
        None
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migration_folders_stay_in_lockstep() {
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!(
            "{}/migrations/{backend}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
        v.sort();
        v
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same migrations"
    );
    for m in &sqlite {
        for f in ["up.sql", "down.sql"] {
            for backend in ["sqlite", "postgres"] {
                let p = format!(
                    "{}/migrations/{backend}/{m}/{f}",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&p).exists(), "{p} missing");
            }
        }
    }
}

#[test]
fn two_instances_starting_together_both_migrate_cleanly() {
    let db = TestDb::new();
    let url = db.url();
    let a = {
        let url = url.clone();
        std::thread::spawn(move || planloket::db::Db::open(&url).map(|_| ()))
    };
    let b = std::thread::spawn(move || planloket::db::Db::open(&url).map(|_| ()));
    a.join().unwrap().unwrap();
    b.join().unwrap().unwrap();
    let app = spawn_app_on(db);
    app.get("/health", None).expect(200);
}

/// Reads lines from `reader` until one starts with `prefix`, for at most a minute.
fn line_starting(reader: &mut impl BufRead, prefix: &str) -> Option<String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            return None;
        }
        if let Some(rest) = line.trim().strip_prefix(prefix) {
            return Some(rest.trim().to_string());
        }
    }
    None
}

#[test]
fn json_logs_are_one_object_a_line_with_the_request_and_nothing_secret() {
    let dir = std::env::temp_dir().join(format!("planloket-log-{}", uuid::Uuid::now_v7().simple()));
    let password = "een-geheim-wachtwoord-77";
    let mut child = planloket()
        .arg("serve")
        .env("PLANLOKET_DATA_DIR", &dir)
        .env("PLANLOKET_BIND", "127.0.0.1:0")
        .env("PLANLOKET_LOG", "info")
        .env("PLANLOKET_LOG_FORMAT", "json")
        .env("PLANLOKET_STAFF_MFA", "off")
        .env("PLANLOKET_ADMIN_EMAIL", "beheer@example.nl")
        .env("PLANLOKET_ADMIN_PASSWORD", password)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let base = line_starting(&mut out, "planloket API:").expect("the service started");
    let agent = ureq::AgentBuilder::new().build();
    let token: serde_json::Value = agent
        .post(&format!("{base}/auth/login"))
        .set("X-Request-Id", "log-test-1")
        .send_json(serde_json::json!({"email": "beheer@example.nl", "password": password}))
        .unwrap()
        .into_json()
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    agent
        .get(&format!("{base}/users"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let _ = agent
        .post(&format!("{base}/auth/register"))
        .send_json(serde_json::json!({"email": "anna@example.nl", "password": password, "name": "Anna", "kind": "resident"}));
    let _ = agent
        .get(&format!("{base}/plans/bestaat-niet"))
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() >= 4, "{log}");
    for l in &lines {
        for field in ["timestamp", "level", "target", "message"] {
            assert!(l.get(field).is_some(), "{field} missing in {l}");
        }
    }
    let login = lines
        .iter()
        .find(|l| l["request_id"] == "log-test-1")
        .unwrap_or_else(|| panic!("no line of the login request in {log}"));
    assert_eq!(login["route"], "/api/v1/auth/login");
    assert_eq!(login["status"], 200);
    assert!(login["latency_ms"].as_f64().is_some(), "{login}");
    assert!(
        lines
            .iter()
            .any(|l| l["route"] == "/api/v1/plans/{id}" && l["status"] == 404),
        "the route's template, never the raw path: {log}"
    );
    for secret in [
        password,
        token.as_str(),
        "anna@example.nl",
        "beheer@example.nl",
        "bestaat-niet",
    ] {
        assert!(!log.contains(secret), "'{secret}' in the log:\n{log}");
    }
}
