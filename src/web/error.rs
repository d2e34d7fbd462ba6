//! What a page answers when it cannot show what was asked: a Dutch page with the site's
//! layout, never a bare status, never anything of the cause.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::Layout;
use crate::app;

/// Why a page is not shown.
#[derive(Debug)]
pub enum WebError {
    NotFound,
    /// The visitor may not do or see this (the reason, in Dutch).
    Forbidden(String),
    /// A post without this visitor's form token: nothing was changed.
    Csrf,
    /// Not signed in: to the sign-in page, and back to `next` after.
    SignIn {
        next: String,
    },
    /// A staff account signed in without a second factor: to the enrolment page.
    Enrol,
    /// A step on a plan that no longer applies (submitted already, the vote closed, someone
    /// else was first): back to the plan's page, which says so and shows where it stands.
    Overtaken {
        plan_id: String,
    },
    /// A rule refused, said in Dutch.
    Refused(String),
    /// The address's query or a posted form cannot be read (a letter where a number goes, a
    /// field given twice, a body too large): said in Dutch, never the parser's words.
    BadRequest(&'static str),
    Unavailable,
    Internal(String),
}

impl From<app::Error> for WebError {
    fn from(e: app::Error) -> WebError {
        match e {
            app::Error::NotFound(_) => WebError::NotFound,
            app::Error::Unauthorized(_) => WebError::SignIn { next: "/".into() },
            app::Error::Domain(d @ crate::domain::DomainError::Forbidden(_)) => {
                WebError::Forbidden(d.message_nl())
            }
            app::Error::Domain(crate::domain::DomainError::EnrolmentRequired(_)) => {
                WebError::Enrol
            }
            app::Error::Domain(d) => WebError::Refused(d.message_nl()),
            app::Error::Stale { .. } | app::Error::Changed(_) => WebError::Refused(
                "Iemand anders heeft dit intussen gewijzigd. Laad de pagina opnieuw en probeer het nog eens."
                    .into(),
            ),
            app::Error::TooManyRequests(s) => WebError::Refused(format!(
                "Te veel pogingen. Probeer het over {} minuten opnieuw.",
                s.div_ceil(60)
            )),
            app::Error::Duplicate => WebError::Refused(
                "Dit staat er al: iemand heeft het intussen vastgelegd. Laad de pagina opnieuw."
                    .into(),
            ),
            app::Error::Unstorable(_) => WebError::Refused(
                "Wat u invulde bevat tekens die niet kunnen worden bewaard. Haal ze weg en probeer het opnieuw."
                    .into(),
            ),
            app::Error::Unavailable(_) => WebError::Unavailable,
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl WebError {
    /// A use case's refusal of a step on plan `plan_id`: a step the plan's state no longer
    /// allows, or a page older than the plan, goes back to the plan's page; anything else as
    /// `From` says.
    pub fn on_plan(plan_id: &str, e: app::Error) -> WebError {
        match e {
            app::Error::Domain(crate::domain::DomainError::NotAllowed { .. })
            | app::Error::Stale { .. }
            | app::Error::Changed(_) => WebError::Overtaken {
                plan_id: plan_id.to_string(),
            },
            other => other.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for WebError {
    fn from(e: actix_web::error::BlockingError) -> WebError {
        WebError::Internal(e.to_string())
    }
}

#[derive(Template)]
#[template(path = "web/error.html")]
struct ErrorPage {
    l: Layout,
    heading: &'static str,
    message: String,
    sign_in: bool,
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::SignIn { .. } | WebError::Overtaken { .. } | WebError::Enrol => {
                StatusCode::SEE_OTHER
            }
            WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::SignIn { next } = self {
            let to = format!(
                "/inloggen?volgende={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to))
                .finish();
        }
        if let WebError::Enrol = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/account/tweestap"))
                .finish();
        }
        if let WebError::Overtaken { plan_id } = self {
            return HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/plannen/{plan_id}?bericht=niet-meer"),
                ))
                .finish();
        }
        if let WebError::Internal(cause) = self {
            tracing::error!(%cause, "page failed");
        }
        let (heading, message) = match self {
            WebError::NotFound => (
                "Pagina niet gevonden",
                "Deze pagina bestaat niet, of u kunt haar niet zien. Controleer het adres, of ga naar de startpagina.".to_string(),
            ),
            WebError::Forbidden(m) => ("Geen toegang", m.clone()),
            WebError::Csrf => (
                "Formulier verlopen",
                "Dit formulier is verlopen of kwam niet van deze website. Er is niets gewijzigd. Ga terug, laad de pagina opnieuw en probeer het nog eens.".to_string(),
            ),
            WebError::Refused(m) => ("Dit kan niet", m.clone()),
            WebError::BadRequest(m) => ("Dit adres of formulier klopt niet", m.to_string()),
            WebError::Unavailable => (
                "Even niet bereikbaar",
                "Het planloket kan zijn gegevens nu niet bereiken. Probeer het over een paar minuten opnieuw.".to_string(),
            ),
            WebError::Internal(_)
            | WebError::SignIn { .. }
            | WebError::Overtaken { .. }
            | WebError::Enrol => (
                "Er ging iets mis",
                "Er ging iets mis aan onze kant. Probeer het later opnieuw.".to_string(),
            ),
        };
        let page = ErrorPage {
            l: Layout {
                title: heading.to_string(),
                css: super::assets::stylesheet_path(),
                user: None,
                menu: Default::default(),
                bare: true,
                csrf: String::new(),
                flash: None,
            },
            heading,
            message,
            sign_in: matches!(self, WebError::Forbidden(_)),
        };
        let body = page.render().unwrap_or_else(|_| heading.to_string());
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// What the pages answer when the address's query cannot be read: a Dutch 400 page.
pub fn bad_query(_: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    WebError::BadRequest(QUERY_UNREADABLE).into()
}

/// The Dutch text of an unreadable query.
pub const QUERY_UNREADABLE: &str = "Het adres van deze pagina bevat iets wat niet klopt, bijvoorbeeld letters waar een getal hoort of iets wat er twee keer in staat. Ga terug en probeer het opnieuw, of begin bij de startpagina.";
/// The Dutch text of an unreadable form.
pub const FORM_UNREADABLE: &str = "Het formulier kon niet worden gelezen: het was te groot, of een veld stond er twee keer in. Er is niets gewijzigd. Ga terug, laad de pagina opnieuw en probeer het nog eens.";

/// Any path the site does not have.
pub async fn not_found(_: HttpRequest) -> Result<HttpResponse, WebError> {
    Err(WebError::NotFound)
}
