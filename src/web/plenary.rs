//! `/rondes/{id}/plannen-van-de-ronde`: the round's plans as its applicants see each other's
//! once the window has closed (the programme's plenary meeting), with a way to write to the
//! team about working together.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::{render, Layout, Visitor, WebError};
use crate::app::{plenary, App};
use crate::domain::plenary::PlenaryPlan;

#[derive(Template)]
#[template(path = "web/plenary.html")]
struct PlenaryPage {
    l: Layout,
    round_id: String,
    round_name: String,
    plans: Vec<PlenaryPlan>,
    mine: Vec<(String, String)>,
}

/// `GET /rondes/{id}/plannen-van-de-ronde`.
pub async fn plenary_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v
        .require(&format!("/rondes/{id}/plannen-van-de-ronde"))?
        .actor();
    let st = state.clone();
    let p = web::block(move || st.read(|c| plenary::plenary(c, &actor, &id))).await??;
    let page = PlenaryPage {
        l: Layout::new(format!("Plannen van de ronde {}", p.round.spec.name), &v),
        round_id: p.round.id.clone(),
        round_name: p.round.spec.name.clone(),
        plans: p.plans,
        mine: p.mine,
    };
    render(&v, StatusCode::OK, &page)
}
