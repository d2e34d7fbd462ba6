//! Signing in through the municipality's identity provider: "Inloggen met <name>" sends the
//! browser there (`GET /inloggen/oidc/start`), and its callback (`GET /inloggen/oidc`, the redirect
//! URI) signs the person in, or says in Dutch why not.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::{landing, next_query};
use super::form::local_path;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::accounts::Factor;
use crate::app::sessions::{self, SignedIn};
use crate::app::{self, single_sign_on, App};

#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    volgende: Option<String>,
}

/// `GET /inloggen/oidc/start`: to the identity provider, keeping where the person was going.
/// A link rather than a form: the pages' policy lets a form post only to planloket itself
/// (`form-action 'self'`), and browsers hold a form's redirect elsewhere to that too.
pub async fn start(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<StartQuery>,
) -> Result<HttpResponse, WebError> {
    let mut v = v;
    let next = local_path(q.volgende.as_deref()).unwrap_or_default();
    let st = state.clone();
    let begun = web::block(move || single_sign_on::begin(&st, &next)).await??;
    v.send_to_provider(begun.state);
    Ok(redirect(&v, &begun.url))
}

#[derive(Template)]
#[template(path = "web/sso_failed.html")]
struct FailedPage {
    l: Layout,
    heading: String,
    message: String,
}

fn failed(
    v: &Visitor,
    status: StatusCode,
    heading: String,
    message: String,
) -> Result<HttpResponse, WebError> {
    let page = FailedPage {
        l: Layout::new(heading.clone(), v),
        heading,
        message,
    };
    render(v, status, &page)
}

/// The callback's query: the code and state, or the provider's error. Other parameters the
/// provider adds (`iss`, `session_state`) are left.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /inloggen/oidc`: the provider's answer. A right one signs in (or asks planloket's code
/// first when the provider's sign-in does not count as the second factor and the account has
/// one); anything planloket did not ask for, or cannot bear out, is a Dutch page (400).
pub async fn callback(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<Callback>,
) -> Result<HttpResponse, WebError> {
    let mut v = v;
    let name = state
        .sso
        .as_ref()
        .map(|p| p.settings.name.clone())
        .ok_or(WebError::NotFound)?;
    let issued = v.sso_state.clone();
    v.end_sso();
    let heading = format!("Inloggen met {name} is niet gelukt");
    if q.error.is_some() {
        return failed(
            &v,
            StatusCode::BAD_REQUEST,
            heading,
            format!("{name} heeft het inloggen niet afgerond, bijvoorbeeld omdat het werd afgebroken. Probeer het opnieuw."),
        );
    }
    let Callback { code, state: s, .. } = q.into_inner();
    let st = state.clone();
    let outcome = web::block(move || {
        single_sign_on::finish(&st, issued.as_deref(), s.as_deref(), code.as_deref())
    })
    .await?;
    let finished = match outcome {
        Ok(f) => f,
        Err(app::Error::Unauthorized(_)) => {
            return failed(
                &v,
                StatusCode::BAD_REQUEST,
                heading,
                "Dit antwoord hoort niet bij een inlogpoging in deze browser, het is verlopen of het is al gebruikt. Begin opnieuw met inloggen.".into(),
            )
        }
        Err(app::Error::Domain(d)) => {
            let status = match d {
                crate::domain::DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::CONFLICT,
            };
            return failed(&v, status, heading, d.message_nl());
        }
        Err(e) => return Err(e.into()),
    };
    let next = local_path(Some(&finished.next));
    let account = finished.signed.account;
    match finished.signed.factor {
        Factor::Awaited => {
            let st = state.clone();
            let token = web::block(move || {
                st.write(|tx| sessions::start_awaiting_code(tx, &account, None))
            })
            .await??;
            v.await_code(token);
            let next = next.unwrap_or_default();
            Ok(redirect(
                &v,
                &format!("/inloggen/code{}", next_query(&next)),
            ))
        }
        factor => {
            let to = landing(&account, next);
            let st = state.clone();
            let a = account.clone();
            let second_factor = factor == Factor::Proven;
            let (token, session) =
                web::block(move || st.write(|tx| sessions::start(tx, &a, second_factor))).await??;
            v.sign_in(token, SignedIn { account, session });
            Ok(redirect(&v, &to))
        }
    }
}
