//! `GET /rounds/{id}/overview`: the "Overzicht acties" as JSON, CSV or HTML, by `Accept`.

use actix_web::http::header::{self, Header};
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{read, Bearer};
use super::problem::ApiError;
use crate::app::App;
use crate::app::{accounts, rounds};
use crate::publish;

/// The representations served, in the order preferred when the client likes several equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    Csv,
}

const FORMATS: [(Format, &str); 3] = [
    (Format::Json, "application/json"),
    (Format::Html, "text/html"),
    (Format::Csv, "text/csv"),
];

/// Picks the representation from `Accept`, read by actix's typed header: q-values honoured
/// (`q=0` refuses a type), a more specific type before a wildcard at the same q, the order of
/// `FORMATS` between equals; none or `*/*` is JSON. `None` when nothing offered is acceptable
/// or the header cannot be read (406).
pub fn negotiate(req: &HttpRequest) -> Option<Format> {
    pick(req, &FORMATS)
}

/// Picks one of `offers` from `Accept` (the rules of `negotiate`; the first offer when the
/// client names none).
pub fn pick<T: Copy>(req: &HttpRequest, offers: &[(T, &str)]) -> Option<T> {
    if req
        .headers()
        .get(header::ACCEPT)
        .is_none_or(|v| v.as_bytes().trim_ascii().is_empty())
    {
        return offers.first().map(|(t, _)| *t);
    }
    let accept = header::Accept::parse(req).ok()?;
    // `ranked` sorts by q and specificity, keeping the listed order between equals.
    let ranked = accept.ranked();
    for mime in ranked {
        let refused = accept
            .iter()
            .any(|q| q.item == mime && q.quality == header::Quality::ZERO);
        if refused {
            continue;
        }
        let (kind, sub) = (mime.type_().as_str(), mime.subtype().as_str());
        let found = offers.iter().find(|(_, name)| {
            let (k, s) = name.split_once('/').unwrap_or((name, ""));
            (kind == "*" || kind == k) && (sub == "*" || sub == s)
        });
        if let Some((format, _)) = found {
            return Some(*format);
        }
    }
    None
}

/// `GET /rounds/{id}/overview`: public once the round is adopted; before that a draft for the
/// programme team only (404 to anyone else).
pub async fn overview(
    state: web::Data<App>,
    req: HttpRequest,
    bearer: Option<Bearer>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req).ok_or_else(|| {
        ApiError::NotAcceptable(
            "this overview is served as application/json, text/csv or text/html".into(),
        )
    })?;
    let id = path.into_inner();
    let (round, o) = read(&state, move |c| {
        let actor = match bearer {
            Some(b) => Some(accounts::authenticate(c, &b.0)?.actor()),
            None => None,
        };
        rounds::overview(c, actor.as_ref(), &id)
    })
    .await?;
    let mut answer = HttpResponse::Ok();
    answer.insert_header((header::VARY, "Accept, Authorization"));
    // The published overview may be cached; a draft may not.
    if round.is_adopted() {
        answer.insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    }
    Ok(match format {
        Format::Json => answer.json(o),
        Format::Csv => {
            let mut file = crate::front::overview_csv(publish::csv(&o), "inline");
            for (name, value) in answer.finish().headers() {
                file.headers_mut().insert(name.clone(), value.clone());
            }
            file
        }
        Format::Html => answer
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(publish::html(&o)),
    })
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[serde(default)]
    note: String,
}

#[derive(Debug, serde::Serialize)]
struct NoteDto {
    plan_id: String,
    note: Option<String>,
}

/// `PUT /plans/{id}/note` (programme team): the note on the plan's row of the overview; an
/// empty note removes it.
pub async fn put_note(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    super::extract::JsonBody(body): super::extract::JsonBody<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let plan_id = id.clone();
    let (note, _) = super::extract::write_as(&state, bearer, move |tx, me| {
        rounds::set_note(tx, &me.actor(), &id, &body.note)
    })
    .await?;
    Ok(HttpResponse::Ok().json(NoteDto { plan_id, note }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: Option<&str>) -> Option<Format> {
        let mut req = actix_web::test::TestRequest::default();
        if let Some(a) = accept {
            req = req.insert_header((header::ACCEPT, a));
        }
        negotiate(&req.to_http_request())
    }

    #[test]
    fn accept_chooses_the_representation() {
        assert_eq!(pick(None), Some(Format::Json));
        assert_eq!(pick(Some("*/*")), Some(Format::Json));
        assert_eq!(pick(Some("text/csv")), Some(Format::Csv));
        assert_eq!(
            pick(Some(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            )),
            Some(Format::Html)
        );
        assert_eq!(
            pick(Some("application/json;q=0.5, text/csv")),
            Some(Format::Csv)
        );
        assert_eq!(pick(Some("text/*")), Some(Format::Html));
        assert_eq!(pick(Some("application/pdf")), None);
        assert_eq!(pick(Some("text/csv;q=0")), None);
        assert_eq!(pick(Some("text/csv;q=0, */*")), Some(Format::Json));
    }
}
