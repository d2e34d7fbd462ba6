//! The second factor in the browser: the code asked after the password (`/inloggen/code`),
//! and enrolling an authenticator app (`/account/tweestap`): a QR code drawn on the server
//! as SVG (no script), the secret as text, the first code, then the ten recovery codes, once.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::{landing, next_query};
use super::form::{local_path, Problems};
use super::kit::Post;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::{self, second_factor, sessions, App, Unauthorized};
use crate::domain::second_factor::grouped;
use crate::front::client_key;

// ---- the code after the password ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/code.html")]
struct CodePage {
    l: Layout,
    p: Problems,
    next: String,
    /// A plan form carried through sign-in (`account::session_ended`).
    carried: String,
}

/// The page that asks the code, carrying where the person was going and a plan form carried
/// through sign-in.
pub(super) fn code_form(
    v: &Visitor,
    next: &str,
    carried: &str,
    status: StatusCode,
    wrong: bool,
) -> Result<HttpResponse, WebError> {
    let mut p = Problems::new();
    if wrong {
        p.add(
            "code",
            "Code",
            "Deze code klopt niet, of is al gebruikt. Vul de nieuwste code uit de app in, of een herstelcode die u nog niet gebruikte.",
        );
    }
    let page = CodePage {
        l: Layout::new(
            if wrong {
                "Fout: Inloggen: de code"
            } else {
                "Inloggen: de code"
            },
            v,
        ),
        p,
        next: next.to_string(),
        carried: carried.to_string(),
    };
    render(v, status, &page)
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    volgende: Option<String>,
}

/// `GET /inloggen/code`: the code of the second factor, after the password or link; without a
/// sign-in waiting for it, back to `/inloggen`.
pub async fn code_page(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<CodeQuery>,
) -> Result<HttpResponse, WebError> {
    let next = local_path(q.volgende.as_deref()).unwrap_or_default();
    let Some(token) = v.awaiting_code.clone() else {
        return Ok(redirect(&v, &format!("/inloggen{}", next_query(&next))));
    };
    let st = state.clone();
    if web::block(move || st.read(|c| sessions::awaiting_code(c, &token)))
        .await??
        .is_none()
    {
        return Ok(redirect(&v, &format!("/inloggen{}", next_query(&next))));
    }
    code_form(&v, &next, "", StatusCode::OK, false)
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    volgende: Option<String>,
    #[serde(default)]
    bewaard: String,
}

/// `POST /inloggen/code`: a right code finishes the sign-in (on to where the person was going,
/// a carried plan form saved); a wrong one asks again; a sign-in that waited too long, or
/// none, starts over at `/inloggen`.
pub async fn finish(
    state: web::Data<App>,
    req: HttpRequest,
    post: Post<CodeForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let next = local_path(f.volgende.as_deref());
    let shown_next = next.clone().unwrap_or_default();
    let Some(token) = v.awaiting_code.clone() else {
        return Ok(redirect(&v, "/inloggen?bericht=code-verlopen"));
    };
    let client = client_key(&req);
    let st = state.clone();
    let code = f.code.clone();
    match web::block(move || sessions::finish_with_code(&st, &token, Some(&code), &client)).await? {
        Ok((token, signed_in)) => {
            let to = landing(&signed_in.account, next);
            v.sign_in(token, signed_in);
            if !f.bewaard.is_empty() {
                if let Some(saved) =
                    super::applicant::resume_form(&state, &v, &to, &f.bewaard).await
                {
                    return saved;
                }
            }
            Ok(redirect(&v, &to))
        }
        Err(app::Error::Unauthorized(Unauthorized::OtpInvalid | Unauthorized::OtpRequired)) => {
            code_form(&v, &shown_next, &f.bewaard, StatusCode::UNAUTHORIZED, true)
        }
        Err(app::Error::Unauthorized(_)) => {
            v.end_awaiting_code();
            Ok(redirect(&v, "/inloggen?bericht=code-verlopen"))
        }
        Err(app::Error::TooManyRequests(s)) => {
            let mut p = Problems::new();
            p.add(
                "code",
                "Code",
                format!(
                    "Te veel pogingen. Probeer het over {} minuten opnieuw.",
                    s.div_ceil(60)
                ),
            );
            let page = CodePage {
                l: Layout::new("Fout: Inloggen: de code", &v),
                p,
                next: shown_next,
                carried: f.bewaard,
            };
            render(&v, StatusCode::TOO_MANY_REQUESTS, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---- enrolment ---------------------------------------------------------------------------------

/// The QR code of `text` as an SVG image: dark modules as one path, a quiet zone of four.
fn qr_svg(text: &str) -> Result<String, WebError> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|e| WebError::Internal(format!("cannot draw the QR code: {e:?}")))?;
    let border = 4;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + 2 * border;
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="pl-qr" viewBox="0 0 {full} {full}" width="232" height="232" role="img" aria-labelledby="qr-titel"><title id="qr-titel">QR-code om uw account toe te voegen aan uw authenticator-app</title><rect width="100%" height="100%" fill="#ffffff"/><path d="{path}" fill="#000000"/></svg>"##
    ))
}

#[derive(Template)]
#[template(path = "web/two_step.html")]
struct TwoStepPage {
    l: Layout,
    p: Problems,
    /// The factor is on: how many recovery codes are left.
    on: Option<i64>,
    /// While enrolling: the QR code and the secret in groups of four.
    qr: String,
    secret: String,
    /// Just confirmed: the recovery codes, shown this once.
    codes: Vec<String>,
    /// A staff account that must enrol before anything else.
    must: bool,
    /// Where the person's own work is, to go on to once enrolled.
    home: &'static str,
}

/// `GET /account/tweestap`: whether the second factor is on; if not, a secret to add to the
/// app (the one waiting for its first code, or a new one) and the field for that code.
pub async fn page(state: web::Data<App>, v: Visitor) -> Result<HttpResponse, WebError> {
    let me = v.require_enrolling("/account/tweestap")?.account.clone();
    let st = state.clone();
    let (status, enrolment) = web::block(move || {
        st.write(|tx| {
            let status = second_factor::status(tx, &me)?;
            if status.on {
                return Ok((status, None));
            }
            let enrolment = match second_factor::pending(tx, &me)? {
                Some(e) => e,
                None => second_factor::begin(tx, &me)?,
            };
            Ok((status, Some(enrolment)))
        })
    })
    .await??;
    let (qr, secret) = match &enrolment {
        Some(e) => (qr_svg(&e.otpauth_uri)?, grouped(&e.secret)),
        None => (String::new(), String::new()),
    };
    let page = TwoStepPage {
        l: Layout::new("Tweestapsverificatie", &v),
        p: Problems::new(),
        on: status.on.then_some(status.recovery_codes_left),
        qr,
        secret,
        codes: Vec::new(),
        must: v.must_enrol,
        home: "/account",
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// `POST /account/tweestap`: the app's first code turns the factor on; this browser's session
/// counts as signed in with it from now; the recovery codes are shown, once.
pub async fn confirm(
    state: web::Data<App>,
    post: Post<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    post.anyone()?;
    let Post { mut v, form: f, .. } = post;
    let signed_in = v.require_enrolling("/account/tweestap")?.clone();
    let signed_in_account = signed_in.account.clone();
    let st = state.clone();
    let me = signed_in.account.clone();
    let outcome = web::block(move || {
        st.write(|tx| {
            let codes = second_factor::confirm(tx, &me, Some(&f.code))?;
            sessions::proven(tx, &signed_in)?;
            Ok(codes)
        })
    })
    .await?;
    match outcome {
        Ok(codes) => {
            if let Some(s) = v.signed_in.as_mut() {
                s.session.second_factor = true;
            }
            v.must_enrol = false;
            let page = TwoStepPage {
                l: Layout::new("Tweestapsverificatie staat aan", &v),
                p: Problems::new(),
                on: Some(codes.len() as i64),
                qr: String::new(),
                secret: String::new(),
                codes,
                must: false,
                home: crate::domain::permission::home(&signed_in_account.actor()),
            };
            render(&v, StatusCode::OK, &page)
        }
        Err(app::Error::Domain(crate::domain::DomainError::Invalid(errors))) => {
            let me = v.require_enrolling("/account/tweestap")?.account.clone();
            let st = state.clone();
            let enrolment = web::block(move || st.read(|c| second_factor::pending(c, &me)))
                .await??
                .ok_or(WebError::Refused(
                    "Begin opnieuw met het instellen van de tweestapsverificatie.".into(),
                ))?;
            let page = TwoStepPage {
                l: Layout::new("Fout: Tweestapsverificatie", &v),
                p: Problems::from_fields(&errors, |_| {
                    ("code".to_string(), "Code uit de app".to_string())
                }),
                on: None,
                qr: qr_svg(&enrolment.otpauth_uri)?,
                secret: grouped(&enrolment.secret),
                codes: Vec::new(),
                must: v.must_enrol,
                home: "/account",
            };
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_of_modules_with_a_title() {
        let svg = qr_svg("otpauth://totp/planloket:anna%40example.nl?secret=GEZDGNBV").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"qr-titel\">"));
        assert!(svg.matches("h1v1h-1z").count() > 100);
        assert!(!svg.contains("<script"));
    }
}
