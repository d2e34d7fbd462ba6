//! What the use cases' unit tests share: an `App` on a SQLite file of its own, and the steps
//! that bring a plan where a test needs it, taken through the use cases themselves.

use std::path::PathBuf;

use chrono::{Duration, Utc};

use super::{assessment, board, plans, rounds, App};
use crate::app::outbox::Signal;
use crate::config::DatabaseUrl;
use crate::db::outbox::Mail;
use crate::db::{self, Db};
use crate::domain::evaluation::ScoreInput;
use crate::domain::organisation::{Organisation, OrganisationKind};
use crate::domain::plan::{PartyRef, Plan, PlanContent};
use crate::domain::pre_advice::PreAdviceInput;
use crate::domain::round::{Catalog, Round, RoundSpec};
use crate::domain::user::{Account, ApplicantKind, Role};

pub struct TestApp {
    pub app: App,
    dir: PathBuf,
    /// On PostgreSQL: the server's admin URL and the database made for this test.
    pg: Option<(String, String)>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = &self.pg {
            use diesel::{Connection, RunQueryDsl};
            if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}

/// `admin_url` with its database name replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
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

/// A plan that meets every submission rule, paid through `payee`.
pub fn complete_content(payee: &str) -> PlanContent {
    PlanContent {
        title: "Huiswerkklas".into(),
        description: "Begeleiding na schooltijd voor kinderen in Noord".into(),
        goals: vec!["B".into()],
        lead_partner: Some(PartyRef::Registered {
            organisation_id: payee.into(),
        }),
        payee_id: Some(payee.into()),
        requested_eur: Some(12_500),
        start_year: Some(2025),
        end_year: Some(2026),
        ..Default::default()
    }
}

impl TestApp {
    /// An app on a database of its own: a SQLite file, or with `PLANLOKET_TEST_POSTGRES_URL`
    /// (a server whose user may create databases) a new PostgreSQL database, as the black-box
    /// tests do, so the use cases' tests run on both.
    pub fn new() -> TestApp {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let dir = std::env::temp_dir().join(format!("planloket-app-{id}"));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let admin = std::env::var("PLANLOKET_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let (url, pg) = match admin {
            Some(admin) => {
                use diesel::{Connection, RunQueryDsl};
                let name = format!("planloket_app_{id}");
                let mut c = diesel::PgConnection::establish(&admin)
                    .expect("connect to the test PostgreSQL server");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .expect("create the test database");
                (
                    DatabaseUrl::Postgres(with_database(&admin, &name)),
                    Some((admin, name)),
                )
            }
            None => (DatabaseUrl::Sqlite(dir.join("planloket.db")), None),
        };
        let db = Db::open(&url).expect("a database");
        TestApp {
            app: App::new(db, Signal::default(), "http://127.0.0.1:8080"),
            dir,
            pg,
        }
    }

    /// An active account with these roles (an applicant is a partner).
    pub fn account(&self, roles: &[Role]) -> Account {
        let id = db::new_id();
        let account = Account {
            email: format!("{id}@example.nl"),
            name: "Test".into(),
            roles: roles.to_vec(),
            kind: roles
                .contains(&Role::Applicant)
                .then_some(ApplicantKind::Partner),
            ..Account::empty(id, db::now())
        };
        self.app
            .write(|tx| Ok(db::users::insert(tx, &account)?))
            .expect("an account");
        account
    }

    /// A bearer token's claims for this account as it is now.
    pub fn bearer(&self, a: &Account) -> super::tokens::Bearer {
        super::tokens::Bearer {
            user_id: a.id.clone(),
            epoch: a.session_epoch,
            second_factor: true,
            policy: crate::domain::second_factor::StaffMfa::Required,
        }
    }

    /// A resident applicant.
    pub fn resident(&self) -> Account {
        let mut a = self.account(&[Role::Applicant]);
        a.kind = Some(ApplicantKind::Resident);
        self.app
            .write(|tx| Ok(db::users::update(tx, &a)?))
            .expect("a resident");
        a
    }

    /// The id of the organisation with this name, registered now if needed.
    pub fn organisation(&self, name: &str) -> String {
        let o = Organisation {
            id: db::new_id(),
            name: name.into(),
            kind: OrganisationKind::Partner,
            contact_email: None,
            created_at: db::now(),
        };
        self.app
            .write(|tx| match db::organisations::find_by_key(tx, &o.key())? {
                Some(existing) => Ok(existing.id),
                None => {
                    db::organisations::insert(tx, &o)?;
                    Ok(o.id.clone())
                }
            })
            .expect("an organisation")
    }

    fn round(&self, opens: chrono::DateTime<Utc>, closes: chrono::DateTime<Utc>) -> Round {
        let raw: serde_json::Value =
            serde_json::from_str(crate::demo::DEMO_PROGRAMME).expect("the demo round");
        let catalog: Catalog = serde_json::from_value(raw).expect("its catalog");
        let spec = RoundSpec {
            name: "Sterk voor Noord — test".into(),
            programme: "Sterk voor Noord".into(),
            start_year: 2025,
            end_year: 2026,
            opens_at: opens,
            closes_at: closes,
            catalog,
            legal: crate::domain::round::LegalFrame {
                authority: "het college van burgemeester en wethouders van Leidschendam-Voorburg"
                    .into(),
                legal_basis: "Algemene subsidieverordening Leidschendam-Voorburg 2019".into(),
                objection_address: "Postbus 1005, 2260 BA Leidschendam".into(),
            },
            advance_share: crate::domain::round::DEFAULT_ADVANCE_SHARE,
            reference_prefix: String::new(),
        };
        let team = self.account(&[Role::ProgrammeTeam]).actor();
        self.app
            .write(|tx| rounds::create(tx, &team, spec.to_input()))
            .expect("a round")
    }

    /// The real 2025-2026 frame, open from an hour ago for thirty days.
    pub fn open_round(&self) -> Round {
        let now = Utc::now();
        self.round(now - Duration::hours(1), now + Duration::days(30))
    }

    /// The same frame, closed an hour ago.
    pub fn closed_round(&self) -> Round {
        let now = Utc::now();
        self.round(now - Duration::days(30), now - Duration::hours(1))
    }

    pub fn draft(&self, owner: &Account, round: &Round, content: PlanContent) -> Plan {
        self.app
            .write(|tx| plans::create_draft(tx, owner, &round.id, content))
            .expect("a draft")
            .plan
    }

    /// A complete plan, submitted.
    pub fn submitted(&self, owner: &Account, round: &Round) -> Plan {
        let payee = self.organisation("Bibliotheek Leidschendam-Noord");
        let draft = self.draft(owner, round, complete_content(&payee));
        self.app
            .write(|tx| plans::submit(tx, &owner.actor(), &draft.id, None, None))
            .expect("a submitted plan")
            .plan
    }

    pub fn plan(&self, id: &str) -> Plan {
        self.app
            .read(|c| Ok(db::plans::find(c, id)?))
            .expect("the plan")
            .expect("a plan with that id")
    }

    /// A score of `v` for each criterion of the round.
    pub fn scores(&self, v: i64) -> Vec<ScoreInput> {
        [
            "IMPACT",
            "GEEN_BESTAAND_AANBOD",
            "MEERDERE_DOELEN",
            "SAMENWERKING",
        ]
        .into_iter()
        .map(|c| ScoreInput {
            criterion: c.into(),
            score: Some(v),
            motivation: "ok".into(),
        })
        .collect()
    }

    /// Reviewed, evaluated and pre-advised positively at € 5.000.
    pub fn pre_advised(&self, id: &str, team: &Account) {
        let actor = team.actor();
        let input = PreAdviceInput {
            recommendation: Some("positive".into()),
            proposed_eur: Some(5_000),
            motivation: "Past binnen de opgave".into(),
            ..Default::default()
        };
        self.app
            .write(|tx| {
                assessment::start_review(tx, &actor, id, None)?;
                assessment::evaluate(tx, &actor, id, Some(self.scores(2)))?;
                assessment::record_pre_advice(tx, &actor, id, &input, None)
            })
            .expect("a pre-advised plan");
    }

    /// Pre-advised and in a vote.
    pub fn voting(&self, id: &str, team: &Account) {
        self.pre_advised(id, team);
        self.app
            .write(|tx| assessment::open_vote(tx, &team.actor(), id, "http://planloket.test", None))
            .expect("a vote");
    }

    /// Approved by a board of one chair.
    pub fn approved(&self, id: &str, team: &Account) {
        self.voting(id, team);
        let chair = self.account(&[Role::BoardChair]).actor();
        self.app
            .write(|tx| {
                board::vote(tx, &chair, id, Some("for"), None)?;
                board::close_vote(tx, &chair, id, None)
            })
            .expect("an approved plan");
    }

    /// The college's adoption of the round today, deferring `deferred`.
    pub fn adopt(
        &self,
        team: &Account,
        round: &Round,
        deferred: &[&str],
    ) -> super::adoptions::Adopted {
        self.close_call(team, round);
        self.app
            .write(|tx| {
                super::adoptions::adopt(
                    tx,
                    &team.actor(),
                    &round.id,
                    super::adoptions::AdoptionInput {
                        adopted_on: Some(crate::domain::calendar::amsterdam_date(Utc::now())),
                        reference: Some("Collegebesluit 2025/114".into()),
                        deferred: deferred.iter().map(|d| d.to_string()).collect(),
                    },
                )
            })
            .expect("an adoption")
    }

    /// Closes a round's call for plans now, as the team does before the first adoption;
    /// nothing for a round adopted already.
    pub fn close_call(&self, team: &Account, round: &Round) {
        self.app
            .write(|tx| {
                if crate::db::rounds::find(tx, &round.id)?.is_some_and(|r| r.adopted_on.is_none()) {
                    super::rounds::update(
                        tx,
                        &team.actor(),
                        &round.id,
                        crate::domain::round::RoundInput {
                            closes_at: Some(Utc::now() - Duration::seconds(1)),
                            ..Default::default()
                        },
                    )?;
                }
                Ok(())
            })
            .expect("the call closed");
    }

    /// Every mail in the outbox, the first written first.
    pub fn outbox(&self) -> Vec<Mail> {
        let mut mails = self
            .app
            .read(|c| Ok(db::outbox::list(c, None, 0, 1_000)?.0))
            .expect("the outbox");
        mails.reverse();
        mails
    }
}
