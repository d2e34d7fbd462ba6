//! A round as a client sends it, and the one function that checks it whole.

use chrono::{DateTime, Utc};

use super::{Catalog, Criterion, Goal, LegalFrame, RoundSpec, Theme};
use crate::domain::errors::{DomainError, FieldErrors};
use crate::domain::money::Eur;
use crate::domain::text::{no_null, Bounded};
use serde::Deserialize;

/// A round as a client sends it (the JSON of `POST`/`PATCH /rounds` and of the web form's
/// upload), before any rule is checked: fields may be missing, unknown ones are refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    #[serde(default, deserialize_with = "no_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub programme: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub start_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    pub end_year: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    pub opens_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "no_null")]
    pub closes_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "no_null")]
    pub themes: Option<Vec<ThemeInput>>,
    #[serde(default, deserialize_with = "no_null")]
    pub criteria: Option<Vec<CriterionInput>>,
    #[serde(default, deserialize_with = "no_null")]
    pub conditions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "no_null")]
    pub authority: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub legal_basis: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub objection_address: Option<String>,
    /// The share of a grant paid in advance, a whole percentage (default 80).
    #[serde(default, deserialize_with = "no_null")]
    pub advance_share: Option<i64>,
    /// The prefix of the round's references: two to six letters; empty for the programme's
    /// initials.
    #[serde(default, deserialize_with = "no_null")]
    pub reference_prefix: Option<String>,
}

impl RoundInput {
    /// A partial input (a `PATCH`) laid over a whole one: the fields present here replace
    /// those of `base`; the result is then checked whole (`parse_round`).
    pub fn over(self, mut base: RoundInput) -> RoundInput {
        macro_rules! set {
            ($($f:ident),*) => { $( if self.$f.is_some() { base.$f = self.$f; } )* };
        }
        set!(
            name,
            programme,
            start_year,
            end_year,
            opens_at,
            closes_at,
            themes,
            criteria,
            conditions,
            authority,
            legal_basis,
            objection_address,
            advance_share,
            reference_prefix
        );
        base
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    #[serde(default, deserialize_with = "no_null")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub budget_eur: Option<i64>,
    #[serde(default, deserialize_with = "no_null")]
    pub goals: Option<Vec<GoalInput>>,
    #[serde(default, deserialize_with = "no_null")]
    pub ambition: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub current_offer: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub intended_results: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    #[serde(default, deserialize_with = "no_null")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    #[serde(default, deserialize_with = "no_null")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "no_null")]
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
            errors.add(field, ("is required", "is verplicht"));
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
                    (
                        "must be 1..32 characters of letters, digits, '_' or '-'",
                        "gebruik 1 tot 32 letters, cijfers, '_' of '-'",
                    ),
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
    rule: Bounded,
) -> Option<String> {
    match rule.required(value.as_deref()) {
        Ok(v) => Some(v),
        Err(m) => {
            errors.add(field, m);
            None
        }
    }
}

/// Checks a whole round and reports every broken rule at once: budgets >= 0, goal and theme
/// codes unique within the round, criterion scales 1..10, `closes_at` after `opens_at`,
/// start year <= end year.
pub fn parse_round(input: &RoundInput) -> Result<RoundSpec, DomainError> {
    let mut errors = FieldErrors::new();
    let name = check_text(&mut errors, "name", &input.name, Bounded::NAME);
    // The programme's name is optional: empty is fine, but not over-long or with control characters.
    let programme = match input.programme.as_deref().map(str::trim) {
        None | Some("") => Some(String::new()),
        Some(_) => check_text(&mut errors, "programme", &input.programme, Bounded::NAME),
    };
    let (start_year, end_year) = check_period(&mut errors, input);
    check_window(&mut errors, input);
    let themes = check_themes(&mut errors, input);
    let criteria = check_criteria(&mut errors, input);
    let mut conditions = Vec::new();
    for (i, c) in input.conditions.iter().flatten().enumerate() {
        match Bounded::NOTE.required(Some(c)) {
            Ok(c) => conditions.push(c),
            Err(m) => errors.add(format!("conditions[{i}]"), m),
        }
    }
    let legal = check_legal(&mut errors, input);
    let advance_share = check_advance_share(&mut errors, input.advance_share);
    let reference_prefix = check_reference_prefix(&mut errors, input.reference_prefix.as_deref());
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
        legal,
        advance_share,
        reference_prefix,
    })
}

/// The years the round's plans run in: each a plausible year, the start not after the end.
fn check_period(errors: &mut FieldErrors, input: &RoundInput) -> (Option<i32>, Option<i32>) {
    let mut year = |field: &str, value: Option<i64>| match value {
        None => {
            errors.add(field, ("is required", "is verplicht"));
            None
        }
        Some(y) if !(YEAR_MIN..=YEAR_MAX).contains(&y) => {
            errors.add(
                field,
                (
                    format!("must be a year from {YEAR_MIN} to {YEAR_MAX}"),
                    format!("vul een jaar van {YEAR_MIN} tot en met {YEAR_MAX} in"),
                ),
            );
            None
        }
        Some(y) => Some(y as i32),
    };
    let start_year = year("start_year", input.start_year);
    let end_year = year("end_year", input.end_year);
    if let (Some(s), Some(e)) = (start_year, end_year) {
        if s > e {
            errors.add(
                "end_year",
                (
                    format!("must not be before start_year ({s})"),
                    format!("mag niet voor het beginjaar ({s}) liggen"),
                ),
            );
        }
    }
    (start_year, end_year)
}

/// The call's window: both moments given, the close after the opening.
fn check_window(errors: &mut FieldErrors, input: &RoundInput) {
    if input.opens_at.is_none() {
        errors.add("opens_at", ("is required", "is verplicht"));
    }
    if input.closes_at.is_none() {
        errors.add("closes_at", ("is required", "is verplicht"));
    }
    if let (Some(o), Some(c)) = (input.opens_at, input.closes_at) {
        if c <= o {
            errors.add(
                "closes_at",
                (
                    "must be after opens_at",
                    "moet na het openingsmoment liggen",
                ),
            );
        }
    }
}

/// Notes `code` as used, refusing it at `field` when it was used before in the round.
fn unique(
    errors: &mut FieldErrors,
    field: String,
    code: &str,
    seen: &mut Vec<String>,
    what: (&str, &str),
) {
    if seen.iter().any(|c| c == code) {
        errors.add(
            field,
            (
                format!("{} code '{code}' is used twice in this round", what.0),
                format!("de code '{code}' van {} komt twee keer voor", what.1),
            ),
        );
    }
    seen.push(code.to_string());
}

/// The themes, each with its goals; theme codes and goal codes unique in the round.
fn check_themes(errors: &mut FieldErrors, input: &RoundInput) -> Vec<Theme> {
    let mut themes = Vec::new();
    let (mut theme_codes, mut goal_codes) = (Vec::new(), Vec::new());
    match &input.themes {
        None => errors.add("themes", ("is required", "is verplicht")),
        Some(list) if list.is_empty() => errors.add(
            "themes",
            ("must list at least one theme", "geef ten minste één opgave"),
        ),
        Some(list) => {
            for (i, t) in list.iter().enumerate() {
                let p = format!("themes[{i}]");
                let code = check_code(errors, &format!("{p}.code"), &t.code);
                if let Some(code) = &code {
                    unique(
                        errors,
                        format!("{p}.code"),
                        code,
                        &mut theme_codes,
                        ("theme", "een opgave"),
                    );
                }
                let name = check_text(errors, &format!("{p}.name"), &t.name, Bounded::NAME);
                let budget = match t.budget_eur {
                    None => {
                        errors.add(format!("{p}.budget_eur"), ("is required", "is verplicht"));
                        None
                    }
                    Some(b) => Eur::parse(b)
                        .map_err(|m| errors.add(format!("{p}.budget_eur"), m))
                        .ok(),
                };
                let goals = check_goals(errors, &p, &t.goals, &mut goal_codes);
                let [ambition, current_offer, intended_results] = [
                    ("ambition", &t.ambition),
                    ("current_offer", &t.current_offer),
                    ("intended_results", &t.intended_results),
                ]
                .map(|(field, value)| {
                    Bounded::LONG
                        .check(value.as_deref().unwrap_or(""))
                        .unwrap_or_else(|m| {
                            errors.add(format!("{p}.{field}"), m);
                            String::new()
                        })
                });
                if let (Some(code), Some(name), Some(budget_eur)) = (code, name, budget) {
                    themes.push(Theme {
                        code,
                        name,
                        budget_eur,
                        goals,
                        ambition,
                        current_offer,
                        intended_results,
                    });
                }
            }
        }
    }
    themes
}

/// One theme's goals (at `p`), their codes unique in the round (`seen`).
fn check_goals(
    errors: &mut FieldErrors,
    p: &str,
    input: &Option<Vec<GoalInput>>,
    seen: &mut Vec<String>,
) -> Vec<Goal> {
    let mut goals = Vec::new();
    match input {
        None => errors.add(format!("{p}.goals"), ("is required", "is verplicht")),
        Some(gs) if gs.is_empty() => errors.add(
            format!("{p}.goals"),
            ("must list at least one goal", "geef ten minste één doel"),
        ),
        Some(gs) => {
            for (j, g) in gs.iter().enumerate() {
                let gp = format!("{p}.goals[{j}]");
                let code = check_code(errors, &format!("{gp}.code"), &g.code);
                if let Some(code) = &code {
                    unique(
                        errors,
                        format!("{gp}.code"),
                        code,
                        seen,
                        ("goal", "een doel"),
                    );
                }
                let text = check_text(errors, &format!("{gp}.text"), &g.text, Bounded::GOAL);
                if let (Some(code), Some(text)) = (code, text) {
                    goals.push(Goal { code, text });
                }
            }
        }
    }
    goals
}

/// The criteria: codes unique in the round, each scale within bounds (3 when not given).
fn check_criteria(errors: &mut FieldErrors, input: &RoundInput) -> Vec<Criterion> {
    let mut criteria = Vec::new();
    match &input.criteria {
        None => errors.add("criteria", ("is required", "is verplicht")),
        Some(list) if list.is_empty() => errors.add(
            "criteria",
            (
                "must list at least one criterion",
                "geef ten minste één criterium",
            ),
        ),
        Some(list) => {
            let mut codes: Vec<String> = Vec::new();
            for (i, c) in list.iter().enumerate() {
                let p = format!("criteria[{i}]");
                let code = check_code(errors, &format!("{p}.code"), &c.code);
                if let Some(code) = &code {
                    unique(
                        errors,
                        format!("{p}.code"),
                        code,
                        &mut codes,
                        ("criterion", "een criterium"),
                    );
                }
                let name = check_text(errors, &format!("{p}.name"), &c.name, Bounded::NAME);
                let description = Bounded::NOTE
                    .check(c.description.as_deref().unwrap_or(""))
                    .unwrap_or_else(|m| {
                        errors.add(format!("{p}.description"), m);
                        String::new()
                    });
                let scale_max = match c.scale_max {
                    None => Some(3),
                    Some(s) if (SCALE_MAX_LOW..=SCALE_MAX_HIGH).contains(&s) => Some(s as i32),
                    Some(_) => {
                        errors.add(
                            format!("{p}.scale_max"),
                            (
                                format!("must be from {SCALE_MAX_LOW} to {SCALE_MAX_HIGH}"),
                                format!("vul een getal van {SCALE_MAX_LOW} tot en met {SCALE_MAX_HIGH} in"),
                            ),
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
    criteria
}

/// The legal frame may be left empty while a round is prepared; it must be whole before the
/// round is adopted (`Round::check_adoptable`), since every decision letter states it.
fn check_legal(errors: &mut FieldErrors, input: &RoundInput) -> LegalFrame {
    let mut legal_text = |field: &str, value: &Option<String>, rule: Bounded| match rule
        .check(value.as_deref().unwrap_or(""))
    {
        Ok(v) => v,
        Err(m) => {
            errors.add(field, m);
            String::new()
        }
    };
    LegalFrame {
        authority: legal_text("authority", &input.authority, Bounded::NAME),
        legal_basis: legal_text("legal_basis", &input.legal_basis, Bounded::NAME),
        objection_address: legal_text(
            "objection_address",
            &input.objection_address,
            Bounded::ADDRESS,
        ),
    }
}

/// The share paid in advance: a whole percentage, the default when not given.
fn check_advance_share(errors: &mut FieldErrors, share: Option<i64>) -> i32 {
    match share {
        None => DEFAULT_ADVANCE_SHARE,
        Some(s) if (0..=100).contains(&s) => s as i32,
        Some(_) => {
            errors.add(
                "advance_share",
                (
                    "must be a whole percentage from 0 to 100",
                    "vul een percentage van 0 tot en met 100 in",
                ),
            );
            DEFAULT_ADVANCE_SHARE
        }
    }
}

/// A round's own reference prefix: empty (the programme's initials), or two to six letters
/// A-Z (lower case is raised), the form a reference quotes.
fn check_reference_prefix(errors: &mut FieldErrors, raw: Option<&str>) -> String {
    let p = raw.unwrap_or("").trim().to_ascii_uppercase();
    if p.is_empty() || ((2..=6).contains(&p.len()) && p.chars().all(|c| c.is_ascii_uppercase())) {
        p
    } else {
        errors.add(
            "reference_prefix",
            (
                "must be 2 to 6 letters A-Z (or empty for the programme's initials)",
                "vul 2 tot 6 letters A-Z in (of laat leeg voor de beginletters van het programma)",
            ),
        );
        String::new()
    }
}

/// The share of a grant paid in advance when a round names none (PRODUCT.md).
pub const DEFAULT_ADVANCE_SHARE: i32 = 80;

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
                        budget_eur: Some(t.budget_eur.value()),
                        ambition: Some(t.ambition.clone()),
                        current_offer: Some(t.current_offer.clone()),
                        intended_results: Some(t.intended_results.clone()),
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
            authority: Some(self.legal.authority.clone()),
            legal_basis: Some(self.legal.legal_basis.clone()),
            objection_address: Some(self.legal.objection_address.clone()),
            advance_share: Some(self.advance_share.into()),
            reference_prefix: Some(self.reference_prefix.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::programme;
    use super::*;

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
}
