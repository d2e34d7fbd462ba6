//! Liveness and the published OpenAPI document.

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

/// `GET /openapi.json`: the contract in `api-spec/openapi.yaml`, turned into JSON at build time.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(super::OPENAPI_JSON)
}
