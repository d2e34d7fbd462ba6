//! The account page: who is signed in and where, and the holder's own name, e-mail address
//! (moved once the link mailed to the new address is used) and password.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::{begin, CsrfOnly};
use super::form::Problems;
use super::kit::Post;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::sessions::SignedIn;
use crate::app::{self, account_self, sessions, App};
use crate::domain::FieldError;

/// A session as the account page shows it.
pub struct SessionRow {
    pub began: String,
    pub last_used: String,
    pub this_browser: bool,
}

#[derive(Template)]
#[template(path = "web/account.html")]
struct AccountPage {
    l: Layout,
    p: Problems,
    name: String,
    email: String,
    /// The name field as typed (the name itself until changed).
    name_field: String,
    /// The new address as typed.
    new_email: String,
    /// A link was sent to this address.
    sent_to: Option<String>,
    /// The account has a password to prove (one made at the desk may not).
    has_password: bool,
    sessions: Vec<SessionRow>,
    max: usize,
    /// Whether the second factor is on, and the recovery codes left.
    second_factor: crate::app::second_factor::Status,
}

/// What a form on the account page brings back with the page.
#[derive(Default)]
struct Typed {
    name: Option<String>,
    new_email: String,
    sent_to: Option<String>,
}

async fn account_view(
    state: &web::Data<App>,
    v: &Visitor,
    p: Problems,
    typed: Typed,
) -> Result<AccountPage, WebError> {
    let me = v.require("/account")?.clone();
    let signed_in = v.signed_in.clone().ok_or(WebError::SignIn {
        next: "/account".into(),
    })?;
    let st = state.clone();
    let (lines, second_factor) = web::block(move || {
        st.read(|c| {
            Ok((
                sessions::mine(c, &signed_in)?,
                crate::app::second_factor::status(c, &signed_in.account)?,
            ))
        })
    })
    .await??;
    let when = crate::domain::calendar::dutch_date_time;
    Ok(AccountPage {
        l: Layout::new(
            if p.is_empty() {
                "Mijn account".to_string()
            } else {
                "Fout: Mijn account".to_string()
            },
            v,
        ),
        p,
        name_field: typed.name.unwrap_or_else(|| me.name.clone()),
        new_email: typed.new_email,
        sent_to: typed.sent_to,
        has_password: me.password_hash.is_some(),
        name: me.name,
        email: me.email,
        sessions: lines
            .into_iter()
            .map(|s| SessionRow {
                began: when(s.created_at),
                last_used: when(s.last_seen_at),
                this_browser: s.this_browser,
            })
            .collect(),
        max: crate::domain::session::MAX_PER_ACCOUNT,
        second_factor,
    })
}

/// `GET /account`: who is signed in and where, and the forms to change name, address and
/// password.
pub async fn account_page(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<super::public::Flash>,
) -> Result<HttpResponse, WebError> {
    v.require("/account")?;
    let mut page = account_view(&state, &v, Problems::new(), Typed::default()).await?;
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

/// The problems of a refused account form, by the fields of the page.
fn problems(errors: &[FieldError]) -> Problems {
    Problems::from_fields(errors, |f| {
        let (id, label) = match f {
            "name" => ("name", "Naam"),
            "email" => ("new_email", "Nieuw e-mailadres"),
            "password" => ("email_password", "Uw wachtwoord"),
            "current_password" => ("current_password", "Huidig wachtwoord"),
            _ => ("new_password", "Nieuw wachtwoord"),
        };
        (id.to_string(), label.to_string())
    })
}

/// A use case's answer for an account form: its field errors as the page's problems, a
/// refusal that names no field (too many tries) under `field`.
fn refused(e: app::Error, field: (&str, &str)) -> Result<Problems, WebError> {
    match e {
        app::Error::Domain(crate::domain::DomainError::Invalid(errors)) => Ok(problems(&errors)),
        app::Error::TooManyRequests(s) => {
            let mut p = Problems::new();
            p.add(
                field.0,
                field.1,
                format!(
                    "Te veel pogingen. Probeer het over {} minuten opnieuw.",
                    s.div_ceil(60)
                ),
            );
            Ok(p)
        }
        other => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/naam`.
pub async fn rename(state: web::Data<App>, post: Post<NameForm>) -> Result<HttpResponse, WebError> {
    post.signed_in("/account")?;
    let Post { v, form: f, .. } = post;
    let me = v.require("/account")?.clone();
    let name = f.name.clone();
    let st = state.clone();
    match web::block(move || st.write(|tx| account_self::rename(tx, &me, Some(&name)))).await? {
        Ok(_) => Ok(redirect(&v, "/account?bericht=naam-gewijzigd")),
        Err(e) => {
            let p = refused(e, ("name", "Naam"))?;
            let typed = Typed {
                name: Some(f.name),
                ..Default::default()
            };
            let page = account_view(&state, &v, p, typed).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/wachtwoord`: every session ends; this browser gets a new one.
pub async fn change_password(
    state: web::Data<App>,
    post: Post<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    post.signed_in("/account")?;
    let Post { mut v, form: f, .. } = post;
    let me = v.require("/account")?.clone();
    // The new session keeps what this one began with.
    let second_factor = v
        .signed_in
        .as_ref()
        .is_some_and(|s| s.session.second_factor);
    let outcome = crate::front::hashing(&state, move |app| {
        account_self::change_password(app, &me, Some(&f.current_password), Some(&f.new_password))
    })
    .await;
    match outcome {
        Ok(account) => {
            begin(&state, &mut v, account, second_factor).await?;
            Ok(redirect(&v, "/account?bericht=wachtwoord-gewijzigd"))
        }
        Err(e) => {
            let p = refused(e, ("current_password", "Huidig wachtwoord"))?;
            let page = account_view(&state, &v, p, Typed::default()).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    email_password: String,
}

/// `POST /account/e-mailadres`: a link goes to the new address; the page says so.
pub async fn request_email_change(
    state: web::Data<App>,
    post: Post<EmailForm>,
) -> Result<HttpResponse, WebError> {
    post.signed_in("/account")?;
    let Post { v, form: f, .. } = post;
    let me = v.require("/account")?.clone();
    let (email, password) = (f.new_email.clone(), f.email_password.clone());
    let outcome = crate::front::hashing(&state, move |app| {
        account_self::request_email_change(app, &me, Some(&email), Some(&password))
    })
    .await;
    match outcome {
        Ok(()) => {
            let typed = Typed {
                sent_to: Some(f.new_email.trim().to_string()),
                ..Default::default()
            };
            let page = account_view(&state, &v, Problems::new(), typed).await?;
            render(&v, StatusCode::OK, &page)
        }
        Err(e) => {
            let p = refused(e, ("new_email", "Nieuw e-mailadres"))?;
            let typed = Typed {
                new_email: f.new_email,
                ..Default::default()
            };
            let page = account_view(&state, &v, p, typed).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "web/email_confirm.html")]
struct ConfirmPage {
    l: Layout,
    token: String,
    failed: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `GET /account/e-mailadres/bevestigen?token=`: a button, so a mail scanner that opens the
/// link changes nothing.
pub async fn confirm_page(v: Visitor, q: web::Query<TokenQuery>) -> Result<HttpResponse, WebError> {
    let page = ConfirmPage {
        l: Layout::new("Nieuw e-mailadres bevestigen", &v),
        token: q.token.clone().unwrap_or_default(),
        failed: None,
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// `POST /account/e-mailadres/bevestigen`: the account moves to the new address and is signed
/// in here (every other session ended with the change).
pub async fn confirm(
    state: web::Data<App>,
    post: Post<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let st = state.clone();
    let token = f.token.clone();
    match web::block(move || account_self::confirm_email_change(&st, Some(&token))).await? {
        Ok(account) => {
            let st = state.clone();
            let a = account.clone();
            let started =
                web::block(move || st.write(|tx| sessions::start_by_mailbox(tx, &a))).await??;
            match started {
                Some((token, session)) => {
                    v.sign_in(token, SignedIn { account, session });
                    Ok(redirect(&v, "/account?bericht=e-mailadres-gewijzigd"))
                }
                // An account with a second factor signs in with its code.
                None => Ok(redirect(&v, "/inloggen?bericht=e-mailadres-gewijzigd")),
            }
        }
        Err(
            e @ (app::Error::Unauthorized(_)
            | app::Error::Domain(crate::domain::DomainError::Duplicate(_))
            | app::Error::Domain(crate::domain::DomainError::Invalid(_))),
        ) => {
            let why = match e {
                app::Error::Domain(d @ crate::domain::DomainError::Duplicate(_)) => {
                    super::team::capital(&d.message_nl())
                }
                _ => "Deze link werkt niet meer: hij is al gebruikt, verlopen, of u heeft intussen uw wachtwoord of e-mailadres gewijzigd. Vraag op uw accountpagina een nieuwe link aan.".to_string(),
            };
            let page = ConfirmPage {
                l: Layout::new("Deze link werkt niet meer", &v),
                token: String::new(),
                failed: Some(why),
            };
            render(&v, StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/overal-uitloggen`: ends every session of the account, this one too.
pub async fn logout_everywhere(
    state: web::Data<App>,
    post: Post<CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    post.signed_in("/account")?;
    let mut v = post.v;
    if let Some(me) = v.signed_in.clone() {
        let st = state.clone();
        web::block(move || st.write(|tx| sessions::end_everywhere(tx, &me))).await??;
    }
    v.sign_out();
    Ok(redirect(&v, "/?bericht=overal-uitgelogd"))
}

#[derive(Template)]
#[template(path = "web/account_delete.html")]
struct DeletePage {
    l: Layout,
    p: Problems,
    /// Why the account cannot be erased now, and what one can do (a refusal of the rule).
    refusal: Option<String>,
    /// An account made by an invitation may have no password to prove.
    needs_password: bool,
}

/// `GET /account/verwijderen`: what erasing one's account does, and the form to do it.
pub async fn delete_page(v: Visitor) -> Result<HttpResponse, WebError> {
    let me = v.require("/account/verwijderen")?;
    let page = DeletePage {
        l: Layout::new("Account verwijderen", &v),
        p: Problems::new(),
        refusal: None,
        needs_password: me.password_hash.is_some(),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
}

/// `POST /account/verwijderen`: erases the account (or closes it, a file being kept) and
/// signs this browser out; a wrong password or a refusal comes back on the page.
pub async fn delete_account(
    state: web::Data<App>,
    post: Post<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    post.signed_in("/account/verwijderen")?;
    let Post { mut v, form: f, .. } = post;
    let me = v.require("/account/verwijderen")?.clone();
    let needs_password = me.password_hash.is_some();
    let outcome = crate::front::hashing(&state, move |app| {
        account_self::erase(app, &me, Some(&f.password))
    })
    .await;
    let (p, refusal) = match outcome {
        Ok(step) => {
            v.sign_out();
            v.end_awaiting_code();
            let flash = match step {
                crate::domain::erasure::Erasure::Erase => "account-verwijderd",
                crate::domain::erasure::Erasure::Close => "account-gesloten",
            };
            return Ok(redirect(&v, &format!("/?bericht={flash}")));
        }
        Err(app::Error::Domain(crate::domain::DomainError::Conflict(m))) => {
            (Problems::new(), Some(m.nl))
        }
        // The only field is the password.
        Err(app::Error::Domain(crate::domain::DomainError::Invalid(errors))) => (
            Problems::from_fields(&errors, |_| ("password".into(), "Uw wachtwoord".into())),
            None,
        ),
        Err(e) => (refused(e, ("password", "Uw wachtwoord"))?, None),
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = DeletePage {
        l: Layout::new("Account verwijderen", &v),
        p,
        refusal,
        needs_password,
    };
    render(&v, status, &page)
}

#[derive(Template)]
#[template(path = "web/my_data.html")]
struct MyDataPage {
    l: Layout,
    d: crate::app::my_data::MyData,
    roles: String,
    created: String,
    /// Each plan: its page, its title, and a line saying its role and status.
    plans: Vec<(String, String, String)>,
    letters: Vec<(String, String)>,
    /// Each entry about the person: when, the role, what.
    log: Vec<(String, &'static str, String)>,
}

/// `GET /mijn-gegevens`: everything planloket holds about the visitor, in Dutch.
pub async fn my_data_page(
    state: web::Data<App>,
    pending: super::Pending,
) -> Result<HttpResponse, WebError> {
    let (v, d) = super::with_visitor(&state, pending, |c, v| {
        let me = v.require("/mijn-gegevens")?;
        Ok(crate::app::my_data::export(c, me)?)
    })
    .await?;
    use crate::domain::calendar::dutch_date_time;
    let page = MyDataPage {
        l: Layout::new("Mijn gegevens", &v),
        roles: d
            .account
            .roles
            .iter()
            .filter_map(|r| crate::domain::user::Role::parse(r))
            .map(|r| r.label_nl())
            .collect::<Vec<_>>()
            .join(", "),
        created: dutch_date_time(d.account.created_at),
        plans: d
            .plans
            .iter()
            .map(|p| {
                let status = crate::domain::visibility::ShownStatus::parse(p.status)
                    .map(|s| s.label_nl())
                    .unwrap_or(p.status);
                let title = p.content["title"].as_str().unwrap_or("").to_string();
                (
                    format!("/plannen/{}", p.id),
                    if title.is_empty() {
                        "(zonder titel)".to_string()
                    } else {
                        title
                    },
                    format!(
                        "{}, {status}",
                        if p.role == "owner" {
                            "indiener"
                        } else {
                            "mede-indiener"
                        }
                    ),
                )
            })
            .collect(),
        letters: d
            .letters
            .iter()
            .map(|m| {
                (
                    dutch_date_time(m.sent_at.unwrap_or(m.written_at)),
                    if m.subject.is_empty() {
                        "(inhoud niet meer bewaard)".to_string()
                    } else {
                        m.subject.clone()
                    },
                )
            })
            .collect(),
        log: d
            .processing_log
            .iter()
            .map(|e| (dutch_date_time(e.at), e.role_nl, e.activity_nl.clone()))
            .collect(),
        d,
    };
    render(&v, StatusCode::OK, &page)
}

/// `GET /mijn-gegevens/download`: the same, as the API's JSON, as a file.
pub async fn my_data_download(
    state: web::Data<App>,
    pending: super::Pending,
) -> Result<HttpResponse, WebError> {
    let (_, d) = super::with_visitor(&state, pending, |c, v| {
        let me = v.require("/mijn-gegevens")?;
        Ok(crate::app::my_data::export(c, me)?)
    })
    .await?;
    let body = serde_json::to_vec_pretty(&d)
        .map_err(|e| WebError::Internal(format!("the data did not serialise: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"mijn-gegevens.json\"",
        ))
        .body(body))
}
