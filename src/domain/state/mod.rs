//! The plan state machine as one declarative table: state × action → target, and who may.

use serde::{Deserialize, Serialize};

use super::errors::{Bilingual, DomainError};
use super::tally::Outcome;
use super::user::{Actor, Role};
use super::visibility::{applicant_status, ShownStatus};

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Submitted,
    InReview,
    NeedsInfo,
    PreAdvised,
    Voting,
    Approved,
    Rejected,
    Withdrawn,
    Merged,
    Adopted,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 11] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::InReview,
        PlanStatus::NeedsInfo,
        PlanStatus::PreAdvised,
        PlanStatus::Voting,
        PlanStatus::Approved,
        PlanStatus::Rejected,
        PlanStatus::Withdrawn,
        PlanStatus::Merged,
        PlanStatus::Adopted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::InReview => "in_review",
            PlanStatus::NeedsInfo => "needs_info",
            PlanStatus::PreAdvised => "pre_advised",
            PlanStatus::Voting => "voting",
            PlanStatus::Approved => "approved",
            PlanStatus::Rejected => "rejected",
            PlanStatus::Withdrawn => "withdrawn",
            PlanStatus::Merged => "merged",
            PlanStatus::Adopted => "adopted",
        }
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The status as pages and letters name it.
    pub fn label_nl(self) -> &'static str {
        match self {
            PlanStatus::Draft => "concept",
            PlanStatus::Submitted => "ingediend",
            PlanStatus::InReview => "in behandeling",
            PlanStatus::NeedsInfo => "aanvulling gevraagd",
            PlanStatus::PreAdvised => "pre-advies opgesteld",
            PlanStatus::Voting => "in stemming bij het bestuur",
            PlanStatus::Approved => "goedgekeurd door het bestuur",
            PlanStatus::Rejected => "afgewezen",
            PlanStatus::Withdrawn => "ingetrokken",
            PlanStatus::Merged => "samengevoegd",
            PlanStatus::Adopted => "vastgesteld",
        }
    }

    /// The board has decided: approved or rejected, and not yet adopted.
    pub fn is_decided(self) -> bool {
        matches!(self, PlanStatus::Approved | PlanStatus::Rejected)
    }

    /// The plan fell through without a grant: rejected, withdrawn, or merged into another
    /// (money held for it, such as a reservation, may go to another plan).
    pub fn is_final_without_grant(self) -> bool {
        matches!(
            self,
            PlanStatus::Withdrawn | PlanStatus::Merged | PlanStatus::Rejected
        )
    }

    /// Terminal states accept no action at all once the plan's decision is published (until
    /// then its owner may still withdraw a rejected plan, see `RULES`).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            PlanStatus::Withdrawn | PlanStatus::Merged | PlanStatus::Rejected | PlanStatus::Adopted
        )
    }
}

/// Something a user can do to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Edit,
    Delete,
    Submit,
    Withdraw,
    StartReview,
    RequestInfo,
    Evaluate,
    RecordPreAdvice,
    RevisePreAdvice,
    OpenVote,
    Vote,
    CancelVote,
    CloseVote,
    MergeInto,
    Adopt,
    DeclareConflict,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::Edit,
        Action::Delete,
        Action::Submit,
        Action::Withdraw,
        Action::StartReview,
        Action::RequestInfo,
        Action::Evaluate,
        Action::RecordPreAdvice,
        Action::RevisePreAdvice,
        Action::OpenVote,
        Action::Vote,
        Action::CancelVote,
        Action::CloseVote,
        Action::MergeInto,
        Action::Adopt,
        Action::DeclareConflict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::StartReview => "start_review",
            Action::RequestInfo => "request_info",
            Action::Evaluate => "evaluate",
            Action::RecordPreAdvice => "record_pre_advice",
            Action::RevisePreAdvice => "revise_pre_advice",
            Action::OpenVote => "open_vote",
            Action::Vote => "vote",
            Action::CancelVote => "cancel_vote",
            Action::CloseVote => "close_vote",
            Action::MergeInto => "merge_into",
            Action::Adopt => "adopt",
            Action::DeclareConflict => "declare_conflict",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The action as pages and messages name it.
    pub fn label_nl(self) -> &'static str {
        match self {
            Action::Edit => "bewerken",
            Action::Delete => "verwijderen",
            Action::Submit => "indienen",
            Action::Withdraw => "intrekken",
            Action::StartReview => "in behandeling nemen",
            Action::RequestInfo => "aanvulling vragen",
            Action::Evaluate => "beoordelen",
            Action::RecordPreAdvice => "pre-advies vastleggen",
            Action::RevisePreAdvice => "pre-advies herzien",
            Action::OpenVote => "stemming openen",
            Action::Vote => "stemmen",
            Action::CancelVote => "stemming afbreken",
            Action::CloseVote => "stemming sluiten",
            Action::MergeInto => "samenvoegen",
            Action::Adopt => "vaststellen",
            Action::DeclareConflict => "belangenconflict melden",
        }
    }
}

/// What an action leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The plan moves to this state (or stays, for edit, evaluate and vote).
    State(PlanStatus),
    /// The plan keeps the state it is in (edit, evaluate, vote, declare a conflict).
    Keep,
    /// The plan is removed (only drafts).
    Deleted,
    /// Decided by the board's tally: approved, rejected or back to in_review.
    ByTally,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The user who filed the plan.
    Owner,
    /// The owner or a co-applicant they invited.
    Applicants,
    /// Anyone holding one of these roles.
    Roles(&'static [Role]),
}

/// One row of the state table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub from: &'static [PlanStatus],
    pub action: Action,
    pub to: Target,
    pub who: Who,
    /// The rule holds only until an adoption covers (publishes) the plan's decision.
    pub until_published: bool,
}

use PlanStatus as S;
const TEAM: Who = Who::Roles(&[Role::ProgrammeTeam]);
const CHAIR: Who = Who::Roles(&[Role::BoardChair]);
const BOARD: Who = Who::Roles(&[Role::BoardMember]);

/// PRODUCT.md's table of plan states, plus the actions that keep the state (edit, evaluate,
/// vote, declare a conflict) so that `allowed_actions` can tell a client about them too.
pub const RULES: &[Rule] = &[
    Rule {
        from: &[S::Draft],
        action: Action::Submit,
        to: Target::State(S::Submitted),
        who: Who::Owner,
        until_published: false,
    },
    Rule {
        from: &[S::NeedsInfo],
        action: Action::Submit,
        to: Target::State(S::Submitted),
        who: Who::Owner,
        until_published: false,
    },
    Rule {
        from: &[S::Draft, S::NeedsInfo],
        action: Action::Edit,
        to: Target::Keep,
        who: Who::Applicants,
        until_published: false,
    },
    Rule {
        from: &[S::Draft],
        action: Action::Delete,
        to: Target::Deleted,
        who: Who::Owner,
        until_published: false,
    },
    // The owner may withdraw until the plan is decided, the vote included (it is then
    // cancelled); and after the board's decision too, until an adoption publishes it: an
    // applicant sees a decided plan as `in_assessment` until then, so a refusal would tell.
    Rule {
        from: &[
            S::Submitted,
            S::InReview,
            S::NeedsInfo,
            S::PreAdvised,
            S::Voting,
        ],
        action: Action::Withdraw,
        to: Target::State(S::Withdrawn),
        who: Who::Owner,
        until_published: false,
    },
    Rule {
        from: &[S::Approved, S::Rejected],
        action: Action::Withdraw,
        to: Target::State(S::Withdrawn),
        who: Who::Owner,
        until_published: true,
    },
    Rule {
        from: &[S::Submitted],
        action: Action::StartReview,
        to: Target::State(S::InReview),
        who: TEAM,
        until_published: false,
    },
    Rule {
        from: &[S::InReview],
        action: Action::RequestInfo,
        to: Target::State(S::NeedsInfo),
        who: TEAM,
        until_published: false,
    },
    // An external reviewer evaluates the plans assigned to them (they see no others).
    Rule {
        from: &[S::InReview],
        action: Action::Evaluate,
        to: Target::Keep,
        who: Who::Roles(&[Role::ProgrammeTeam, Role::Reviewer]),
        until_published: false,
    },
    Rule {
        from: &[S::InReview],
        action: Action::RecordPreAdvice,
        to: Target::State(S::PreAdvised),
        who: TEAM,
        until_published: false,
    },
    Rule {
        from: &[S::PreAdvised],
        action: Action::RevisePreAdvice,
        to: Target::State(S::InReview),
        who: TEAM,
        until_published: false,
    },
    Rule {
        from: &[S::PreAdvised],
        action: Action::OpenVote,
        to: Target::State(S::Voting),
        who: Who::Roles(&[Role::ProgrammeTeam, Role::BoardChair]),
        until_published: false,
    },
    Rule {
        from: &[S::Voting],
        action: Action::Vote,
        to: Target::Keep,
        who: BOARD,
        until_published: false,
    },
    // A board member may declare a conflict of interest while the board may still have to
    // decide on the plan: until its vote closes with a decision.
    Rule {
        from: &[
            S::Submitted,
            S::InReview,
            S::NeedsInfo,
            S::PreAdvised,
            S::Voting,
        ],
        action: Action::DeclareConflict,
        to: Target::Keep,
        who: BOARD,
        until_published: false,
    },
    Rule {
        from: &[S::Voting],
        action: Action::CancelVote,
        to: Target::State(S::InReview),
        who: TEAM,
        until_published: false,
    },
    Rule {
        from: &[S::Voting],
        action: Action::CloseVote,
        to: Target::ByTally,
        who: CHAIR,
        until_published: false,
    },
    Rule {
        from: &[S::Submitted, S::InReview],
        action: Action::MergeInto,
        to: Target::State(S::Merged),
        who: TEAM,
        until_published: false,
    },
    Rule {
        from: &[S::Approved],
        action: Action::Adopt,
        to: Target::State(S::Adopted),
        who: TEAM,
        until_published: false,
    },
    // The college's adoption publishes a rejection as it stands.
    Rule {
        from: &[S::Rejected],
        action: Action::Adopt,
        to: Target::Keep,
        who: TEAM,
        until_published: true,
    },
];

/// A permitted step: from where, by which action, to what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: PlanStatus,
    pub action: Action,
    pub to: Target,
}

/// The facts about a plan that decide who may act on it.
#[derive(Debug, Clone, Copy)]
pub struct PlanRef<'a> {
    pub status: PlanStatus,
    pub owner_id: &'a str,
    /// The co-applicants the owner invited.
    pub co_applicant_ids: &'a [String],
    /// Whether an adoption covers the plan: its decision is published.
    pub published: bool,
}

fn qualifies(who: Who, plan: &PlanRef<'_>, actor: &Actor) -> bool {
    match who {
        Who::Owner => actor.user_id == plan.owner_id,
        Who::Applicants => {
            actor.user_id == plan.owner_id || plan.co_applicant_ids.contains(&actor.user_id)
        }
        Who::Roles(roles) => roles.iter().any(|r| actor.has(*r)),
    }
}

/// Whether `rule` applies to `plan` in its state now.
fn applies(rule: &Rule, plan: &PlanRef<'_>) -> bool {
    rule.from.contains(&plan.status) && !(rule.until_published && plan.published)
}

fn target_of(rule: &Rule, from: PlanStatus) -> Target {
    match rule.to {
        Target::Keep => Target::State(from),
        to => to,
    }
}

impl Transition {
    /// Where the plan goes: the table's target, or for a vote that closes the state the
    /// tally's outcome leads to. `None` for a deletion, or a tally-decided step without an
    /// outcome (a caller's mistake, never a user's).
    pub fn target(&self, tally: Option<Outcome>) -> Option<PlanStatus> {
        match (self.to, tally) {
            (Target::State(s), _) => Some(s),
            (Target::ByTally, Some(Outcome::Approved { .. })) => Some(PlanStatus::Approved),
            (Target::ByTally, Some(Outcome::Rejected)) => Some(PlanStatus::Rejected),
            (Target::ByTally, Some(Outcome::BackToReview)) => Some(PlanStatus::InReview),
            (Target::ByTally, None) | (Target::Deleted, _) | (Target::Keep, _) => None,
        }
    }

    /// Whether this step is recorded in the plan's history: every change of state. Steps that
    /// keep the state (an edit, an evaluation, a vote) leave their own traces instead.
    pub fn is_recorded(&self, to: PlanStatus) -> bool {
        to != self.from
    }
}

/// Decides whether `actor` may take `action` on `plan` now.
///
/// An actor who could never take this action on this plan gets `Forbidden` (403); one who
/// could, but not in the current state, gets `NotAllowed` naming the state and its actions (409).
pub fn decide(plan: PlanRef<'_>, action: Action, actor: &Actor) -> Result<Transition, DomainError> {
    let mut may_ever = false;
    for rule in RULES.iter().filter(|r| r.action == action) {
        if qualifies(rule.who, &plan, actor) {
            may_ever = true;
            if applies(rule, &plan) {
                return Ok(Transition {
                    from: plan.status,
                    action,
                    to: target_of(rule, plan.status),
                });
            }
        }
    }
    if !may_ever {
        return Err(forbidden(action));
    }
    Err(DomainError::NotAllowed {
        state: ShownStatus::Actual(plan.status),
        action,
        allowed: actions_in(plan),
    })
}

/// The refusal of an action the actor could never take on this plan.
/// An answer to the team's question is kept unsent only while the plan waits for it.
pub fn check_keeps_answer(from: PlanStatus) -> Result<(), DomainError> {
    if from == PlanStatus::NeedsInfo {
        Ok(())
    } else {
        Err(DomainError::Conflict(
            crate::domain::errors::Bilingual::new(
                "an answer is kept only while the plan waits for one",
                "een antwoord wordt alleen bewaard zolang het plan op een antwoord wacht",
            ),
        ))
    }
}

pub fn forbidden(action: Action) -> DomainError {
    DomainError::Forbidden(Bilingual::new(
        format!(
            "your roles do not permit '{}' on this plan",
            action.as_str()
        ),
        format!(
            "u heeft niet de rol om '{}' te doen bij dit plan",
            action.label_nl()
        ),
    ))
}

/// `decide`, with a refusal said as the caller sees the plan: an applicant hears the status
/// they see (`in_assessment` before publication) and only the actions they may take, never
/// the state of the assessment or what staff may do in it.
pub fn decide_as_seen(
    plan: PlanRef<'_>,
    action: Action,
    actor: &Actor,
) -> Result<Transition, DomainError> {
    match decide(plan, action, actor) {
        Err(DomainError::NotAllowed { action, .. }) if !actor.assesses() => {
            Err(DomainError::NotAllowed {
                state: applicant_status(plan.status, plan.published),
                action,
                allowed: allowed_actions(plan, actor),
            })
        }
        other => other,
    }
}

/// Every action the table allows on `plan` as it stands, for anyone.
pub fn actions_in(plan: PlanRef<'_>) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| RULES.iter().any(|r| r.action == *a && applies(r, &plan)))
        .collect()
}

/// What this actor may do to this plan now (exposed as `allowed_actions`).
pub fn allowed_actions(plan: PlanRef<'_>, actor: &Actor) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| decide(plan, *a, actor).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
