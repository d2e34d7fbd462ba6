//! The JSON API, one of the two front doors: its routes under `/api/v1`, the bearer-token
//! extractor, request bodies and queries that name each bad field, and problem+json answers.
//! Handlers parse, call one use case of `crate::app`, and render; the server that mounts this
//! door beside the web pages is `crate::server`.

pub mod adoptions;
pub mod assessment;
pub mod assignments;
pub mod auth;
pub mod board;
pub mod co_applicants;
pub mod conversation;
pub mod decisions;
pub mod extract;
pub mod grants;
pub mod organisations;
pub mod outbox;
pub mod overview;
pub mod payments;
pub mod plan_attachments;
pub mod plans;
pub mod plenary;
pub mod problem;
pub mod reservations;
pub mod rounds;
pub mod system;
pub mod users;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, FromRequest, Handler, HttpResponse, Resource, Responder};

use crate::app;
use problem::{problem_for_status, ApiError, PROBLEM_JSON};

/// The API's full semantic version, sent as `API-Version` and kept equal to `info.version`
/// of `api-spec/openapi.yaml` (a test checks it).
pub const API_VERSION: &str = "1.0.0";
/// Every route lives under this prefix.
pub const BASE_PATH: &str = "/api/v1";
/// The contract as written (the tests read it).
pub const OPENAPI_YAML: &str = include_str!("../../api-spec/openapi.yaml");
/// The contract as served: the YAML turned into JSON at build time (`build.rs`).
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// What the API's handlers reach besides the use cases' `App`: the key its bearer tokens are
/// signed with, and its rendered list pages.
pub struct Api {
    pub tokens: crate::app::tokens::Tokens,
    /// Rendered staff pages of `GET /plans`, rendered again when plans change.
    pub list_pages: plans::ListPages,
}

impl Api {
    /// The API's state for tokens signed with `jwt_secret`.
    pub fn new(jwt_secret: &[u8], staff_mfa: crate::domain::second_factor::StaffMfa) -> Api {
        Api {
            tokens: crate::app::tokens::Tokens::new(jwt_secret, staff_mfa),
            list_pages: plans::ListPages::default(),
        }
    }
}

/// Collects routes by path so that several methods share one resource (actix answers 405 for
/// a known path with another method), and records each (method, path) for the spec check.
pub struct Routes {
    resources: Vec<(&'static str, Resource)>,
    pub table: Vec<(Method, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            resources: Vec::new(),
            table: Vec::new(),
        }
    }

    fn add<F, Args>(&mut self, method: Method, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.table.push((method.clone(), path));
        let route = web::method(method).to(handler);
        match self.resources.iter_mut().find(|(p, _)| *p == path) {
            Some((_, resource)) => {
                let r = std::mem::replace(resource, Resource::new(path));
                *resource = r.route(route);
            }
            None => self
                .resources
                .push((path, Resource::new(path).route(route))),
        }
        self
    }
}

/// Every route the service serves, relative to `BASE_PATH`.
fn register(r: &mut Routes) {
    use Method as M;
    // The plan routes that are read most come first: actix tries resources in order, each
    // path with parameters through a regex.
    r.add(M::GET, "/plans", plans::list)
        .add(M::GET, "/plans/{id}", plans::get)
        .add(M::GET, "/health", system::health)
        .add(M::GET, "/health/ready", system::ready)
        .add(M::GET, "/openapi.json", system::openapi)
        .add(M::POST, "/auth/register", auth::register)
        .add(M::POST, "/auth/login", auth::login)
        .add(M::POST, "/auth/magic-link", auth::magic_link)
        .add(M::POST, "/auth/magic-link/redeem", auth::redeem)
        .add(M::GET, "/me", users::me)
        .add(M::PATCH, "/me", users::patch_me)
        .add(M::DELETE, "/me", users::erase_me)
        .add(M::GET, "/me/data", users::my_data)
        .add(M::POST, "/me/password", users::change_password)
        .add(M::POST, "/me/email", users::request_email_change)
        .add(M::POST, "/me/email/confirm", users::confirm_email_change)
        .add(M::GET, "/me/totp", users::totp_status)
        .add(M::POST, "/me/totp", users::begin_totp)
        .add(M::POST, "/me/totp/confirm", users::confirm_totp)
        .add(M::POST, "/users", users::create)
        .add(M::GET, "/users", users::list)
        .add(M::GET, "/processing-log", users::processing_log)
        .add(M::PATCH, "/users/{id}", users::update)
        .add(M::DELETE, "/users/{id}/totp", users::reset_totp)
        .add(M::POST, "/organisations", organisations::create)
        .add(M::GET, "/organisations", organisations::list)
        .add(M::GET, "/organisations/{id}", organisations::get)
        .add(M::PATCH, "/organisations/{id}", organisations::patch)
        .add(
            M::GET,
            "/organisations/{id}/members",
            organisations::members,
        )
        .add(
            M::POST,
            "/organisations/{id}/members",
            organisations::confirm_member,
        )
        .add(M::POST, "/rounds", rounds::create)
        .add(M::GET, "/rounds", rounds::list)
        .add(M::GET, "/rounds/{id}", rounds::get)
        .add(M::PATCH, "/rounds/{id}", rounds::update)
        .add(M::POST, "/rounds/{id}/plans", plans::create)
        .add(M::PATCH, "/plans/{id}", plans::update)
        .add(M::DELETE, "/plans/{id}", plans::delete)
        .add(M::POST, "/plans/{id}/submit", plans::submit)
        .add(M::POST, "/plans/{id}/withdraw", plans::withdraw)
        .add(M::GET, "/plans/{id}/events", plans::events)
        .add(M::GET, "/rounds/{id}/plenary", plenary::plenary)
        .add(M::GET, "/plans/{id}/messages", conversation::list)
        .add(M::POST, "/plans/{id}/attachments", plan_attachments::add)
        .add(M::GET, "/plans/{id}/attachments", plan_attachments::list)
        .add(M::GET, "/attachments/{id}", plan_attachments::download)
        .add(M::DELETE, "/attachments/{id}", plan_attachments::remove)
        .add(M::POST, "/plans/{id}/messages", conversation::post)
        .add(M::GET, "/plans/{id}/versions", plans::versions)
        .add(M::GET, "/plans/{id}/assignees", assignments::list)
        .add(M::PUT, "/plans/{id}/assignees", assignments::put)
        .add(M::GET, "/plans/{id}/co-applicants", co_applicants::list)
        .add(M::POST, "/plans/{id}/co-applicants", co_applicants::invite)
        .add(
            M::DELETE,
            "/plans/{id}/co-applicants/{user_id}",
            co_applicants::remove,
        )
        .add(
            M::POST,
            "/plans/{id}/start-review",
            assessment::start_review,
        )
        .add(
            M::POST,
            "/plans/{id}/request-info",
            assessment::request_info,
        )
        .add(M::POST, "/plans/{id}/evaluations", assessment::evaluate)
        .add(M::GET, "/plans/{id}/evaluations", assessment::evaluations)
        .add(M::POST, "/plans/{id}/pre-advice", assessment::pre_advice)
        .add(
            M::POST,
            "/plans/{id}/revise-pre-advice",
            assessment::revise_pre_advice,
        )
        .add(M::POST, "/plans/{id}/open-vote", assessment::open_vote)
        .add(M::POST, "/plans/{id}/cancel-vote", assessment::cancel_vote)
        .add(M::POST, "/plans/{id}/merge-into", assessment::merge_into)
        .add(M::GET, "/plans/{id}/similar", assessment::similar_plans)
        .add(M::POST, "/plans/{id}/votes", board::vote)
        .add(M::GET, "/plans/{id}/votes", board::votes)
        .add(M::POST, "/plans/{id}/conflicts", board::declare_conflict)
        .add(M::POST, "/plans/{id}/close-vote", board::close_vote)
        .add(M::GET, "/rounds/{id}/budget", decisions::budget)
        .add(M::GET, "/rounds/{id}/ranking", decisions::ranking)
        .add(M::POST, "/rounds/{id}/copy", rounds::copy)
        .add(M::POST, "/rounds/{id}/reservations", reservations::create)
        .add(M::GET, "/rounds/{id}/reservations", reservations::list)
        .add(M::DELETE, "/reservations/{id}", reservations::release)
        .add(M::POST, "/reservations/{id}/plan", plans::from_reservation)
        .add(M::POST, "/rounds/{id}/adoption", adoptions::adopt)
        .add(M::GET, "/rounds/{id}/adoptions", adoptions::list)
        .add(
            M::GET,
            "/rounds/{id}/adoptions/{adoption_id}",
            adoptions::get,
        )
        .add(
            M::PATCH,
            "/rounds/{id}/adoptions/{adoption_id}",
            adoptions::correct,
        )
        .add(M::GET, "/rounds/{id}/overview", overview::overview)
        .add(M::PUT, "/plans/{id}/note", overview::put_note)
        .add(M::GET, "/rounds/{id}/results", grants::results)
        .add(M::GET, "/grants", grants::list)
        .add(M::GET, "/grants/{id}", grants::get)
        .add(M::POST, "/grants/{id}/reports", grants::file_report)
        .add(M::POST, "/grants/{id}/final-amount", grants::final_amount)
        .add(
            M::POST,
            "/grants/{id}/conditions/{condition_id}/met",
            grants::condition_met,
        )
        .add(M::PUT, "/reports/{id}/attachment", grants::put_attachment)
        .add(M::GET, "/reports/{id}/attachment", grants::get_attachment)
        .add(M::POST, "/reports/{id}/attachments", grants::add_attachment)
        .add(
            M::GET,
            "/reports/{id}/attachments",
            grants::list_attachments,
        )
        .add(
            M::GET,
            "/reports/{id}/attachments/{attachment_id}",
            grants::get_one_attachment,
        )
        .add(
            M::DELETE,
            "/reports/{id}/attachments/{attachment_id}",
            grants::delete_attachment,
        )
        .add(
            M::PUT,
            "/organisations/{id}/bank-account",
            payments::put_bank_account,
        )
        .add(
            M::GET,
            "/organisations/{id}/bank-account",
            payments::get_bank_account,
        )
        .add(
            M::POST,
            "/organisations/{id}/bank-account/confirm",
            payments::confirm_bank_account,
        )
        .add(M::GET, "/payments", payments::list_payments)
        .add(M::POST, "/payments/{id}/release", payments::release)
        .add(M::POST, "/payment-batches", payments::create_batch)
        .add(M::GET, "/payment-batches", payments::list_batches)
        .add(M::GET, "/payment-batches/{id}", payments::get_batch)
        .add(M::POST, "/payment-batches/{id}/paid", payments::mark_paid)
        .add(M::POST, "/payment-batches/{id}/cancel", payments::cancel)
        .add(M::GET, "/outbox", outbox::list)
        .add(M::POST, "/outbox/{id}/retry", outbox::retry);
}

/// The (method, path) of every served route, for the check against the OpenAPI document.
pub fn route_table() -> Vec<(String, String)> {
    let mut r = Routes::new();
    register(&mut r);
    r.table
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

/// The API under `BASE_PATH`: its routes, its conventions, and problem+json for a path it
/// does not have.
pub fn mount(cfg: &mut web::ServiceConfig) {
    let mut r = Routes::new();
    register(&mut r);
    let mut scope = web::scope(BASE_PATH)
        .wrap(from_fn(conventions))
        .default_service(web::to(unknown_route));
    for (_, resource) in r.resources {
        scope = scope.service(resource);
    }
    cfg.service(scope);
}

/// Adds the API's version to every answer, and turns any error answer the framework made
/// itself (404 for an unknown path, 405, a failed path parameter) into problem+json.
pub(crate) async fn conventions(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Handlers' and extractors' errors arrive here as responses already; an `Err` would come
    // from a layer outside the routes, and actix renders it with its own `error_response`.
    let mut res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        res = res.map_body(|_, _| BoxBody::new(problem_for_status(status)));
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(PROBLEM_JSON),
        );
    }
    res.headers_mut().insert(
        header::HeaderName::from_static("api-version"),
        header::HeaderValue::from_static(API_VERSION),
    );
    Ok(res)
}

async fn unknown_route() -> Result<HttpResponse, ApiError> {
    Err(app::Error::NotFound("resource").into())
}
