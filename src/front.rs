//! What the two front doors (the JSON API in `crate::http`, the pages in `crate::web`) share:
//! the few answers that are the same bytes whichever door is asked (a stored attachment, the
//! bank's SEPA file), who the client is for throttling, and the bound on password hashing.
//! Neither door imports the other; both import this.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::{self, App};

/// The client as throttling sees it: the peer address, or behind a trusted proxy
/// (`PLANLOKET_TRUSTED_PROXIES`) the address it forwards for (`X-Forwarded-For`).
pub fn client_key(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    match req.app_data::<web::Data<App>>() {
        Some(app) if !app.proxies.is_empty() => {
            // Every X-Forwarded-For header, in order: a proxy may add its own line.
            let forwarded: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .collect();
            app.proxies
                .client(peer, Some(&forwarded.join(",")))
                .to_string()
        }
        _ => peer.to_canonical().to_string(),
    }
}

/// Runs a use case that hashes or verifies a password on a blocking thread, at most one per
/// core at once. Each takes 12 MiB (`accounts::hash_password`) and a core for tens of
/// milliseconds: without a bound a burst of sign-ins took every blocking thread (16) and
/// 300 MiB, and reads waited behind it. Here a burst waits its turn without holding a thread.
pub async fn hashing<T, F>(app: &web::Data<App>, f: F) -> Result<T, app::Error>
where
    F: FnOnce(&App) -> Result<T, app::Error> + Send + 'static,
    T: Send + 'static,
{
    let _permit = app
        .hashing
        .acquire()
        .await
        .map_err(|_| app::Error::Internal("the password hashing queue is closed".into()))?;
    let app = app.clone();
    web::block(move || f(&app))
        .await
        .map_err(|e| app::Error::Internal(e.to_string()))?
}

/// Runs a use case on a blocking thread after the answer is given, logging its failure: work
/// whose duration must not show in the answer (whether an address has an account).
pub fn after_answer<F>(app: &web::Data<App>, what: &'static str, f: F)
where
    F: FnOnce(&App) -> Result<(), app::Error> + Send + 'static,
{
    let app = app.clone();
    actix_web::rt::spawn(async move {
        match web::block(move || f(&app)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "{what} failed after the answer"),
            Err(e) => tracing::error!(error = %e, "{what} did not run"),
        }
    });
}

/// A stored attachment as an answer: its own type, offered for download (never shown inline,
/// so a file can never run as a page of this site), named with the extension of what its
/// bytes are: an ASCII name for old clients beside the UTF-8 one (RFC 6266, `filename*`).
pub fn attachment(a: &crate::domain::grant::Attachment, bytes: Vec<u8>) -> HttpResponse {
    let name = crate::domain::grant::download_name(&a.name, a.media_type);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![header::DispositionParam::Filename(ascii.clone())];
    if ascii != name {
        parameters.push(header::DispositionParam::FilenameExt(
            header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            },
        ));
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, a.media_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            header::ContentDisposition {
                disposition: header::DispositionType::Attachment,
                parameters,
            },
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes)
}

/// A batch's SEPA file as a download named after the batch (`sepa-0193ab12.xml`).
/// The overview as CSV for spreadsheets, `inline` (the API) or as an `attachment` to save
/// (the page's download link).
pub fn overview_csv(csv: String, disposition: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"overzicht-acties.csv\""),
        ))
        .body(csv)
}

pub fn sepa_file(batch_id: &str, xml: String) -> HttpResponse {
    let name = format!("sepa-{}.xml", batch_id.chars().take(8).collect::<String>());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/xml; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(xml)
}
