//! Keeping the house: organisations and membership claims (admin and programme team), the mail
//! outbox with retry (admin; the team reads it with the addresses masked). Accounts and roles
//! are `admin_users`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::Post;
use super::public::Flash;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::outbox::MailQuery;
use crate::app::App;
use crate::app::{self, organisations, outbox};
use crate::domain::calendar::dutch_date_time;
use crate::domain::organisation::OrganisationKind;
use crate::domain::permission::{self, Permission};
use crate::domain::DomainError;

// ---- organisations -----------------------------------------------------------------------------

pub struct OrganisationLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub members: Vec<(String, String, bool)>,
    /// The contact address field: its id, and its value (as stored, or as typed).
    pub contact_field: String,
    pub contact: String,
    /// Nobody reads its letters: no contact address, no confirmed member.
    pub unreachable: bool,
}

#[derive(Template)]
#[template(path = "web/organisations.html")]
struct OrganisationsPage {
    l: Layout,
    p: Problems,
    organisations: Vec<OrganisationLine>,
    kinds: Vec<(&'static str, &'static str)>,
    /// What was typed in the new organisation's form.
    org_name: String,
    kind: String,
    contact_email: String,
}

/// What was typed in a form: the new organisation's, or one organisation's contact address.
#[derive(Default)]
struct Typed {
    name: String,
    kind: String,
    contact_email: String,
    /// (organisation id, contact address typed for it)
    contact_of: Option<(String, String)>,
}

async fn organisations_page(
    state: &web::Data<App>,
    v: &Visitor,
    p: Problems,
    typed: Typed,
    flash: Option<&str>,
) -> Result<OrganisationsPage, WebError> {
    let actor = v.may(Permission::ManageOrganisations, "/beheer/organisaties")?;
    let st = state.clone();
    let list = web::block(move || {
        st.read(|c| {
            let mut out = Vec::new();
            for o in organisations::list(c)? {
                let members = organisations::members(c, &actor, &o.id)?;
                out.push((o, members));
            }
            Ok(out)
        })
    })
    .await??;
    let contact_of = typed.contact_of;
    Ok(OrganisationsPage {
        l: Layout::new(
            if p.is_empty() {
                "Organisaties"
            } else {
                "Fout: Organisaties"
            },
            v,
        )
        .with_flash(super::flash(flash)),
        p,
        organisations: list
            .into_iter()
            .map(|(o, members)| OrganisationLine {
                contact_field: format!("contact_email-{}", o.id),
                unreachable: !crate::domain::organisation::receives_copies(
                    &o,
                    members.iter().filter(|m| m.organisation_confirmed).count(),
                ),
                contact: match &contact_of {
                    Some((id, typed)) if *id == o.id => typed.clone(),
                    _ => o.contact_email.clone().unwrap_or_default(),
                },
                id: o.id,
                name: o.name,
                kind: o.kind.label_nl(),
                members: members
                    .into_iter()
                    .map(|m| (m.id, m.name, m.organisation_confirmed))
                    .collect(),
            })
            .collect(),
        kinds: OrganisationKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_nl()))
            .collect(),
        org_name: typed.name,
        kind: typed.kind,
        contact_email: typed.contact_email,
    })
}

/// `GET /beheer/organisaties`.
pub async fn organisations_list(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let page = organisations_page(
        &state,
        &v,
        Problems::new(),
        Typed {
            kind: "partner".into(),
            ..Typed::default()
        },
        q.bericht.as_deref(),
    )
    .await?;
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    contact_email: String,
}

/// `POST /beheer/organisaties`: registers an organisation.
pub async fn create_organisation(
    state: web::Data<App>,
    post: Post<OrganisationForm>,
) -> Result<HttpResponse, WebError> {
    let actor = post.may(Permission::ManageOrganisations, "/beheer/organisaties")?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    let (name, kind, contact) = (f.name.clone(), f.kind.clone(), f.contact_email.clone());
    let p = match web::block(move || {
        st.write(|tx| organisations::create(tx, &actor, Some(&name), Some(&kind), Some(&contact)))
    })
    .await?
    {
        Ok(_) => return Ok(redirect(&v, "/beheer/organisaties?bericht=organisatie")),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => {
            Problems::from_fields(&errors, |f| match f {
                "kind" => ("kind".into(), "Soort".into()),
                "contact_email" => ("contact_email".into(), "E-mailadres voor brieven".into()),
                _ => ("name".into(), "Naam".into()),
            })
        }
        Err(app::Error::Domain(d)) => {
            let mut p = Problems::new();
            p.add("name", "Naam", d.message_nl());
            p
        }
        Err(e) => return Err(e.into()),
    };
    let typed = Typed {
        name: f.name,
        kind: f.kind,
        contact_email: f.contact_email,
        contact_of: None,
    };
    let page = organisations_page(&state, &v, p, typed, None).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    contact_email: String,
}

/// `POST /beheer/organisaties/{id}/contact`: the address an organisation's letters go to
/// besides its confirmed members (empty: none).
pub async fn set_contact(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ContactForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::ManageOrganisations, "/beheer/organisaties")?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    let change = crate::domain::organisation::OrganisationChange {
        contact_email: Some(Some(f.contact_email.clone())),
        ..Default::default()
    };
    let oid = id.clone();
    let p =
        match web::block(move || st.write(|tx| organisations::change(tx, &actor, &oid, &change)))
            .await?
        {
            Ok(_) => return Ok(redirect(&v, "/beheer/organisaties?bericht=contact")),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                Problems::from_fields(&errors, |_| {
                    (
                        format!("contact_email-{id}"),
                        "E-mailadres voor brieven".into(),
                    )
                })
            }
            Err(e) => return Err(e.into()),
        };
    let typed = Typed {
        kind: "partner".into(),
        contact_of: Some((id, f.contact_email)),
        ..Typed::default()
    };
    let page = organisations_page(&state, &v, p, typed, None).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    user_id: String,
}

/// `POST /beheer/organisaties/{id}/leden`: confirms an account's claim to the organisation.
pub async fn confirm_member(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::ManageOrganisations, "/beheer/organisaties")?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    web::block(move || {
        st.write(|tx| organisations::confirm_member(tx, &actor, &id, Some(&f.user_id)))
    })
    .await??;
    Ok(redirect(&v, "/beheer/organisaties?bericht=lid-bevestigd"))
}

// ---- the outbox --------------------------------------------------------------------------------

pub struct MailLine {
    pub id: String,
    pub at: String,
    pub to: String,
    pub subject: String,
    pub status: &'static str,
    pub attempts: i32,
    pub error: String,
    pub may_retry: bool,
}

#[derive(Template)]
#[template(path = "web/outbox.html")]
struct OutboxPage {
    l: Layout,
    p: Problems,
    mails: Vec<MailLine>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    admin: bool,
    total: i64,
    page: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    pagina: Option<i64>,
    bericht: Option<String>,
}

/// `GET /beheer/post`: the outbox, newest first, 50 a page.
pub async fn outbox_page(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<OutboxQuery>,
) -> Result<HttpResponse, WebError> {
    let actor = v.may(Permission::ReadOutbox, "/beheer/post")?;
    let status = q.status.clone().filter(|s| !s.is_empty());
    let query = MailQuery {
        status: status.clone(),
        page: Some(q.pagina.unwrap_or(1).clamp(1, 1_000_000)),
        page_size: Some(50),
    };
    let st = state.clone();
    let a = actor.clone();
    let found = web::block(move || st.read(|c| outbox::list(c, &a, &query))).await?;
    let (found, p) = match found {
        Ok(f) => (Some(f), Problems::new()),
        Err(app::Error::Domain(DomainError::Invalid(errors))) => (
            None,
            Problems::from_fields(&errors, |_| ("status".into(), "Status".into())),
        ),
        Err(e) => return Err(e.into()),
    };
    let admin = permission::allows(&actor, Permission::RetryMail);
    let link = |page: i64| {
        let mut parts = Vec::new();
        if let Some(s) = &status {
            parts.push(("status", s.clone()));
        }
        parts.push(("pagina", page.to_string()));
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(parts)
            .finish();
        format!("/beheer/post?{encoded}")
    };
    let (mails, total, page, more) = match &found {
        Some(f) => (
            f.items
                .iter()
                .map(|m| MailLine {
                    id: m.id.clone(),
                    at: dutch_date_time(m.created_at),
                    to: m.to.clone(),
                    subject: m.subject.clone(),
                    status: m.status.label_nl(),
                    attempts: m.attempts,
                    error: m.last_error.clone().unwrap_or_default(),
                    may_retry: admin && m.status.may_retry(),
                })
                .collect(),
            f.total,
            f.page,
            f.page * f.page_size < f.total,
        ),
        None => (Vec::new(), 0, 1, false),
    };
    let page_view = OutboxPage {
        l: Layout::new(if p.is_empty() { "Post" } else { "Fout: Post" }, &v)
            .with_flash(super::flash(q.bericht.as_deref())),
        p,
        mails,
        statuses: crate::domain::notice::MailStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_nl()))
            .collect(),
        status: status.clone().unwrap_or_default(),
        admin,
        total,
        page,
        prev_href: (page > 1).then(|| link(page - 1)),
        next_href: more.then(|| link(page + 1)),
    };
    let code = if page_view.p.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(&v, code, &page_view)
}

#[derive(Debug, Default, Deserialize)]
pub struct RetryForm {}

/// `POST /beheer/post/{id}/opnieuw`: an admin puts a mail back in the queue.
pub async fn retry(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<RetryForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::RetryMail, "/beheer/post")?;
    let v = post.v;

    let st = state.clone();
    web::block(move || st.write(|tx| outbox::retry(tx, &actor, &id))).await??;
    Ok(redirect(&v, "/beheer/post?bericht=opnieuw"))
}
