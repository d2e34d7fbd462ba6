//! Accounts in the browser: register, sign in with a password or with a mailed link, sign out.
//! Throttling, the same answer for a new and an existing address, and every message come from
//! the same use cases as the API's.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::{local_path, Problems};
use super::kit::Post;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::sessions::{self, SignedIn};
use crate::app::App;
use crate::app::{self, accounts, Unauthorized};
use crate::domain::permission;
use crate::domain::user::Account;
use crate::front::client_key;

/// Where a person goes after signing in: where they were going, or their own work.
pub(super) fn landing(account: &Account, next: Option<String>) -> String {
    next.unwrap_or_else(|| format!("{}?bericht=ingelogd", permission::home(&account.actor())))
}

/// Begins a session for an account that just proved who it is, in the visitor's browser
/// (`second_factor`: with its second factor).
pub(super) async fn begin(
    state: &web::Data<App>,
    v: &mut Visitor,
    account: Account,
    second_factor: bool,
) -> Result<(), WebError> {
    let st = state.clone();
    let a = account.clone();
    let (token, session) =
        web::block(move || st.write(|tx| sessions::start(tx, &a, second_factor))).await??;
    v.sign_in(token, SignedIn { account, session });
    Ok(())
}

/// A sign-in whose password (or link, by its token's hash) was right, for an account with a
/// second factor: the browser keeps the waiting sign-in, and goes on to `/inloggen/code`.
async fn await_code(
    state: &web::Data<App>,
    v: &mut Visitor,
    account: Account,
    link_hash: Option<String>,
) -> Result<(), WebError> {
    let st = state.clone();
    let token = web::block(move || {
        st.write(|tx| sessions::start_awaiting_code(tx, &account, link_hash.as_deref()))
    })
    .await??;
    v.await_code(token);
    Ok(())
}

/// Where the code is asked, keeping where the person was going.
fn code_page(next: &str) -> String {
    format!("/inloggen/code{}", next_query(next))
}

/// `?volgende=…` for a link that keeps where the person was going, or nothing.
pub(super) fn next_query(next: &str) -> String {
    if next.is_empty() {
        String::new()
    } else {
        format!(
            "?volgende={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    }
}

// ---- registration ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/register.html")]
struct RegisterPage {
    l: Layout,
    p: Problems,
    full_name: String,
    email: String,
    kind: String,
    organisation_id: String,
    organisations: Vec<(String, String)>,
    done: bool,
    /// Where the person was going (a plan form), kept through registering.
    next: String,
}

impl RegisterPage {
    fn keep(&self) -> String {
        next_query(&self.next)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    volgende: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    organisation_id: String,
}

async fn organisations(state: &web::Data<App>) -> Result<Vec<(String, String)>, WebError> {
    let st = state.clone();
    let list = web::block(move || st.read(app::organisations::list)).await??;
    Ok(list.into_iter().map(|o| (o.id, o.name)).collect())
}

/// `GET /registreren`.
pub async fn register_page(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, WebError> {
    let page = RegisterPage {
        next: local_path(q.volgende.as_deref()).unwrap_or_default(),
        l: Layout::new("Account aanmaken", &v),
        p: Problems::new(),
        full_name: String::new(),
        email: String::new(),
        kind: String::new(),
        organisation_id: String::new(),
        organisations: organisations(&state).await?,
        done: false,
    };
    render(&v, StatusCode::OK, &page)
}

/// `POST /registreren`: the same answer whether or not the address had an account (its holder
/// gets a mail instead), as the API gives.
pub async fn register(
    state: web::Data<App>,
    req: HttpRequest,
    post: Post<RegisterForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let next = local_path(Some(&f.volgende));
    let input = accounts::RegisterInput {
        email: Some(f.email.clone()),
        password: Some(f.password.clone()),
        name: Some(f.name.clone()),
        kind: match f.kind.as_str() {
            "" => None,
            k => Some(k.to_string()),
        },
        organisation_id: Some(f.organisation_id.clone()).filter(|o| !o.is_empty()),
    };
    let client = client_key(&req);
    let outcome =
        crate::front::hashing(&state, move |a| accounts::register(a, input, &client)).await;
    let mut page = RegisterPage {
        l: Layout::new("Account aanmaken", &v),
        p: Problems::new(),
        full_name: f.name,
        email: f.email,
        kind: f.kind,
        organisation_id: f.organisation_id,
        organisations: organisations(&state).await?,
        done: false,
        next: next.clone().unwrap_or_default(),
    };
    match outcome {
        // A new account: its maker is signed in and goes on where they were going.
        Ok(Some(account)) => {
            let to = next.unwrap_or_else(|| "/mijn-plannen?bericht=welkom".to_string());
            begin(&state, &mut v, account, false).await?;
            Ok(redirect(&v, &to))
        }
        Ok(None) => {
            page.done = true;
            page.l.title = "Aanmelding ontvangen".into();
            render(&v, StatusCode::OK, &page)
        }
        Err(app::Error::Domain(crate::domain::DomainError::Invalid(errors))) => {
            page.p = Problems::from_fields(&errors, |f| {
                let label = match f {
                    "name" => "Naam",
                    "email" => "E-mailadres",
                    "password" => "Wachtwoord",
                    "kind" => "Ik dien in als",
                    "organisation_id" => "Organisatie",
                    _ => "Formulier",
                };
                (f.to_string(), label.to_string())
            });
            page.l.title = format!("Fout: {}", page.l.title);
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(app::Error::TooManyRequests(s)) => {
            page.p.add(
                "email",
                "E-mailadres",
                format!(
                    "Te veel aanmeldingen. Probeer het over {} minuten opnieuw.",
                    s.div_ceil(60)
                ),
            );
            render(&v, StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- sign-in ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    l: Layout,
    p: Problems,
    email: String,
    next: String,
    link_sent: bool,
    /// A plan form posted after the session ended, carried through sign-in and saved after it.
    carried: String,
    /// The identity provider's name, when single sign-on is configured: "Inloggen met …".
    sso: Option<String>,
}

/// The identity provider's name for the sign-in button, when configured.
fn sso_name(state: &App) -> Option<String> {
    state.sso.as_ref().map(|p| p.settings.name.clone())
}

impl LoginPage {
    fn keep(&self) -> String {
        next_query(&self.next)
    }
}

/// The answer to a plan form posted after the session ended: the sign-in page, carrying the
/// form as it was posted, which is saved as soon as the person has signed in again.
pub fn session_ended(v: &Visitor, next: &str, raw: String) -> Result<HttpResponse, WebError> {
    let page = LoginPage {
        l: Layout::new("Opnieuw inloggen", v),
        p: Problems::new(),
        email: String::new(),
        next: next.to_string(),
        link_sent: false,
        carried: raw,
        sso: None,
    };
    render(v, StatusCode::UNAUTHORIZED, &page)
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    volgende: Option<String>,
    bericht: Option<String>,
}

/// `GET /inloggen`.
pub async fn login_page(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, WebError> {
    let page = LoginPage {
        l: Layout::new("Inloggen", &v).with_flash(super::flash(q.bericht.as_deref())),
        p: Problems::new(),
        email: String::new(),
        next: local_path(q.volgende.as_deref()).unwrap_or_default(),
        link_sent: false,
        carried: String::new(),
        sso: sso_name(&state),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    volgende: Option<String>,
    /// The plan form carried through sign-in (see `session_ended`).
    #[serde(default)]
    bewaard: String,
}

/// `POST /inloggen`: e-mail address and password; a session, and on to where the person was
/// going.
pub async fn login(
    state: web::Data<App>,
    req: HttpRequest,
    post: Post<LoginForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let next = local_path(f.volgende.as_deref());
    let mut page = LoginPage {
        l: Layout::new("Inloggen", &v),
        p: Problems::new(),
        email: f.email.clone(),
        next: next.clone().unwrap_or_default(),
        link_sent: false,
        carried: f.bewaard.clone(),
        sso: sso_name(&state),
    };
    if !page.carried.is_empty() {
        page.l.title = "Opnieuw inloggen".into();
    }
    if f.email.trim().is_empty() {
        page.p.add("email", "E-mailadres", "Vul uw e-mailadres in.");
    }
    if f.password.is_empty() {
        page.p
            .add("password", "Wachtwoord", "Vul uw wachtwoord in.");
    }
    if !page.p.is_empty() {
        page.l.title = "Fout: Inloggen".into();
        return render(&v, StatusCode::BAD_REQUEST, &page);
    }
    let client = client_key(&req);
    let (email, password) = (f.email.clone(), f.password.clone());
    match crate::front::hashing(&state, move |a| {
        crate::app::sign_in::login(a, &email, &password, None, &client)
    })
    .await
    {
        Ok(signed) if signed.factor == accounts::Factor::Awaited => {
            await_code(&state, &mut v, signed.account, None).await?;
            if f.bewaard.is_empty() {
                return Ok(redirect(&v, &code_page(&page.next)));
            }
            // A plan form carried through sign-in is too large for an address: the code is
            // asked on this answer, and the form carried on with it.
            super::two_step::code_form(&v, &page.next, &f.bewaard, StatusCode::OK, false)
        }
        Ok(signed) => {
            let second_factor = signed.second_factor();
            let account = signed.account;
            let to = landing(&account, next);
            begin(&state, &mut v, account, second_factor).await?;
            if !f.bewaard.is_empty() {
                if let Some(saved) =
                    super::applicant::resume_form(&state, &v, &to, &f.bewaard).await
                {
                    return saved;
                }
            }
            Ok(redirect(&v, &to))
        }
        Err(app::Error::Unauthorized(_)) => {
            page.p.add(
                "email",
                "E-mailadres",
                "Dit e-mailadres en wachtwoord horen niet bij elkaar, of het account is niet actief.",
            );
            page.l.title = format!("Fout: {}", page.l.title);
            render(&v, StatusCode::UNAUTHORIZED, &page)
        }
        Err(app::Error::TooManyRequests(s)) => {
            page.p.add(
                "email",
                "E-mailadres",
                format!(
                    "Te veel pogingen om in te loggen. Probeer het over {} minuten opnieuw, of vraag een inloglink.",
                    s.div_ceil(60)
                ),
            );
            page.l.title = format!("Fout: {}", page.l.title);
            render(&v, StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkRequestForm {
    #[serde(default)]
    email: String,
}

/// `POST /inloggen/link`: "Stuur mij een inloglink". The same answer for every well-formed
/// address: nobody learns which addresses have an account.
pub async fn request_link(
    state: web::Data<App>,
    req: HttpRequest,
    post: Post<LinkRequestForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { v, form: f, .. } = post;
    let client = client_key(&req);
    let email = f.email.clone();
    let st = state.clone();
    let outcome =
        web::block(move || crate::app::sign_in::request_magic_link(&st, Some(&email), &client))
            .await?;
    let mut page = LoginPage {
        l: Layout::new("Inloggen", &v),
        p: Problems::new(),
        email: f.email,
        next: String::new(),
        link_sent: false,
        carried: String::new(),
        sso: sso_name(&state),
    };
    match outcome {
        Ok(asked) => {
            crate::front::after_answer(&state, "mailing a sign-in link", move |app| {
                crate::app::sign_in::send_magic_link(app, asked)
            });
            page.link_sent = true;
            page.l.title = "Inloglink verstuurd".into();
            render(&v, StatusCode::OK, &page)
        }
        Err(app::Error::Domain(crate::domain::DomainError::Invalid(errors))) => {
            page.p = Problems::from_fields(&errors, |_| {
                (
                    "link-email".to_string(),
                    "E-mailadres voor de inloglink".to_string(),
                )
            });
            page.l.title = format!("Fout: {}", page.l.title);
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(app::Error::TooManyRequests(s)) => {
            page.p.add(
                "link-email",
                "E-mailadres voor de inloglink",
                format!(
                    "Te veel aanvragen. Probeer het over {} minuten opnieuw.",
                    s.div_ceil(60)
                ),
            );
            render(&v, StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the mailed link -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/link.html")]
struct LinkPage {
    l: Layout,
    token: String,
    failed: bool,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// `GET /aanmelden?token=`: one button "Inloggen". Opening the link uses nothing up (mail
/// scanners open links); only the button's post does.
pub async fn link_page(v: Visitor, q: web::Query<TokenQuery>) -> Result<HttpResponse, WebError> {
    let page = LinkPage {
        l: Layout::new("Inloggen met uw link", &v),
        token: q.token.clone().unwrap_or_default(),
        failed: false,
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct RedeemForm {
    #[serde(default)]
    token: String,
}

/// `POST /aanmelden`: uses the link once and signs in.
pub async fn redeem_link(
    state: web::Data<App>,
    req: HttpRequest,
    post: Post<RedeemForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let client = client_key(&req);
    let st = state.clone();
    let token = f.token.clone();
    match web::block(move || {
        crate::app::sign_in::redeem_magic_link(&st, Some(&token), None, &client)
    })
    .await?
    {
        Ok(signed) if signed.factor == accounts::Factor::Awaited => {
            let hash = accounts::token_hash(&f.token);
            await_code(&state, &mut v, signed.account, Some(hash)).await?;
            Ok(redirect(&v, &code_page("")))
        }
        Ok(signed) => {
            let second_factor = signed.second_factor();
            let account = signed.account;
            let to = landing(&account, None);
            begin(&state, &mut v, account, second_factor).await?;
            Ok(redirect(&v, &to))
        }
        Err(
            app::Error::Unauthorized(Unauthorized::Link)
            | app::Error::Unauthorized(_)
            | app::Error::Domain(_)
            | app::Error::TooManyRequests(_),
        ) => {
            let page = LinkPage {
                l: Layout::new("Deze link werkt niet meer", &v),
                token: String::new(),
                failed: true,
            };
            render(&v, StatusCode::UNAUTHORIZED, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- sign-out --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct CsrfOnly {}

/// `POST /uitloggen`: ends the session, here and in the database.
pub async fn logout(state: web::Data<App>, post: Post<CsrfOnly>) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let mut v = post.v;
    if let Some(token) = v.token.clone() {
        let st = state.clone();
        web::block(move || st.write(|tx| sessions::end(tx, &token))).await??;
    }
    v.sign_out();
    v.end_awaiting_code();
    Ok(redirect(&v, "/?bericht=uitgelogd"))
}
