//! The conversation about a plan: between its applicants and the programme team, beside the
//! formal question (`request-info`), which alone moves the plan. Who takes part, when it is
//! open, and when the other side is mailed.

use chrono::{DateTime, Duration, Utc};

use super::errors::{Bilingual, DomainError};
use super::state::PlanStatus;
use super::user::{Actor, Role};

/// The side a message comes from, as the API names its author's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The plan's owner or a co-applicant.
    Applicants,
    /// The programme team.
    Team,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Applicants => "applicant",
            Side::Team => "programme_team",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        [Side::Applicants, Side::Team]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// Who is mailed when this side writes.
    pub fn other(self) -> Side {
        match self {
            Side::Applicants => Side::Team,
            Side::Team => Side::Applicants,
        }
    }
}

/// The side `actor` takes in the conversation about a plan they may see (`is_applicant`: the
/// owner or a co-applicant): the applicants, or the programme team; nobody else reads it (the
/// board and reviewers judge the plan as filed, not the talk around it).
pub fn side_of(actor: &Actor, is_applicant: bool) -> Result<Side, DomainError> {
    if is_applicant {
        Ok(Side::Applicants)
    } else if actor.has(Role::ProgrammeTeam) {
        Ok(Side::Team)
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "the conversation about a plan is between its applicants and the programme team",
            "Het gesprek over een plan is tussen de indieners en het programmateam.",
        )))
    }
}

/// A conversation opens when the plan is submitted (the team sees no draft); after that it
/// stays open in every state, so an applicant can still ask about a decision or a grant.
pub fn check_open(status: PlanStatus) -> Result<(), DomainError> {
    if status == PlanStatus::Draft {
        return Err(DomainError::Conflict(Bilingual::new(
            "the conversation with the programme team opens when the plan is submitted",
            "Het gesprek met het programmateam begint als u het plan hebt ingediend.",
        )));
    }
    Ok(())
}

/// Messages to one person about one plan are mailed at most once in this long: the first at
/// once, the ones after it gathered into one mail when the time has passed.
pub const GATHER: Duration = Duration::hours(1);

/// A person last mailed about a plan's conversation at or before this time may be mailed
/// about it again now.
pub fn mailable_if_last_mailed_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - GATHER
}

/// What an entry of a plan's timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The team's formal question (`request-info`): the plan waits for the answer.
    Question,
    /// The applicant's answer, given with the resubmission.
    Answer,
    /// A message of the conversation, from this side.
    Message(Side),
}

/// One entry of the timeline the plan page shows: the formal question and its answer among
/// the messages, in the order they were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    /// Who wrote it, for a message (the question is the team's, the answer the applicants').
    pub author: Option<String>,
    pub text: String,
}

/// The messages and the formal question (with its answer, once given) as one timeline, the
/// oldest first.
pub fn timeline(
    question: Option<&super::decision::InfoRequest>,
    messages: Vec<Entry>,
) -> Vec<Entry> {
    let mut all = messages;
    if let Some(q) = question {
        all.push(Entry {
            at: q.requested_at,
            kind: EntryKind::Question,
            author: None,
            text: q.message.clone(),
        });
        if let (Some(answer), Some(at)) = (&q.answer, q.answered_at) {
            all.push(Entry {
                at,
                kind: EntryKind::Answer,
                author: None,
                text: answer.clone(),
            });
        }
    }
    // Stable: entries written at the same moment keep their order (question before answer).
    all.sort_by_key(|e| e.at);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: "u".into(),
            roles: roles.to_vec(),
            organisation_id: None,
        }
    }

    #[test]
    fn the_applicants_and_the_team_take_part_and_nobody_else() {
        assert_eq!(
            side_of(&actor(&[Role::Applicant]), true).unwrap(),
            Side::Applicants
        );
        assert_eq!(
            side_of(&actor(&[Role::ProgrammeTeam]), false).unwrap(),
            Side::Team
        );
        for roles in [
            &[Role::BoardMember][..],
            &[Role::BoardChair],
            &[Role::Finance],
            &[Role::Admin],
            &[Role::Applicant],
        ] {
            assert!(matches!(
                side_of(&actor(roles), false),
                Err(DomainError::Forbidden(_))
            ));
        }
        assert_eq!(Side::Applicants.other(), Side::Team);
        assert_eq!(Side::parse("programme_team"), Some(Side::Team));
    }

    #[test]
    fn it_opens_with_the_submission() {
        assert!(check_open(PlanStatus::Draft).is_err());
        for s in PlanStatus::ALL
            .into_iter()
            .filter(|s| *s != PlanStatus::Draft)
        {
            assert!(check_open(s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn the_question_and_its_answer_take_their_place_among_the_messages() {
        let t0 = Utc::now();
        let message = |min: i64, text: &str| Entry {
            at: t0 + Duration::minutes(min),
            kind: EntryKind::Message(Side::Applicants),
            author: Some("Anna".into()),
            text: text.into(),
        };
        let question = crate::domain::decision::InfoRequest {
            message: "Welke locatie?".into(),
            requested_at: t0 + Duration::minutes(5),
            answer_by: None,
            answer: Some("De Heuvel".into()),
            answered_at: Some(t0 + Duration::minutes(20)),
        };
        let all = timeline(
            Some(&question),
            vec![message(1, "een"), message(10, "twee"), message(30, "drie")],
        );
        let kinds: Vec<_> = all.iter().map(|e| (e.kind, e.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (EntryKind::Message(Side::Applicants), "een"),
                (EntryKind::Question, "Welke locatie?"),
                (EntryKind::Message(Side::Applicants), "twee"),
                (EntryKind::Answer, "De Heuvel"),
                (EntryKind::Message(Side::Applicants), "drie"),
            ]
        );
        assert!(timeline(None, Vec::new()).is_empty());
    }

    #[test]
    fn one_mail_an_hour_per_person_and_plan() {
        let now = Utc::now();
        assert_eq!(mailable_if_last_mailed_by(now), now - Duration::minutes(60));
    }
}
