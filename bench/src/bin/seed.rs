//! Fills a database for the benchmark: the 2025-2026 round with N plans spread over every
//! state, a second round of 2,000 submitted plans for the similar-plans measurement, users
//! and organisations. Prints shell assignments (ROUND, PLAN, SIMILAR_PLAN, TOKEN_*, and
//! SESSION_OWNER, SESSION_TEAM and SESSION_BOARD: web sessions of PLAN's owner, of the team
//! and of a board member) to `eval`.
//!
//!     seed <database url> <plans>
//!
//! Tokens are signed with PLANLOKET_JWT_SECRET, which the service must be started with too.

use std::env;

use chrono::{Duration, Utc};
use diesel::RunQueryDsl;
use planloket::app::tokens::Tokens;
use planloket::db::{self, Db, DbError};
use planloket::domain::organisation::{Organisation, OrganisationKind};
use planloket::domain::plan::{PartyRef, Plan, PlanContent};
use planloket::domain::round::{Catalog, Round, RoundSpec};
use planloket::domain::state::PlanStatus;
use planloket::domain::user::{Account, ApplicantKind, Role};
use planloket::domain::Eur;

const WORDS: &[&str] = &[
    "huiswerk",
    "begeleiding",
    "kinderen",
    "ouders",
    "taal",
    "buurt",
    "moestuin",
    "afval",
    "sport",
    "speeltuin",
    "jongeren",
    "school",
    "bibliotheek",
    "ontmoeting",
    "koken",
    "ouderen",
    "eenzaamheid",
    "schulden",
    "geld",
    "werk",
    "stage",
    "cursus",
    "vrijwilligers",
    "wijkcentrum",
    "muziek",
    "dans",
    "theater",
    "veiligheid",
    "straat",
    "groen",
    "fiets",
    "zwemmen",
    "voorlezen",
    "rekenen",
    "digitaal",
    "computer",
    "spreekuur",
    "budget",
    "armoede",
    "gezondheid",
];
const GOALS: &[&str] = &[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
    "T",
];
/// The share of plans in each state, out of 20.
const SPREAD: &[(PlanStatus, usize)] = &[
    (PlanStatus::Draft, 2),
    (PlanStatus::Submitted, 6),
    (PlanStatus::InReview, 4),
    (PlanStatus::PreAdvised, 2),
    (PlanStatus::Voting, 1),
    (PlanStatus::Approved, 2),
    (PlanStatus::Rejected, 1),
    (PlanStatus::Withdrawn, 2),
];

/// A small deterministic generator, so every run fills the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn round(name: &str) -> Round {
    let now = Utc::now();
    let mut spec: RoundSpec =
        planloket::demo::demo_spec(now - Duration::days(1), now + Duration::days(365)).unwrap();
    spec.name = name.into();
    Round {
        id: db::new_id(),
        spec,
        adopted_on: None,
        adoption_reference: None,
        version: 1,
        created_at: db::now(),
        updated_at: db::now(),
    }
}

fn user(email: &str, role: Role, kind: Option<ApplicantKind>) -> Account {
    Account {
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        roles: vec![role],
        kind,
        ..Account::empty(db::new_id(), db::now())
    }
}

fn plan(
    rng: &mut Rng,
    round: &str,
    owner: &str,
    status: PlanStatus,
    orgs: &[String],
    catalog: &Catalog,
) -> Plan {
    let goals: Vec<String> = (0..1 + rng.below(3))
        .map(|_| GOALS[rng.below(GOALS.len())].to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let requested = 1_000 + rng.below(19_000) as i64;
    let content = PlanContent {
        title: {
            let t = rng.words(4);
            let mut c = t.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        },
        description: rng.words(60),
        goals,
        lead_partner: Some(PartyRef::Registered {
            organisation_id: orgs[rng.below(orgs.len())].clone(),
        }),
        partners: (0..rng.below(3))
            .map(|_| PartyRef::Registered {
                organisation_id: orgs[rng.below(orgs.len())].clone(),
            })
            .collect(),
        payee_id: Some(orgs[rng.below(orgs.len())].clone()),
        requested_eur: Some(requested),
        start_year: Some(2025),
        end_year: Some(2026),
        resident_involvement: rng.words(10),
        ..Default::default()
    };
    let now = db::now();
    let decided = matches!(
        status,
        PlanStatus::PreAdvised | PlanStatus::Voting | PlanStatus::Approved | PlanStatus::Rejected
    );
    let mut p = Plan::draft(
        db::new_id(),
        round.into(),
        owner.into(),
        ApplicantKind::Partner,
        now,
    );
    p.set_content(content, catalog);
    p.status = status;
    p.submitted_at = (status != PlanStatus::Draft).then_some(now);
    p.proposed = decided.then(|| Eur::parse(requested / 2).unwrap());
    p.total_score = decided.then(|| rng.below(12) as i32);
    p.granted = (status == PlanStatus::Approved).then_some(Eur::ZERO);
    p
}

fn insert(db: &Db, plans: Vec<Plan>) {
    for chunk in plans.chunks(500) {
        db.write(|tx| {
            for plan in chunk {
                db::plans::insert(tx, plan)?;
            }
            Ok::<_, DbError>(())
        })
        .unwrap();
    }
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let url = planloket::config::DatabaseUrl::parse(
        args.get(1).expect("usage: seed <database url> <plans>"),
    )
    .unwrap();
    let n: usize = args
        .get(2)
        .and_then(|n| n.parse().ok())
        .expect("usage: seed <database url> <plans>");
    let secret = env::var("PLANLOKET_JWT_SECRET").expect("PLANLOKET_JWT_SECRET");
    let db = Db::open(&url).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    let main_round = round("Sterk voor Noord — benchmark");
    let similar_round = round("Sterk voor Noord — 2.000 plannen");
    let team = user("team@bench.planloket.nl", Role::ProgrammeTeam, None);
    let board = user("bestuur@bench.planloket.nl", Role::BoardMember, None);
    let owners: Vec<Account> = (0..50)
        .map(|i| {
            user(
                &format!("aanvrager{i}@bench.planloket.nl"),
                Role::Applicant,
                Some(ApplicantKind::Partner),
            )
        })
        .collect();
    // The submit flow's applicant has no plans of its own: an applicant keeps at most 25
    // drafts, and the seeded owners hold many.
    let filer = user(
        "aanvrager-flow@bench.planloket.nl",
        Role::Applicant,
        Some(ApplicantKind::Partner),
    );
    let orgs: Vec<Organisation> = (0..40)
        .map(|i| Organisation {
            id: db::new_id(),
            name: format!("Partner {i}"),
            kind: OrganisationKind::Partner,
            contact_email: None,
            created_at: db::now(),
        })
        .collect();
    db.write(|tx| {
        db::rounds::insert(tx, &main_round)?;
        db::rounds::insert(tx, &similar_round)?;
        db::users::insert(tx, &team)?;
        db::users::insert(tx, &board)?;
        db::users::insert(tx, &filer)?;
        for o in &owners {
            db::users::insert(tx, o)?;
        }
        for o in &orgs {
            db::organisations::insert(tx, o)?;
        }
        Ok::<_, DbError>(())
    })
    .unwrap();
    let org_ids: Vec<String> = orgs.iter().map(|o| o.id.clone()).collect();
    let weights: usize = SPREAD.iter().map(|s| s.1).sum();
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let mut slot = i % weights;
        let status = SPREAD
            .iter()
            .find(|(_, w)| {
                if slot < *w {
                    true
                } else {
                    slot -= w;
                    false
                }
            })
            .unwrap()
            .0;
        rows.push(plan(
            &mut rng,
            &main_round.id,
            &owners[i % owners.len()].id,
            status,
            &org_ids,
            &main_round.spec.catalog,
        ));
    }
    let at = rows
        .iter()
        .position(|p| p.status == PlanStatus::Submitted)
        .unwrap();
    let sample = rows[at].id.clone();
    // The sample plan's owner, as the web pages' visitor: a browser session of theirs.
    let sample_owner = &owners[at % owners.len()];
    insert(&db, rows);
    let similar: Vec<Plan> = (0..2000)
        .map(|i| {
            plan(
                &mut rng,
                &similar_round.id,
                &owners[i % owners.len()].id,
                PlanStatus::Submitted,
                &org_ids,
                &similar_round.spec.catalog,
            )
        })
        .collect();
    let similar_sample = similar[1000].id.clone();
    insert(&db, similar);

    // Fresh statistics, as autovacuum (PostgreSQL) or a maintenance run (SQLite) would have;
    // on PostgreSQL also the visibility map autovacuum sets after a bulk insert, without which
    // no index-only scan skips the table. VACUUM cannot run in a transaction: `read` has none.
    let maintenance = if db.backend() == "postgres" {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    db.read(|c| {
        diesel::sql_query(maintenance).execute(c)?;
        Ok::<_, DbError>(())
    })
    .unwrap();
    let tokens = Tokens::new(
        secret.as_bytes(),
        planloket::domain::second_factor::StaffMfa::Required,
    );
    println!("ROUND={}", main_round.id);
    println!("PLAN={sample}");
    println!("SIMILAR_PLAN={similar_sample}");
    println!(
        "TOKEN_TEAM={}",
        tokens.issue(&team.id, team.session_epoch, true).unwrap()
    );
    println!(
        "TOKEN_APPLICANT={}",
        tokens.issue(&filer.id, filer.session_epoch, true).unwrap()
    );
    println!(
        "TOKEN_OWNER={}",
        tokens
            .issue(&sample_owner.id, sample_owner.session_epoch, true)
            .unwrap()
    );
    let (session, _) = db
        .write(|tx| planloket::app::sessions::start(tx, sample_owner, true))
        .unwrap();
    println!("SESSION_OWNER={session}");
    let (session, _) = db
        .write(|tx| planloket::app::sessions::start(tx, &team, true))
        .unwrap();
    println!("SESSION_TEAM={session}");
    println!(
        "TOKEN_BOARD={}",
        tokens.issue(&board.id, board.session_epoch, true).unwrap()
    );
    let (session, _) = db
        .write(|tx| planloket::app::sessions::start(tx, &board, true))
        .unwrap();
    println!("SESSION_BOARD={session}");
}
