//! The handler kit every form of the pages uses: one extractor for a post (who sends it, what
//! they typed, and the form token that must be theirs) and one helper for the step every post
//! takes (the use case in one transaction on a blocking thread, a refusal naming fields kept
//! to show beside them, anything else as the error page).

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::{Visitor, WebError};
use crate::app::{self, App, Tx};
use crate::domain::permission::Permission;
use crate::domain::user::Actor;
use crate::domain::{DomainError, FieldError};

/// A posted form: the visitor (their session read), the form read into `F`, and the form token
/// it carried. Nothing is allowed until one of `may`, `signed_in` or `anyone` has checked the
/// visitor and the token, in that order: a visitor whose session ended goes to sign in (not to
/// a "form expired" page), one without the right sees the Dutch refusal.
pub struct Post<F> {
    pub v: Visitor,
    pub form: F,
    token: Option<String>,
}

impl<F> Post<F> {
    /// The visitor's actor when they hold `permission` and the token is theirs.
    pub fn may(&self, permission: Permission, here: &str) -> Result<Actor, WebError> {
        let actor = self.v.may(permission, here)?;
        self.v.check_csrf(self.token.as_deref())?;
        Ok(actor)
    }

    /// The visitor's actor when signed in (the use case decides the rest) and the token is
    /// theirs.
    pub fn signed_in(&self, here: &str) -> Result<Actor, WebError> {
        let actor = self.v.require(here)?.actor();
        self.v.check_csrf(self.token.as_deref())?;
        Ok(actor)
    }

    /// For the forms of visitors not yet signed in (registering, signing in): the token only.
    pub fn anyone(&self) -> Result<(), WebError> {
        self.v.check_csrf(self.token.as_deref())
    }
}

/// The form token of a urlencoded body: the field `csrf`, once.
fn token_of(body: &[u8]) -> Option<String> {
    let mut tokens = form_urlencoded::parse(body).filter(|(k, _)| k == "csrf");
    let first = tokens.next().map(|(_, v)| v.into_owned());
    // A token given twice is no token: the page never sends two.
    match tokens.next() {
        Some(_) => None,
        None => first,
    }
}

impl<F: DeserializeOwned + 'static> FromRequest for Post<F> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|_| WebError::BadRequest(super::error::FORM_UNREADABLE))?;
            let v = visitor.await?;
            let form = super::form::read(&bytes)?;
            Ok(Post {
                v,
                form,
                token: token_of(&bytes),
            })
        })
    }
}

/// The step every post takes: the use case in one transaction on a blocking thread. A
/// refusal that names fields comes back as `Err(fields)`, for the page to show beside them;
/// any other refusal or failure is the error page (a Dutch 409 for a rule or a concurrent
/// change, 403, 404, 503).
pub async fn write<T: Send + 'static>(
    app: &web::Data<App>,
    f: impl FnOnce(&mut Tx) -> Result<T, app::Error> + Send + 'static,
) -> Result<Result<T, Vec<FieldError>>, WebError> {
    let app = app.clone();
    match web::block(move || app.write(f)).await? {
        Ok(t) => Ok(Ok(t)),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => Ok(Err(errors)),
        Err(e) => Err(e.into()),
    }
}

/// As `write`, for a step on plan `plan_id`: a step the plan no longer allows goes back to the
/// plan's page with a plain message (`WebError::on_plan`).
pub async fn write_on_plan<T: Send + 'static>(
    app: &web::Data<App>,
    plan_id: &str,
    f: impl FnOnce(&mut Tx) -> Result<T, app::Error> + Send + 'static,
) -> Result<Result<T, Vec<FieldError>>, WebError> {
    let app = app.clone();
    match web::block(move || app.write(f)).await? {
        Ok(t) => Ok(Ok(t)),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => Ok(Err(errors)),
        Err(e) => Err(WebError::on_plan(plan_id, e)),
    }
}

/// A text field's limit as its hint states it: "hoogstens 20.000 tekens".
pub fn at_most(b: crate::domain::text::Bounded) -> String {
    format!(
        "hoogstens {} tekens",
        crate::domain::money::grouped_nl(b.max as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_token_is_read_once() {
        assert_eq!(token_of(b"a=1&csrf=abc&b=2").as_deref(), Some("abc"));
        assert_eq!(token_of(b"a=1"), None);
        assert_eq!(token_of(b"csrf=abc&csrf=abc"), None);
    }
}
