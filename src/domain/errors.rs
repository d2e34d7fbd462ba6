//! Errors a domain decision can return.

use super::conflict::Recusal;
use super::money::Eur;
use super::state::Action;
use super::visibility::ShownStatus;

/// A sentence said to a person about a refusal: in English, the API's language, and in Dutch,
/// the language of everyone who reads planloket's pages and letters. Every rule writes both,
/// side by side, so neither can be forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub en: String,
    pub nl: String,
}

impl Bilingual {
    pub fn new(en: impl Into<String>, nl: impl Into<String>) -> Bilingual {
        Bilingual {
            en: en.into(),
            nl: nl.into(),
        }
    }
}

/// In English: what a log, a stored-data error or an English client reads.
impl std::fmt::Display for Bilingual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// `("in English", "in het Nederlands")`.
impl<A: Into<String>, B: Into<String>> From<(A, B)> for Bilingual {
    fn from((en, nl): (A, B)) -> Bilingual {
        Bilingual::new(en, nl)
    }
}

/// The most common refusal: a field that must be given.
pub const REQUIRED: (&str, &str) = ("is required", "is verplicht");
/// A page number out of bounds.
pub const PAGE: (&str, &str) = (
    "must be a whole number from 1",
    "vul een paginanummer van 1 of hoger in",
);
/// A page size out of bounds.
pub const PAGE_SIZE: (&str, &str) = (
    "must be a whole number from 1 to 100",
    "vul een aantal van 1 tot en met 100 in",
);

/// One invalid input field, named by its JSON path (`themes[0].budget_eur`), with what is
/// wrong with it in English (`message`) and in Dutch (`message_nl`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub message_nl: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, said: impl Into<Bilingual>) -> Self {
        let said = said.into();
        Self {
            field: field.into(),
            message: said.en,
            message_nl: said.nl,
        }
    }

    /// A field error from a parser's message, in words for a client: no Rust type names
    /// ("expected i32", "untagged enum PartyRef"), no positions in the text.
    pub fn from_parser(field: impl Into<String>, message: &str) -> Self {
        Self::new(field, plain_parser_message(message))
    }
}

/// A JSON or query parser's message without the names of types behind it; in Dutch, what
/// kind of value the field wants.
pub fn plain_parser_message(message: &str) -> Bilingual {
    let message = message.split(" at line ").next().unwrap_or(message);
    if message.contains("untagged enum PartyRef") {
        return Bilingual::new(
            "must be {\"organisation_id\": …} for a registered organisation or {\"name\": …} for another",
            "kies een geregistreerde organisatie of geef de naam van een andere organisatie",
        );
    }
    if message.contains("invalid digit") || message.contains("number too") {
        return Bilingual::new("must be a whole number", "vul een heel getal in");
    }
    let nl = if message.contains("unknown field") {
        "dit veld bestaat niet"
    } else if message.contains("missing field") {
        "dit veld ontbreekt"
    } else if message.contains("expected i") || message.contains("expected u") {
        "vul een heel getal in"
    } else if message.contains("expected a boolean") {
        "kies ja of nee"
    } else if message.contains("expected a sequence") {
        "geef een lijst"
    } else if message.contains("expected a string") {
        "vul tekst in"
    } else if message.contains("premature end of input")
        || message.contains("input contains invalid characters")
    {
        "vul een geldige datum in (jjjj-mm-dd)"
    } else {
        "deze waarde is niet geldig"
    };
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
    Bilingual::new(out, nl)
}

/// Collects every field error of one input so the caller hears about all of them at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, said: impl Into<Bilingual>) {
        self.0.push(FieldError::new(field, said));
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
    /// The actor's roles (or lack of ownership) do not permit this at all: a step of the
    /// state table (`state::decide`) or a right (`permission::check`), said in both languages.
    Forbidden(Bilingual),
    /// Filing or submitting outside the round's window; field errors found too are kept.
    RoundNotOpen {
        message: Bilingual,
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
    Duplicate(Bilingual),
    /// An adoption while plans of the round are still being assessed and not deferred.
    Undecided { plan_ids: Vec<String> },
    /// A payment released while conditions before it are not met.
    ConditionsOpen {
        kind: super::grant::PaymentKind,
        open: Vec<super::grant::conditions::OpenCondition>,
    },
    /// Any other conflict with the current state of things.
    Conflict(Bilingual),
    /// A staff account signed in without a second factor: it may only enrol one
    /// (`second_factor::check_signed_in`).
    EnrolmentRequired(Bilingual),
    /// A file of a type that is not taken (a plan's attachment): what is, said.
    UnsupportedType(Bilingual),
}

impl DomainError {
    /// What kind of refusal this is, as the last part of the problem's `type`: a client tells a
    /// budget refusal from a state refusal by this, never by the prose.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid(_) => "invalid-input",
            DomainError::NotAllowed { .. } => "not-allowed-in-state",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::RoundNotOpen { .. } => "round-closed",
            DomainError::RoundAdopted => "round-adopted",
            DomainError::BudgetExceeded { .. } => "budget-exceeded",
            DomainError::NoQuorum { .. } => "no-quorum",
            DomainError::Recused { .. } => "recused",
            DomainError::Duplicate(_) => "duplicate",
            DomainError::Undecided { .. } => "undecided-plans",
            DomainError::ConditionsOpen { .. } => "conditions-open",
            DomainError::Conflict(_) => "conflict",
            DomainError::EnrolmentRequired(_) => "mfa-enrolment-required",
            DomainError::UnsupportedType(_) => "unsupported-media-type",
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
            DomainError::RoundNotOpen { message, .. } => message.en.clone(),
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
            DomainError::Undecided { plan_ids } => format!(
                "plans of this round are still being assessed: {}; decide them, or name them in deferred to leave them for a later adoption",
                plan_ids.join(", ")
            ),
            DomainError::ConditionsOpen { kind, open } => format!(
                "conditions before the {} payment are not met: {}; record them as met first",
                kind.as_str(),
                open.iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            DomainError::Duplicate(said)
            | DomainError::Conflict(said)
            | DomainError::EnrolmentRequired(said)
            | DomainError::UnsupportedType(said)
            | DomainError::Forbidden(said) => said.en.clone(),
        }
    }

    /// The same sentence in Dutch, as pages and letters show it.
    pub fn message_nl(&self) -> String {
        match self {
            DomainError::Invalid(errors) => {
                if errors.len() == 1 {
                    errors[0].message_nl.clone()
                } else {
                    format!("{} velden zijn niet goed ingevuld", errors.len())
                }
            }
            DomainError::NotAllowed {
                state,
                action,
                allowed,
            } => {
                let allowed = if allowed.is_empty() {
                    "geen".to_string()
                } else {
                    allowed
                        .iter()
                        .map(|a| a.label_nl())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!(
                    "'{}' kan niet zolang het plan de status '{}' heeft; wat nu kan: {}",
                    action.label_nl(),
                    state.label_nl(),
                    allowed
                )
            }
            DomainError::RoundNotOpen { message, .. } => message.nl.clone(),
            DomainError::RoundAdopted => {
                "de ronde is vastgesteld: de kaders en besluiten kunnen niet meer veranderen".into()
            }
            DomainError::BudgetExceeded {
                theme,
                requested,
                remaining,
            } => format!(
                "een bijdrage van {} past niet in het budget van opgave {}: er is nog {} over",
                requested.format_nl(),
                theme,
                remaining.format_nl()
            ),
            DomainError::NoQuorum { cast, eligible } => format!(
                "het quorum is niet gehaald: {cast} van de {eligible} stemgerechtigde bestuursleden hebben gestemd; meer dan de helft moet stemmen"
            ),
            DomainError::Recused { reason } => reason.message_nl().to_string(),
            DomainError::Undecided { plan_ids } => format!(
                "plannen in deze ronde zijn nog in behandeling: {}; neem eerst een besluit, of stel ze uit naar een volgende vaststelling",
                plan_ids.join(", ")
            ),
            DomainError::ConditionsOpen { kind, open } => format!(
                "er is nog niet voldaan aan {} vóór de {}: {}; leg eerst vast dat eraan is voldaan",
                if open.len() == 1 { "de voorwaarde" } else { "de voorwaarden" },
                kind.label_nl(),
                open.iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            DomainError::Duplicate(said)
            | DomainError::Conflict(said)
            | DomainError::EnrolmentRequired(said)
            | DomainError::UnsupportedType(said)
            | DomainError::Forbidden(said) => said.nl.clone(),
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
            assert_eq!(plain_parser_message(raw).en, plain);
        }
        let party =
            plain_parser_message("data did not match any variant of untagged enum PartyRef").en;
        assert!(
            !party.contains("PartyRef") && party.contains("organisation_id"),
            "{party}"
        );
    }
}
