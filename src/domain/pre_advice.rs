//! The programme team's pre-advice and the two criteria the plan's own data suggests.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::errors::{DomainError, FieldErrors};
use super::evaluation::{check_scores, CriterionMean, Score, ScoreInput};
use super::grant::PaymentKind;
use super::money::Eur;
use super::plan::PlanContent;
use super::round::Catalog;
use super::text::Bounded;

/// What the programme team recommends the board to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    Positive,
    Conditional,
    Negative,
}

impl Recommendation {
    /// The recommendation as pages, letters and the history say it.
    pub fn label_nl(self) -> &'static str {
        match self {
            Recommendation::Positive => "positief",
            Recommendation::Conditional => "positief onder voorwaarden",
            Recommendation::Negative => "negatief",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Positive => "positive",
            Recommendation::Conditional => "conditional",
            Recommendation::Negative => "negative",
        }
    }

    pub fn parse(s: &str) -> Option<Recommendation> {
        match s {
            "positive" => Some(Recommendation::Positive),
            "conditional" => Some(Recommendation::Conditional),
            "negative" => Some(Recommendation::Negative),
            _ => None,
        }
    }
}

/// A pre-advice as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreAdviceInput {
    pub recommendation: Option<String>,
    pub proposed_eur: Option<i64>,
    #[serde(default)]
    pub motivation: String,
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub scores: Vec<ScoreInput>,
    /// Conditions a payment waits for (beside the free `conditions` text).
    #[serde(default)]
    pub payment_conditions: Vec<PaymentConditionInput>,
}

/// A payment condition as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentConditionInput {
    #[serde(default)]
    pub text: Option<String>,
    /// `advance` or `final`: the payment it must be met before.
    #[serde(default)]
    pub before: Option<String>,
}

/// A condition the pre-advice sets on paying: met before the advance (and so before every
/// payment) or before the final payment. The grant carries it; releasing waits for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCondition {
    pub text: String,
    pub before: PaymentKind,
}

/// The most payment conditions one pre-advice sets.
pub const PAYMENT_CONDITIONS_MAX: usize = 10;

/// Checks the payment conditions, naming each bad field (`payment_conditions[1].before`).
fn check_payment_conditions(
    input: &[PaymentConditionInput],
    e: &mut FieldErrors,
) -> Vec<PaymentCondition> {
    if input.len() > PAYMENT_CONDITIONS_MAX {
        e.add(
            "payment_conditions",
            (
                format!("at most {PAYMENT_CONDITIONS_MAX} payment conditions"),
                format!("hoogstens {PAYMENT_CONDITIONS_MAX} voorwaarden voor betaling"),
            ),
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, c) in input.iter().enumerate() {
        let text = Bounded::NOTE
            .required(c.text.as_deref())
            .map_err(|m| e.add(format!("payment_conditions[{i}].text"), m))
            .ok();
        let before = match c.before.as_deref().map(PaymentKind::parse) {
            Some(Some(k)) => Some(k),
            _ => {
                e.add(
                    format!("payment_conditions[{i}].before"),
                    (
                        "must be advance or final: the payment the condition is met before",
                        "kies voorschot of slotbetaling: de betaling waarvóór aan de voorwaarde moet zijn voldaan",
                    ),
                );
                None
            }
        };
        if let (Some(text), Some(before)) = (text, before) {
            out.push(PaymentCondition { text, before });
        }
    }
    out
}

/// A recorded pre-advice: every criterion scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAdvice {
    pub recommendation: Recommendation,
    pub proposed_eur: Eur,
    pub motivation: String,
    pub conditions: String,
    pub scores: Vec<Score>,
    pub total_score: i32,
    /// Conditions a payment waits for; the grant takes them over at adoption.
    #[serde(default)]
    pub payment_conditions: Vec<PaymentCondition>,
}

/// The pre-advice score a criterion gets when the team gives none: the mean rounded half up.
pub fn default_score(mean: &CriterionMean) -> Option<i32> {
    mean.mean.map(|m| m.round() as i32)
}

/// Checks a pre-advice: a recommendation, a motivation, proposed amount within 0..=requested
/// (0 when negative and not given), conditions when conditional, and a score for every
/// criterion, taken from the rounded evaluation mean where the team gives none.
pub fn parse_pre_advice(
    input: &PreAdviceInput,
    catalog: &Catalog,
    requested: Eur,
    means: &[CriterionMean],
) -> Result<PreAdvice, DomainError> {
    let mut e = FieldErrors::new();
    let recommendation = match input.recommendation.as_deref() {
        None => {
            e.add(
                "recommendation",
                (
                    "is required: positive, conditional or negative",
                    "is verplicht: positief, positief onder voorwaarden of negatief",
                ),
            );
            None
        }
        Some(r) => {
            let parsed = Recommendation::parse(r);
            if parsed.is_none() {
                e.add(
                    "recommendation",
                    (
                        format!("unknown recommendation '{r}'; use positive, conditional or negative"),
                        format!("advies '{r}' bestaat niet; kies positief, positief onder voorwaarden of negatief"),
                    ),
                );
            }
            parsed
        }
    };
    let motivation = Bounded::LONG
        .required(Some(&input.motivation))
        .unwrap_or_else(|m| {
            e.add("motivation", m);
            String::new()
        });
    let conditions = Bounded::LONG.check(&input.conditions).unwrap_or_else(|m| {
        e.add("conditions", m);
        String::new()
    });
    if recommendation == Some(Recommendation::Conditional) && conditions.is_empty() {
        e.add(
            "conditions",
            (
                "are required when the recommendation is conditional",
                "zijn verplicht bij een positief advies onder voorwaarden",
            ),
        );
    }
    let proposed = match (input.proposed_eur, recommendation) {
        (None, Some(Recommendation::Negative)) => Some(Eur::ZERO),
        (None, _) => {
            e.add("proposed_eur", ("is required", "is verplicht"));
            None
        }
        (Some(p), _) => match Eur::parse(p) {
            Err(m) => {
                e.add("proposed_eur", m);
                None
            }
            Ok(p) if p > requested => {
                e.add(
                    "proposed_eur",
                    (
                        format!(
                            "must not exceed the requested amount ({})",
                            requested.format_nl()
                        ),
                        format!(
                            "mag niet hoger zijn dan het gevraagde bedrag ({})",
                            requested.format_nl()
                        ),
                    ),
                );
                None
            }
            Ok(p) => Some(p),
        },
    };

    let payment_conditions = check_payment_conditions(&input.payment_conditions, &mut e);
    let checked = check_scores(&input.scores, &catalog.criteria, &mut e);
    let mut scores = Vec::new();
    for c in &catalog.criteria {
        let given = checked.iter().find(|s| s.criterion == c.code);
        let score = given.and_then(|s| s.score).or_else(|| {
            means
                .iter()
                .find(|m| m.criterion == c.code)
                .and_then(default_score)
        });
        match score {
            Some(score) => scores.push(Score {
                criterion: c.code.clone(),
                score: Some(score),
                motivation: given.map(|s| s.motivation.clone()).unwrap_or_default(),
            }),
            None => e.add(
                "scores",
                (
                    format!("criterion '{}' needs a score: no reviewer scored it, so there is no mean to default to", c.code),
                    format!("het criterium '{}' heeft een score nodig: geen beoordelaar gaf er een, dus er is geen gemiddelde", c.code),
                ),
            ),
        }
    }
    if !e.is_empty() {
        return Err(DomainError::Invalid(e.0));
    }
    let total_score = scores.iter().filter_map(|s| s.score).sum();
    Ok(PreAdvice {
        recommendation: recommendation.unwrap_or(Recommendation::Negative),
        proposed_eur: proposed.unwrap_or_default(),
        motivation,
        conditions,
        scores,
        total_score,
        payment_conditions,
    })
}

/// A score the plan's own data suggests for a criterion, with the reason shown to the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub criterion: String,
    pub score: i32,
    pub reason: String,
    /// The reason in Dutch, as the assessment page shows it.
    pub reason_nl: String,
}

/// Criterion code scored by how many themes the plan's goals span.
pub const GOAL_SPREAD_CRITERION: &str = "MEERDERE_DOELEN";
/// Criterion code scored by collaboration with partners and involvement of residents.
pub const COLLABORATION_CRITERION: &str = "SAMENWERKING";

/// Suggestions for the data-derived criteria that the round has (matched by code).
///
/// Goal spread: 3 themes or more → 3, two → 2, several goals within one theme → 1, else 0.
/// Collaboration: one point for at least one other partner, one more for two or more,
/// one for resident involvement described.
/// Both are capped at the criterion's scale.
pub fn suggestions(content: &PlanContent, catalog: &Catalog) -> Vec<Suggestion> {
    let mut out = Vec::new();
    if let Some(c) = catalog.criterion(GOAL_SPREAD_CRITERION) {
        let themes: BTreeSet<&str> = content
            .goals
            .iter()
            .filter_map(|g| catalog.theme_of_goal(g))
            .map(|t| t.code.as_str())
            .collect();
        let goals = content.goals.len();
        let score = match themes.len() {
            0 => 0,
            1 if goals >= 2 => 1,
            1 => 0,
            2 => 2,
            _ => 3,
        };
        let n_themes = themes.len();
        let (reason, reason_nl) = if themes.is_empty() {
            (
                "the plan names no goals".to_string(),
                "het plan noemt geen doelen".to_string(),
            )
        } else {
            let themes = themes.into_iter().collect::<Vec<_>>().join(", ");
            let codes = content.goals.join(", ");
            (
                format!("{goals} goal(s) ({codes}) from {n_themes} theme(s) ({themes})"),
                format!(
                    "{goals} {} ({codes}) uit {n_themes} {} ({themes})",
                    if goals == 1 { "doel" } else { "doelen" },
                    if n_themes == 1 { "opgave" } else { "opgaven" }
                ),
            )
        };
        out.push(Suggestion {
            criterion: c.code.clone(),
            score: score.min(c.scale_max),
            reason,
            reason_nl,
        });
    }
    if let Some(c) = catalog.criterion(COLLABORATION_CRITERION) {
        let partners = content.partners.len();
        let involvement = !content.resident_involvement.trim().is_empty();
        let score = i32::from(partners >= 1) + i32::from(partners >= 2) + i32::from(involvement);
        let (partners_en, partners_nl) = match partners {
            0 => (
                "no collaborating partner".to_string(),
                "geen samenwerkingspartner".to_string(),
            ),
            1 => (
                "1 collaborating partner".to_string(),
                "1 samenwerkingspartner".to_string(),
            ),
            n => (
                format!("{n} collaborating partners"),
                format!("{n} samenwerkingspartners"),
            ),
        };
        let (involved_en, involved_nl) = if involvement {
            (
                "resident involvement described",
                "betrokkenheid van bewoners beschreven",
            )
        } else {
            (
                "no resident involvement described",
                "geen betrokkenheid van bewoners beschreven",
            )
        };
        out.push(Suggestion {
            criterion: c.code.clone(),
            score: score.min(c.scale_max),
            reason: format!("{partners_en}; {involved_en}"),
            reason_nl: format!("{partners_nl}; {involved_nl}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::eur;
    use crate::domain::plan::PartyRef;
    use crate::domain::round::tests::programme;

    fn mean(c: &str, m: Option<f64>, n: u32) -> CriterionMean {
        CriterionMean {
            criterion: c.into(),
            mean: m,
            count: n,
        }
    }

    fn full_means() -> Vec<CriterionMean> {
        vec![
            mean("IMPACT", Some(2.5), 2),
            mean("GEEN_BESTAAND_AANBOD", Some(1.4), 2),
            mean("MEERDERE_DOELEN", Some(0.5), 2),
            mean("SAMENWERKING", Some(3.0), 1),
        ]
    }

    fn positive() -> PreAdviceInput {
        PreAdviceInput {
            recommendation: Some("positive".into()),
            proposed_eur: Some(10_000),
            motivation: "Past goed binnen de opgave".into(),
            ..Default::default()
        }
    }

    #[test]
    fn payment_conditions_name_the_payment_they_hold_back_and_each_bad_field() {
        let mut input = positive();
        input.payment_conditions = vec![
            PaymentConditionInput {
                text: Some(" Schriftelijke toestemming van Vidomes ".into()),
                before: Some("advance".into()),
            },
            PaymentConditionInput {
                text: Some(String::new()),
                before: Some("later".into()),
            },
        ];
        let catalog = &programme().catalog;
        match parse_pre_advice(&input, catalog, eur(12_000), &full_means()) {
            Err(DomainError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(
                    fields,
                    vec!["payment_conditions[1].text", "payment_conditions[1].before"]
                );
            }
            other => panic!("{other:?}"),
        }
        input.payment_conditions.truncate(1);
        let p = parse_pre_advice(&input, catalog, eur(12_000), &full_means()).unwrap();
        assert_eq!(
            p.payment_conditions,
            vec![PaymentCondition {
                text: "Schriftelijke toestemming van Vidomes".into(),
                before: PaymentKind::Advance,
            }]
        );
        input.payment_conditions = vec![input.payment_conditions[0].clone(); 11];
        assert!(parse_pre_advice(&input, catalog, eur(12_000), &full_means()).is_err());
    }

    #[test]
    fn scores_default_to_the_rounded_means() {
        let p = parse_pre_advice(
            &positive(),
            &programme().catalog,
            eur(12_000),
            &full_means(),
        )
        .unwrap();
        let s: Vec<_> = p.scores.iter().map(|s| s.score.unwrap()).collect();
        assert_eq!(s, vec![3, 1, 1, 3]);
        assert_eq!(p.total_score, 8);
    }

    #[test]
    fn given_scores_win_over_the_means() {
        let mut input = positive();
        input.scores = vec![ScoreInput {
            criterion: "IMPACT".into(),
            score: Some(1),
            motivation: "klein bereik".into(),
        }];
        let p = parse_pre_advice(&input, &programme().catalog, eur(12_000), &full_means()).unwrap();
        assert_eq!(p.scores[0].score, Some(1));
        assert_eq!(p.scores[0].motivation, "klein bereik");
        assert_eq!(p.total_score, 1 + 1 + 1 + 3);
    }

    #[test]
    fn a_criterion_without_score_or_mean_is_refused() {
        let mut means = full_means();
        means[2] = mean("MEERDERE_DOELEN", None, 0);
        match parse_pre_advice(&positive(), &programme().catalog, eur(12_000), &means) {
            Err(DomainError::Invalid(e)) => {
                assert_eq!(e.len(), 1);
                assert!(e[0].message.contains("MEERDERE_DOELEN"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_proposal_may_not_exceed_the_request_and_conditions_need_text() {
        let mut input = positive();
        input.recommendation = Some("conditional".into());
        input.proposed_eur = Some(12_001);
        match parse_pre_advice(&input, &programme().catalog, eur(12_000), &full_means()) {
            Err(DomainError::Invalid(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, vec!["conditions", "proposed_eur"]);
            }
            other => panic!("{other:?}"),
        }
        input.proposed_eur = Some(12_000);
        input.conditions = "Samenwerking met de bibliotheek".into();
        assert!(parse_pre_advice(&input, &programme().catalog, eur(12_000), &full_means()).is_ok());
    }

    #[test]
    fn a_negative_advice_proposes_nothing_by_default() {
        let input = PreAdviceInput {
            recommendation: Some("negative".into()),
            motivation: "Valt buiten de kaders".into(),
            ..Default::default()
        };
        let p = parse_pre_advice(&input, &programme().catalog, eur(12_000), &full_means()).unwrap();
        assert_eq!(p.proposed_eur, Eur::ZERO);
        assert_eq!(p.recommendation, Recommendation::Negative);
    }

    #[test]
    fn missing_recommendation_and_motivation_are_named() {
        let input = PreAdviceInput {
            proposed_eur: Some(-1),
            ..Default::default()
        };
        match parse_pre_advice(&input, &programme().catalog, eur(12_000), &full_means()) {
            Err(DomainError::Invalid(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, vec!["recommendation", "motivation", "proposed_eur"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn goals_across_themes_suggest_a_higher_score() {
        let catalog = programme().catalog;
        let mut c = PlanContent {
            goals: vec!["B".into()],
            ..Default::default()
        };
        assert_eq!(suggestions(&c, &catalog)[0].score, 0);
        c.goals = vec!["A".into(), "B".into()];
        assert_eq!(suggestions(&c, &catalog)[0].score, 1);
        c.goals = vec!["B".into(), "J".into()];
        assert_eq!(suggestions(&c, &catalog)[0].score, 2);
        c.goals = vec!["B".into(), "J".into(), "R".into()];
        let s = &suggestions(&c, &catalog)[0];
        assert_eq!((s.criterion.as_str(), s.score), ("MEERDERE_DOELEN", 3));
        assert!(s.reason.contains("FVW, FZT, JJO"), "{}", s.reason);
        assert_eq!(
            s.reason_nl,
            "3 doelen (B, J, R) uit 3 opgaven (FVW, FZT, JJO)"
        );
        c.goals = vec!["B".into()];
        assert_eq!(
            suggestions(&c, &catalog)[0].reason_nl,
            "1 doel (B) uit 1 opgave (JJO)"
        );
    }

    #[test]
    fn collaboration_and_resident_involvement_suggest_a_higher_score() {
        let catalog = programme().catalog;
        let mut c = PlanContent::default();
        assert_eq!(suggestions(&c, &catalog)[1].score, 0);
        c.partners = vec![PartyRef::Named {
            name: "Bibliotheek".into(),
        }];
        assert_eq!(suggestions(&c, &catalog)[1].score, 1);
        c.resident_involvement = "Ouders organiseren mee".into();
        assert_eq!(suggestions(&c, &catalog)[1].score, 2);
        c.partners.push(PartyRef::Named {
            name: "School".into(),
        });
        let s = &suggestions(&c, &catalog)[1];
        assert_eq!(s.score, 3);
        assert!(
            s.reason.contains("2 collaborating partners")
                && s.reason.contains("resident involvement described")
        );
    }
}
