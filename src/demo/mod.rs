//! `planloket demo`: an installation as a municipality would start it, filled through the use
//! cases alone. The bootstrap admin makes the accounts and the organisations, the programme
//! team makes the 2025-2026 round and replays its real action table (`table`) as the programme
//! ran it, adopted on 8 April 2025, and copies it into the 2027-2028 round, open now.

mod table;

pub use table::{historic_window, replay, ActionTable, Cast};

use std::collections::HashMap;

use chrono::{Duration, Utc};

use crate::app::outbox::Signal;
use crate::app::tokens::Bearer;
use crate::app::{self, accounts, organisations, rounds, App};
use crate::db::Db;
use crate::domain::round::{parse_round, Catalog, RoundSpec};
use crate::domain::user::{Account, AccountChange, Actor, ApplicantKind, Role};

/// The catalog of the 2025-2026 round, kept in the project for `planloket demo`.
pub const DEMO_PROGRAMME: &str = include_str!("../../demo/programme-2025-2026.json");
/// The open round `planloket demo` makes from the adopted 2025-2026 one.
pub const NEXT_ROUND_NAME: &str = "Sterk voor Noord — uitvoeringsplan 2027-2028";
/// The password of every demo account (only ever created by `planloket demo`).
pub const DEMO_PASSWORD: &str = "demo-wachtwoord";

/// A demo account: e-mail, name, role, applicant kind, index into `DEMO_ORGANISATIONS`.
type DemoAccount = (
    &'static str,
    &'static str,
    Role,
    Option<ApplicantKind>,
    Option<usize>,
);

const DEMO_ACCOUNTS: [DemoAccount; 8] = [
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
        "financien@demo.planloket.nl",
        "Demo financiële administratie",
        Role::Finance,
        None,
        None,
    ),
    (
        "beoordelaar@demo.planloket.nl",
        "Demo externe beoordelaar",
        Role::Reviewer,
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
        opens_at,
        closes_at,
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
        reference_prefix: String::new(),
    };
    parse_round(&spec.to_input()).map_err(|e| format!("demo catalog: {e}"))
}

/// Signs in as `email` with the demo password, as the API's sign-in does.
fn sign_in(app: &App, email: &str) -> Result<Account, String> {
    crate::app::sign_in::login(app, email, DEMO_PASSWORD, None, "demo")
        .map(|s| s.account)
        .map_err(|e| format!("demo: {e}"))
}

/// On an empty database: the accounts and organisations, the 2025-2026 round with its real
/// action table, adopted (see `table`), and the 2027-2028 round copied from it, open from
/// yesterday for 90 days. Returns the lines to print, or None when the database already held
/// data.
pub fn load(db: &Db, public_url: &str) -> Result<Option<Vec<String>>, String> {
    let app = App::new(db.clone(), Signal::default(), public_url);
    if app.holds_data().map_err(|e| e.to_string())? {
        return Ok(None);
    }
    let table = ActionTable::parse()?;
    let now = Utc::now();
    // Open while the table is replayed into it; `replay` puts the historic window back.
    let spec = demo_spec(now - Duration::days(1), now + Duration::days(1))?;
    let (admin_email, ..) = DEMO_ACCOUNTS[0];
    accounts::bootstrap_admin(&app, admin_email, DEMO_PASSWORD)?;
    let admin = sign_in(&app, admin_email)?;
    // The loader acts for the admin it just made, as a signed-in admin would.
    let bearer = Bearer {
        user_id: admin.id.clone(),
        epoch: admin.session_epoch,
        second_factor: true,
        policy: crate::domain::second_factor::StaffMfa::Required,
    };
    let fail = |e: app::Error| format!("cannot load the demo data: {e}");
    let mut by_name: HashMap<String, String> = HashMap::new();
    let organisations: Vec<(&str, &str)> = DEMO_ORGANISATIONS
        .iter()
        .copied()
        .chain(
            table
                .organisations
                .iter()
                .map(|o| (o.name.as_str(), o.kind.as_str())),
        )
        .collect();
    app.write(|tx| {
        for (name, kind) in &organisations {
            // Woej has no accounts in the service: its letters go to its contact address.
            let contact = (*name == "Woej").then_some("woej@demo.planloket.nl");
            let org = organisations::create(tx, &admin.actor(), Some(name), Some(kind), contact)?;
            by_name.insert(org.name.clone(), org.id);
        }
        Ok(())
    })
    .map_err(fail)?;
    let mut lines = vec![format!("  {:<16} {admin_email}", Role::Admin.as_str())];
    let mut accounts = vec![admin];
    for (email, name, role, kind, org) in DEMO_ACCOUNTS.into_iter().skip(1) {
        let change = AccountChange {
            email: Some(email.into()),
            name: Some(name.into()),
            password: Some(DEMO_PASSWORD.into()),
            roles: Some(vec![role.as_str().into()]),
            organisation_id: Some(org.map(|i| by_name[DEMO_ORGANISATIONS[i].0].clone())),
            kind: Some(kind.map(|k| k.as_str().into())),
            active: None,
        };
        accounts.push(accounts::create_user(&app, &bearer, change).map_err(fail)?);
        lines.push(format!("  {:<16} {email}", role.as_str()));
    }
    let actor = |role: Role| -> Result<Actor, String> {
        accounts
            .iter()
            .find(|a| a.roles.contains(&role))
            .map(Account::actor)
            .ok_or_else(|| format!("demo: no {}", role.as_str()))
    };
    let (team, chair) = (actor(Role::ProgrammeTeam)?, actor(Role::BoardChair)?);
    let voters = [chair.clone(), actor(Role::BoardMember)?];
    app.write(|tx| {
        let round = rounds::create(tx, &team, spec.to_input())?;
        let (plans, reserved) = replay(
            tx,
            &table,
            &round,
            &by_name,
            &Cast {
                team: &team,
                voters: &voters,
                chair: &chair,
                public_url,
            },
            historic_window(),
        )?;
        // The next period, as the team would start it: a copy of the adopted round.
        let (next, drafts) = rounds::copy(
            tx,
            &team,
            &round.id,
            rounds::CopyInput {
                name: Some(NEXT_ROUND_NAME.into()),
                start_year: Some(2027),
                end_year: Some(2028),
                opens_at: Some(now - Duration::days(1)),
                closes_at: Some(now + Duration::days(90)),
            },
        )?;
        // A copy keeps the conditions as written; the published 2025 plan tells one of them
        // after the fact ("moesten bijdragen"), so the team says it again for a call that is
        // open: in the present tense.
        let conditions: Vec<String> = next
            .spec
            .catalog
            .conditions
            .iter()
            .map(|c| present_tense(c).unwrap_or(c).to_string())
            .collect();
        let next = rounds::update(
            tx,
            &team,
            &next.id,
            crate::domain::round::RoundInput {
                conditions: Some(conditions),
                ..Default::default()
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
        Ok(Some(head))
    })
    .map_err(fail)
}

/// The 2025 plan's condition told in the past tense, as the next call says it.
fn present_tense(condition: &str) -> Option<&'static str> {
    condition
        .starts_with("De ingediende plannen moesten bijdragen")
        .then_some(
            "Een plan draagt bij aan de doelen van het programma en vult het bestaande aanbod in de wijk aan. Het voorstel kan ook gaan over bestaand aanbod dat anders wordt uitgevoerd, zodat het beter aansluit bij de inwoners van Leidschendam-Noord.",
        )
}
