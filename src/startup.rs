//! Start-up: open the database, create the bootstrap admin or the demo data, build the server.

use std::net::TcpListener;

use actix_web::dev::Server;
use chrono::{Duration, Utc};

use crate::app::{self, accounts, App};
use crate::config::Settings;
use crate::db::{self, Db};
use crate::domain::organisation::parse_organisation;
use crate::domain::round::{parse_round, Catalog, Round, RoundSpec};
use crate::domain::user::{Account, ApplicantKind, Role};
use crate::mail::transport::Transport;
use crate::worker;

/// The catalog of the 2025-2026 round, kept in the project for `planloket demo`.
pub const DEMO_PROGRAMME: &str = include_str!("../demo/programme-2025-2026.json");
/// The open round `planloket demo` makes from the adopted 2025-2026 one.
pub const NEXT_ROUND_NAME: &str = "Sterk voor Noord — uitvoeringsplan 2027-2028";
/// The password of every demo account (only ever created by `planloket demo`).
pub const DEMO_PASSWORD: &str = "demo-wachtwoord";

/// A running service: its address and the server future to await.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub server: Server,
    /// The outbox worker; it stops when this is dropped.
    pub mail_worker: worker::Worker,
    /// The transport, so tests using `memory://` can read what was sent.
    pub transport: Transport,
}

/// Opens the database, applies the bootstrap admin, binds and builds the server.
pub fn build(settings: &Settings, workers: usize) -> Result<Running, String> {
    let db = Db::open_sized(&settings.database, settings.db_pool)?;
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let transport = Transport::from_settings(settings.smtp_url.as_deref(), &settings.data_dir)?;
    tracing::info!(transport = %transport.describe(), "mail");
    let signal = app::outbox::Signal::default();
    let mail_worker = worker::spawn(
        db.clone(),
        transport.clone(),
        settings.mail_from.clone(),
        settings.public_url.clone(),
        signal.clone(),
    );
    let app = App::new(db, signal, &settings.public_url)
        .with_grants(settings.payer.clone(), &settings.data_dir);
    bootstrap_admin(&app, settings)?;
    let api = crate::http::Api::new(&settings.jwt_secret);
    let server = crate::server::server(app, api, listener, workers).map_err(|e| e.to_string())?;
    Ok(Running {
        addr,
        server,
        mail_worker,
        transport,
    })
}

/// Creates the admin named by `PLANLOKET_ADMIN_EMAIL`/`_PASSWORD` if no user has that address.
pub fn bootstrap_admin(app: &App, settings: &Settings) -> Result<(), String> {
    let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) else {
        return Ok(());
    };
    if accounts::bootstrap_admin(app, email, password)? {
        tracing::info!("created the bootstrap admin account");
    }
    Ok(())
}

/// A demo account: e-mail, name, role, applicant kind, index into `DEMO_ORGANISATIONS`.
type DemoAccount = (
    &'static str,
    &'static str,
    Role,
    Option<ApplicantKind>,
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
        Some(ApplicantKind::Partner),
        Some(2),
    ),
    (
        "bewoner@demo.planloket.nl",
        "Demo bewoner",
        Role::Applicant,
        Some(ApplicantKind::Resident),
        None,
    ),
];

const DEMO_ORGANISATIONS: [(&str, &str); 4] = [
    ("Welzijnsorganisatie Noord", "welfare"),
    ("Woningcorporatie Leidschendam", "housing"),
    ("Bibliotheek Leidschendam-Noord", "partner"),
    ("Basisschool De Heuvel", "school"),
];

/// The account the demo pays from when none is configured: IBAN NL91 ABNA 0417 1643 00, the
/// standard example number, under a name that says it is a demo.
pub fn demo_payer() -> crate::domain::grant::sepa::Payer {
    crate::domain::grant::sepa::check_payer(
        Some("Gemeente Leidschendam-Voorburg (demo)"),
        Some("NL91ABNA0417164300"),
        None,
    )
    .expect("the demo payer is valid")
}

/// The 2025-2026 frame from `DEMO_PROGRAMME`, open from `opens_at` to `closes_at`, checked.
pub fn demo_spec(
    opens_at: chrono::DateTime<Utc>,
    closes_at: chrono::DateTime<Utc>,
) -> Result<RoundSpec, String> {
    let raw: serde_json::Value = serde_json::from_str(DEMO_PROGRAMME).map_err(|e| e.to_string())?;
    let catalog: Catalog = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
    let text = |k: &str| {
        raw[k]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("demo round: no {k}"))
    };
    let year = |k: &str| {
        raw[k]
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .ok_or(format!("demo round: no {k}"))
    };
    let spec = RoundSpec {
        name: text("name")?,
        programme: text("programme")?,
        start_year: year("start_year")?,
        end_year: year("end_year")?,
        opens_at: db::micros(opens_at),
        closes_at: db::micros(closes_at),
        catalog,
        legal: crate::domain::round::LegalFrame {
            authority: text("authority")?,
            legal_basis: text("legal_basis")?,
            objection_address: text("objection_address")?,
        },
        advance_share: raw["advance_share"]
            .as_i64()
            .and_then(|s| i32::try_from(s).ok())
            .unwrap_or(crate::domain::round::DEFAULT_ADVANCE_SHARE),
    };
    parse_round(&spec.to_input()).map_err(|e| format!("demo catalog: {e}"))
}

/// On an empty database: the 2025-2026 round with its real action table, adopted (see
/// `crate::demo`), and the 2027-2028 round copied from it, open from yesterday for 90 days;
/// the table's organisations, some more, and one account per role. Returns the lines to print, or None when the
/// database already held data.
pub fn load_demo(db: &Db, public_url: &str) -> Result<Option<Vec<String>>, String> {
    let now = Utc::now();
    // Open while the table is replayed into it; `demo::replay` closes it again.
    let spec = demo_spec(now - Duration::days(1), now + Duration::days(1))?;
    let table = crate::demo::ActionTable::parse()?;
    let hash = accounts::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    db.write(|tx| {
        if db::rounds::count(tx)? > 0 || db::users::count(tx)? > 0 {
            return Ok(None);
        }
        let at = app::now();
        let round = Round {
            id: app::new_id(),
            spec,
            adopted_on: None,
            adoption_reference: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        db::rounds::insert(tx, &round)?;
        let mut org_ids = Vec::new();
        for (name, kind) in DEMO_ORGANISATIONS {
            let org = parse_organisation(app::new_id(), Some(name), Some(kind), at)?;
            db::organisations::insert(tx, &org)?;
            org_ids.push(org.id);
        }
        let mut by_name = std::collections::HashMap::new();
        for o in &table.organisations {
            let org = parse_organisation(app::new_id(), Some(&o.name), Some(&o.kind), at)?;
            db::organisations::insert(tx, &org)?;
            by_name.insert(o.name.clone(), org.id);
        }
        let mut lines = Vec::new();
        let mut accounts = Vec::new();
        for (email, name, role, kind, org) in DEMO_ACCOUNTS {
            let account = Account {
                email: email.into(),
                name: name.into(),
                password_hash: Some(hash.clone()),
                roles: vec![role],
                kind,
                organisation_id: org.map(|i| org_ids[i].clone()),
                ..Account::empty(app::new_id(), at)
            };
            db::users::insert(tx, &account)?;
            lines.push(format!("  {:<16} {email}", role.as_str()));
            accounts.push(account);
        }
        let actor = |role: Role| {
            accounts
                .iter()
                .find(|a| a.roles.contains(&role))
                .map(Account::actor)
                .ok_or_else(|| app::Error::Internal(format!("demo: no {}", role.as_str())))
        };
        let (team, chair) = (actor(Role::ProgrammeTeam)?, actor(Role::BoardChair)?);
        let voters = [chair.clone(), actor(Role::BoardMember)?];
        let (plans, reserved) = crate::demo::replay(
            tx,
            &table,
            &round,
            &by_name,
            &crate::demo::Cast {
                team: &team,
                voters: &voters,
                chair: &chair,
                public_url,
            },
            crate::demo::historic_window(),
        )?;
        // The next period, as the team would start it: a copy of the adopted round.
        let (next, drafts) = app::rounds::copy(
            tx,
            &team,
            &round.id,
            app::rounds::CopyInput {
                name: Some(NEXT_ROUND_NAME.into()),
                start_year: Some(2027),
                end_year: Some(2028),
                opens_at: Some(now - Duration::days(1)),
                closes_at: Some(now + Duration::days(90)),
            },
        )?;
        let mut head = vec![
            format!(
                "Demo round '{}' ({}): the real action table, {plans} plans and {reserved} reservations, adopted on {}",
                round.spec.name, round.id, table.adopted_on
            ),
            format!(
                "Demo round '{}' ({}) is open until {}, with {} continuing actions as drafts",
                next.spec.name,
                next.id,
                next.spec.closes_at.to_rfc3339(),
                drafts.len()
            ),
            format!("Demo accounts, all with password '{DEMO_PASSWORD}':"),
        ];
        head.append(&mut lines);
        Ok::<_, app::Error>(Some(head))
    })
    .map_err(|e| format!("cannot load the demo data: {e}"))
}
