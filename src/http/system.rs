//! Liveness and the published OpenAPI document.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::problem::ApiError;
use super::AppState;
use crate::app;
use crate::db::DbError;

/// `GET /health`: no sign-in; 503 when the database cannot be reached.
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let up = web::block(move || st.app.db.ping()).await?;
    if up {
        Ok(HttpResponse::Ok()
            .json(json!({"status": "up", "database": "up", "backend": state.app.db.backend()})))
    } else {
        Err(app::Error::Db(DbError::Unavailable(
            "health check: database unreachable".into(),
        ))
        .into())
    }
}

/// `GET /openapi.json`: the contract in `api-spec/openapi.yaml`, turned into JSON at build time.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(super::OPENAPI_JSON)
}
