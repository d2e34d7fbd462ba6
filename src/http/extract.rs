//! Request extractors: JSON bodies that name the bad field, and the signed-in user.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::AppState;
use crate::db::{models::UserRow, repo};
use crate::domain::user::{Actor, Role};
use crate::domain::FieldError;
use crate::error::AppError;

/// For optional body fields whose schema is not nullable: absent is `None`, `null` is refused
/// (serde reports the field) instead of being taken for "absent".
pub fn no_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The most a request body may hold.
pub const BODY_LIMIT: usize = 1 << 20;

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
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, NoDuplicateKeys>(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            AppError::Malformed(format!("the body is not valid JSON: {inner}"))
        } else {
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            AppError::Invalid(vec![FieldError::new(
                if path == "." {
                    "body".to_string()
                } else {
                    path
                },
                message,
            )])
        }
    })?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            AppError::Malformed(format!("the body is not valid JSON: {inner}"))
        } else {
            // serde's message ends with the position; the field name says more to a client.
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            AppError::Invalid(vec![FieldError::new(field, message)])
        }
    })?;
    Ok(value)
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code().as_u16() == 413 {
                    AppError::PayloadTooLarge
                } else {
                    AppError::Malformed("the body could not be read".into())
                }
            })?;
            // Every body of this API is an object; serde would otherwise read an array into a
            // struct by position and blame "[0]".
            match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') | None => {}
                Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() => {
                    return Err(AppError::Malformed("the body is not valid JSON".into()));
                }
                Some(_) => return Err(AppError::field("body", "must be a JSON object")),
            }
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// The signed-in user, read from the database on every request so a role taken away or an
/// account deactivated takes effect at once.
pub struct Auth {
    pub actor: Actor,
    pub user: UserRow,
}

impl Auth {
    /// 403 unless the user holds `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.actor.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the role {}",
                role.as_str()
            )))
        }
    }

    /// 403 unless the user holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.iter().any(|r| self.actor.has(*r)) {
            Ok(())
        } else {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            Err(AppError::Forbidden(format!(
                "this needs one of the roles {}",
                names.join(", ")
            )))
        }
    }
}

/// Parses the stored comma-separated roles.
pub fn roles_of(row: &UserRow) -> Vec<Role> {
    row.roles.split(',').filter_map(Role::parse).collect()
}

/// A verified bearer token: who it says the caller is, before the account is read. Hot
/// read paths take this and read the account in the same database session as their data.
pub struct Bearer(pub String);

impl FromRequest for Bearer {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(bearer(req))
    }
}

fn bearer(req: &HttpRequest) -> Result<Bearer, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal("no application state".into()))?;
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .ok_or_else(|| {
            AppError::Unauthorized(
                "sign in and send the token as 'Authorization: Bearer <token>'".into(),
            )
        })?;
    state.tokens.verify(&token).map(Bearer)
}

impl Auth {
    /// Reads the token's account; a missing or deactivated account is 401.
    pub fn load(c: &mut crate::db::DbConn, user_id: &str) -> Result<Auth, AppError> {
        Auth::of(repo::find_user(c, user_id)?)
    }

    /// The caller as the token's account (read already) makes them; 401 as `load`.
    pub fn of(account: Option<UserRow>) -> Result<Auth, AppError> {
        match account {
            Some(user) if user.active => Ok(Auth {
                actor: Actor {
                    user_id: user.id.clone(),
                    roles: roles_of(&user),
                    organisation_id: user.organisation_id.clone(),
                },
                user,
            }),
            _ => Err(AppError::Unauthorized(
                "the account of this token no longer exists or is deactivated".into(),
            )),
        }
    }
}

impl FromRequest for Auth {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let who = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal("no application state".into()))?;
            let Bearer(user_id) = who?;
            let db = state.db.clone();
            web::block(move || db.read(|c| Auth::load(c, &user_id))).await?
        })
    }
}
