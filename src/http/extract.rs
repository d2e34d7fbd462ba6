//! Request extractors (JSON bodies and query strings that name the bad field, the bearer
//! token, `If-Match`) and the two ways a handler runs a use case on a blocking thread.

use std::collections::HashSet;

use actix_web::dev::Payload;
use actix_web::http::header::{self, Header};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::problem::ApiError;
use crate::app::plans::Expected;
use crate::app::App;
use crate::app::{self, accounts};
use crate::app::{DbConn, Tx};
use crate::domain::user::Account;
use crate::domain::FieldError;

pub use crate::domain::text::no_null;

/// The longest a request body may take to arrive (1 MiB at 100 KiB/s).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A JSON body. A body that is not JSON is 415, over 1 MiB is 413, unreadable JSON is 400,
/// and a value of the wrong type or an unknown field is 400 naming that field.
pub struct JsonBody<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Accepts any JSON, but refuses an object that names a key twice (at any depth): JSON
/// parsers disagree on which one wins, so such a body is ambiguous.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` appears twice"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

/// Reads JSON into `T`, naming the field where the value did not fit.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, NoDuplicateKeys>(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ApiError::Malformed(format!("the body is not valid JSON: {inner}"))
        } else {
            ApiError::fields(vec![FieldError::from_parser(
                if path == "." { "body" } else { &path },
                &inner.to_string(),
            )])
        }
    })?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            ApiError::Malformed(format!("the body is not valid JSON: {inner}"))
        } else {
            // serde's message ends with the position; the field name says more to a client.
            ApiError::fields(vec![FieldError::from_parser(
                if path == "." { "body" } else { &path },
                &inner.to_string(),
            )])
        }
    })?;
    Ok(value)
}

/// Reads a JSON object body into `T`; an empty body reads as `empty` when given (a body that
/// may be left out), and is refused otherwise.
async fn read_json<T: DeserializeOwned>(
    json: bool,
    bytes: impl std::future::Future<Output = Result<web::Bytes, actix_web::Error>>,
    empty: Option<T>,
) -> Result<T, ApiError> {
    // A body that trickles in is given up after BODY_TIMEOUT: a slow client must not hold a
    // connection and a worker's attention for as long as it likes.
    let bytes = actix_web::rt::time::timeout(BODY_TIMEOUT, bytes)
        .await
        .map_err(|_| ApiError::RequestTimeout)?
        .map_err(|e| {
            if e.as_response_error().status_code().as_u16() == 413 {
                ApiError::PayloadTooLarge
            } else {
                ApiError::Malformed("the body could not be read".into())
            }
        })?;
    if let Some(empty) = empty {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(empty);
        }
    }
    if !json {
        return Err(ApiError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    // Every body of this API is an object; serde would otherwise read an array into a struct
    // by position and blame "[0]".
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => {}
        Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() => {
            return Err(ApiError::Malformed("the body is not valid JSON".into()));
        }
        Some(_) => {
            return Err(ApiError::field(
                "body",
                ("must be a JSON object", "moet een JSON-object zijn"),
            ))
        }
    }
    parse_json(&bytes)
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            read_json(json, bytes, None).await.map(JsonBody)
        })
    }
}

/// A JSON body that may be left out (no body, or an empty one, reads as `T::default()`); a
/// body that is there is read as `JsonBody` reads it.
pub struct OptionalJsonBody<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            read_json(json, bytes, Some(T::default()))
                .await
                .map(OptionalJsonBody)
        })
    }
}

/// A verified bearer token: who it says the caller is, before the account is read. The use
/// case reads the account in the same database session as its data.
pub struct Bearer(pub crate::app::tokens::Bearer);

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(bearer(req))
    }
}

fn bearer(req: &HttpRequest) -> Result<Bearer, ApiError> {
    let state = req
        .app_data::<web::Data<super::Api>>()
        .ok_or_else(|| app::Error::Internal("no application state".into()))?;
    let token = bearer_text(req).ok_or(app::Error::Unauthorized(app::Unauthorized::Token))?;
    Ok(Bearer(state.tokens.verify(token)?))
}

/// The token of an `Authorization: Bearer …` header, as sent.
pub fn bearer_text(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The caller's expected version of a plan (`If-Match`), if they sent one. An `If-Match` that
/// does not parse expects no version at all, so it never matches.
pub fn if_match(req: &HttpRequest) -> Option<Expected> {
    req.headers().get(header::IF_MATCH)?;
    Some(match header::IfMatch::parse(req) {
        Ok(header::IfMatch::Any) => Expected::Any,
        Ok(header::IfMatch::Items(tags)) => {
            Expected::Versions(tags.iter().map(|t| t.tag().to_string()).collect())
        }
        Err(_) => Expected::Versions(Vec::new()),
    })
}

/// A query string read into `T`, which names its parameters and refuses others. What does
/// not fit is collected, every parameter at once, in `problems` (a control character, a
/// parameter given twice, an unknown parameter, a value of the wrong type); the value holds
/// the parameters that did fit. The handler adds the use case's own checks and refuses all.
pub struct Query<T> {
    pub value: T,
    pub problems: Vec<FieldError>,
}

/// serde's message for a query value, in words for a client.
fn query_message(message: &str) -> crate::domain::Bilingual {
    crate::domain::errors::plain_parser_message(message)
}

fn read_query<T: DeserializeOwned>(raw: &str) -> Result<Query<T>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
        .map_err(|_| ApiError::Malformed("the query string cannot be read".into()))?;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    for (k, v) in pairs {
        if v.chars().any(char::is_control) {
            problems.push(FieldError::new(
                k,
                (
                    "must not contain control characters",
                    "mag geen stuurtekens bevatten",
                ),
            ));
        } else if !seen.insert(k.clone()) {
            problems.push(FieldError::new(
                k,
                ("is given more than once", "staat er meer dan eens in"),
            ));
        } else {
            kept.push((k, v));
        }
    }
    // Each failed attempt names one parameter, which is then left out: so every parameter
    // that does not fit is named, and the rest is read.
    loop {
        let encoded = serde_urlencoded::to_string(&kept)
            .map_err(|_| ApiError::Malformed("the query string cannot be read".into()))?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(value) => return Ok(Query { value, problems }),
            Err(err) => {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let key = if path != "." {
                    path
                } else {
                    match message.split('`').nth(1) {
                        Some(k) => k.to_string(),
                        None => return Err(ApiError::field("query", query_message(&message))),
                    }
                };
                let before = kept.len();
                kept.retain(|(k, _)| k != &key);
                problems.push(FieldError::new(key, query_message(&message)));
                if kept.len() == before {
                    return Err(ApiError::fields(problems));
                }
            }
        }
    }
}

impl<T> Query<T> {
    /// The value, unless something did not fit: then 400 naming every parameter, those the
    /// extractor found and those of `more` (the use case's own checks).
    pub fn checked(self, more: Vec<FieldError>) -> Result<T, ApiError> {
        let mut problems = self.problems;
        problems.extend(more);
        if problems.is_empty() {
            Ok(self.value)
        } else {
            Err(ApiError::fields(problems))
        }
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read_query(req.query_string()))
    }
}

/// Runs a use case that reads, on a blocking thread.
pub async fn read<T: Send + 'static>(
    state: &web::Data<App>,
    f: impl FnOnce(&mut DbConn) -> Result<T, app::Error> + Send + 'static,
) -> Result<T, ApiError> {
    let st = state.clone();
    Ok(web::block(move || st.read(f)).await??)
}

/// Runs a use case in one transaction, on a blocking thread.
pub async fn write<T: Send + 'static>(
    state: &web::Data<App>,
    f: impl FnOnce(&mut Tx) -> Result<T, app::Error> + Send + 'static,
) -> Result<T, ApiError> {
    let st = state.clone();
    Ok(web::block(move || st.write(f)).await??)
}

/// Runs a reading use case for the token's account, read in the same database session (the
/// account is read on every request, so a role taken away takes effect at once).
pub async fn read_as<T: Send + 'static>(
    state: &web::Data<App>,
    bearer: Bearer,
    f: impl FnOnce(&mut DbConn, &Account) -> Result<T, app::Error> + Send + 'static,
) -> Result<(T, Account), ApiError> {
    read(state, move |c| {
        let me = accounts::authenticate(c, &bearer.0)?;
        f(c, &me).map(|t| (t, me))
    })
    .await
}

/// As `read_as`, for what a staff account still to enrol a second factor may do
/// (`accounts::authenticate_enrolling`).
pub async fn read_as_enrolling<T: Send + 'static>(
    state: &web::Data<App>,
    bearer: Bearer,
    f: impl FnOnce(&mut DbConn, &Account) -> Result<T, app::Error> + Send + 'static,
) -> Result<(T, Account), ApiError> {
    read(state, move |c| {
        let me = accounts::authenticate_enrolling(c, &bearer.0)?;
        f(c, &me).map(|t| (t, me))
    })
    .await
}

/// As `write_as`, for enrolling a second factor (`accounts::authenticate_enrolling`).
pub async fn write_as_enrolling<T: Send + 'static>(
    state: &web::Data<App>,
    bearer: Bearer,
    f: impl FnOnce(&mut Tx, &Account) -> Result<T, app::Error> + Send + 'static,
) -> Result<(T, Account), ApiError> {
    write(state, move |tx| {
        let me = accounts::authenticate_enrolling(tx, &bearer.0)?;
        f(tx, &me).map(|t| (t, me))
    })
    .await
}

/// Runs a use case in one transaction for the token's account, read in it.
pub async fn write_as<T: Send + 'static>(
    state: &web::Data<App>,
    bearer: Bearer,
    f: impl FnOnce(&mut Tx, &Account) -> Result<T, app::Error> + Send + 'static,
) -> Result<(T, Account), ApiError> {
    write(state, move |tx| {
        let me = accounts::authenticate(tx, &bearer.0)?;
        f(tx, &me).map(|t| (t, me))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        status: Option<String>,
        page: Option<i64>,
    }

    #[test]
    fn a_query_names_every_parameter_that_does_not_fit_and_keeps_the_rest() {
        let q: Query<Q> = read_query("status=draft&page=abc&colour=red&status=x").unwrap();
        assert_eq!(
            q.value,
            Q {
                status: Some("draft".into()),
                page: None
            }
        );
        let mut fields: Vec<_> = q.problems.iter().map(|p| p.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, vec!["colour", "page", "status"]);
        let page = q.problems.iter().find(|p| p.field == "page").unwrap();
        assert_eq!(page.message, "must be a whole number");
        let q: Query<Q> = read_query("status=%07").unwrap();
        assert_eq!(q.problems[0].field, "status");
        let q: Query<Q> = read_query("").unwrap();
        assert!(
            q.problems.is_empty()
                && q.value
                    == Q {
                        status: None,
                        page: None
                    }
        );
    }
}
