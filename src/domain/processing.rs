//! The processing log (VNG's "Verwerkingenlogging"): who processed whose personal data, when,
//! in which role, and what. Staff reading a person's plan, account or bank account, and every
//! change staff make to them, are logged; a person's own acts on their own data are not (they
//! know of them).

use chrono::{DateTime, Utc};

use super::state::Action;
use super::user::{Actor, Role};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    PlanViewed,
    /// A step on the plan (an edit, a question, a pre-advice, a vote opened, …).
    PlanChanged(Action),
    AccountViewed,
    AccountChanged,
    BankAccountViewed,
    BankAccountChanged,
}

impl Activity {
    /// The code stored and exported (`plan_viewed`, `plan_changed:record_pre_advice`, …).
    pub fn code(self) -> String {
        match self {
            Activity::PlanViewed => "plan_viewed".into(),
            Activity::PlanChanged(a) => format!("plan_changed:{}", a.as_str()),
            Activity::AccountViewed => "account_viewed".into(),
            Activity::AccountChanged => "account_changed".into(),
            Activity::BankAccountViewed => "bank_account_viewed".into(),
            Activity::BankAccountChanged => "bank_account_changed".into(),
        }
    }

    pub fn parse(code: &str) -> Option<Activity> {
        Some(match code {
            "plan_viewed" => Activity::PlanViewed,
            "account_viewed" => Activity::AccountViewed,
            "account_changed" => Activity::AccountChanged,
            "bank_account_viewed" => Activity::BankAccountViewed,
            "bank_account_changed" => Activity::BankAccountChanged,
            other => Activity::PlanChanged(Action::parse(other.strip_prefix("plan_changed:")?)?),
        })
    }

    /// As a person reads it about themselves ("plan bekeken", "pre-advies vastleggen").
    pub fn label_nl(self) -> String {
        match self {
            Activity::PlanViewed => "plan bekeken".into(),
            Activity::PlanChanged(a) => format!("plan: {}", a.label_nl()),
            Activity::AccountViewed => "account bekeken".into(),
            Activity::AccountChanged => "account gewijzigd".into(),
            Activity::BankAccountViewed => "bankrekening bekeken".into(),
            Activity::BankAccountChanged => "bankrekening gewijzigd".into(),
        }
    }
}

/// The role staff act in, as the log names it (a person with several: the first of these).
pub fn acting_role(actor: &Actor) -> Role {
    [
        Role::ProgrammeTeam,
        Role::BoardChair,
        Role::BoardMember,
        Role::Reviewer,
        Role::Finance,
        Role::Admin,
    ]
    .into_iter()
    .find(|r| actor.roles.contains(r))
    .unwrap_or(Role::Applicant)
}

/// Whether the person an entry is about is shown it now. Before their plan's decision is
/// published an applicant learns nothing of the assessment: not its steps (evaluations, the
/// pre-advice, the vote) and not that the board or a reviewer looked at the plan. The log
/// keeps those entries, and shows them once the decision is published.
pub fn shown_to_subject(entry: &Entry, published: bool) -> bool {
    if published || entry.record_kind != "plan" {
        return true;
    }
    let assessment_step = matches!(
        entry.activity,
        Activity::PlanChanged(
            Action::Evaluate
                | Action::RecordPreAdvice
                | Action::RevisePreAdvice
                | Action::OpenVote
                | Action::Vote
                | Action::CancelVote
                | Action::CloseVote
                | Action::DeclareConflict
                | Action::Adopt
        )
    );
    let assessor = matches!(
        entry.role,
        Role::BoardMember | Role::BoardChair | Role::Reviewer
    );
    !assessment_step && !assessor
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    pub role: Role,
    pub activity: Activity,
    pub record_kind: &'static str,
    pub record_id: String,
    /// The person it concerns (none for an organisation's bank account).
    pub subject_id: Option<String>,
}

/// The entries for `actor` doing `activity` on a record concerning `subjects`: one per
/// person it concerns, leaving out the actor themselves (no entry for one's own acts); for a
/// record that concerns no person, one entry without a subject, staff acts only.
pub fn entries(
    actor: &Actor,
    activity: Activity,
    record: (&'static str, &str),
    subjects: &[String],
    at: DateTime<Utc>,
    mut new_id: impl FnMut() -> String,
) -> Vec<Entry> {
    let role = acting_role(actor);
    let entry = |subject: Option<&String>, id: String| Entry {
        id,
        at,
        actor_id: actor.user_id.clone(),
        role,
        activity,
        record_kind: record.0,
        record_id: record.1.to_string(),
        subject_id: subject.cloned(),
    };
    if subjects.is_empty() {
        return if role == Role::Applicant {
            Vec::new()
        } else {
            vec![entry(None, new_id())]
        };
    }
    subjects
        .iter()
        .filter(|s| **s != actor.user_id)
        .map(|s| entry(Some(s), new_id()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: &str, roles: &[Role]) -> Actor {
        Actor {
            user_id: id.into(),
            roles: roles.to_vec(),
            organisation_id: None,
        }
    }

    #[test]
    fn one_entry_per_person_concerned_and_none_for_ones_own_acts() {
        let mut n = 0;
        let mut id = || {
            n += 1;
            format!("e{n}")
        };
        let team = actor("t", &[Role::ProgrammeTeam, Role::Admin]);
        let subjects = vec!["anna".to_string(), "bob".to_string()];
        let e = entries(
            &team,
            Activity::PlanViewed,
            ("plan", "p1"),
            &subjects,
            Utc::now(),
            &mut id,
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].role, Role::ProgrammeTeam);
        assert_eq!(e[1].subject_id.as_deref(), Some("bob"));
        let anna = actor("anna", &[Role::Applicant]);
        let own = entries(
            &anna,
            Activity::PlanChanged(Action::Edit),
            ("plan", "p1"),
            &subjects,
            Utc::now(),
            &mut id,
        );
        assert_eq!(
            own.len(),
            1,
            "bob is told anna changed their plan; anna not of herself"
        );
        assert_eq!(own[0].subject_id.as_deref(), Some("bob"));
        let bank = entries(
            &team,
            Activity::BankAccountViewed,
            ("bank_account", "o1"),
            &[],
            Utc::now(),
            &mut id,
        );
        assert_eq!(bank.len(), 1);
        assert_eq!(bank[0].subject_id, None);
        assert!(entries(
            &anna,
            Activity::BankAccountViewed,
            ("bank_account", "o1"),
            &[],
            Utc::now(),
            &mut id
        )
        .is_empty());
    }

    #[test]
    fn the_assessment_shows_to_the_person_only_once_published() {
        let team = actor("t", &[Role::ProgrammeTeam]);
        let board = actor("b", &[Role::BoardMember]);
        let at = Utc::now();
        let one = |a: &Actor, act| {
            entries(a, act, ("plan", "p"), &["anna".to_string()], at, || {
                "e".into()
            })
            .remove(0)
        };
        let viewed = one(&team, Activity::PlanViewed);
        let advised = one(&team, Activity::PlanChanged(Action::RecordPreAdvice));
        let asked = one(&team, Activity::PlanChanged(Action::RequestInfo));
        let board_read = one(&board, Activity::PlanViewed);
        assert!(shown_to_subject(&viewed, false) && shown_to_subject(&asked, false));
        assert!(!shown_to_subject(&advised, false) && !shown_to_subject(&board_read, false));
        assert!(shown_to_subject(&advised, true) && shown_to_subject(&board_read, true));
    }

    #[test]
    fn activities_round_trip_and_read_in_dutch() {
        for a in [
            Activity::PlanViewed,
            Activity::PlanChanged(Action::RecordPreAdvice),
            Activity::AccountViewed,
            Activity::AccountChanged,
            Activity::BankAccountViewed,
            Activity::BankAccountChanged,
        ] {
            assert_eq!(Activity::parse(&a.code()), Some(a));
        }
        assert_eq!(
            Activity::PlanChanged(Action::RecordPreAdvice).label_nl(),
            "plan: pre-advies vastleggen"
        );
        assert_eq!(Activity::parse("plan_changed:nonsense"), None);
        assert_eq!(acting_role(&actor("r", &[Role::Reviewer])), Role::Reviewer);
    }
}
