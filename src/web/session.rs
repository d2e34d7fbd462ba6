//! Who is visiting: the signed-in account of the session cookie, if any, and the token every
//! form of the page carries against cross-site requests (CSRF).
//!
//! A session is a cookie (`HttpOnly`, `SameSite=Lax`, `Secure` when the public address is
//! https) holding a random token; the database keeps its hash (`app::sessions`). A form's
//! token is the session's own; before sign-in it is a random value in a cookie of its own,
//! repeated in the form (a double submit): a post whose token does not match changes nothing.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::WebError;
use crate::app::sessions::{self, SignedIn};
use crate::domain::user::Account;
use crate::http::AppState;

pub const SESSION_COOKIE: &str = "planloket_sessie";
pub const FORM_COOKIE: &str = "planloket_formulier";

/// The visitor of a page.
pub struct Visitor {
    pub signed_in: Option<SignedIn>,
    /// The session cookie's token, if the visitor sent one.
    pub token: Option<String>,
    /// What every form of the answer carries.
    pub csrf: String,
    secure: bool,
    set: Vec<Cookie<'static>>,
}

/// A random token as `config::random_token` makes them: 64 hex digits.
fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

impl Visitor {
    /// The cookies this answer sets or clears.
    pub fn cookies(&self) -> Vec<Cookie<'static>> {
        self.set.clone()
    }

    pub fn account(&self) -> Option<&Account> {
        self.signed_in.as_ref().map(|s| &s.account)
    }

    /// The signed-in account, or a trip to the sign-in page that comes back to `here`.
    pub fn require(&self, here: &str) -> Result<&Account, WebError> {
        self.account().ok_or_else(|| WebError::SignIn {
            next: here.to_string(),
        })
    }

    /// Refuses a post whose form token is not this visitor's.
    pub fn check_csrf(&self, posted: Option<&str>) -> Result<(), WebError> {
        let posted = posted.unwrap_or("");
        // Compared in constant time: the token is a secret.
        let same = posted.len() == self.csrf.len()
            && posted
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same && !self.csrf.is_empty() {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Begins the browser's session: its cookie, and the session's own form token.
    pub fn sign_in(&mut self, token: String, signed_in: SignedIn) {
        self.set
            .push(cookie(SESSION_COOKIE, token.clone(), self.secure));
        self.csrf = signed_in.session.csrf.clone();
        self.token = Some(token);
        self.signed_in = Some(signed_in);
    }

    /// Ends the browser's session: the cookie is cleared, and a new form token is made.
    pub fn sign_out(&mut self) {
        let mut gone = cookie(SESSION_COOKIE, String::new(), self.secure);
        gone.make_removal();
        self.set.push(gone);
        self.signed_in = None;
        self.token = None;
        self.csrf = crate::config::random_token();
        self.set
            .push(cookie(FORM_COOKIE, self.csrf.clone(), self.secure));
    }
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .cookie(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| is_token(t));
        let had_session_cookie = req.cookie(SESSION_COOKIE).is_some();
        let form_cookie = req
            .cookie(FORM_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| is_token(t));
        Box::pin(async move {
            let state = state.ok_or_else(|| WebError::Internal("no application state".into()))?;
            let secure = state.app.public_url.starts_with("https://");
            let signed_in = match token.clone() {
                Some(t) => {
                    let st = state.clone();
                    web::block(move || sessions::resume(&st.app, &t))
                        .await
                        .map_err(|e| WebError::Internal(e.to_string()))??
                }
                None => None,
            };
            let mut v = Visitor {
                token: signed_in.as_ref().and(token),
                csrf: String::new(),
                secure,
                set: Vec::new(),
                signed_in,
            };
            if had_session_cookie && v.signed_in.is_none() {
                // An ended session: its cookie goes too.
                let mut gone = cookie(SESSION_COOKIE, String::new(), secure);
                gone.make_removal();
                v.set.push(gone);
            }
            v.csrf = match (&v.signed_in, form_cookie) {
                (Some(s), _) => s.session.csrf.clone(),
                (None, Some(c)) => c,
                (None, None) => {
                    let fresh = crate::config::random_token();
                    v.set.push(cookie(FORM_COOKIE, fresh.clone(), secure));
                    fresh
                }
            };
            Ok(v)
        })
    }
}
