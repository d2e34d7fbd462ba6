//! The ceiling of the stack: a bare actix-web + diesel endpoint that reads one row of the same
//! `plans` table through the same pool, with no authentication, rules or view building.
//!
//!     bare <database url> <bind address>

use actix_web::{web, App, HttpResponse, HttpServer};
use diesel::prelude::*;
use planloket::db::rows::PlanRow;
use planloket::db::{schema::plans, Db};

async fn one(db: web::Data<Db>, id: web::Path<String>) -> HttpResponse {
    let db = db.get_ref().clone();
    let row = web::block(move || {
        // On the backend's own connection, as planloket's hot queries run (`with_backend_conn!`).
        db.read(|c| {
            let id = id.into_inner();
            Ok::<_, planloket::db::DbError>(planloket::with_backend_conn!(c, c => plans::table
                .find(&id)
                .select(PlanRow::as_select())
                .first(c)
                .optional())?)
        })
    })
    .await;
    match row {
        Ok(Ok(Some(p))) => HttpResponse::Ok().json(serde_json::json!({"id": p.id, "title": p.title, "status": p.status, "content": p.content})),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = planloket::config::DatabaseUrl::parse(&args[1]).unwrap();
    let db = web::Data::new(Db::open(&url).unwrap());
    let workers = planloket::config::cores();
    HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .route("/bare/plans/{id}", web::get().to(one))
    })
    .workers(workers)
    .bind(&args[2])?
    .run()
    .await
}
