//! Signing in through the municipality's identity provider (OpenID Connect): the request
//! that sends the browser there, and the callback that links (or creates) the account and
//! gives it the roles the provider gives now.

use super::accounts::token_hash;
use super::second_factor::{self, Factor};
use super::sign_in::SignIn;
use super::{new_id, now, App, Error, Tx, Unauthorized};
use crate::db::{self, single_sign_on::Pending};
use crate::domain::single_sign_on::roles_after_sign_in;
use crate::domain::text::Bounded;
use crate::domain::user::{Account, ApplicantKind, Email, Role};
use crate::domain::{Bilingual, DomainError};
use crate::sso::{Identity, SsoError};

/// How long a sign-in at the provider may take before its callback is refused.
pub const REQUEST_WAIT: chrono::Duration = chrono::Duration::minutes(10);

fn provider(app: &App) -> Result<&crate::sso::Provider, Error> {
    app.sso.as_deref().ok_or(Error::NotFound("single sign-on"))
}

fn refused(e: SsoError) -> Error {
    match e {
        SsoError::Unavailable(cause) => Error::Unavailable(format!("identity provider: {cause}")),
        SsoError::Refused(cause) => {
            tracing::warn!(%cause, "single sign-on refused");
            Error::Unauthorized(Unauthorized::SingleSignOn)
        }
    }
}

/// A sign-in sent to the provider: where the browser goes, and the state it must bring back
/// (kept in the browser, so a callback started in another browser is refused).
#[derive(Debug, Clone)]
pub struct Begun {
    pub url: String,
    pub state: String,
}

/// Begins a sign-in at the provider, going to `next` (a local path, or empty) afterwards.
pub fn begin(app: &App, next: &str) -> Result<Begun, Error> {
    let request = provider(app)?.begin().map_err(refused)?;
    app.write(|tx| {
        Ok(db::single_sign_on::keep_request(
            tx,
            &token_hash(&request.state),
            &Pending {
                nonce: request.nonce.clone(),
                pkce_verifier: request.pkce_verifier.clone(),
                next: next.to_string(),
                created_at: now(),
            },
        )?)
    })?;
    Ok(Begun {
        url: request.url,
        state: request.state,
    })
}

/// A finished sign-in at the provider: the account, how it stands with the second factor,
/// and where the person was going.
#[derive(Debug, Clone)]
pub struct Finished {
    pub signed: SignIn,
    pub next: String,
}

/// The provider's callback: its `state` must be the one this browser was given (`issued`)
/// and still waiting (once: a callback replayed is refused); its code is exchanged and the ID
/// token checked (nonce, audience, issuer, signature). The account linked to the provider's
/// person signs in with the roles the provider gives now; the provider's sign-in counts as
/// the second factor when trusted (`PLANLOKET_OIDC_TRUST_MFA=1`), otherwise planloket's own
/// code is asked as after a password.
pub fn finish(
    app: &App,
    issued: Option<&str>,
    state: Option<&str>,
    code: Option<&str>,
) -> Result<Finished, Error> {
    let provider = provider(app)?;
    let unusable = || Error::Unauthorized(Unauthorized::SingleSignOn);
    let (Some(state), Some(code)) = (state, code) else {
        return Err(unusable());
    };
    if issued != Some(state) {
        return Err(unusable());
    }
    let pending = app
        .write(|tx| {
            Ok(db::single_sign_on::take_request(
                tx,
                &token_hash(state),
                now() - REQUEST_WAIT,
            )?)
        })?
        .ok_or_else(unusable)?;
    let identity = provider
        .finish(code, &pending.nonce, &pending.pkce_verifier)
        .map_err(refused)?;
    let roles = provider.settings.role_map.roles_of(&identity.roles);
    let name = provider.settings.name.clone();
    let account = app.write(|tx| sign_in(tx, &identity, &roles, &name))?;
    if !account.active {
        return Err(no_access(&name));
    }
    let factor = if provider.settings.trust_mfa {
        Factor::Proven
    } else {
        match second_factor::prove(app, &account, None)? {
            Factor::Awaited => Factor::Awaited,
            _ => Factor::None,
        }
    };
    Ok(Finished {
        signed: SignIn { account, factor },
        next: pending.next,
    })
}

fn no_access(provider_name: &str) -> Error {
    DomainError::Forbidden(Bilingual::new(
        "the identity provider gives this person no role in planloket",
        format!("Uw account bij {provider_name} geeft u geen toegang tot het planloket. Vraag uw beheerder om een rol voor het planloket."),
    ))
    .into()
}

/// The account of the provider's person, with the roles the provider gives now: the one
/// linked to (issuer, subject); else, at the first sign-in, the account with the person's
/// (not unverified) e-mail address, linked now; else a new one, made with the address and
/// name from the claims. A person the provider gives no role in planloket is refused (an
/// account that held only provider roles comes back deactivated: its roles are gone, and
/// `finish` refuses it). A deactivated account is refused as at any sign-in.
fn sign_in(
    tx: &mut Tx,
    identity: &Identity,
    provider_roles: &[Role],
    provider_name: &str,
) -> Result<Account, Error> {
    let at = now();
    let linked = match db::single_sign_on::linked(tx, &identity.issuer, &identity.subject)? {
        Some(id) => db::users::find(tx, &id)?,
        None => None,
    };
    let before = match linked {
        Some(a) => Some(a),
        None => {
            let email = identity
                .email
                .as_deref()
                .and_then(|e| Email::parse(e).ok())
                .ok_or_else(|| {
                    DomainError::Forbidden(Bilingual::new(
                        "the identity provider gives no usable e-mail address",
                        format!("Uw account bij {provider_name} heeft geen bruikbaar e-mailadres. Vraag uw beheerder het toe te voegen."),
                    ))
                })?
                .into_inner();
            match db::users::find_by_email(tx, &email)? {
                Some(a)
                    if identity.email_verified != Some(false)
                        && !db::single_sign_on::has_link(tx, &identity.issuer, &a.id)? =>
                {
                    db::single_sign_on::link(tx, &identity.issuer, &identity.subject, &a.id, at)?;
                    Some(a)
                }
                Some(_) => {
                    return Err(DomainError::Conflict(Bilingual::new(
                        "an account with this e-mail address belongs to someone else at the identity provider",
                        "Er is al een account met dit e-mailadres, van iemand anders. Neem contact op met de beheerder van het planloket.",
                    ))
                    .into())
                }
                None if provider_roles.is_empty() => return Err(no_access(provider_name)),
                None => {
                    let name = identity
                        .name
                        .as_deref()
                        .and_then(|n| Bounded::NAME.required(Some(n)).ok())
                        .unwrap_or_else(|| email.clone());
                    let account = Account {
                        email,
                        name,
                        password_hash: None,
                        roles: provider_roles.to_vec(),
                        kind: provider_roles
                            .contains(&Role::Applicant)
                            .then_some(ApplicantKind::Resident),
                        ..Account::empty(new_id(), at)
                    };
                    db::users::insert(tx, &account)?;
                    db::single_sign_on::link(
                        tx,
                        &identity.issuer,
                        &identity.subject,
                        &account.id,
                        at,
                    )?;
                    return Ok(account);
                }
            }
        }
    };
    let before = before.ok_or(Error::Unauthorized(Unauthorized::Account))?;
    if !before.active {
        return Err(Error::Unauthorized(Unauthorized::Account));
    }
    let roles = roles_after_sign_in(&before.roles, provider_roles);
    let mut account = before.clone();
    if roles.is_empty() {
        // Every role it held came from the provider, which gives none now: closed at once.
        account.active = false;
    } else {
        account.roles = roles;
    }
    if account.ends_sessions_from(&before) {
        account.session_epoch += 1;
        account.updated_at = at;
        db::users::update(tx, &account)?;
    }
    // A deactivated account is answered too, so the change commits; `finish` refuses it.
    Ok(account)
}
