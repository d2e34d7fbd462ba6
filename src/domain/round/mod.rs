//! Rounds and their catalog: themes with lettered goals and a budget, and assessment criteria.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod input;

pub use input::{
    parse_round, CriterionInput, GoalInput, RoundInput, ThemeInput, DEFAULT_ADVANCE_SHARE,
};

use super::errors::{Bilingual, DomainError};
use super::money::Eur;

/// A goal of a theme, e.g. `B`: "Kinderen kunnen hun talenten optimaal ontwikkelen…".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub code: String,
    pub text: String,
}

/// A theme ("opgave") with its budget; a plan is charged to exactly one theme (its budget line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub code: String,
    pub name: String,
    pub budget_eur: Eur,
    pub goals: Vec<Goal>,
    /// The frame's texts for the theme: what it aims at, what is done already ("wat doen we
    /// al"), and the results intended. Empty when not given.
    #[serde(default)]
    pub ambition: String,
    #[serde(default)]
    pub current_offer: String,
    #[serde(default)]
    pub intended_results: String,
}

/// An assessment criterion scored from 0 to `scale_max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub scale_max: i32,
}

/// The frame of a round: what plans may aim at, what money there is, how plans are scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub themes: Vec<Theme>,
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    pub conditions: Vec<String>,
}

impl Catalog {
    pub fn theme(&self, code: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.code == code)
    }

    /// The theme a goal code belongs to.
    pub fn theme_of_goal(&self, goal: &str) -> Option<&Theme> {
        self.themes
            .iter()
            .find(|t| t.goals.iter().any(|g| g.code == goal))
    }

    pub fn goal_codes(&self) -> Vec<&str> {
        self.themes
            .iter()
            .flat_map(|t| t.goals.iter().map(|g| g.code.as_str()))
            .collect()
    }

    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.code == code)
    }

    /// The goal code, if this catalog has it.
    pub fn goal_code(&self, code: &str) -> Option<GoalCode> {
        self.theme_of_goal(code).map(|_| GoalCode(code.to_string()))
    }

    /// The theme code, if this catalog has it.
    pub fn theme_code(&self, code: &str) -> Option<ThemeCode> {
        self.theme(code).map(|t| ThemeCode(t.code.clone()))
    }
}

/// A goal code its round's catalog knows; only the catalog makes one (`Catalog::goal_code`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct GoalCode(String);

impl GoalCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A theme code its round's catalog knows; only the catalog makes one (`Catalog::theme_code`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ThemeCode(String);

impl ThemeCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated round: everything needed to judge plans filed in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundSpec {
    pub name: String,
    pub programme: String,
    pub start_year: i32,
    pub end_year: i32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub catalog: Catalog,
    pub legal: LegalFrame,
    /// The share of each grant paid in advance, a whole percentage 0..=100.
    pub advance_share: i32,
    /// The prefix of the round's references (`SVN`); empty: the programme's initials
    /// (`plan::reference::prefix`).
    pub reference_prefix: String,
}

/// What every decision letter of a round states about the law it is given under: who
/// decides, on which legal basis, and where an objection goes. Empty while not yet set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegalFrame {
    /// The deciding authority, e.g. "het college van burgemeester en wethouders van
    /// Leidschendam-Voorburg".
    pub authority: String,
    /// e.g. "Algemene subsidieverordening Leidschendam-Voorburg 2019".
    pub legal_basis: String,
    /// Where an objection is sent.
    pub objection_address: String,
}

impl LegalFrame {
    /// The fields still empty, by their API names.
    pub fn missing(&self) -> Vec<&'static str> {
        [
            ("authority", &self.authority),
            ("legal_basis", &self.legal_basis),
            ("objection_address", &self.objection_address),
        ]
        .into_iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(f, _)| f)
        .collect()
    }
}

/// Where a round stands in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundPhase {
    Upcoming,
    Open,
    Closed,
    Adopted,
}

impl RoundPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundPhase::Upcoming => "upcoming",
            RoundPhase::Open => "open",
            RoundPhase::Closed => "closed",
            RoundPhase::Adopted => "adopted",
        }
    }
}

/// A stored round: its checked frame and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: String,
    pub spec: RoundSpec,
    pub adopted_on: Option<NaiveDate>,
    pub adoption_reference: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Round {
    pub fn phase(&self, now: DateTime<Utc>) -> RoundPhase {
        phase(
            self.spec.opens_at,
            self.spec.closes_at,
            self.adopted_on,
            now,
        )
    }

    /// Whether the college adopted the round (its first adoption): its frame is final and
    /// nothing more is submitted to it. Each plan's decision is published by the adoption
    /// that covers it (`Plan::is_published`).
    pub fn is_adopted(&self) -> bool {
        self.adopted_on.is_some()
    }

    /// Nothing is submitted to a round after its first adoption, a resubmission neither.
    pub fn check_accepts_submissions(&self) -> Result<(), DomainError> {
        if self.is_adopted() {
            Err(DomainError::RoundNotOpen {
                message: Bilingual::new(
                    "the round has been adopted: nothing can be submitted to it any more",
                    "de ronde is vastgesteld: er kan niets meer worden ingediend",
                ),
                errors: Vec::new(),
            })
        } else {
            Ok(())
        }
    }

    /// A new draft may be started while the round is upcoming or open.
    pub fn check_accepts_drafts(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        match self.phase(now) {
            RoundPhase::Upcoming | RoundPhase::Open => Ok(()),
            RoundPhase::Closed | RoundPhase::Adopted => Err(DomainError::RoundNotOpen {
                message: Bilingual::new(
                    "the round is closed: no new plans can be filed in it",
                    "de ronde is gesloten: er kunnen geen nieuwe plannen meer in worden gestart",
                ),
                errors: Vec::new(),
            }),
        }
    }

    /// The frame may change until the round is adopted.
    pub fn check_changeable(&self) -> Result<(), DomainError> {
        if self.is_adopted() {
            Err(DomainError::RoundAdopted)
        } else {
            Ok(())
        }
    }

    /// No question is put to an applicant after the round's first adoption: the answer could
    /// not be submitted any more.
    pub fn check_accepts_questions(&self) -> Result<(), DomainError> {
        if self.is_adopted() {
            Err(DomainError::Conflict(Bilingual::new(
                "the round has been adopted: an answer could no longer be submitted, so no question can be asked",
                "de ronde is vastgesteld: een aanvulling kan niet meer worden ingediend, dus er kan geen vraag meer worden gesteld",
            )))
        } else {
            Ok(())
        }
    }

    /// The first adoption of a round waits until its call has closed: adopting while residents
    /// may still file would close the call unannounced (nothing is submitted after the first
    /// adoption). Once the window has closed, an adoption dated today is fine.
    pub fn check_call_closed(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        if now >= self.spec.closes_at {
            return Ok(());
        }
        let closes = crate::domain::calendar::dutch_date_time(self.spec.closes_at);
        Err(DomainError::Conflict(Bilingual::new(
            format!(
                "the round is open for plans until {}: close its window first (PATCH /rounds/{{id}} with closes_at now), or adopt after it closes",
                self.spec.closes_at.to_rfc3339()
            ),
            format!(
                "de ronde staat open voor plannen tot {closes}: een vaststelling sluit de ronde. Sluit eerst de indiening (bij 'Ronde bewerken' de sluitingsdatum op nu zetten) of leg de vaststelling vast na de sluiting"
            ),
        )))
    }

    /// A round is adopted only with its legal frame whole: every decision letter states it.
    pub fn check_adoptable(&self) -> Result<(), DomainError> {
        let missing = self.spec.legal.missing();
        if missing.is_empty() {
            return Ok(());
        }
        Err(DomainError::Conflict(Bilingual::new(
            format!(
                "set the round's {} first: every decision letter states them",
                missing.join(", ")
            ),
            format!(
                "vul eerst {} van de ronde in: elke besluitbrief vermeldt die",
                missing
                    .iter()
                    .map(|f| match *f {
                        "authority" => "het bevoegd gezag",
                        "legal_basis" => "de wettelijke grondslag",
                        _ => "het adres voor bezwaar",
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )))
    }
}

impl RoundSpec {
    /// Whether plans may be submitted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        is_open(self.opens_at, self.closes_at, now)
    }

    /// The budget lines of the frame: one per theme.
    pub fn budget_lines(&self) -> Vec<(String, Eur)> {
        self.catalog
            .themes
            .iter()
            .map(|t| (t.code.clone(), t.budget_eur))
            .collect()
    }
}

/// Submission is allowed only while `opens_at <= now < closes_at`.
pub fn is_open(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    opens_at <= now && now < closes_at
}

pub fn phase(
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    adopted_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> RoundPhase {
    if adopted_on.is_some() {
        RoundPhase::Adopted
    } else if now < opens_at {
        RoundPhase::Upcoming
    } else if now < closes_at {
        RoundPhase::Open
    } else {
        RoundPhase::Closed
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The real 2025-2026 catalog, as tests across the domain use it.
    pub fn programme() -> RoundSpec {
        let raw: serde_json::Value =
            serde_json::from_str(include_str!("../../../demo/programme-2025-2026.json")).unwrap();
        let catalog: Catalog = serde_json::from_value(raw.clone()).unwrap();
        RoundSpec {
            name: raw["name"].as_str().unwrap().into(),
            programme: raw["programme"].as_str().unwrap().into(),
            start_year: 2025,
            end_year: 2026,
            opens_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            closes_at: Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
            catalog,
            legal: LegalFrame {
                authority: raw["authority"].as_str().unwrap().into(),
                legal_basis: raw["legal_basis"].as_str().unwrap().into(),
                objection_address: raw["objection_address"].as_str().unwrap().into(),
            },
            advance_share: DEFAULT_ADVANCE_SHARE,
            reference_prefix: String::new(),
        }
    }

    fn round(adopted: bool) -> Round {
        Round {
            id: "r".into(),
            spec: programme(),
            adopted_on: adopted.then(|| NaiveDate::from_ymd_opt(2025, 4, 8).unwrap()),
            adoption_reference: None,
            version: 1,
            created_at: programme().opens_at,
            updated_at: programme().opens_at,
        }
    }

    #[test]
    fn a_round_takes_new_plans_until_it_closes_and_changes_until_it_is_adopted() {
        let r = round(false);
        let before = r.spec.opens_at - chrono::Duration::days(1);
        assert!(
            r.check_accepts_drafts(before).is_ok(),
            "drafts before opening"
        );
        assert!(r.check_accepts_drafts(r.spec.opens_at).is_ok());
        assert!(matches!(
            r.check_accepts_drafts(r.spec.closes_at),
            Err(DomainError::RoundNotOpen { .. })
        ));
        assert!(r.check_changeable().is_ok() && r.check_adoptable().is_ok());
        assert!(r.check_accepts_submissions().is_ok());
        let adopted = round(true);
        assert!(adopted.check_accepts_drafts(before).is_err());
        assert_eq!(adopted.check_changeable(), Err(DomainError::RoundAdopted));
        assert!(matches!(
            adopted.check_accepts_submissions(),
            Err(DomainError::RoundNotOpen { .. })
        ));
        assert!(adopted.is_adopted() && !r.is_adopted());
    }

    #[test]
    fn a_round_is_adopted_only_with_its_legal_frame_whole() {
        let mut r = round(false);
        r.spec.legal.legal_basis = " ".into();
        r.spec.legal.objection_address.clear();
        match r.check_adoptable() {
            Err(DomainError::Conflict(said)) => {
                assert!(
                    said.en.contains("legal_basis, objection_address"),
                    "{}",
                    said.en
                );
                assert!(!said.en.contains("authority"));
                assert!(said.nl.contains("wettelijke grondslag"), "{}", said.nl);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_adoption_waits_for_the_call_to_close() {
        let r = round(false);
        let closes = r.spec.closes_at;
        let before = closes - chrono::Duration::minutes(1);
        match r.check_call_closed(before) {
            Err(DomainError::Conflict(said)) => {
                assert!(
                    said.nl.contains("staat open voor plannen tot"),
                    "{}",
                    said.nl
                );
                assert!(said.nl.contains("Ronde bewerken"), "{}", said.nl);
            }
            other => panic!("{other:?}"),
        }
        assert!(r.check_call_closed(closes).is_ok());
    }

    #[test]
    fn open_means_opened_and_not_yet_closed() {
        let spec = programme();
        assert!(!is_open(
            spec.opens_at,
            spec.closes_at,
            spec.opens_at - chrono::Duration::seconds(1)
        ));
        assert!(is_open(spec.opens_at, spec.closes_at, spec.opens_at));
        assert!(!is_open(spec.opens_at, spec.closes_at, spec.closes_at));
        assert_eq!(
            phase(spec.opens_at, spec.closes_at, None, spec.closes_at),
            RoundPhase::Closed
        );
        assert_eq!(
            phase(
                spec.opens_at,
                spec.closes_at,
                NaiveDate::from_ymd_opt(2025, 4, 8),
                spec.opens_at
            ),
            RoundPhase::Adopted
        );
    }
}

/// Once plans are submitted, the codes they refer to and the scales they are scored on are
/// fixed: this says what a new catalog would change of them, if anything.
pub fn frozen_change(old: &Catalog, new: &Catalog) -> Option<Bilingual> {
    let themes = |c: &Catalog| -> Vec<(String, Vec<String>)> {
        c.themes
            .iter()
            .map(|t| {
                (
                    t.code.clone(),
                    t.goals.iter().map(|g| g.code.clone()).collect(),
                )
            })
            .collect()
    };
    let criteria = |c: &Catalog| -> Vec<(String, i32)> {
        c.criteria
            .iter()
            .map(|k| (k.code.clone(), k.scale_max))
            .collect()
    };
    if themes(old) != themes(new) {
        Some(Bilingual::new(
            "plans have been submitted: theme and goal codes can no longer change (names, texts and budgets can)",
            "er zijn al plannen ingediend: de codes van opgaven en doelen liggen vast (namen, teksten en budgetten kunnen nog veranderen)",
        ))
    } else if criteria(old) != criteria(new) {
        Some(Bilingual::new(
            "plans have been submitted: criteria codes and scales can no longer change (names and descriptions can)",
            "er zijn al plannen ingediend: de codes en schalen van de criteria liggen vast (namen en omschrijvingen kunnen nog veranderen)",
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod frozen_tests {
    use super::tests::programme;
    use super::*;

    #[test]
    fn texts_and_budgets_may_change_codes_and_scales_may_not() {
        let old = programme().catalog;
        let mut new = old.clone();
        new.themes[0].name = "Jeugd".into();
        new.themes[0].budget_eur = Eur::parse(1).unwrap();
        new.criteria[0].description = "anders".into();
        assert_eq!(frozen_change(&old, &new), None);
        let mut new = old.clone();
        new.themes[0].goals[0].code = "AA".into();
        assert!(frozen_change(&old, &new).unwrap().en.contains("goal"));
        let mut new = old.clone();
        new.criteria[0].scale_max = 5;
        assert!(frozen_change(&old, &new).unwrap().en.contains("scales"));
    }
}
