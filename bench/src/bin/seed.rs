//! Fills a database for the benchmark: the 2025-2026 round with N plans spread over every
//! state, a second round of 2,000 submitted plans for the similar-plans measurement, users
//! and organisations. Prints shell assignments (ROUND, PLAN, SIMILAR_PLAN, TOKEN_*) to `eval`.
//!
//!     seed <database url> <plans>
//!
//! Tokens are signed with PLANLOKET_JWT_SECRET, which the service must be started with too.

use std::env;

use chrono::{Duration, Utc};
use diesel::RunQueryDsl;
use planloket::db::models::{OrganisationRow, PlanRow, UserRow};
use planloket::db::{self, schema, Db};
use planloket::domain::plan::{PartyRef, PlanContent};
use planloket::domain::round::{parse_round, Catalog, RoundSpec};
use planloket::domain::text::fold;
use planloket::http::{auth::Tokens, rounds};

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
const SPREAD: &[(&str, usize)] = &[
    ("draft", 2),
    ("submitted", 6),
    ("in_review", 4),
    ("pre_advised", 2),
    ("voting", 1),
    ("approved", 2),
    ("rejected", 1),
    ("withdrawn", 2),
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

fn spec(name: &str) -> RoundSpec {
    let raw: serde_json::Value = serde_json::from_str(planloket::startup::DEMO_PROGRAMME).unwrap();
    let catalog: Catalog = serde_json::from_value(raw.clone()).unwrap();
    let now = Utc::now();
    parse_round(
        &RoundSpec {
            name: name.into(),
            programme: "Sterk voor Noord".into(),
            start_year: 2025,
            end_year: 2026,
            opens_at: now - Duration::days(1),
            closes_at: now + Duration::days(365),
            catalog,
        }
        .to_input(),
    )
    .unwrap()
}

fn user(email: &str, role: &str, kind: Option<&str>) -> UserRow {
    let now = db::now();
    UserRow {
        id: db::new_id(),
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        password_hash: None,
        roles: role.into(),
        kind: kind.map(str::to_string),
        organisation_id: None,
        active: true,
        created_at: now,
        updated_at: now,
    }
}

fn plan(
    rng: &mut Rng,
    round: &str,
    owner: &str,
    status: &str,
    orgs: &[String],
    catalog: &Catalog,
) -> PlanRow {
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
        goals: goals.clone(),
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
    let line = planloket::domain::plan::budget_line(&content, catalog);
    let now = db::now();
    let decided = matches!(status, "pre_advised" | "voting" | "approved" | "rejected");
    PlanRow {
        id: db::new_id(),
        round_id: round.into(),
        owner_id: owner.into(),
        applicant_kind: "partner".into(),
        status: status.into(),
        version: 1,
        title: content.title.clone(),
        budget_line: line,
        goals_index: format!(",{},", goals.join(",")),
        search_text: fold(&format!("{}\n{}", content.title, content.description)),
        requested_eur: Some(requested),
        content: serde_json::to_string(&content).unwrap(),
        created_at: now,
        updated_at: now,
        submitted_at: (status != "draft").then_some(now),
        pre_advice: None,
        proposed_eur: decided.then_some(requested / 2),
        total_score: decided.then(|| rng.below(12) as i32),
        granted_eur: (status == "approved").then_some(0),
        decision: None,
        merged_into: None,
        info_request: None,
    }
}

fn insert(db: &Db, rows: Vec<PlanRow>) {
    for chunk in rows.chunks(500) {
        db.write(|c| {
            for row in chunk {
                diesel::insert_into(schema::plans::table)
                    .values(row)
                    .execute(c)?;
            }
            Ok(())
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

    let main_spec = spec("Sterk voor Noord — benchmark");
    let similar_spec = spec("Sterk voor Noord — 2.000 plannen");
    let main_round = rounds::new_round(&main_spec).unwrap();
    let similar_round = rounds::new_round(&similar_spec).unwrap();
    let team = user("team@bench.planloket.nl", "programme_team", None);
    let owners: Vec<UserRow> = (0..50)
        .map(|i| {
            user(
                &format!("aanvrager{i}@bench.planloket.nl"),
                "applicant",
                Some("partner"),
            )
        })
        .collect();
    let orgs: Vec<OrganisationRow> = (0..40)
        .map(|i| OrganisationRow {
            id: db::new_id(),
            name: format!("Partner {i}"),
            name_key: format!("partner {i}"),
            kind: "partner".into(),
            created_at: db::now(),
        })
        .collect();
    db.write(|c| {
        rounds::insert_round(c, &main_round, &main_spec)?;
        rounds::insert_round(c, &similar_round, &similar_spec)?;
        planloket::db::repo::insert_user(c, &team)?;
        for o in &owners {
            planloket::db::repo::insert_user(c, o)?;
        }
        for o in &orgs {
            planloket::db::repo::insert_organisation(c, o)?;
        }
        Ok(())
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
            &main_spec.catalog,
        ));
    }
    let sample = rows
        .iter()
        .find(|p| p.status == "submitted")
        .unwrap()
        .id
        .clone();
    insert(&db, rows);
    let similar: Vec<PlanRow> = (0..2000)
        .map(|i| {
            plan(
                &mut rng,
                &similar_round.id,
                &owners[i % owners.len()].id,
                "submitted",
                &org_ids,
                &similar_spec.catalog,
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
        Ok(())
    })
    .unwrap();
    let tokens = Tokens::new(secret.as_bytes());
    println!("ROUND={}", main_round.id);
    println!("PLAN={sample}");
    println!("SIMILAR_PLAN={similar_sample}");
    println!("TOKEN_TEAM={}", tokens.issue(&team.id).unwrap());
    println!("TOKEN_APPLICANT={}", tokens.issue(&owners[0].id).unwrap());
}
