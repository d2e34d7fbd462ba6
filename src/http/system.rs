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

/// `GET /metrics` (beside the API, not under it): the counters for the operator's
/// Prometheus, with `Authorization: Bearer $PLANLOKET_METRICS_TOKEN`; 404 when no token is
/// configured, 401 without the right one.
pub async fn metrics(
    req: actix_web::HttpRequest,
    state: web::Data<App>,
    api: web::Data<super::Api>,
    pages: web::Data<crate::web::WebLists>,
) -> Result<HttpResponse, ApiError> {
    let presented = super::extract::bearer_text(&req).map(str::to_string);
    let door_caches = [
        ("api_list_pages", api.list_pages.bytes()),
        ("web_my_plans", pages.my_plans.bytes()),
        ("web_work_list", pages.work_list.bytes()),
    ];
    let text = web::block(move || {
        crate::app::operations::metrics(&state, presented.as_deref(), &door_caches)
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(text))
}

/// `GET /openapi.json`: the contract in `api-spec/openapi.yaml`, turned into JSON at build time.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(super::OPENAPI_JSON)
}
