//! Keeping the house: accounts and roles (the admin): the list, a new account, an account's
//! page with its roles and second factor.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::Post;
use super::public::Flash;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::tokens::Bearer;
use crate::app::App;
use crate::app::{self, accounts, organisations};
use crate::domain::permission::Permission;
use crate::domain::user::{Account, AccountChange, Role};
use crate::domain::DomainError;

/// The account use cases check their caller inside their own transaction from a token's
/// claims; a live session stands for the same account and epoch, and has passed the
/// visitor's second-factor check (`Visitor::require`) already.
fn bearer_of(a: &Account) -> Bearer {
    Bearer {
        user_id: a.id.clone(),
        epoch: a.session_epoch,
        second_factor: true,
        policy: crate::domain::second_factor::StaffMfa::Required,
    }
}

// ---- accounts ----------------------------------------------------------------------------------

pub struct UserLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub organisation: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "web/users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserLine>,
}

/// `GET /beheer/gebruikers`.
pub async fn users(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let actor = v.may(Permission::ManageUsers, "/beheer/gebruikers")?;
    let st = state.clone();
    let (list, orgs) = web::block(move || {
        st.read(|c| {
            Ok((
                accounts::list_users(c, &st.reads, &actor)?,
                organisations::list(c)?,
            ))
        })
    })
    .await??;
    let page = UsersPage {
        l: Layout::new("Gebruikers", &v).with_flash(super::flash(q.bericht.as_deref())),
        users: list
            .iter()
            .map(|a| UserLine {
                id: a.id.clone(),
                name: a.name.clone(),
                email: a.email.clone(),
                roles: a
                    .roles
                    .iter()
                    .map(|r| r.label_nl())
                    .collect::<Vec<_>>()
                    .join(", "),
                organisation: a
                    .organisation_id
                    .as_ref()
                    .map(|id| {
                        let name = orgs
                            .iter()
                            .find(|o| &o.id == id)
                            .map(|o| o.name.clone())
                            .unwrap_or_else(|| id.clone());
                        if a.organisation_confirmed {
                            name
                        } else {
                            format!("{name} (nog niet bevestigd)")
                        }
                    })
                    .unwrap_or_default(),
                active: a.active,
            })
            .collect(),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/user_form.html")]
struct UserFormPage {
    l: Layout,
    p: Problems,
    /// `None` for a new account.
    id: Option<String>,
    f: UserForm,
    roles: Vec<(&'static str, &'static str)>,
    organisations: Vec<(String, String)>,
    /// For an existing account: whether its second factor is on (the admin may reset it).
    second_factor: Option<crate::app::second_factor::Status>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub organisation_id: String,
    /// "ja" when the account is active.
    #[serde(default)]
    pub active: String,
}

impl UserForm {
    fn of(a: &Account) -> UserForm {
        UserForm {
            name: a.name.clone(),
            email: a.email.clone(),
            password: String::new(),
            roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
            kind: a.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            organisation_id: a.organisation_id.clone().unwrap_or_default(),
            active: if a.active { "ja".into() } else { String::new() },
        }
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    fn change(&self, creating: bool) -> AccountChange {
        let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        AccountChange {
            email: Some(self.email.clone()),
            name: Some(self.name.clone()),
            password: if creating {
                optional(&self.password)
            } else {
                // Left empty: the password stays.
                (!self.password.is_empty()).then(|| self.password.clone())
            },
            roles: Some(self.roles.clone()),
            organisation_id: Some(optional(&self.organisation_id)),
            kind: Some(optional(&self.kind)),
            active: Some(creating || self.active == "ja"),
        }
    }
}

async fn user_form_page(
    state: &web::Data<App>,
    v: &Visitor,
    id: Option<String>,
    f: UserForm,
    p: Problems,
) -> Result<UserFormPage, WebError> {
    let st = state.clone();
    let orgs = web::block(move || st.read(organisations::list)).await??;
    let title = match (&id, p.is_empty()) {
        (None, true) => "Nieuw account".to_string(),
        (None, false) => "Fout: Nieuw account".to_string(),
        (Some(_), true) => "Account wijzigen".to_string(),
        (Some(_), false) => "Fout: Account wijzigen".to_string(),
    };
    Ok(UserFormPage {
        l: Layout::new(title, v),
        p,
        id,
        f,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_nl()))
            .collect(),
        organisations: orgs.into_iter().map(|o| (o.id, o.name)).collect(),
        second_factor: None,
    })
}

/// `GET /beheer/gebruikers/nieuw`.
pub async fn new_user_page(state: web::Data<App>, v: Visitor) -> Result<HttpResponse, WebError> {
    v.may(Permission::ManageUsers, "/beheer/gebruikers/nieuw")?;
    let f = UserForm {
        active: "ja".into(),
        ..Default::default()
    };
    let page = user_form_page(&state, &v, None, f, Problems::new()).await?;
    render(&v, StatusCode::OK, &page)
}

/// `GET /beheer/gebruikers/{id}`.
pub async fn user_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<super::public::Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(Permission::ManageUsers, &format!("/beheer/gebruikers/{id}"))?;
    let st = state.clone();
    let list =
        web::block(move || st.read(|c| accounts::list_users(c, &st.reads, &actor))).await??;
    let account = list.iter().find(|a| a.id == id).ok_or(WebError::NotFound)?;
    let mut page = user_form_page(
        &state,
        &v,
        Some(id.clone()),
        UserForm::of(account),
        Problems::new(),
    )
    .await?;
    let me = v.require("/beheer/gebruikers")?.clone();
    let st = state.clone();
    page.second_factor = Some(
        web::block(move || st.read(|c| crate::app::second_factor::status_of(c, &me, &id)))
            .await??,
    );
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

/// `POST /beheer/gebruikers/{id}/tweestap`: resets the account's lost second factor; every
/// session of it ends and its holder is mailed.
pub async fn reset_second_factor(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<super::account::CsrfOnly>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/beheer/gebruikers/{id}");
    post.may(Permission::ManageUsers, &here)?;
    let me = post.v.require(&here)?.clone();
    let public_url = state.public_url.clone();
    let target = id.clone();
    super::kit::write(&state, move |tx| {
        crate::app::second_factor::reset(tx, &me, &target, &public_url)
    })
    .await?
    .map_err(|_| WebError::NotFound)?;
    Ok(redirect(
        &post.v,
        &format!("{here}?bericht=tweestap-uitgezet"),
    ))
}

fn user_field(path: &str) -> (String, String) {
    let (id, label) = match path.split(['[', '.']).next().unwrap_or(path) {
        "email" => ("email", "E-mailadres"),
        "name" => ("name", "Naam"),
        "password" => ("password", "Wachtwoord"),
        "roles" => ("role-applicant", "Rollen"),
        "organisation_id" => ("organisation_id", "Organisatie"),
        "kind" => ("kind", "Soort indiener"),
        _ => ("name", "Account"),
    };
    (id.to_string(), label.to_string())
}

/// Creates or changes an account; the form comes back with every mistake named.
async fn save_user(
    state: web::Data<App>,
    post: Post<UserForm>,
    id: Option<String>,
) -> Result<HttpResponse, WebError> {
    let here = id
        .as_ref()
        .map(|id| format!("/beheer/gebruikers/{id}"))
        .unwrap_or_else(|| "/beheer/gebruikers/nieuw".into());
    post.may(Permission::ManageUsers, &here)?;
    let me = bearer_of(post.v.require(&here)?);
    let Post { v, form: f, .. } = post;
    let change = f.change(id.is_none());
    let target = id.clone();
    let outcome = crate::front::hashing(&state, move |app| match &target {
        None => accounts::create_user(app, &me, change),
        Some(id) => accounts::update_user(app, &me, id, change),
    })
    .await;
    let p = match outcome {
        Ok(_) => {
            let key = if id.is_none() {
                "account-aangemaakt"
            } else {
                "account-gewijzigd"
            };
            return Ok(redirect(&v, &format!("/beheer/gebruikers?bericht={key}")));
        }
        Err(app::Error::Domain(DomainError::Invalid(errors))) => {
            Problems::from_fields(&errors, user_field)
        }
        Err(app::Error::Domain(d)) => {
            let mut p = Problems::new();
            let field = if matches!(d, DomainError::Duplicate(_)) {
                "email"
            } else {
                "role-applicant"
            };
            p.add(field, "Account", d.message_nl());
            p
        }
        Err(e) => return Err(e.into()),
    };
    let page = user_form_page(&state, &v, id, f, p).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}

/// `POST /beheer/gebruikers/nieuw`.
pub async fn create_user(
    state: web::Data<App>,
    post: Post<UserForm>,
) -> Result<HttpResponse, WebError> {
    save_user(state, post, None).await
}

/// `POST /beheer/gebruikers/{id}`.
pub async fn update_user(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<UserForm>,
) -> Result<HttpResponse, WebError> {
    save_user(state, post, Some(path.into_inner())).await
}
