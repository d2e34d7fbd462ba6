//! The API's errors, answered as RFC 9457 problem+json. Each kind of refusal has its own
//! `type` (`urn:planloket:problem:<code>`), with the data a client acts on beside it: a state
//! refusal lists `allowed_actions`, a budget refusal `remaining_eur`, and so on.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::app;
use crate::domain::conflict::Recusal;
use crate::domain::state::Action;
use crate::domain::visibility::ShownStatus;
use crate::domain::{DomainError, Eur, FieldError};

/// Everything a request can fail with: a use case's error, or the request itself.
#[derive(Debug)]
pub enum ApiError {
    App(app::Error),
    /// 400 for a body or query that cannot be read at all.
    Malformed(String),
    /// 406: no representation the client accepts.
    NotAcceptable(String),
    /// 408: the body did not arrive in time.
    RequestTimeout,
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 415: body is not JSON.
    UnsupportedMediaType(String),
}

impl From<app::Error> for ApiError {
    fn from(e: app::Error) -> ApiError {
        ApiError::App(e)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        ApiError::App(e.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::App(app::Error::Internal(e.to_string()))
    }
}

impl ApiError {
    /// 400 naming one field.
    pub fn field(field: &str, message: impl Into<crate::domain::Bilingual>) -> ApiError {
        DomainError::Invalid(vec![FieldError::new(field, message)]).into()
    }

    /// 400 naming every field given.
    pub fn fields(errors: Vec<FieldError>) -> ApiError {
        DomainError::Invalid(errors).into()
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The detail in Dutch, for a refusal by a rule: what a Dutch page shows (the errors carry
    /// `message_nl` likewise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_nl: Option<String>,
    pub errors: Vec<FieldError>,
    /// `undecided-plans`: the plans an adoption waits for (or must defer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_ids: Option<Vec<String>>,
    /// `not-allowed-in-state`: the state the plan is in, and what may be done in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ShownStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<Action>>,
    /// `budget-exceeded`: what the theme has left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_eur: Option<Eur>,
    /// `no-quorum`: votes cast and members eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cast: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible: Option<u32>,
    /// `recused`: why the member may not vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recusal: Option<Recusal>,
    /// `conditions-open`: the payment conditions not yet met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<crate::domain::grant::conditions::OpenCondition>>,
    /// `stale-version`: the version the plan is at now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    pub(crate) fn new(status: StatusCode, code: &str, detail: String) -> Problem {
        Problem {
            kind: format!("urn:planloket:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            detail_nl: None,
            errors: Vec::new(),
            plan_ids: None,
            state: None,
            allowed_actions: None,
            remaining_eur: None,
            cast: None,
            eligible: None,
            recusal: None,
            conditions: None,
            current_version: None,
        }
    }
}

fn domain_status(e: &DomainError) -> StatusCode {
    match e {
        DomainError::Invalid(_) => StatusCode::BAD_REQUEST,
        DomainError::Forbidden(_)
        | DomainError::Recused { .. }
        | DomainError::EnrolmentRequired(_) => StatusCode::FORBIDDEN,
        DomainError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        DomainError::NotAllowed { .. }
        | DomainError::RoundNotOpen { .. }
        | DomainError::RoundAdopted
        | DomainError::BudgetExceeded { .. }
        | DomainError::NoQuorum { .. }
        | DomainError::Duplicate(_)
        | DomainError::Undecided { .. }
        | DomainError::ConditionsOpen { .. }
        | DomainError::Conflict(_) => StatusCode::CONFLICT,
    }
}

impl ApiError {
    /// The one mapping from errors to statuses.
    pub fn status(&self) -> StatusCode {
        use app::Error as E;
        match self {
            ApiError::App(E::Domain(e)) => domain_status(e),
            ApiError::App(E::NotFound(_)) => StatusCode::NOT_FOUND,
            ApiError::App(E::Unauthorized(_)) => StatusCode::UNAUTHORIZED,
            ApiError::App(E::Stale { .. }) => StatusCode::PRECONDITION_FAILED,
            ApiError::App(E::Changed(_)) => StatusCode::CONFLICT,
            ApiError::App(E::TooManyRequests(_)) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::App(E::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::App(E::Duplicate) => StatusCode::CONFLICT,
            ApiError::App(E::Unstorable(_)) => StatusCode::BAD_REQUEST,
            ApiError::App(E::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    pub fn problem(&self) -> Problem {
        use app::Error as E;
        let status = self.status();
        let p = |code: &str, detail: String| Problem::new(status, code, detail);
        match self {
            ApiError::App(E::Domain(e)) => {
                let mut problem = p(e.code(), e.message());
                problem.detail_nl = Some(e.message_nl());
                match e {
                    DomainError::Invalid(errors) | DomainError::RoundNotOpen { errors, .. } => {
                        problem.errors = errors.clone()
                    }
                    DomainError::NotAllowed { state, allowed, .. } => {
                        problem.state = Some(*state);
                        problem.allowed_actions = Some(allowed.clone());
                    }
                    DomainError::BudgetExceeded { remaining, .. } => {
                        problem.remaining_eur = Some(*remaining)
                    }
                    DomainError::NoQuorum { cast, eligible } => {
                        problem.cast = Some(*cast);
                        problem.eligible = Some(*eligible);
                    }
                    DomainError::Recused { reason } => problem.recusal = Some(*reason),
                    DomainError::Undecided { plan_ids } => {
                        problem.plan_ids = Some(plan_ids.clone())
                    }
                    DomainError::ConditionsOpen { open, .. } => {
                        problem.conditions = Some(open.clone())
                    }
                    _ => {}
                }
                problem
            }
            ApiError::App(E::NotFound(what)) => p("not-found", format!("{what} not found")),
            ApiError::App(E::Unauthorized(u)) => p(u.code(), u.message().to_string()),
            ApiError::App(e @ E::Stale { version }) => {
                let mut problem = p("stale-version", e.to_string());
                problem.current_version = Some(*version);
                problem
            }
            ApiError::App(e @ E::Changed(_)) => p("stale-version", e.to_string()),
            ApiError::App(e @ E::TooManyRequests(_)) => p("too-many-requests", e.to_string()),
            ApiError::App(E::Duplicate) => p(
                "duplicate",
                "a resource with these values exists already".into(),
            ),
            ApiError::App(E::Unstorable(m)) => p("malformed-body", m.clone()),
            // Server-side failures say nothing about internals.
            ApiError::App(E::Unavailable(_)) => p(
                "service-unavailable",
                "the database is unavailable; try again shortly".into(),
            ),
            ApiError::App(E::Internal(_)) => {
                p("internal-error", "an unexpected error occurred".into())
            }
            ApiError::Malformed(m) => p("malformed-body", m.clone()),
            ApiError::NotAcceptable(m) => p("not-acceptable", m.clone()),
            ApiError::RequestTimeout => p(
                "request-timeout",
                "the request body did not arrive in time".into(),
            ),
            ApiError::PayloadTooLarge => p(
                "payload-too-large",
                "the request body is larger than 1 MiB".into(),
            ),
            ApiError::UnsupportedMediaType(m) => p("unsupported-media-type", m.clone()),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status(), self.problem().detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::App(app::Error::Unavailable(cause)) => {
                tracing::warn!(%cause, "database unavailable")
            }
            ApiError::App(e @ app::Error::Internal(_)) => {
                tracing::error!(cause = %e, "request failed")
            }
            _ => {}
        }
        let mut res = HttpResponse::build(self.status());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::App(app::Error::TooManyRequests(s)) => {
                res.insert_header((header::RETRY_AFTER, s.to_string()));
            }
            ApiError::App(app::Error::Unauthorized(_)) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        match serde_json::to_string(&self.problem()) {
            Ok(body) => res.body(body),
            Err(_) => res.finish(),
        }
    }
}

/// A problem+json body for a bare status (answers the framework makes itself).
pub fn problem_for_status(status: StatusCode) -> String {
    let (code, detail) = match status.as_u16() {
        404 => ("not-found", "no such resource".to_string()),
        405 => (
            "method-not-allowed",
            "this method is not allowed on this resource".to_string(),
        ),
        413 => (
            "payload-too-large",
            "the request body is larger than 1 MiB".to_string(),
        ),
        s if s >= 500 => ("internal-error", "an unexpected error occurred".to_string()),
        _ => (
            "bad-request",
            status.canonical_reason().unwrap_or("error").to_string(),
        ),
    };
    serde_json::to_string(&Problem::new(status, code, detail)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Error as E;
    use crate::domain::state::PlanStatus;

    fn eur(v: i64) -> Eur {
        Eur::parse(v).unwrap()
    }

    #[test]
    fn each_error_maps_to_its_status() {
        let cases: Vec<(ApiError, u16)> = vec![
            (ApiError::field("title", ("x", "x")), 400),
            (ApiError::Malformed("x".into()), 400),
            (E::Unauthorized(app::Unauthorized::Token).into(), 401),
            (
                E::Domain(DomainError::Forbidden(("x", "x").into())).into(),
                403,
            ),
            (E::NotFound("plan").into(), 404),
            (ApiError::NotAcceptable("x".into()), 406),
            (DomainError::Conflict(("x", "x").into()).into(), 409),
            (
                DomainError::Undecided {
                    plan_ids: vec!["p".into()],
                }
                .into(),
                409,
            ),
            (E::Changed("plan").into(), 409),
            (E::Stale { version: 3 }.into(), 412),
            (ApiError::RequestTimeout, 408),
            (ApiError::PayloadTooLarge, 413),
            (ApiError::UnsupportedMediaType("x".into()), 415),
            (E::TooManyRequests(3).into(), 429),
            (E::Unavailable("x".into()).into(), 503),
            (E::Internal("x".into()).into(), 500),
            (E::Duplicate.into(), 409),
            (E::Unstorable("x".into()).into(), 400),
        ];
        for (err, status) in cases {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
            assert_eq!(err.problem().status, status);
        }
    }

    #[test]
    fn each_kind_of_refusal_has_its_own_type_and_data() {
        let state = ApiError::from(DomainError::NotAllowed {
            state: ShownStatus::Actual(PlanStatus::Draft),
            action: Action::StartReview,
            allowed: vec![Action::Edit, Action::Submit],
        })
        .problem();
        assert_eq!(state.kind, "urn:planloket:problem:not-allowed-in-state");
        assert_eq!(
            state.allowed_actions,
            Some(vec![Action::Edit, Action::Submit])
        );
        let budget = ApiError::from(DomainError::BudgetExceeded {
            theme: "JJO".into(),
            requested: eur(2),
            remaining: eur(1),
        })
        .problem();
        assert_eq!(
            (budget.kind.as_str(), budget.status, budget.remaining_eur),
            ("urn:planloket:problem:budget-exceeded", 409, Some(eur(1)))
        );
        let quorum = ApiError::from(DomainError::NoQuorum {
            cast: 1,
            eligible: 4,
        })
        .problem();
        assert_eq!(quorum.kind, "urn:planloket:problem:no-quorum");
        let stale = ApiError::from(E::Stale { version: 7 }).problem();
        assert_eq!(
            (stale.kind.as_str(), stale.current_version),
            ("urn:planloket:problem:stale-version", Some(7))
        );
        let closed = ApiError::from(DomainError::RoundNotOpen {
            message: ("closed", "gesloten").into(),
            errors: vec![],
        })
        .problem();
        assert_eq!(closed.kind, "urn:planloket:problem:round-closed");
        let body = serde_json::to_value(ApiError::field("title", ("x", "y")).problem()).unwrap();
        assert_eq!(body["errors"][0]["message_nl"], "y");
        assert_eq!(body["detail_nl"], "y");
        assert!(
            body.get("allowed_actions").is_none(),
            "no empty extensions: {body}"
        );
    }

    #[test]
    fn server_failures_reveal_nothing_internal() {
        let p = ApiError::from(E::Internal(
            "relation \"users\" does not exist at db.internal:5432".into(),
        ))
        .problem();
        assert!(!p.detail.contains("users") && !p.detail.contains("5432"));
        let p = ApiError::from(E::Unavailable(
            "could not connect to server at 10.0.0.5".into(),
        ))
        .problem();
        assert!(!p.detail.contains("10.0.0.5"));
    }
}
