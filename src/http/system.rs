//! Liveness, readiness and the published OpenAPI document.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::problem::ApiError;
use crate::app::App;

/// `GET /health`: no sign-in; 503 when the database cannot be reached.
pub async fn health(state: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let backend = web::block(move || st.check_database()).await??;
    Ok(HttpResponse::Ok().json(json!({"status": "up", "database": "up", "backend": backend})))
}

/// `GET /health/ready`: no sign-in; 200 only when the database answers and its migrations
/// are current, else 503 (`not-ready`, the cause in the detail): an orchestrator sends no
/// traffic to an instance until it is ready, and stops when it no longer is.
pub async fn ready(state: web::Data<App>) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    match web::block(move || st.check_ready()).await? {
        Ok(backend) => Ok(HttpResponse::Ok().json(json!({
            "status": "ready",
            "database": "up",
            "migrations": "current",
            "backend": backend,
        }))),
        Err(cause) => {
            tracing::warn!(%cause, "not ready");
            let problem = super::problem::Problem::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                format!("not ready: {cause}"),
            );
            Ok(HttpResponse::ServiceUnavailable()
                .content_type(super::problem::PROBLEM_JSON)
                .json(problem))
        }
    }
}

/// `GET /openapi.json`: the contract in `api-spec/openapi.yaml`, turned into JSON at build time.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(super::OPENAPI_JSON)
}
