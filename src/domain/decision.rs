//! What the assessment adds to a plan and keeps: the team's question, the recorded pre-advice,
//! and the board's decision with the tally it was decided by.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::money::Eur;
use super::pre_advice::{PreAdvice, Recommendation};
use super::tally::{Outcome, Tally};

/// The programme team's last question to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoRequest {
    pub message: String,
    pub requested_at: DateTime<Utc>,
    /// The date the team would like the answer by (`answer_by`); a request, not a cut-off:
    /// the plan waits for the answer either way. Questions from before it was kept have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<NaiveDate>,
    /// The applicant's answer, given with the resubmission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// A pre-advice with who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedPreAdvice {
    #[serde(flatten)]
    pub advice: PreAdvice,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// What the board decided on the pre-advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Approved,
    Rejected,
}

/// The counts a decision was taken by, kept as they were at the close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyCounts {
    #[serde(rename = "for")]
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
    pub cast: u32,
    pub eligible: u32,
    pub recused: u32,
}

impl From<&Tally> for TallyCounts {
    fn from(t: &Tally) -> TallyCounts {
        TallyCounts {
            for_: t.r#for,
            against: t.against,
            abstain: t.abstain,
            cast: t.cast,
            eligible: t.eligible,
            recused: t.recused,
        }
    }
}

impl TallyCounts {
    /// The tally these counts make, as it was at the close.
    pub fn as_tally(&self) -> Tally {
        Tally {
            r#for: self.for_,
            against: self.against,
            abstain: self.abstain,
            cast: self.cast,
            eligible: self.eligible,
            recused: self.recused,
            quorum_reached: self.cast * 2 > self.eligible,
            carried: self.for_ > self.against,
        }
    }
}

/// The board's decision on a plan: the outcome, the pre-advice it followed, and the tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: DecisionOutcome,
    pub decided_at: DateTime<Utc>,
    pub granted_eur: Option<Eur>,
    pub recommendation: Recommendation,
    pub motivation: String,
    pub conditions: String,
    pub tally: TallyCounts,
}

impl Decision {
    /// The decision a closed vote makes, or `None` when the motion did not carry (the plan goes
    /// back to review and nothing is decided yet).
    pub fn of(
        outcome: Outcome,
        advice: &PreAdvice,
        tally: &Tally,
        at: DateTime<Utc>,
    ) -> Option<Decision> {
        let (outcome, granted_eur) = match outcome {
            Outcome::Approved { granted } => (DecisionOutcome::Approved, Some(granted)),
            Outcome::Rejected => (DecisionOutcome::Rejected, None),
            Outcome::BackToReview => return None,
        };
        Some(Decision {
            outcome,
            decided_at: at,
            granted_eur,
            recommendation: advice.recommendation,
            motivation: advice.motivation.clone(),
            conditions: advice.conditions.clone(),
            tally: TallyCounts::from(tally),
        })
    }

    /// How a closed vote is written in the plan's history.
    pub fn history_reason(outcome: Outcome, tally: &Tally) -> String {
        let counts = format!(
            "voor {}, tegen {}, onthouding {}, van {} stemgerechtigden",
            tally.r#for, tally.against, tally.abstain, tally.eligible
        );
        match outcome {
            Outcome::BackToReview => {
                format!("niet aangenomen ({counts}): terug naar beoordeling")
            }
            _ => format!("aangenomen ({counts})"),
        }
    }
}

/// How long an applicant has to answer a question when the team names no date.
pub const ANSWER_DAYS: i64 = 14;
/// The latest answer date the team may name, so a question never waits for months.
pub const ANSWER_DAYS_MAX: i64 = 90;

/// The date a question asked on `asked_on` would like its answer by: the team's `given`
/// date, or `ANSWER_DAYS` later; a date not after the day it is asked, or more than
/// `ANSWER_DAYS_MAX` days later, is refused.
pub fn answer_by(
    asked_on: NaiveDate,
    given: Option<NaiveDate>,
) -> Result<NaiveDate, super::errors::Bilingual> {
    let Some(date) = given else {
        return Ok(asked_on + chrono::Duration::days(ANSWER_DAYS));
    };
    if date <= asked_on {
        return Err(super::errors::Bilingual::new(
            "must be a date after today",
            "kies een datum na vandaag",
        ));
    }
    if date > asked_on + chrono::Duration::days(ANSWER_DAYS_MAX) {
        return Err(super::errors::Bilingual::new(
            format!("must be at most {ANSWER_DAYS_MAX} days from today"),
            format!("kies een datum binnen {ANSWER_DAYS_MAX} dagen"),
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advice() -> PreAdvice {
        PreAdvice {
            recommendation: Recommendation::Conditional,
            proposed_eur: Eur::parse(9_000).unwrap(),
            motivation: "Sluit aan bij doel B".into(),
            conditions: "Samen met de bibliotheek".into(),
            scores: vec![],
            total_score: 7,
            payment_conditions: vec![],
        }
    }

    fn tally() -> Tally {
        Tally {
            r#for: 2,
            against: 1,
            abstain: 0,
            cast: 3,
            eligible: 4,
            recused: 1,
            quorum_reached: true,
            carried: true,
        }
    }

    #[test]
    fn a_carried_vote_decides_with_the_tally_kept_and_a_lost_one_decides_nothing() {
        let at = Utc::now();
        let granted = Eur::parse(9_000).unwrap();
        let d = Decision::of(Outcome::Approved { granted }, &advice(), &tally(), at).unwrap();
        assert_eq!(d.outcome, DecisionOutcome::Approved);
        assert_eq!(d.granted_eur, Some(granted));
        assert_eq!(d.conditions, "Samen met de bibliotheek");
        assert_eq!((d.tally.for_, d.tally.eligible, d.tally.recused), (2, 4, 1));
        assert_eq!(d.tally.as_tally(), tally(), "kept as it was");
        let r = Decision::of(Outcome::Rejected, &advice(), &tally(), at).unwrap();
        assert_eq!(
            (r.outcome, r.granted_eur),
            (DecisionOutcome::Rejected, None)
        );
        assert_eq!(
            Decision::of(Outcome::BackToReview, &advice(), &tally(), at),
            None
        );
        assert!(Decision::history_reason(Outcome::BackToReview, &tally())
            .starts_with("niet aangenomen"));
    }

    #[test]
    fn a_decision_reads_back_as_it_was_written() {
        let d = Decision::of(Outcome::Rejected, &advice(), &tally(), Utc::now()).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"for\":2"), "{json}");
        assert_eq!(serde_json::from_str::<Decision>(&json).unwrap(), d);
        let recorded = RecordedPreAdvice {
            advice: advice(),
            recorded_by: "team-1".into(),
            recorded_at: Utc::now(),
        };
        let json = serde_json::to_string(&recorded).unwrap();
        assert!(
            json.contains("\"recommendation\":\"conditional\""),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<RecordedPreAdvice>(&json).unwrap(),
            recorded
        );
    }

    #[test]
    fn a_question_asks_its_answer_in_two_weeks_unless_the_team_names_a_date() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(answer_by(day(6), None), Ok(day(20)));
        assert_eq!(answer_by(day(6), Some(day(10))), Ok(day(10)));
        assert!(answer_by(day(6), Some(day(6))).is_err());
        assert!(answer_by(day(6), Some(day(1))).is_err());
        assert!(answer_by(day(6), Some(day(6) + chrono::Duration::days(91))).is_err());
    }
}
