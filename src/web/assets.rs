//! The stylesheet: the vendored NL Design System components and example theme
//! (`static/nlds`, EUPL-1.2) and planloket's own rules, compiled into the binary and served
//! as one file under a path that names its content, so browsers may keep it for a year.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const THEME: &str = include_str!("../../static/nlds/voorbeeld-theme.css");
const COMPONENTS: &str = include_str!("../../static/nlds/utrecht-components.css");
const OWN: &str = include_str!("../../static/planloket.css");

struct Sheet {
    body: String,
    path: String,
    version: String,
}

fn sheet() -> &'static Sheet {
    static SHEET: OnceLock<Sheet> = OnceLock::new();
    SHEET.get_or_init(|| {
        let body = format!("{THEME}\n{COMPONENTS}\n{OWN}");
        let version: String = crate::app::accounts::token_hash(&body)
            .chars()
            .take(12)
            .collect();
        Sheet {
            path: format!("/static/{version}/planloket.css"),
            body,
            version,
        }
    })
}

/// Where the pages find the stylesheet.
pub fn stylesheet_path() -> &'static str {
    &sheet().path
}

/// `GET /static/{version}/{file}`: the stylesheet, for this version only (an old version's path
/// is not found, so a cached page never gets a newer sheet under an old name).
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, file) = path.into_inner();
    let s = sheet();
    if version != s.version || file != "planloket.css" {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("niet gevonden");
    }
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(s.body.as_str())
}
