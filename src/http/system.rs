//! Liveness and the published OpenAPI document.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::AppState;
use crate::error::AppError;

/// `GET /health`: no sign-in; 503 when the database cannot be reached.
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let db = state.db.clone();
    let up = web::block(move || db.ping()).await?;
    if up {
        Ok(HttpResponse::Ok()
            .json(json!({"status": "up", "database": "up", "backend": state.db.backend()})))
    } else {
        Err(AppError::Unavailable(
            "health check: database unreachable".into(),
        ))
    }
}

/// `GET /openapi.json`: the contract in `api-spec/openapi.yaml`, as JSON.
pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}
