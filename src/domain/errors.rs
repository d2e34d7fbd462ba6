//! Errors a domain decision can return.

use serde::Serialize;

use super::conflict::Recusal;
use super::money::Eur;
use super::state::Action;
use super::visibility::ShownStatus;

/// One invalid input field, named by its JSON path (`themes[0].budget_eur`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A field error from a parser's message, in words for a client: no Rust type names
    /// ("expected i32", "untagged enum PartyRef"), no positions in the text.
    pub fn from_parser(field: impl Into<String>, message: &str) -> Self {
        Self::new(field, plain_parser_message(message))
    }
}

/// A JSON or query parser's message without the names of types behind it.
pub fn plain_parser_message(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if message.contains("untagged enum PartyRef") {
        return "must be {\"organisation_id\": …} for a registered organisation or {\"name\": …} for another"
            .into();
    }
    if message.contains("invalid digit") || message.contains("number too") {
        return "must be a whole number".into();
    }
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected u16", "expected a whole number"),
        ("expected u8", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected an object"),
    ] {
        out = out.replace(rust, plain);
    }
    if let Some(i) = out.find("expected struct ") {
        out.truncate(i);
        out.push_str("expected an object");
    }
    if let Some(i) = out.find("expected enum ") {
        out.truncate(i);
        out.push_str("expected one of the values this field takes");
    }
    out
}

/// Collects every field error of one input so the caller hears about all of them at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was collected, the errors otherwise.
    pub fn finish<T>(self, value: T) -> Result<T, DomainError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Why a domain decision refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// Input that breaks a rule; every offending field is listed.
    Invalid(Vec<FieldError>),
    /// The action exists but not in the plan's current state (as the caller sees it).
    NotAllowed {
        state: ShownStatus,
        action: Action,
        allowed: Vec<Action>,
    },
    /// The actor's roles (or lack of ownership) do not permit the action at all.
    Forbidden { action: Action },
    /// Filing or submitting outside the round's window; field errors found too are kept.
    RoundNotOpen {
        message: String,
        errors: Vec<FieldError>,
    },
    /// The round has been adopted: its frame and its decisions are final.
    RoundAdopted,
    /// A grant that would take a budget line past its budget.
    BudgetExceeded {
        theme: String,
        requested: Eur,
        remaining: Eur,
    },
    /// The chair tried to close a vote that has not reached quorum.
    NoQuorum { cast: u32, eligible: u32 },
    /// A board member may not vote on this plan.
    Recused { reason: Recusal },
    /// The thing exists already (an account, an organisation, a declared conflict…).
    Duplicate(String),
    /// Any other conflict with the current state of things.
    Conflict(String),
}

impl DomainError {
    /// What kind of refusal this is, as the last part of the problem's `type`: a client tells a
    /// budget refusal from a state refusal by this, never by the prose.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "invalid-input",
            DomainError::NotAllowed { .. } => "not-allowed-in-state",
            DomainError::Forbidden { .. } => "forbidden",
            DomainError::RoundNotOpen { .. } => "round-closed",
            DomainError::RoundAdopted => "round-adopted",
            DomainError::BudgetExceeded { .. } => "budget-exceeded",
            DomainError::NoQuorum { .. } => "no-quorum",
            DomainError::Recused { .. } => "recused",
            DomainError::Duplicate(_) => "duplicate",
            DomainError::Conflict(_) => "conflict",
        }
    }

    /// A sentence for the problem's `detail`.
    pub fn message(&self) -> String {
        match self {
            DomainError::Invalid(errors) => {
                if errors.len() == 1 {
                    format!("{}: {}", errors[0].field, errors[0].message)
                } else {
                    format!("{} fields are invalid; see errors", errors.len())
                }
            }
            DomainError::NotAllowed {
                state,
                action,
                allowed,
            } => {
                let allowed = if allowed.is_empty() {
                    "none (this state is final)".to_string()
                } else {
                    allowed
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!(
                    "'{}' is not allowed while the plan is '{}'; actions in this state: {}",
                    action.as_str(),
                    state.as_str(),
                    allowed
                )
            }
            DomainError::Forbidden { action } => {
                format!(
                    "your roles do not permit '{}' on this plan",
                    action.as_str()
                )
            }
            DomainError::RoundNotOpen { message, .. } => message.clone(),
            DomainError::RoundAdopted => {
                "the round has been adopted: its frame and decisions can no longer change".into()
            }
            DomainError::BudgetExceeded {
                theme,
                requested,
                remaining,
            } => format!(
                "granting {} would exceed the budget of theme {}: {} remaining",
                requested, theme, remaining
            ),
            DomainError::NoQuorum { cast, eligible } => format!(
                "no quorum: {} of {} eligible board members voted; more than half must vote",
                cast, eligible
            ),
            DomainError::Recused { reason } => reason.message().to_string(),
            DomainError::Duplicate(message) | DomainError::Conflict(message) => message.clone(),
        }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for DomainError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_messages_name_no_rust_types() {
        for (raw, plain) in [
            (
                "invalid type: string \"veel\", expected i64 at line 1 column 20",
                "invalid type: string \"veel\", expected a whole number",
            ),
            (
                "invalid value: integer `-1`, expected u32",
                "invalid value: integer `-1`, expected a whole number",
            ),
            (
                "invalid type: integer `3`, expected struct Body",
                "invalid type: integer `3`, expected an object",
            ),
            ("invalid digit found in string", "must be a whole number"),
        ] {
            assert_eq!(plain_parser_message(raw), plain);
        }
        let party =
            plain_parser_message("data did not match any variant of untagged enum PartyRef");
        assert!(
            !party.contains("PartyRef") && party.contains("organisation_id"),
            "{party}"
        );
    }
}
