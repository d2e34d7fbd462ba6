//! Rounds and their catalog: themes with lettered goals and a budget, and assessment criteria.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{DomainError, FieldErrors};
use super::money::Eur;
use super::user::parse_name;

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

/// A round as a client sends it, before any rule is checked (fields may be missing).
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub name: Option<String>,
    pub programme: Option<String>,
    pub start_year: Option<i64>,
    pub end_year: Option<i64>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub themes: Option<Vec<ThemeInput>>,
    pub criteria: Option<Vec<CriterionInput>>,
    pub conditions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct ThemeInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub budget_eur: Option<i64>,
    pub goals: Option<Vec<GoalInput>>,
}

#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub code: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CriterionInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub scale_max: Option<i64>,
}

/// Years a round's period may span; outside this a year is surely a typing error.
pub const YEAR_MIN: i64 = 2000;
pub const YEAR_MAX: i64 = 2100;
/// Criterion scales run from 0 to a maximum between these bounds.
pub const SCALE_MAX_LOW: i64 = 1;
pub const SCALE_MAX_HIGH: i64 = 10;

fn check_code(errors: &mut FieldErrors, field: &str, code: &Option<String>) -> Option<String> {
    match code {
        None => {
            errors.add(field, "is required");
            None
        }
        Some(c) => {
            let c = c.trim();
            if c.is_empty()
                || c.len() > 32
                || !c
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
            {
                errors.add(
                    field,
                    "must be 1..32 characters of letters, digits, '_' or '-'",
                );
                None
            } else {
                Some(c.to_string())
            }
        }
    }
}

fn check_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    max: usize,
) -> Option<String> {
    match value {
        None => {
            errors.add(field, "is required");
            None
        }
        Some(v) => match parse_name(v, max) {
            Ok(v) => Some(v),
            Err(m) => {
                errors.add(field, m);
                None
            }
        },
    }
}

/// Checks a whole round and reports every broken rule at once: budgets >= 0, goal and theme
/// codes unique within the round, criterion scales 1..10, `closes_at` after `opens_at`,
/// start year <= end year.
pub fn parse_round(input: &RoundInput) -> Result<RoundSpec, DomainError> {
    let mut errors = FieldErrors::new();
    let name = check_text(&mut errors, "name", &input.name, 200);
    // The programme's name is optional: empty is fine, but not over-long or with control characters.
    let programme = match input.programme.as_deref().map(str::trim) {
        None | Some("") => Some(String::new()),
        Some(_) => check_text(&mut errors, "programme", &input.programme, 200),
    };

    let mut year = |field: &str, value: Option<i64>| match value {
        None => {
            errors.add(field, "is required");
            None
        }
        Some(y) if !(YEAR_MIN..=YEAR_MAX).contains(&y) => {
            errors.add(
                field,
                format!("must be a year from {YEAR_MIN} to {YEAR_MAX}"),
            );
            None
        }
        Some(y) => Some(y as i32),
    };
    let start_year = year("start_year", input.start_year);
    let end_year = year("end_year", input.end_year);
    if let (Some(s), Some(e)) = (start_year, end_year) {
        if s > e {
            errors.add("end_year", format!("must not be before start_year ({s})"));
        }
    }

    if input.opens_at.is_none() {
        errors.add("opens_at", "is required");
    }
    if input.closes_at.is_none() {
        errors.add("closes_at", "is required");
    }
    if let (Some(o), Some(c)) = (input.opens_at, input.closes_at) {
        if c <= o {
            errors.add("closes_at", "must be after opens_at");
        }
    }

    let mut themes = Vec::new();
    let mut theme_codes: Vec<String> = Vec::new();
    let mut goal_codes: Vec<String> = Vec::new();
    match &input.themes {
        None => errors.add("themes", "is required"),
        Some(list) if list.is_empty() => errors.add("themes", "must list at least one theme"),
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                let p = format!("themes[{i}]");
                let code = check_code(&mut errors, &format!("{p}.code"), &t.code);
                if let Some(code) = &code {
                    if theme_codes.contains(code) {
                        errors.add(
                            format!("{p}.code"),
                            format!("theme code '{code}' is used twice in this round"),
                        );
                    }
                    theme_codes.push(code.clone());
                }
                let name = check_text(&mut errors, &format!("{p}.name"), &t.name, 200);
                let budget = match t.budget_eur {
                    None => {
                        errors.add(format!("{p}.budget_eur"), "is required");
                        None
                    }
                    Some(b) => match Eur::parse(b) {
                        Ok(b) => Some(b),
                        Err(m) => {
                            errors.add(format!("{p}.budget_eur"), m);
                            None
                        }
                    },
                };
                let mut goals = Vec::new();
                match &t.goals {
                    None => errors.add(format!("{p}.goals"), "is required"),
                    Some(gs) if gs.is_empty() => {
                        errors.add(format!("{p}.goals"), "must list at least one goal")
                    }
                    Some(gs) => {
                        for (j, g) in gs.iter().enumerate() {
                            let gp = format!("{p}.goals[{j}]");
                            let code = check_code(&mut errors, &format!("{gp}.code"), &g.code);
                            if let Some(code) = &code {
                                if goal_codes.contains(code) {
                                    errors.add(
                                        format!("{gp}.code"),
                                        format!("goal code '{code}' is used twice in this round"),
                                    );
                                }
                                goal_codes.push(code.clone());
                            }
                            let text =
                                check_text(&mut errors, &format!("{gp}.text"), &g.text, 2000);
                            if let (Some(code), Some(text)) = (code, text) {
                                goals.push(Goal { code, text });
                            }
                        }
                    }
                }
                if let (Some(code), Some(name), Some(budget_eur)) = (code, name, budget) {
                    themes.push(Theme {
                        code,
                        name,
                        budget_eur,
                        goals,
                    });
                }
            }
        }
    }

    let mut criteria = Vec::new();
    match &input.criteria {
        None => errors.add("criteria", "is required"),
        Some(list) if list.is_empty() => errors.add("criteria", "must list at least one criterion"),
        Some(list) => {
            let mut codes: Vec<String> = Vec::new();
            for (i, c) in list.iter().enumerate() {
                let p = format!("criteria[{i}]");
                let code = check_code(&mut errors, &format!("{p}.code"), &c.code);
                if let Some(code) = &code {
                    if codes.contains(code) {
                        errors.add(
                            format!("{p}.code"),
                            format!("criterion code '{code}' is used twice in this round"),
                        );
                    }
                    codes.push(code.clone());
                }
                let name = check_text(&mut errors, &format!("{p}.name"), &c.name, 200);
                let description = c.description.clone().unwrap_or_default();
                if description.chars().count() > 5000 {
                    errors.add(
                        format!("{p}.description"),
                        "must be at most 5000 characters",
                    );
                }
                let scale_max = match c.scale_max {
                    None => Some(3),
                    Some(s) if (SCALE_MAX_LOW..=SCALE_MAX_HIGH).contains(&s) => Some(s as i32),
                    Some(_) => {
                        errors.add(
                            format!("{p}.scale_max"),
                            format!("must be from {SCALE_MAX_LOW} to {SCALE_MAX_HIGH}"),
                        );
                        None
                    }
                };
                if let (Some(code), Some(name), Some(scale_max)) = (code, name, scale_max) {
                    criteria.push(Criterion {
                        code,
                        name,
                        description,
                        scale_max,
                    });
                }
            }
        }
    }

    let conditions = input.conditions.clone().unwrap_or_default();
    for (i, c) in conditions.iter().enumerate() {
        if c.trim().is_empty() || c.chars().count() > 5000 {
            errors.add(format!("conditions[{i}]"), "must be 1..5000 characters");
        }
    }

    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors.0));
    }
    Ok(RoundSpec {
        name: name.unwrap_or_default(),
        programme: programme.unwrap_or_default(),
        start_year: start_year.unwrap_or_default(),
        end_year: end_year.unwrap_or_default(),
        opens_at: input.opens_at.unwrap_or_default(),
        closes_at: input.closes_at.unwrap_or_default(),
        catalog: Catalog {
            themes,
            criteria,
            conditions,
        },
    })
}

impl RoundSpec {
    /// The spec as an input again, so a partial update can be laid over it and re-checked whole.
    pub fn to_input(&self) -> RoundInput {
        RoundInput {
            name: Some(self.name.clone()),
            programme: Some(self.programme.clone()),
            start_year: Some(self.start_year.into()),
            end_year: Some(self.end_year.into()),
            opens_at: Some(self.opens_at),
            closes_at: Some(self.closes_at),
            themes: Some(
                self.catalog
                    .themes
                    .iter()
                    .map(|t| ThemeInput {
                        code: Some(t.code.clone()),
                        name: Some(t.name.clone()),
                        budget_eur: Some(t.budget_eur.0),
                        goals: Some(
                            t.goals
                                .iter()
                                .map(|g| GoalInput {
                                    code: Some(g.code.clone()),
                                    text: Some(g.text.clone()),
                                })
                                .collect(),
                        ),
                    })
                    .collect(),
            ),
            criteria: Some(
                self.catalog
                    .criteria
                    .iter()
                    .map(|c| CriterionInput {
                        code: Some(c.code.clone()),
                        name: Some(c.name.clone()),
                        description: Some(c.description.clone()),
                        scale_max: Some(c.scale_max.into()),
                    })
                    .collect(),
            ),
            conditions: Some(self.catalog.conditions.clone()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The real 2025-2026 catalog, as tests across the domain use it.
    pub fn programme() -> RoundSpec {
        let raw: serde_json::Value =
            serde_json::from_str(include_str!("../../demo/programme-2025-2026.json")).unwrap();
        let catalog: Catalog = serde_json::from_value(raw.clone()).unwrap();
        RoundSpec {
            name: raw["name"].as_str().unwrap().into(),
            programme: raw["programme"].as_str().unwrap().into(),
            start_year: 2025,
            end_year: 2026,
            opens_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            closes_at: Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap(),
            catalog,
        }
    }

    #[test]
    fn the_real_catalog_is_a_valid_round() {
        let spec = programme();
        let parsed = parse_round(&spec.to_input()).unwrap();
        assert_eq!(parsed, spec);
        assert_eq!(parsed.catalog.themes.len(), 3);
        assert_eq!(parsed.catalog.goal_codes().len(), 20);
        assert_eq!(parsed.catalog.criteria.len(), 4);
        assert_eq!(parsed.catalog.theme_of_goal("R").unwrap().code, "FVW");
    }

    fn fields(err: DomainError) -> Vec<String> {
        match err {
            DomainError::Invalid(e) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let mut input = programme().to_input();
        let themes = input.themes.as_mut().unwrap();
        themes[0].budget_eur = Some(-1);
        themes[1].goals.as_mut().unwrap()[0].code = Some("A".into());
        themes[2].code = Some("JJO".into());
        input.criteria.as_mut().unwrap()[0].scale_max = Some(11);
        input.criteria.as_mut().unwrap()[1].scale_max = Some(0);
        input.closes_at = input.opens_at;
        input.start_year = Some(2027);
        let f = fields(parse_round(&input).unwrap_err());
        for expected in [
            "themes[0].budget_eur",
            "themes[1].goals[0].code",
            "themes[2].code",
            "criteria[0].scale_max",
            "criteria[1].scale_max",
            "closes_at",
            "end_year",
        ] {
            assert!(
                f.contains(&expected.to_string()),
                "{expected} missing from {f:?}"
            );
        }
        assert_eq!(f.len(), 7, "{f:?}");
    }

    #[test]
    fn edges_of_the_rules_are_accepted() {
        let mut input = programme().to_input();
        input.themes.as_mut().unwrap()[0].budget_eur = Some(0);
        input.criteria.as_mut().unwrap()[0].scale_max = Some(1);
        input.criteria.as_mut().unwrap()[1].scale_max = Some(10);
        input.end_year = Some(2025);
        input.start_year = Some(2025);
        input.closes_at = Some(input.opens_at.unwrap() + chrono::Duration::seconds(1));
        assert!(parse_round(&input).is_ok());
    }

    #[test]
    fn missing_fields_are_named() {
        let f = fields(parse_round(&RoundInput::default()).unwrap_err());
        for expected in [
            "name",
            "start_year",
            "end_year",
            "opens_at",
            "closes_at",
            "themes",
            "criteria",
        ] {
            assert!(
                f.contains(&expected.to_string()),
                "{expected} missing from {f:?}"
            );
        }
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
pub fn frozen_change(old: &Catalog, new: &Catalog) -> Option<String> {
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
        Some("plans have been submitted: theme and goal codes can no longer change (names, texts and budgets can)".into())
    } else if criteria(old) != criteria(new) {
        Some("plans have been submitted: criteria codes and scales can no longer change (names and descriptions can)".into())
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
        new.themes[0].budget_eur = super::Eur(1);
        new.criteria[0].description = "anders".into();
        assert_eq!(frozen_change(&old, &new), None);
        let mut new = old.clone();
        new.themes[0].goals[0].code = "AA".into();
        assert!(frozen_change(&old, &new).unwrap().contains("goal"));
        let mut new = old.clone();
        new.criteria[0].scale_max = 5;
        assert!(frozen_change(&old, &new).unwrap().contains("scales"));
    }
}
