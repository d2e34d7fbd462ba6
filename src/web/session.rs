//! Who is visiting: the signed-in account of the session cookie, if any, and the token every
//! form of the page carries against cross-site requests (CSRF).
//!
//! A session is a cookie (`HttpOnly`, `SameSite=Lax`; behind an https public address `Secure`
//! and named with the `__Host-` prefix, so no other host can set it) holding a random token;
//! the database keeps its hash (`app::sessions`). A form's token is the session's own; before
//! sign-in it is bound to a random value in a cookie of its own: the form carries a MAC of
//! that value under a key of the service (keyed BLAKE2s), so a cookie planted by someone else
//! with a token of their choosing does not pass. A post whose token does not match changes
//! nothing.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::WebError;
use crate::app::sessions::{self, SignedIn};
use crate::app::App;
use crate::domain::permission::{self, Permission};
use crate::domain::second_factor::StaffMfa;
use crate::domain::user::{Account, Actor};

pub const SESSION_COOKIE: &str = "planloket_sessie";
pub const FORM_COOKIE: &str = "planloket_formulier";
/// A sign-in whose password (or link) was right, waiting for the second factor's code.
pub const CODE_COOKIE: &str = "planloket_inloggen";
/// The `state` of a sign-in sent to the identity provider, which its callback must bring back.
pub const SSO_COOKIE: &str = "planloket_oidc";

/// A cookie's name: behind https with the `__Host-` prefix (only this host, path `/`,
/// `Secure`: a sibling host cannot set or overwrite it).
fn cookie_name(name: &'static str, secure: bool) -> &'static str {
    match (name, secure) {
        (SESSION_COOKIE, true) => "__Host-planloket_sessie",
        (FORM_COOKIE, true) => "__Host-planloket_formulier",
        (CODE_COOKIE, true) => "__Host-planloket_inloggen",
        (SSO_COOKIE, true) => "__Host-planloket_oidc",
        (other, _) => other,
    }
}

/// The form token for a pre-login cookie value: its MAC under the service's form key.
fn bound(key: &[u8; 32], cookie_value: &str) -> String {
    use blake2::digest::{KeyInit, Mac};
    let mut mac = blake2::Blake2sMac256::new_from_slice(key).expect("a 32-byte key fits");
    mac.update(cookie_value.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The visitor of a page.
pub struct Visitor {
    /// The session, also of a staff account that must still enrol a second factor (see
    /// `must_enrol`): read it through `account` and `require`, which keep such a visitor to
    /// the enrolment page.
    pub signed_in: Option<SignedIn>,
    /// A staff account signed in without a second factor while the policy asks one: it may
    /// only enrol (`domain::second_factor::needs_enrolment`).
    pub must_enrol: bool,
    /// The token of a sign-in waiting for its code (`CODE_COOKIE`), if any.
    pub awaiting_code: Option<String>,
    /// The `state` of a sign-in sent to the identity provider (`SSO_COOKIE`), if any.
    pub sso_state: Option<String>,
    /// The session cookie's token, if the visitor sent one.
    pub token: Option<String>,
    /// What every form of the answer carries.
    pub csrf: String,
    secure: bool,
    form_key: [u8; 32],
    staff_mfa: StaffMfa,
    set: Vec<Cookie<'static>>,
}

/// A random token as `config::random_token` makes them: 64 hex digits.
fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(cookie_name(name, secure), value)
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

    /// The signed-in account; `None` for a visitor not signed in, and for one who must
    /// enrol a second factor first (they see what anyone sees).
    pub fn account(&self) -> Option<&Account> {
        self.signed_in
            .as_ref()
            .filter(|_| !self.must_enrol)
            .map(|s| &s.account)
    }

    /// The signed-in account, or a trip to the sign-in page that comes back to `here` (or to
    /// the enrolment page, for a staff account without a second factor).
    pub fn require(&self, here: &str) -> Result<&Account, WebError> {
        if self.must_enrol {
            return Err(WebError::Enrol);
        }
        self.account().ok_or_else(|| WebError::SignIn {
            next: here.to_string(),
        })
    }

    /// The session for the enrolment page, which a staff account without a second factor
    /// may use too.
    pub fn require_enrolling(&self, here: &str) -> Result<&SignedIn, WebError> {
        self.signed_in.as_ref().ok_or_else(|| WebError::SignIn {
            next: here.to_string(),
        })
    }

    /// The signed-in account's actor when it holds `permission` (the domain decides, and its
    /// Dutch refusal is the 403 page); a visitor not signed in goes to sign in and back to
    /// `here`.
    pub fn may(&self, permission: Permission, here: &str) -> Result<Actor, WebError> {
        let actor = self.require(here)?.actor();
        permission::check(&actor, permission).map_err(|e| WebError::Forbidden(e.message_nl()))?;
        Ok(actor)
    }

    /// Whether the signed-in visitor holds `permission` (for what a page offers).
    pub fn allows(&self, permission: Permission) -> bool {
        self.account()
            .is_some_and(|a| permission::allows(&a.actor(), permission))
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

    /// Begins the browser's session: its cookie, and the session's own form token. A sign-in
    /// that waited for its code is over.
    pub fn sign_in(&mut self, token: String, signed_in: SignedIn) {
        self.set
            .push(cookie(SESSION_COOKIE, token.clone(), self.secure));
        self.csrf = signed_in.session.csrf.clone();
        self.token = Some(token);
        self.must_enrol = crate::domain::second_factor::needs_enrolment(
            &signed_in.account,
            self.staff_mfa,
            signed_in.session.second_factor,
        );
        self.signed_in = Some(signed_in);
        self.end_awaiting_code();
    }

    /// Keeps a sign-in waiting for its code in the browser (its own cookie).
    pub fn await_code(&mut self, token: String) {
        self.set
            .push(cookie(CODE_COOKIE, token.clone(), self.secure));
        self.awaiting_code = Some(token);
    }

    /// Keeps the `state` of a sign-in sent to the identity provider in the browser.
    pub fn send_to_provider(&mut self, state: String) {
        self.set
            .push(cookie(SSO_COOKIE, state.clone(), self.secure));
        self.sso_state = Some(state);
    }

    /// Forgets the sign-in sent to the identity provider (its callback came).
    pub fn end_sso(&mut self) {
        if self.sso_state.take().is_some() {
            let mut gone = cookie(SSO_COOKIE, String::new(), self.secure);
            gone.make_removal();
            self.set.push(gone);
        }
    }

    /// Forgets a sign-in that waited for its code.
    pub fn end_awaiting_code(&mut self) {
        if self.awaiting_code.take().is_some() {
            let mut gone = cookie(CODE_COOKIE, String::new(), self.secure);
            gone.make_removal();
            self.set.push(gone);
        }
    }

    /// Ends the browser's session: the cookie is cleared, and a new form token is made.
    pub fn sign_out(&mut self) {
        let mut gone = cookie(SESSION_COOKIE, String::new(), self.secure);
        gone.make_removal();
        self.set.push(gone);
        self.signed_in = None;
        self.must_enrol = false;
        self.token = None;
        let fresh = crate::config::random_token();
        self.csrf = bound(&self.form_key, &fresh);
        self.set.push(cookie(FORM_COOKIE, fresh, self.secure));
    }
}

/// A visitor whose session is not read yet. A page that reads the database anyway reads the
/// session on the same connection, in the same blocking call (`super::with_visitor`): one
/// hand-over to a blocking thread per page, as the API has, instead of two (measured in
/// docs/BENCHMARKS.md).
pub struct Pending {
    token: Option<String>,
    had_session_cookie: bool,
    form_cookie: Option<String>,
    code_cookie: Option<String>,
    sso_cookie: Option<String>,
    secure: bool,
    form_key: [u8; 32],
    staff_mfa: StaffMfa,
}

impl Pending {
    fn of(req: &HttpRequest, state: &App) -> Pending {
        let secure = state.is_https();
        let session = req.cookie(cookie_name(SESSION_COOKIE, secure));
        Pending {
            token: session
                .as_ref()
                .map(|c| c.value().to_string())
                .filter(|t| is_token(t)),
            had_session_cookie: session.is_some(),
            form_cookie: req
                .cookie(cookie_name(FORM_COOKIE, secure))
                .map(|c| c.value().to_string())
                .filter(|t| is_token(t)),
            code_cookie: req
                .cookie(cookie_name(CODE_COOKIE, secure))
                .map(|c| c.value().to_string())
                .filter(|t| is_token(t)),
            // The provider's state is the crate's (random, URL-safe base64), not a token of
            // ours: kept as sent, at most 128 characters.
            sso_cookie: req
                .cookie(cookie_name(SSO_COOKIE, secure))
                .map(|c| c.value().to_string())
                .filter(|t| !t.is_empty() && t.len() <= 128),
            secure,
            form_key: state.form_key,
            staff_mfa: state.staff_mfa,
        }
    }

    /// The session cookie's token, if it looks like one.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The visitor, once their session (if any) is read.
    pub fn finish(self, signed_in: Option<SignedIn>) -> Visitor {
        let secure = self.secure;
        let must_enrol = signed_in.as_ref().is_some_and(|s| {
            crate::domain::second_factor::needs_enrolment(
                &s.account,
                self.staff_mfa,
                s.session.second_factor,
            )
        });
        let mut v = Visitor {
            token: signed_in.as_ref().and(self.token),
            csrf: String::new(),
            secure,
            form_key: self.form_key,
            staff_mfa: self.staff_mfa,
            set: Vec::new(),
            signed_in,
            must_enrol,
            awaiting_code: self.code_cookie,
            sso_state: self.sso_cookie,
        };
        if self.had_session_cookie && v.signed_in.is_none() {
            // An ended session: its cookie goes too.
            let mut gone = cookie(SESSION_COOKIE, String::new(), secure);
            gone.make_removal();
            v.set.push(gone);
        }
        v.csrf = match (&v.signed_in, self.form_cookie) {
            (Some(s), _) => s.session.csrf.clone(),
            (None, Some(c)) => bound(&self.form_key, &c),
            (None, None) => {
                let fresh = crate::config::random_token();
                let token = bound(&self.form_key, &fresh);
                v.set.push(cookie(FORM_COOKIE, fresh, secure));
                token
            }
        };
        v
    }
}

fn app_state(req: &HttpRequest) -> Result<web::Data<App>, WebError> {
    req.app_data::<web::Data<App>>()
        .cloned()
        .ok_or_else(|| WebError::Internal("no application state".into()))
}

impl FromRequest for Pending {
    type Error = WebError;
    type Future = std::future::Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(app_state(req).map(|state| Pending::of(req, &state)))
    }
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let pending = state.as_ref().ok().map(|s| Pending::of(req, s));
        Box::pin(async move {
            let (state, pending) = (state?, pending.expect("made with the state"));
            let signed_in = match pending.token.clone() {
                Some(t) => {
                    let st = state.clone();
                    web::block(move || sessions::resume(&st, &t))
                        .await
                        .map_err(|e| WebError::Internal(e.to_string()))??
                }
                None => None,
            };
            Ok(pending.finish(signed_in))
        })
    }
}
