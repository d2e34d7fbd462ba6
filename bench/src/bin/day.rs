//! A day at planloket, through the API as its people use it (issue 19). Black-box: it talks
//! HTTP to a running server (loopback only) and reads the server's memory from /proc.
//!
//!     day sink <port>
//!         An SMTP server that accepts every mail, for the server's outbox to deliver to.
//!     day load <base> <admin email> <admin password> <server pid> <seconds> [<wal file>]
//!         20 applicants made, then signed in all at once; then `seconds` of mixed load:
//!         reads, filing and submitting, the team's review, and sign-ins.
//!     day round <base> <admin email> <admin password> <server pid> <copies> <table.json>
//!         The 56 actions of the 2025-2026 table replayed in `copies` rounds at once: accounts
//!         made and signed in, plans filed (residents' at the desk), submitted, evaluated by
//!         two team members, pre-advised, voted on by three board members (one recused on
//!         some), closed and adopted; then the mail delivered through the sink.
//!
//! Prints lines `key=value …` that bench/day.sh turns into tables: one `route=` line per route
//! (count, p50, p99 in ms), and `phase=` lines with wall time and the server's memory.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const PASSWORD: &str = "bench-wachtwoord-2026";
const CRITERIA: [&str; 4] = [
    "IMPACT",
    "GEEN_BESTAAND_AANBOD",
    "MEERDERE_DOELEN",
    "SAMENWERKING",
];

fn main() {
    let a: Vec<String> = std::env::args().collect();
    match a.get(1).map(String::as_str) {
        Some("sink") => sink(a[2].parse().expect("port")),
        Some("load") => {
            let c = Client::new(&a[2]);
            let memory = Memory::watch(a[5].parse().expect("pid"), a.get(7).cloned());
            load(&c, &a[3], &a[4], a[6].parse().expect("seconds"), &memory);
        }
        Some("round") => {
            let c = Client::new(&a[2]);
            let memory = Memory::watch(a[5].parse().expect("pid"), None);
            let table: Value =
                serde_json::from_str(&std::fs::read_to_string(&a[7]).expect("table")).unwrap();
            round(
                &c,
                &a[3],
                &a[4],
                a[6].parse().expect("copies"),
                &table,
                &memory,
            );
        }
        _ => panic!("usage: day sink|load|round … (see the top of bench/src/bin/day.rs)"),
    }
}

/// Latencies per route, shared by the client threads.
#[derive(Default)]
struct Stats(Mutex<BTreeMap<&'static str, Vec<f64>>>);

impl Stats {
    fn record(&self, route: &'static str, ms: f64) {
        self.0.lock().unwrap().entry(route).or_default().push(ms);
    }

    fn print(&self) {
        for (route, l) in self.0.lock().unwrap().iter_mut() {
            l.sort_by(|a, b| a.total_cmp(b));
            println!(
                "route={route:?} n={} p50_ms={:.2} p99_ms={:.2}",
                l.len(),
                quantile(l, 0.5),
                quantile(l, 0.99)
            );
        }
    }
}

fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

/// The server's resident memory (now and its peak) and the largest WAL seen, sampled every
/// 200 ms by a thread of its own.
struct Memory {
    pid: u32,
    wal_max: Arc<AtomicU64>,
}

impl Memory {
    fn watch(pid: u32, wal: Option<String>) -> Memory {
        assert!(
            std::path::Path::new(&format!("/proc/{pid}/status")).exists(),
            "no process {pid}"
        );
        let wal_max = Arc::new(AtomicU64::new(0));
        if let Some(path) = wal {
            let max = wal_max.clone();
            std::thread::spawn(move || loop {
                if let Ok(m) = std::fs::metadata(&path) {
                    max.fetch_max(m.len(), Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(200));
            });
        }
        Memory { pid, wal_max }
    }

    /// (VmRSS, VmHWM) in MiB.
    fn now(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|kb| kb.parse::<f64>().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    fn report(&self, phase: &str, started: Instant) {
        let (rss, peak) = self.now();
        println!(
            "phase={phase:?} wall_s={:.1} rss_mib={rss:.0} peak_rss_mib={peak:.0} wal_max_mib={:.1}",
            started.elapsed().as_secs_f64(),
            self.wal_max.load(Ordering::Relaxed) as f64 / 1048576.0
        );
    }
}

#[derive(Clone)]
struct Client {
    agent: ureq::Agent,
    base: String,
    stats: Arc<Stats>,
}

impl Client {
    fn new(base: &str) -> Client {
        assert!(
            base.starts_with("http://127.0.0.1") || base.starts_with("http://localhost"),
            "loopback only"
        );
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(60))
                .build(),
            base: base.trim_end_matches('/').to_string(),
            stats: Arc::new(Stats::default()),
        }
    }

    /// One request; panics unless it answers `expect`.
    fn call(
        &self,
        route: &'static str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        expect: u16,
    ) -> Value {
        let mut req = self.agent.request(method, &format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let t0 = Instant::now();
        let result = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        let (status, text) = match result {
            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{method} {path}: {e}"),
        };
        self.stats
            .record(route, t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, expect, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn post(&self, route: &'static str, path: &str, token: &str, body: Value) -> Value {
        let expect = if route.ends_with("/plans")
            || route == "POST /users"
            || route == "POST /rounds"
            || route == "POST /organisations"
            || route.ends_with("/reservations")
            || route.ends_with("/adoption")
            || route.ends_with("/evaluations")
            || route.ends_with("/conflicts")
        {
            201
        } else {
            200
        };
        self.call(route, "POST", path, Some(token), Some(body), expect)
    }

    fn get(&self, route: &'static str, path: &str, token: Option<&str>) -> Value {
        self.call(route, "GET", path, token, None, 200)
    }

    /// Signs in with the bench's password.
    fn login(&self, email: &str) -> String {
        self.sign_in(email, PASSWORD)
    }

    fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self.call(
            "POST /auth/login",
            "POST",
            "/auth/login",
            None,
            Some(json!({"email": email, "password": password})),
            200,
        );
        r["access_token"].as_str().unwrap().to_string()
    }

    /// A new account with the bench's password; answers its email.
    fn user(&self, admin: &str, who: &str, roles: &[&str], kind: Option<&str>) -> String {
        let email = format!(
            "{who}-{}@day.bench.planloket.nl",
            uuid::Uuid::now_v7().simple()
        );
        self.post(
            "POST /users",
            "/users",
            admin,
            json!({"email": email, "name": who, "password": PASSWORD, "roles": roles, "kind": kind}),
        );
        email
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

/// The real catalog of the 2025-2026 round, open now.
fn programme(name: &str) -> Value {
    let mut v: Value = serde_json::from_str(planloket::demo::DEMO_PROGRAMME).unwrap();
    let now = chrono::Utc::now();
    v["name"] = json!(name);
    v["opens_at"] = json!((now - chrono::Duration::hours(1)).to_rfc3339());
    v["closes_at"] = json!((now + chrono::Duration::days(30)).to_rfc3339());
    v
}

fn scores(n: i64) -> Vec<Value> {
    CRITERIA
        .iter()
        .map(|c| json!({"criterion": c, "score": n, "motivation": "Volgens het uitvoeringsplan"}))
        .collect()
}

/// Sign-ins at once, then mixed load until the deadline.
fn load(c: &Client, admin_email: &str, admin_password: &str, seconds: u64, memory: &Memory) {
    let started = Instant::now();
    memory.report("fresh", started);
    let admin = c.sign_in(admin_email, admin_password);
    let team_email = c.user(&admin, "team", &["programme_team"], None);
    let applicants: Vec<String> = (0..20)
        .map(|i| {
            c.user(
                &admin,
                &format!("aanvrager{i}"),
                &["applicant"],
                Some("partner"),
            )
        })
        .collect();
    memory.report("20 accounts made", started);

    // Twenty sign-ins at the same moment.
    let gate = Arc::new(std::sync::Barrier::new(applicants.len()));
    let tokens: Vec<String> = applicants
        .iter()
        .map(|email| {
            let (c, gate, email) = (c.clone(), gate.clone(), email.clone());
            std::thread::spawn(move || {
                gate.wait();
                c.login(&email)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    memory.report("20 sign-ins at once", started);

    let team = c.login(&team_email);
    let round = id(&c.post(
        "POST /rounds",
        "/rounds",
        &team,
        programme("Sterk voor Noord — dagbelasting"),
    ));
    let filed: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut threads = Vec::new();
    // Two applicants filing and submitting, one plan after another.
    for (n, token) in tokens.iter().take(2).enumerate() {
        let (c, token, round, filed) = (c.clone(), token.clone(), round.clone(), filed.clone());
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                let plan = id(&c.post(
                    "POST /rounds/{id}/plans",
                    &format!("/rounds/{round}/plans"),
                    &token,
                    json!({"title": format!("Dagplan {n}-{i}"), "description": "Huiswerkbegeleiding voor kinderen in de wijk.",
                           "goals": ["B"], "requested_eur": 2500, "start_year": 2025, "end_year": 2026}),
                ));
                c.post(
                    "POST /plans/{id}/submit",
                    &format!("/plans/{plan}/submit"),
                    &token,
                    json!({}),
                );
                filed.lock().unwrap().push(plan);
                i += 1;
            }
        }));
    }
    // The team: start the review of what came in, and evaluate it.
    {
        let (c, team, round, filed) = (c.clone(), team.clone(), round.clone(), filed.clone());
        threads.push(std::thread::spawn(move || {
            let mut next = 0;
            while Instant::now() < deadline {
                let plan = filed.lock().unwrap().get(next).cloned();
                let Some(plan) = plan else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                next += 1;
                c.post(
                    "POST /plans/{id}/start-review",
                    &format!("/plans/{plan}/start-review"),
                    &team,
                    json!({}),
                );
                c.post(
                    "POST /plans/{id}/evaluations",
                    &format!("/plans/{plan}/evaluations"),
                    &team,
                    json!({"scores": scores(2)}),
                );
                c.get(
                    "GET /plans?round&status",
                    &format!("/plans?round={round}&status=in_review&page_size=50"),
                    Some(&team),
                );
            }
        }));
    }
    // Readers: applicants reading their own plan and list, and the round.
    for token in tokens.iter().skip(2).take(4) {
        let (c, token, round) = (c.clone(), token.clone(), round.clone());
        threads.push(std::thread::spawn(move || {
            let own = id(&c.post(
                "POST /rounds/{id}/plans",
                &format!("/rounds/{round}/plans"),
                &token,
                json!({"title": "Leesplan", "description": "Voorlezen in de bibliotheek.",
                       "goals": ["B"], "requested_eur": 1000, "start_year": 2025, "end_year": 2026}),
            ));
            let mut i = 0usize;
            while Instant::now() < deadline {
                i += 1;
                match i % 3 {
                    0 => c.get("GET /plans", "/plans?page_size=50", Some(&token)),
                    1 => c.get("GET /rounds/{id}", &format!("/rounds/{round}"), None),
                    _ => c.get("GET /plans/{id}", &format!("/plans/{own}"), Some(&token)),
                };
            }
        }));
    }
    // Sign-ins through the day: one every 250 ms, round the twenty applicants.
    {
        let (c, applicants) = (c.clone(), applicants.clone());
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                c.login(&applicants[i % applicants.len()]);
                i += 1;
                std::thread::sleep(Duration::from_millis(250));
            }
        }));
    }
    let phase = Instant::now();
    let sampler = {
        let pid = memory.pid;
        std::thread::spawn(move || {
            // RSS once a minute, to see whether it settles or grows.
            let m = Memory {
                pid,
                wal_max: Arc::default(),
            };
            let mut minute = 0;
            while Instant::now() + Duration::from_secs(60) <= deadline {
                std::thread::sleep(Duration::from_secs(60));
                minute += 1;
                let (rss, peak) = m.now();
                println!("minute={minute} rss_mib={rss:.0} peak_rss_mib={peak:.0}");
            }
        })
    };
    for t in threads {
        t.join().unwrap();
    }
    sampler.join().unwrap();
    memory.report("mixed load", phase);
    println!("filed={}", filed.lock().unwrap().len());
    c.stats.print();
}

/// The action table replayed in `copies` rounds at once.
fn round(
    c: &Client,
    admin_email: &str,
    admin_password: &str,
    copies: usize,
    table: &Value,
    memory: &Memory,
) {
    let started = Instant::now();
    let admin = c.sign_in(admin_email, admin_password);
    let mut orgs: BTreeMap<String, String> = BTreeMap::new();
    for o in table["organisations"].as_array().unwrap() {
        let r = c.post(
            "POST /organisations",
            "/organisations",
            &admin,
            json!({"name": o["name"], "kind": o["kind"]}),
        );
        orgs.insert(o["name"].as_str().unwrap().into(), id(&r));
    }
    let orgs = Arc::new(orgs);
    // The programme's people: two team members, a chair, two board members.
    let staff: Vec<String> = [
        ("team1", "programme_team"),
        ("team2", "programme_team"),
        ("voorzitter", "board_chair"),
        ("bestuurslid1", "board_member"),
        ("bestuurslid2", "board_member"),
    ]
    .iter()
    .map(|(who, role)| c.user(&admin, who, &[role], None))
    .collect();
    let staff = Arc::new(staff);
    let table = Arc::new(table.clone());
    let gate = Arc::new(std::sync::Barrier::new(copies));
    let threads: Vec<_> = (0..copies)
        .map(|n| {
            let (c, admin, orgs, staff, table, gate) = (
                c.clone(),
                admin.clone(),
                orgs.clone(),
                staff.clone(),
                table.clone(),
                gate.clone(),
            );
            std::thread::spawn(move || {
                gate.wait();
                replay(&c, &admin, &orgs, &staff, &table, n)
            })
        })
        .collect();
    let plans: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    memory.report("rounds replayed", started);
    println!("plans={plans}");

    // The mail the day wrote, delivered through the sink: wait for the outbox to empty.
    let waiting = Instant::now();
    loop {
        let pending = c.get(
            "GET /outbox",
            "/outbox?status=pending&page_size=1",
            Some(&admin),
        );
        if pending["total"] == 0 {
            break;
        }
        assert!(
            waiting.elapsed() < Duration::from_secs(600),
            "outbox not delivered: {pending}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    memory.report("mail delivered", started);
    let mut latencies = Vec::new();
    let mut page = 1;
    loop {
        let r = c.get(
            "GET /outbox",
            &format!("/outbox?status=sent&page_size=100&page={page}"),
            Some(&admin),
        );
        let items = r["items"].as_array().unwrap();
        for m in items {
            let t = |k: &str| {
                chrono::DateTime::parse_from_rfc3339(m[k].as_str().unwrap())
                    .unwrap()
                    .timestamp_micros()
            };
            latencies.push((t("sent_at") - t("created_at")) as f64 / 1000.0);
        }
        if items.len() < 100 {
            break;
        }
        page += 1;
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    println!(
        "mail n={} p50_ms={:.0} p99_ms={:.0} max_ms={:.0}",
        latencies.len(),
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0.0),
    );
    c.stats.print();
}

/// One copy of the round: every row of the table from filing to adoption. Answers the number
/// of plans filed.
fn replay(
    c: &Client,
    admin: &str,
    orgs: &BTreeMap<String, String>,
    staff: &[String],
    table: &Value,
    n: usize,
) -> usize {
    let team: Vec<String> = staff[..2].iter().map(|e| c.login(e)).collect();
    let chair = c.login(&staff[2]);
    let members = [c.login(&staff[3]), c.login(&staff[4])];
    let round = id(&c.post(
        "POST /rounds",
        "/rounds",
        &team[0],
        programme(&format!("Sterk voor Noord — dag {n}")),
    ));
    let party = |name: &Value| json!({"organisation_id": orgs[name.as_str().unwrap()]});
    let mut filed: BTreeMap<String, String> = BTreeMap::new();
    for (i, row) in table["actions"].as_array().unwrap().iter().enumerate() {
        let title = row["title"].as_str().unwrap().to_string();
        if row["reservation"] == json!(true) {
            c.post(
                "POST /rounds/{id}/reservations",
                &format!("/rounds/{round}/reservations"),
                &team[0],
                json!({"theme": row["theme"], "amount_eur": row["requested_eur"], "purpose": title}),
            );
            continue;
        }
        let mut plan = json!({
            "title": title,
            "description": row["description"],
            "goals": row["goals"],
            "budget_line": row.get("budget_line").unwrap_or(&row["theme"]),
            "partners": row["partners"].as_array().unwrap().iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            "co_leads": row.get("co_leads").map(|c| c.as_array().unwrap().iter().map(party).collect::<Vec<_>>()).unwrap_or_default(),
            "continuing": row["continuing"],
            "funding": row["funding"],
            "requested_eur": row["requested_eur"],
            "other_funding": row["other_funding"],
            "start_year": row["start_year"],
            "end_year": row["end_year"],
        });
        if let Some(lead) = row.get("lead").filter(|l| !l.is_null()) {
            plan["lead_partner"] = party(lead);
        }
        if let Some(payee) = row.get("payee") {
            plan["payee_id"] = json!(orgs[payee.as_str().unwrap()]);
        }
        if let Some(whole) = row.get("part_of") {
            plan["links"] =
                json!([{"plan_id": filed[whole.as_str().unwrap()], "relation": "part_of"}]);
        }
        // A resident comes to the desk with an account of their own, and signs in to submit.
        let submitter = if let Some(name) = row.get("resident") {
            let email = c.user(admin, "bewoner", &["applicant"], Some("resident"));
            plan["filed_for"] = json!({"email": email, "name": name, "kind": "resident"});
            c.login(&email)
        } else {
            plan["filed_for"] = json!({"organisation_id": orgs[row["lead"].as_str().unwrap()]});
            team[0].clone()
        };
        let plan = id(&c.post(
            "POST /rounds/{id}/plans",
            &format!("/rounds/{round}/plans"),
            &team[0],
            plan,
        ));
        let step = |route: &'static str, path: &str, token: &str, body: Value| {
            c.post(route, &format!("/plans/{plan}/{path}"), token, body)
        };
        step("POST /plans/{id}/submit", "submit", &submitter, json!({}));
        c.get("GET /plans/{id}", &format!("/plans/{plan}"), Some(&team[1]));
        step(
            "POST /plans/{id}/start-review",
            "start-review",
            &team[0],
            json!({}),
        );
        for (k, t) in team.iter().enumerate() {
            step(
                "POST /plans/{id}/evaluations",
                "evaluations",
                t,
                json!({"scores": scores(2 + k as i64)}),
            );
        }
        step(
            "POST /plans/{id}/pre-advice",
            "pre-advice",
            &team[0],
            json!({"recommendation": "positive", "proposed_eur": row["requested_eur"].as_i64().unwrap_or(0),
                   "motivation": "Opgenomen in het uitvoeringsplan", "scores": scores(2)}),
        );
        step(
            "POST /plans/{id}/open-vote",
            "open-vote",
            &team[0],
            json!({}),
        );
        // The second board member is a partner in every seventh action and steps aside.
        if i % 7 == 0 {
            step(
                "POST /plans/{id}/conflicts",
                "conflicts",
                &members[1],
                json!({"reason": "Ik ben betrokken bij deze partner"}),
            );
        }
        for (k, voter) in [&chair, &members[0], &members[1]].into_iter().enumerate() {
            if k == 2 && i % 7 == 0 {
                continue;
            }
            c.get(
                "GET /plans?status=voting",
                "/plans?status=voting&page_size=50",
                Some(voter),
            );
            step(
                "POST /plans/{id}/votes",
                "votes",
                voter,
                json!({"vote": "for", "comment": "Past in het plan"}),
            );
        }
        let closed = step(
            "POST /plans/{id}/close-vote",
            "close-vote",
            &chair,
            json!({}),
        );
        assert_eq!(closed["status"], "approved", "{title}");
        filed.insert(title, plan);
    }
    c.post(
        "POST /rounds/{id}/adoption",
        &format!("/rounds/{round}/adoption"),
        &team[0],
        json!({"adopted_on": table["adopted_on"], "reference": format!("{}-{n}", table["reference"].as_str().unwrap()), "deferred": []}),
    );
    c.get(
        "GET /rounds/{id}/overview",
        &format!("/rounds/{round}/overview"),
        None,
    );
    filed.len()
}

static RECEIVED: AtomicU64 = AtomicU64::new(0);

/// A minimal SMTP server on 127.0.0.1: accepts every mail, keeps nothing but a count, which
/// it prints once a second when it changed.
fn sink(port: u16) {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
    std::thread::spawn(|| {
        let mut last = 0;
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = RECEIVED.load(Ordering::Relaxed);
            if now != last {
                println!("received={now}");
                last = now;
            }
        }
    });
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let _ = session(stream);
        });
    }
}

fn session(stream: TcpStream) -> std::io::Result<()> {
    // Answers go out at once: with Nagle's algorithm against the client's delayed ACKs, each
    // reply would wait some 40 ms, and the sink, not the server, would set the pace.
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-sink\r\n250 8BITMIME\r\n")?,
            "DATA" => {
                out.write_all(b"354 go on\r\n")?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                }
                RECEIVED.fetch_add(1, Ordering::Relaxed);
                out.write_all(b"250 kept\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"250 ok\r\n")?,
        }
    }
}
