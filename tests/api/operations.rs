//! Operations (issue 34) on the real binary: a clean stop on SIGTERM while clients file plans
//! and mail is queued, and backup and restore while eight clients write.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;

const RESIDENT: &str = "bewoner@demo.planloket.nl";
const ADMIN: &str = "admin@demo.planloket.nl";

/// The binary, with the environment of a folder of its own (and a database in it, or the
/// PostgreSQL database named).
fn planloket(dir: &std::path::Path, database: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_planloket"));
    c.env_remove("DATABASE_URL")
        // The demo's staff sign in with their password alone, after a restart too.
        .env("PLANLOKET_STAFF_MFA", "off")
        .env("PLANLOKET_LOG", "warn")
        .env("PLANLOKET_DATA_DIR", dir)
        .env("PLANLOKET_BIND", "127.0.0.1:0")
        .env("PLANLOKET_METRICS_TOKEN", METRICS_TOKEN);
    if let Some(url) = database {
        c.env("DATABASE_URL", url);
    }
    c
}

fn temp_dir(what: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "planloket-{what}-{}",
        uuid::Uuid::now_v7().simple()
    ))
}

/// A running service and its API's address.
struct Service {
    child: Child,
    base: String,
}

impl Service {
    /// Starts `demo` (the round and its accounts on a new database) or `serve`.
    fn start(mut cmd: Command, command: &str) -> Service {
        let mut child = cmd
            .arg(command)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(url) = line.trim().strip_prefix("planloket API:") {
                // Keep reading stdout so the service never blocks on a full pipe.
                std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
                return Service {
                    child,
                    base: url.trim().to_string(),
                };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the service did not start");
    }

    fn login(&self, email: &str) -> String {
        let r: Value = ureq::post(&format!("{}/auth/login", self.base))
            .send_json(json!({"email": email, "password": planloket::demo::DEMO_PASSWORD}))
            .unwrap()
            .into_json()
            .unwrap();
        r["access_token"].as_str().unwrap().to_string()
    }

    fn get(&self, path: &str, token: &str) -> Result<Value, u16> {
        match ureq::get(&format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
        {
            Ok(r) => Ok(r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Status(code, _)) => Err(code),
            Err(e) => panic!("{path}: {e}"),
        }
    }

    /// The value of a sample of `/metrics`.
    fn metric(&self, name: &str) -> f64 {
        let url = self.base.replace("/api/v1", "/metrics");
        let text = ureq::get(&url)
            .set("Authorization", &format!("Bearer {METRICS_TOKEN}"))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    }

    /// Sends SIGTERM and waits for the exit, at most `limit`.
    fn terminate(mut self, limit: Duration) -> (std::process::ExitStatus, Duration) {
        let asked = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                return (exit, asked.elapsed());
            }
            if asked.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the service did not stop within {limit:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the filing clients were told: each plan acknowledged (201), when, and whether its
/// submission was acknowledged too.
#[derive(Default)]
struct Filed {
    plans: Vec<(String, Instant, bool)>,
    /// The first refusal a client met, to show when too little was filed.
    refused: Option<String>,
}

fn refused(filed: &Mutex<Filed>, answer: Result<ureq::Response, ureq::Error>) {
    let said = match answer {
        Ok(r) => format!("{}: {}", r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => {
            format!("{code}: {}", r.into_string().unwrap_or_default())
        }
        Err(e) => e.to_string(),
    };
    filed.lock().unwrap().refused.get_or_insert(said);
}

/// Starts `n` clients that file plans (create, then submit when `submit`) until `stop`.
fn filing_clients(
    s: &Service,
    n: usize,
    submit: bool,
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<Filed>>, Vec<std::thread::JoinHandle<()>>) {
    let token = s.login(RESIDENT);
    let round = s.get("/rounds", &token).unwrap()["items"][0].clone();
    let years = (round["start_year"].clone(), round["end_year"].clone());
    let round = round["id"].as_str().unwrap().to_string();
    let org = s.get("/organisations", &token).unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let filed = Arc::new(Mutex::new(Filed::default()));
    let threads = (0..n)
        .map(|k| {
            let (base, token, round, org) =
                (s.base.clone(), token.clone(), round.clone(), org.clone());
            let (filed, stop, years) = (filed.clone(), stop.clone(), years.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(40))
                    .build();
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let mut plan = complete_plan(&org);
                    plan["title"] = json!(format!("Plan {k}-{i}"));
                    plan["start_year"] = years.0.clone();
                    plan["end_year"] = years.1.clone();
                    let created = agent
                        .post(&format!("{base}/rounds/{round}/plans"))
                        .set("Authorization", &format!("Bearer {token}"))
                        .send_json(plan);
                    let id = match created {
                        Ok(r) if r.status() == 201 => r.into_json::<Value>().unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                        // Refused while stopping, or the connection closed: this one was not
                        // acknowledged, and neither will the next be.
                        other => return refused(&filed, other),
                    };
                    filed
                        .lock()
                        .unwrap()
                        .plans
                        .push((id.clone(), Instant::now(), false));
                    if submit {
                        let done = agent
                            .post(&format!("{base}/plans/{id}/submit"))
                            .set("Authorization", &format!("Bearer {token}"))
                            .send_json(json!({}));
                        match done {
                            Ok(r) if r.status() == 200 => {
                                if let Some(p) =
                                    filed.lock().unwrap().plans.iter_mut().find(|p| p.0 == id)
                                {
                                    p.2 = true;
                                }
                            }
                            other => return refused(&filed, other),
                        }
                    }
                }
            })
        })
        .collect();
    (filed, threads)
}

/// The PostgreSQL server of the test run, when there is one: a new database on it.
fn postgres_database(name: &str) -> Option<String> {
    let admin = std::env::var("PLANLOKET_TEST_POSTGRES_URL").ok()?;
    let name = format!("{name}_{}", uuid::Uuid::now_v7().simple());
    let mut c = <diesel::PgConnection as diesel::Connection>::establish(&admin).unwrap();
    diesel::RunQueryDsl::execute(diesel::sql_query(format!("CREATE DATABASE {name}")), &mut c)
        .unwrap();
    Some(database_url(&admin, &name))
}

#[test]
fn sigterm_finishes_what_is_in_flight_and_no_mail_goes_twice() {
    let dir = temp_dir("stop");
    let db = postgres_database("stop");
    let s = Service::start(planloket(&dir, db.as_deref()), "demo");
    let stop = Arc::new(AtomicBool::new(false));
    let (filed, clients) = filing_clients(&s, 8, true, stop.clone());
    std::thread::sleep(Duration::from_millis(1500));
    // Asked to stop while the clients file and submit (each submission queues a receipt).
    let (exit, took) = s.terminate(Duration::from_secs(35));
    assert!(exit.success(), "exit status {exit:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let (filed, refusal) = {
        let mut f = filed.lock().unwrap();
        (std::mem::take(&mut f.plans), f.refused.take())
    };
    let submitted = filed.iter().filter(|p| p.2).count();
    assert!(
        submitted >= 8,
        "the clients filed while it ran: {submitted} (first refusal: {refusal:?})"
    );

    // The next start: every acknowledged plan is there, as acknowledged.
    let s = Service::start(planloket(&dir, db.as_deref()), "serve");
    let token = s.login(RESIDENT);
    for (id, _, was_submitted) in &filed {
        let plan = s
            .get(&format!("/plans/{id}"), &token)
            .unwrap_or_else(|code| panic!("acknowledged plan {id} lost: {code}"));
        if *was_submitted {
            assert_eq!(plan["status"], "submitted", "{plan}");
        }
    }
    // Every queued mail is sent once: as many mail files as mails marked sent, none waiting.
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.metric("planloket_outbox_pending") > 0.0 {
        assert!(Instant::now() < deadline, "the outbox did not empty");
        std::thread::sleep(Duration::from_millis(100));
    }
    let admin = s.login(ADMIN);
    let sent = s.get("/outbox?status=sent&page_size=1", &admin).unwrap()["total"]
        .as_i64()
        .unwrap();
    let files = std::fs::read_dir(dir.join("mail")).unwrap().count() as i64;
    assert!(
        sent as usize >= submitted,
        "a receipt per submission: {sent}"
    );
    assert_eq!(files, sent, "each mail sent exactly once");
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_backup_taken_while_eight_clients_write_restores_every_plan_acknowledged_before_it() {
    let dir = temp_dir("backup");
    let db = postgres_database("backup");
    if db.is_some() && Command::new("pg_dump").arg("--version").output().is_err() {
        assert!(
            std::env::var("PLANLOKET_REQUIRE_PG_TOOLS").is_err(),
            "pg_dump is required here"
        );
        return;
    }
    let s = Service::start(planloket(&dir, db.as_deref()), "demo");
    let stop = Arc::new(AtomicBool::new(false));
    let (filed, clients) = filing_clients(&s, 8, false, stop.clone());
    std::thread::sleep(Duration::from_millis(1000));
    let backup = temp_dir("backup-copy");
    let began = Instant::now();
    let out = planloket(&dir, db.as_deref())
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let (exit, _) = s.terminate(Duration::from_secs(35));
    assert!(exit.success());
    let filed = std::mem::take(&mut filed.lock().unwrap().plans);
    let before: Vec<&String> = filed.iter().filter(|p| p.1 < began).map(|p| &p.0).collect();
    assert!(
        before.len() >= 8,
        "the clients wrote before the backup: {}",
        before.len()
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap())
            .unwrap();
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"files/jwt-secret"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("planloket.db")),
        "the database is copied as a snapshot, not as a file: {names:?}"
    );

    // Restored into a new, empty place; a folder that is not empty is refused.
    let restored = temp_dir("restored");
    let restored_db = postgres_database("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::write(restored.join("iets"), "x").unwrap();
    let refused = planloket(&restored, restored_db.as_deref())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));
    std::fs::remove_file(restored.join("iets")).unwrap();
    let out = planloket(&restored, restored_db.as_deref())
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = Service::start(planloket(&restored, restored_db.as_deref()), "serve");
    let token = s.login(RESIDENT);
    for id in before {
        s.get(&format!("/plans/{id}"), &token)
            .unwrap_or_else(|code| {
                panic!("plan {id}, acknowledged before the backup, missing: {code}")
            });
    }
    drop(s);
    for d in [&dir, &backup, &restored] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_damaged_backup_is_refused_and_leaves_the_folder_empty() {
    let dir = temp_dir("damaged");
    let out = planloket(&dir, None).arg("migrate").output().unwrap();
    assert!(out.status.success());
    let backup = temp_dir("damaged-copy");
    assert!(planloket(&dir, None)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap()
        .status
        .success());
    // A backup into a folder that is not empty, or inside the data folder: refused.
    let again = planloket(&dir, None)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!again.status.success());
    let inside = planloket(&dir, None)
        .arg("backup")
        .arg(dir.join("kopie"))
        .output()
        .unwrap();
    assert!(!inside.status.success());
    assert!(String::from_utf8_lossy(&inside.stderr).contains("data folder"));
    // One byte of the database changed: the manifest's hash says so, nothing is restored.
    let copy = backup.join("database.sqlite3");
    let mut bytes = std::fs::read(&copy).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&copy, bytes).unwrap();
    let restored = temp_dir("damaged-restored");
    let out = planloket(&restored, None)
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!restored.join("planloket.db").exists());
    for d in [&dir, &backup, &restored] {
        let _ = std::fs::remove_dir_all(d);
    }
}
