//! The one server: the state both front doors share, the middleware every answer passes
//! (request ids and the log line, the security headers), the routes of the JSON API
//! (`crate::http`) and of the pages (`crate::web`) side by side, and actix's `HttpServer`.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpServer};

use crate::app::{self, App};

/// How long requests in flight may take to finish once the service is asked to stop.
pub const SHUTDOWN_SECS: u64 = 25;

/// The most a request body may hold, whichever door it is sent to.
pub const BODY_LIMIT: usize = 1 << 20;

/// The content security policy of every answer: nothing from any other host, no inline script
/// or style, no framing. The API serves no HTML, so the pages' policy costs it nothing.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                   script-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

/// The headers every answer carries, from either door: the content security policy, no
/// framing, no sniffing, no referrer to other sites, no caching unless the answer says
/// otherwise (a page or a list may show someone's plans; the stylesheet sets its own), and
/// behind an https public address, HSTS.
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<App>>()
        .is_some_and(|a| a.is_https());
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    if https {
        // Behind https, browsers are told to come back over https only, for a year. Not for
        // subdomains: the municipality's other hosts are not this service's to promise.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The request id a caller sent, if it is one we may echo and log: 1-128 characters of
/// letters, digits, `-`, `_`, `.` (anything else could forge log lines or headers).
fn callers_request_id(req: &ServiceRequest) -> Option<String> {
    let id = req.headers().get("x-request-id")?.to_str().ok()?;
    (!id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
    .then(|| id.to_string())
}

/// The route named for a path no route matched (an unknown path's 404): the path itself is
/// never a label or logged, for it may carry anything.
const UNMATCHED: &str = "unmatched";

/// One log line per request, and its count for `/metrics`: method, route pattern (never the
/// path's ids or the query), status, latency and a request id, taken from `X-Request-Id` or
/// made, and echoed on the answer. Tokens, passwords and bodies are never logged. Written here rather than with
/// tracing-actix-web: that crate makes spans, not one line, and neither accepts nor echoes
/// the caller's id without code of this size around it.
async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = callers_request_id(&req).unwrap_or_else(app::new_id);
    let method = req.method().clone();
    let counting = req
        .app_data::<web::Data<App>>()
        .filter(|a| a.counts_requests())
        .map(|a| a.metrics.clone());
    let mut res = next.call(req).await?;
    let logging = tracing::enabled!(tracing::Level::INFO);
    // Finding the route's pattern matches the path against every route again (a regex each):
    // done only when a log line is written or the metrics are served.
    if logging || counting.is_some() {
        let route = res.request().match_pattern();
        let route = route.as_deref().unwrap_or(UNMATCHED);
        let elapsed = started.elapsed().as_secs_f64();
        if let Some(metrics) = counting {
            metrics.request(method.as_str(), route, res.status().as_str(), elapsed);
        }
        if logging {
            tracing::info!(
                request_id = %id,
                method = %method,
                route,
                status = res.status().as_u16(),
                latency_ms = elapsed * 1000.0,
                "request"
            );
        }
    }
    if let Ok(value) = header::HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// `GET /metrics` (beside both doors: it reads the caches of each): the counters for the
/// operator's Prometheus, with `Authorization: Bearer $PLANLOKET_METRICS_TOKEN`; 404 when no token is
/// configured, 401 without the right one.
async fn metrics(
    req: actix_web::HttpRequest,
    state: web::Data<App>,
    api: web::Data<crate::http::Api>,
    pages: web::Data<crate::web::WebLists>,
) -> Result<actix_web::HttpResponse, crate::http::problem::ApiError> {
    let presented = crate::http::extract::bearer_text(&req).map(str::to_string);
    let door_caches = [
        ("api_list_pages", api.list_pages.bytes()),
        ("web_my_plans", pages.my_plans.bytes()),
        ("web_work_list", pages.work_list.bytes()),
    ];
    let text = web::block(move || {
        crate::app::operations::metrics(&state, presented.as_deref(), &door_caches)
    })
    .await??;
    Ok(actix_web::HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(text))
}

/// Builds the server on `listener` with `workers` threads; it runs once awaited. The use
/// cases' state is shared by both doors; each door's own state (the API's token key and list
/// pages, the pages' kept lists) is given to it alone.
pub fn server(
    app: App,
    api: crate::http::Api,
    listener: TcpListener,
    workers: usize,
) -> std::io::Result<Server> {
    let app = web::Data::new(app);
    let api = web::Data::new(api);
    let pages = web::Data::new(crate::web::WebLists::default());
    let server = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(app.clone())
            .app_data(api.clone())
            .app_data(pages.clone())
            .app_data(web::PayloadConfig::new(BODY_LIMIT))
            .wrap(from_fn(security_headers))
            .wrap(from_fn(trace_requests))
            .configure(crate::http::mount)
            // Where Prometheus looks by convention; its refusals are problem+json as the API's.
            .service(
                web::resource("/metrics")
                    .wrap(from_fn(crate::http::conventions))
                    .route(web::get().to(metrics)),
            )
            // The web front: every other path, with pages (and error pages) in Dutch.
            .configure(crate::web::mount)
    })
    .workers(workers)
    // Blocking work (database, hashing) runs on a pool per worker; more threads than the
    // database pool has connections would only wait for one, each holding memory.
    .worker_max_blocking_threads(8)
    // On SIGTERM the requests in flight get this long to finish (a container runtime's
    // default grace before SIGKILL is 30 s too: `stop_grace_period`, `terminationGracePeriodSeconds`).
    .shutdown_timeout(SHUTDOWN_SECS)
    .listen(listener)?
    .run();
    Ok(server)
}
