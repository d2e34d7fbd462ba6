//! Start-up: open the database, create the bootstrap admin or the demo data, build the server.

use std::net::TcpListener;

use actix_web::dev::Server;
use chrono::{Duration, Utc};

use crate::config::Settings;
use crate::db::{self, models::UserRow, repo, Db};
use crate::domain::round::{parse_round, Catalog};
use crate::domain::user::{Email, Role};
use crate::error::AppError;
use crate::http::{self, auth::hash_password, organisations, rounds};
use crate::mail::outbox;
use crate::mail::transport::Transport;

/// The catalog of the 2025-2026 round, kept in the project for `planloket demo`.
pub const DEMO_PROGRAMME: &str = include_str!("../demo/programme-2025-2026.json");
/// The password of every demo account (only ever created by `planloket demo`).
pub const DEMO_PASSWORD: &str = "demo-wachtwoord";

/// A running service: its address and the server future to await.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub server: Server,
    /// The outbox worker; it stops when this is dropped.
    pub mail_worker: outbox::Worker,
    /// The transport, so tests using `memory://` can read what was sent.
    pub transport: Transport,
}

/// Opens the database, applies the bootstrap admin, binds and builds the server.
pub fn build(settings: &Settings, workers: usize) -> Result<Running, String> {
    let db = Db::open_sized(&settings.database, settings.db_pool)?;
    bootstrap_admin(&db, settings)?;
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let transport = Transport::from_settings(settings.smtp_url.as_deref(), &settings.data_dir)?;
    tracing::info!(transport = %transport.describe(), "mail");
    let signal = outbox::Signal::default();
    let mail_worker = outbox::spawn(
        db.clone(),
        transport.clone(),
        settings.mail_from.clone(),
        signal.clone(),
    );
    let state = http::state(db, &settings.jwt_secret, signal, &settings.public_url)?;
    let server = http::server(state, listener, workers).map_err(|e| e.to_string())?;
    Ok(Running {
        addr,
        server,
        mail_worker,
        transport,
    })
}

/// Creates the admin named by `PLANLOKET_ADMIN_EMAIL`/`_PASSWORD` if no user has that address.
pub fn bootstrap_admin(db: &Db, settings: &Settings) -> Result<(), String> {
    let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) else {
        return Ok(());
    };
    let email = Email::parse(email).map_err(|m| format!("PLANLOKET_ADMIN_EMAIL {m}"))?;
    crate::domain::user::check_password(password)
        .map_err(|m| format!("PLANLOKET_ADMIN_PASSWORD {m}"))?;
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    db.write(|c| {
        if repo::find_user_by_email(c, email.as_str())?.is_none() {
            repo::insert_user(
                c,
                &user(
                    email.as_str(),
                    "Beheerder",
                    &[Role::Admin],
                    None,
                    None,
                    Some(hash),
                ),
            )?;
            tracing::info!("created the bootstrap admin account");
        }
        Ok(())
    })
    .map_err(|e| format!("cannot create the bootstrap admin: {e}"))
}

fn user(
    email: &str,
    name: &str,
    roles: &[Role],
    kind: Option<&str>,
    org: Option<&str>,
    hash: Option<String>,
) -> UserRow {
    let now = db::now();
    UserRow {
        id: db::new_id(),
        email: email.into(),
        name: name.into(),
        password_hash: hash,
        roles: roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(","),
        kind: kind.map(str::to_string),
        organisation_id: org.map(str::to_string),
        active: true,
        created_at: now,
        updated_at: now,
    }
}

/// A demo account: e-mail, name, role, applicant kind, index into `DEMO_ORGANISATIONS`.
type DemoAccount = (
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    Option<usize>,
);

const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    (
        "admin@demo.planloket.nl",
        "Demo beheerder",
        Role::Admin,
        None,
        None,
    ),
    (
        "team@demo.planloket.nl",
        "Demo programmateam",
        Role::ProgrammeTeam,
        None,
        None,
    ),
    (
        "voorzitter@demo.planloket.nl",
        "Demo voorzitter bestuur",
        Role::BoardChair,
        None,
        Some(0),
    ),
    (
        "bestuur@demo.planloket.nl",
        "Demo bestuurslid",
        Role::BoardMember,
        None,
        Some(1),
    ),
    (
        "partner@demo.planloket.nl",
        "Demo partner",
        Role::Applicant,
        Some("partner"),
        Some(2),
    ),
    (
        "bewoner@demo.planloket.nl",
        "Demo bewoner",
        Role::Applicant,
        Some("resident"),
        None,
    ),
];

const DEMO_ORGANISATIONS: [(&str, &str); 4] = [
    ("Welzijnsorganisatie Noord", "welfare"),
    ("Woningcorporatie Leidschendam", "housing"),
    ("Bibliotheek Leidschendam-Noord", "partner"),
    ("Basisschool De Heuvel", "school"),
];

/// On an empty database: the 2025-2026 round, open from yesterday for 90 days, some
/// organisations and one account per role. Returns the lines to print, or None when the
/// database already held data.
pub fn load_demo(db: &Db) -> Result<Option<Vec<String>>, String> {
    let raw: serde_json::Value = serde_json::from_str(DEMO_PROGRAMME).map_err(|e| e.to_string())?;
    let catalog: Catalog = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
    let now = Utc::now();
    let mut spec = crate::domain::round::RoundSpec {
        name: raw["name"].as_str().unwrap_or("Demo").into(),
        programme: raw["programme"].as_str().unwrap_or("").into(),
        start_year: raw["start_year"].as_i64().unwrap_or(2025) as i32,
        end_year: raw["end_year"].as_i64().unwrap_or(2026) as i32,
        opens_at: now - Duration::days(1),
        closes_at: now + Duration::days(90),
        catalog,
    };
    spec = parse_round(&spec.to_input()).map_err(|e| format!("demo catalog: {e}"))?;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    db.write(|c| {
        if repo::count_rounds(c)? > 0 || repo::count_users(c)? > 0 {
            return Ok(None);
        }
        let round = rounds::new_round(&spec)?;
        rounds::insert_round(c, &round, &spec)?;
        let mut org_ids = Vec::new();
        for (name, kind) in DEMO_ORGANISATIONS {
            let org = organisations::new_organisation(Some(name), Some(kind))?;
            repo::insert_organisation(c, &org)?;
            org_ids.push(org.id);
        }
        let mut lines = vec![
            format!(
                "Demo round '{}' ({}) is open until {}",
                round.name,
                round.id,
                spec.closes_at.to_rfc3339()
            ),
            format!("Demo accounts, all with password '{DEMO_PASSWORD}':"),
        ];
        for (email, name, role, kind, org) in DEMO_ACCOUNTS {
            let org = org.map(|i| org_ids[i].as_str());
            repo::insert_user(
                c,
                &user(email, name, &[role], kind, org, Some(hash.clone())),
            )?;
            lines.push(format!("  {:<16} {email}", role.as_str()));
        }
        Ok::<_, AppError>(Some(lines))
    })
    .map_err(|e| format!("cannot load the demo data: {e}"))
}
