//! Posted forms: the body read as `application/x-www-form-urlencoded` into a typed struct
//! (serde_html_form, which gathers repeated fields into lists), and the problems a refused
//! form shows: a summary at the top and a message beside each field, in Dutch.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::WebError;
use crate::domain::FieldError;

/// A posted form read into `T`. A body that does not read at all (not a form of these pages)
/// is a refusal; a field of the wrong kind is read as text by the page's own types, so what was
/// typed comes back to the person.
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|_| WebError::BadRequest(super::error::FORM_UNREADABLE))?;
            read(&bytes).map(Posted)
        })
    }
}

/// A posted form read into `T`, with its body kept as it came: the plan form's posts carry it
/// through the sign-in page when the session has ended, so nothing typed is lost.
pub struct WithBody<T> {
    pub form: T,
    pub raw: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for WithBody<T> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|_| WebError::BadRequest(super::error::FORM_UNREADABLE))?;
            let form = read(&bytes)?;
            // A urlencoded body is ASCII; anything else did not come from these pages.
            let raw = String::from_utf8(bytes.to_vec())
                .map_err(|_| WebError::BadRequest(super::error::FORM_UNREADABLE))?;
            Ok(WithBody { form, raw })
        })
    }
}

/// Reads a urlencoded form body into `T`.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    serde_html_form::from_bytes(bytes)
        .map_err(|_| WebError::BadRequest(super::error::FORM_UNREADABLE))
}

/// One problem with a form: the id of the field it is about (the summary links to it), the
/// field's label, and what is wrong, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// A sentence starts with a capital.
pub fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Typed text that is no whole number of euros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotEuros;

/// A whole number of euros as typed ("1.250", "€ 300"): `Ok(None)` when empty.
pub fn euros(raw: &str) -> Result<Option<i64>, NotEuros> {
    let t = raw.trim().replace(['.', ' ', '€'], "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| NotEuros)
}

/// Every problem of a refused form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    pub items: Vec<Problem>,
}

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    /// A problem with the field `field` (its id), labelled `label` in the summary.
    pub fn add(
        &mut self,
        field: impl Into<String>,
        label: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.items.push(Problem {
            field: field.into(),
            label: label.into(),
            message: capitalised(&message.into()),
        });
    }

    /// The domain's field errors, each under the form field (id, label) that `field` names
    /// for its path.
    pub fn from_fields(
        errors: &[FieldError],
        field: impl Fn(&str) -> (String, String),
    ) -> Problems {
        let mut p = Problems::new();
        for e in errors {
            let (id, label) = field(&e.field);
            p.add(id, label, e.message_nl.clone());
        }
        p
    }

    /// Adds the domain's field errors to these.
    pub fn extend(&mut self, other: Problems) {
        self.items.extend(other.items);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for a field, when it has one (several are joined).
    pub fn of(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .items
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }

    /// Whether a field has a problem (for `aria-invalid`).
    pub fn has(&self, field: &str) -> bool {
        self.items.iter().any(|p| p.field == field)
    }
}

/// A path of this site to go on to after signing in: a local path only, never another host.
pub fn local_path(raw: Option<&str>) -> Option<String> {
    let p = raw?.trim();
    let safe = p.starts_with('/')
        && !p.starts_with("//")
        && !p.starts_with("/\\")
        && !p.chars().any(|c| c.is_control() || c == '\\');
    safe.then(|| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_local_path_is_followed_after_sign_in() {
        assert_eq!(
            local_path(Some("/mijn-plannen")),
            Some("/mijn-plannen".into())
        );
        assert_eq!(local_path(Some("//evil.example")), None);
        assert_eq!(local_path(Some("https://evil.example")), None);
        assert_eq!(local_path(Some("/\\evil.example")), None);
        assert_eq!(local_path(Some("/a\nb")), None);
        assert_eq!(local_path(None), None);
    }

    #[test]
    fn problems_name_their_fields() {
        let errors = vec![
            FieldError::new("goals[0]", ("unknown", "bestaat niet")),
            FieldError::new("title", ("is required", "is verplicht")),
        ];
        let p = Problems::from_fields(&errors, |f| {
            let id = f.split('[').next().unwrap().to_string();
            (id.clone(), id)
        });
        assert_eq!(p.of("goals").as_deref(), Some("Bestaat niet"));
        assert!(p.has("title") && !p.has("description"));
    }
}
