//! Reviewers' evaluations: a score per criterion (or "not applicable") and the means over them.

use serde::{Deserialize, Serialize};

use super::errors::{DomainError, FieldErrors};
use super::round::Criterion;
use super::text::Bounded;

/// One criterion's score as a client sends it; `score: null` means "not applicable".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub criterion: String,
    #[serde(default)]
    pub score: Option<i64>,
    #[serde(default)]
    pub motivation: String,
}

/// A checked score: on the criterion's scale, or `None` for not applicable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub criterion: String,
    pub score: Option<i32>,
    pub motivation: String,
}

/// The one check of scores as a client sends them, for evaluations and pre-advice alike:
/// each names a criterion of the round once, each score is on its scale (0..=scale_max) or
/// null, each motivation is bounded. Every error is added to `e` with its field; answers the
/// scores that name a known criterion, checked (a score out of range is kept clamped, but an
/// error is reported for it, so nothing is stored).
pub fn check_scores(
    scores: &[ScoreInput],
    criteria: &[Criterion],
    e: &mut FieldErrors,
) -> Vec<Score> {
    let mut out = Vec::new();
    for (i, s) in scores.iter().enumerate() {
        let p = format!("scores[{i}]");
        match criteria.iter().find(|c| c.code == s.criterion) {
            None => e.add(
                format!("{p}.criterion"),
                (
                    format!(
                        "unknown criterion '{}'; this round's criteria are {}",
                        s.criterion,
                        codes(criteria)
                    ),
                    format!(
                        "het criterium '{}' bestaat niet; de criteria van deze ronde zijn {}",
                        s.criterion,
                        codes(criteria)
                    ),
                ),
            ),
            Some(c) => {
                if scores[..i].iter().any(|o| o.criterion == s.criterion) {
                    e.add(
                        format!("{p}.criterion"),
                        (
                            format!("criterion '{}' is scored twice", c.code),
                            format!("het criterium '{}' heeft twee scores", c.code),
                        ),
                    );
                }
                if let Some(v) = s.score {
                    if !(0..=i64::from(c.scale_max)).contains(&v) {
                        e.add(
                            format!("{p}.score"),
                            (
                                format!(
                                    "must be from 0 to {} for {}, or null for not applicable",
                                    c.scale_max, c.code
                                ),
                                format!(
                                    "geef voor {} een score van 0 tot en met {}, of 'niet van toepassing'",
                                    c.code, c.scale_max
                                ),
                            ),
                        );
                    }
                }
                let motivation = match Bounded::NOTE.check(&s.motivation) {
                    Ok(m) => m,
                    Err(m) => {
                        e.add(format!("{p}.motivation"), m);
                        String::new()
                    }
                };
                out.push(Score {
                    criterion: c.code.clone(),
                    score: s.score.map(|v| v.clamp(0, i64::from(c.scale_max)) as i32),
                    motivation,
                });
            }
        }
    }
    out
}

/// A reviewer's evaluation of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub plan_id: String,
    pub reviewer_id: String,
    pub scores: Vec<Score>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Checks a reviewer's scores (`check_scores`), and that every criterion of the round is
/// scored (null when it does not apply). Every error is reported at once.
pub fn parse_evaluation(
    scores: &[ScoreInput],
    criteria: &[Criterion],
) -> Result<Vec<Score>, DomainError> {
    let mut e = FieldErrors::new();
    let out = check_scores(scores, criteria, &mut e);
    for c in criteria {
        if !scores.iter().any(|s| s.criterion == c.code) {
            e.add(
                "scores",
                (
                    format!(
                        "criterion '{}' is missing (give null if it does not apply)",
                        c.code
                    ),
                    format!(
                        "het criterium '{}' ontbreekt (kies 'niet van toepassing' als het niet past)",
                        c.code
                    ),
                ),
            );
        }
    }
    e.finish(out)
}

fn codes(criteria: &[Criterion]) -> String {
    criteria
        .iter()
        .map(|c| c.code.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The mean of one criterion over the reviewers who scored it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionMean {
    pub criterion: String,
    /// `None` when no reviewer gave a score (all not applicable, or no evaluations).
    pub mean: Option<f64>,
    /// How many scores went into the mean (not-applicable ones are not counted).
    pub count: u32,
}

/// Per-criterion means over evaluations; a not-applicable score is left out, never counted as 0.
pub fn means(evaluations: &[Vec<Score>], criteria: &[Criterion]) -> Vec<CriterionMean> {
    criteria
        .iter()
        .map(|c| {
            let given: Vec<i32> = evaluations
                .iter()
                .flat_map(|ev| ev.iter())
                .filter(|s| s.criterion == c.code)
                .filter_map(|s| s.score)
                .collect();
            let count = given.len() as u32;
            let mean = if given.is_empty() {
                None
            } else {
                Some(f64::from(given.iter().sum::<i32>()) / f64::from(count))
            };
            CriterionMean {
                criterion: c.code.clone(),
                mean,
                count,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::round::tests::programme;

    fn input(scores: &[(&str, Option<i64>)]) -> Vec<ScoreInput> {
        scores
            .iter()
            .map(|(c, s)| ScoreInput {
                criterion: c.to_string(),
                score: *s,
                motivation: "ok".into(),
            })
            .collect()
    }

    fn all(s: [Option<i64>; 4]) -> Vec<ScoreInput> {
        input(&[
            ("IMPACT", s[0]),
            ("GEEN_BESTAAND_AANBOD", s[1]),
            ("MEERDERE_DOELEN", s[2]),
            ("SAMENWERKING", s[3]),
        ])
    }

    #[test]
    fn scores_must_be_on_each_criterions_scale() {
        let criteria = programme().catalog.criteria;
        assert!(parse_evaluation(&all([Some(0), Some(3), None, Some(2)]), &criteria).is_ok());
        match parse_evaluation(&all([Some(4), Some(-1), None, Some(2)]), &criteria) {
            Err(DomainError::Invalid(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(f, vec!["scores[0].score", "scores[1].score"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_missing_and_repeated_criteria_are_refused() {
        let criteria = programme().catalog.criteria;
        let mut s = all([Some(1), Some(1), Some(1), Some(1)]);
        s[3].criterion = "IMPACT".into();
        s.push(ScoreInput {
            criterion: "BEAUTY".into(),
            score: Some(1),
            motivation: String::new(),
        });
        match parse_evaluation(&s, &criteria) {
            Err(DomainError::Invalid(e)) => {
                let msgs: Vec<_> = e
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                assert_eq!(e.len(), 3, "{msgs:?}");
                assert!(msgs[0].contains("twice"));
                assert!(msgs[1].contains("BEAUTY") && msgs[1].contains("SAMENWERKING"));
                assert!(msgs[2].contains("'SAMENWERKING' is missing"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_not_applicable_score_is_left_out_of_the_mean() {
        let criteria = programme().catalog.criteria;
        let a = parse_evaluation(&all([Some(3), Some(1), None, Some(2)]), &criteria).unwrap();
        let b = parse_evaluation(&all([Some(2), None, None, Some(1)]), &criteria).unwrap();
        let m = means(&[a, b], &criteria);
        assert_eq!(
            m[0],
            CriterionMean {
                criterion: "IMPACT".into(),
                mean: Some(2.5),
                count: 2
            }
        );
        assert_eq!(
            m[1],
            CriterionMean {
                criterion: "GEEN_BESTAAND_AANBOD".into(),
                mean: Some(1.0),
                count: 1
            }
        );
        assert_eq!(
            m[2],
            CriterionMean {
                criterion: "MEERDERE_DOELEN".into(),
                mean: None,
                count: 0
            }
        );
        assert_eq!(m[3].mean, Some(1.5));
    }

    #[test]
    fn not_applicable_everywhere_gives_no_mean_at_all() {
        let criteria = programme().catalog.criteria;
        let a = parse_evaluation(&all([None, None, None, None]), &criteria).unwrap();
        assert!(means(&[a.clone(), a], &criteria)
            .iter()
            .all(|m| m.mean.is_none() && m.count == 0));
        assert!(means(&[], &criteria).iter().all(|m| m.mean.is_none()));
    }
}
