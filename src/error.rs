//! One error type for the whole service, answered as RFC 9457 problem+json.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::{DomainError, FieldError};

/// Everything a request can fail with. The mapping to a status lives in `status()` only.
#[derive(Debug)]
pub enum AppError {
    /// 400 with every invalid field.
    Invalid(Vec<FieldError>),
    /// 400 for a body that cannot be read at all.
    Malformed(String),
    /// 401: no token, a bad token, or bad credentials.
    Unauthorized(String),
    /// 403: the caller's roles lack the right.
    Forbidden(String),
    /// 404: unknown, or not visible to this caller.
    NotFound(String),
    /// 406: no representation the client accepts.
    NotAcceptable(String),
    /// 409: not allowed in this state, budget exceeded, duplicate. May carry field errors.
    Conflict(String, Vec<FieldError>),
    /// 412: `If-Match` names a version that is no longer current.
    PreconditionFailed(String),
    /// 413: body over the limit.
    PayloadTooLarge,
    /// 415: body is not JSON.
    UnsupportedMediaType(String),
    /// 429: too many attempts; retry after this many seconds.
    TooManyRequests(u64),
    /// 503: the database cannot be reached.
    Unavailable(String),
    /// 500: a bug or an unexpected failure; the cause is logged, never sent.
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) | AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A field error on its own, answered as 400.
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, detail, errors) = match self {
            AppError::Invalid(errors) => (
                "invalid-input",
                DomainError::Invalid(errors.clone()).message(),
                errors.clone(),
            ),
            AppError::Malformed(m) => ("malformed-body", m.clone(), vec![]),
            AppError::Unauthorized(m) => ("unauthorized", m.clone(), vec![]),
            AppError::Forbidden(m) => ("forbidden", m.clone(), vec![]),
            AppError::NotFound(m) => ("not-found", m.clone(), vec![]),
            AppError::NotAcceptable(m) => ("not-acceptable", m.clone(), vec![]),
            AppError::Conflict(m, errors) => ("conflict", m.clone(), errors.clone()),
            AppError::PreconditionFailed(m) => ("precondition-failed", m.clone(), vec![]),
            AppError::PayloadTooLarge => (
                "payload-too-large",
                "the request body is larger than 1 MiB".to_string(),
                vec![],
            ),
            AppError::UnsupportedMediaType(m) => ("unsupported-media-type", m.clone(), vec![]),
            AppError::TooManyRequests(s) => (
                "too-many-requests",
                format!("too many attempts; try again in {s} seconds"),
                vec![],
            ),
            // Server-side failures say nothing about internals.
            AppError::Unavailable(_) => (
                "service-unavailable",
                "the database is unavailable; try again shortly".to_string(),
                vec![],
            ),
            AppError::Internal(_) => (
                "internal-error",
                "an unexpected error occurred".to_string(),
                vec![],
            ),
        };
        Problem {
            kind: format!("urn:planloket:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status(), self.problem().detail)
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "request failed"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let AppError::TooManyRequests(s) = self {
            res.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// A problem+json body for a bare status (used for answers the framework makes itself).
pub fn problem_for_status(status: StatusCode) -> String {
    let detail = match status.as_u16() {
        404 => "no such resource".to_string(),
        405 => "this method is not allowed on this resource".to_string(),
        413 => "the request body is larger than 1 MiB".to_string(),
        s if s >= 500 => "an unexpected error occurred".to_string(),
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let slug = match status.as_u16() {
        404 => "not-found",
        405 => "method-not-allowed",
        413 => "payload-too-large",
        s if s >= 500 => "internal-error",
        _ => "bad-request",
    };
    serde_json::to_string(&Problem {
        kind: format!("urn:planloket:problem:{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        errors: vec![],
    })
    .unwrap_or_default()
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        let message = e.message();
        match e {
            DomainError::Invalid(errors) => AppError::Invalid(errors),
            DomainError::Forbidden { .. } | DomainError::Recused { .. } => {
                AppError::Forbidden(message)
            }
            DomainError::RoundNotOpen { errors, .. } => AppError::Conflict(message, errors),
            DomainError::NotAllowed { .. }
            | DomainError::BudgetExceeded { .. }
            | DomainError::NoQuorum { .. }
            | DomainError::Conflict(_) => AppError::Conflict(message, vec![]),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound("not found".into()),
            E::DatabaseError(K::UniqueViolation, _) => {
                AppError::Conflict("a resource with these values exists already".into(), vec![])
            }
            E::DatabaseError(K::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::Conflict(
                "a concurrent change won; reload and try again".into(),
                vec![],
            ),
            // PostgreSQL refuses NUL characters in text; input that carries one is malformed.
            E::DatabaseError(_, ref info) if info.message().contains("invalid byte sequence") => {
                AppError::Malformed("text must not contain NUL characters".into())
            }
            E::DatabaseError(_, ref info)
                if info.message().contains("database is locked")
                    || info.message().contains("connection")
                    || info.message().contains("terminating") =>
            {
                AppError::Unavailable(info.message().to_string())
            }
            E::BrokenTransactionManager => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> AppError {
        AppError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::{Action, PlanStatus};
    use crate::domain::Eur;

    #[test]
    fn each_error_maps_to_its_status() {
        let cases: Vec<(AppError, u16)> = vec![
            (AppError::field("title", "x"), 400),
            (AppError::Malformed("x".into()), 400),
            (AppError::Unauthorized("x".into()), 401),
            (AppError::Forbidden("x".into()), 403),
            (AppError::not_found("plan"), 404),
            (AppError::NotAcceptable("x".into()), 406),
            (AppError::Conflict("x".into(), vec![]), 409),
            (AppError::PreconditionFailed("x".into()), 412),
            (AppError::PayloadTooLarge, 413),
            (AppError::UnsupportedMediaType("x".into()), 415),
            (AppError::TooManyRequests(3), 429),
            (AppError::Unavailable("x".into()), 503),
            (AppError::Internal("x".into()), 500),
        ];
        for (err, status) in cases {
            assert_eq!(err.status().as_u16(), status, "{err:?}");
            assert_eq!(err.problem().status, status);
        }
    }

    #[test]
    fn domain_refusals_become_conflicts_or_forbidden() {
        let not_allowed = DomainError::NotAllowed {
            state: PlanStatus::Draft,
            action: Action::StartReview,
            allowed: vec![],
        };
        assert_eq!(AppError::from(not_allowed).status().as_u16(), 409);
        let budget = DomainError::BudgetExceeded {
            theme: "JJO".into(),
            requested: Eur(2),
            remaining: Eur(1),
        };
        assert_eq!(AppError::from(budget).status().as_u16(), 409);
        assert_eq!(
            AppError::from(DomainError::Forbidden {
                action: Action::Vote
            })
            .status()
            .as_u16(),
            403
        );
        assert_eq!(
            AppError::from(DomainError::Invalid(vec![]))
                .status()
                .as_u16(),
            400
        );
    }

    #[test]
    fn server_failures_reveal_nothing_internal() {
        let p = AppError::Internal("relation \"users\" does not exist at db.internal:5432".into())
            .problem();
        assert!(!p.detail.contains("users") && !p.detail.contains("5432"));
        let p = AppError::Unavailable("could not connect to server at 10.0.0.5".into()).problem();
        assert!(!p.detail.contains("10.0.0.5"));
    }
}
