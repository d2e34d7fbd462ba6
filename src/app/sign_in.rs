//! Signing in: by e-mail address and password, or by a link mailed to the address, each with
//! the second factor when the account has one, and each attempt counted by the sign-in limits.

use super::accounts::{
    burn_verification, give_attempt_back, mail_key, take_attempt, token_hash, verify_password,
};
pub use super::second_factor::Factor;
use super::{now, App, Error, Unauthorized};
use crate::db;
use crate::domain::errors::REQUIRED;
use crate::domain::throttle::{self, Limit};
use crate::domain::user::{Account, Email};
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

/// A first factor (a password or a link) that was right, and how the sign-in stands with the
/// account's second factor: `Awaited` signs nobody in yet.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub account: Account,
    pub factor: Factor,
}

impl SignIn {
    /// Whether the sign-in had a second factor.
    pub fn second_factor(&self) -> bool {
        self.factor == Factor::Proven
    }
}

/// Signs in with an e-mail address, a password and, for an account with a second factor, its
/// code (`otp`; without it the sign-in is `Awaited`). Each attempt is counted before the
/// password is checked (and given back when it is right and no wrong code came with it), so
/// guesses sent at once cannot all be checked: per address and client, per client, and,
/// unless this client signed in to the account before, per address (see `throttle::Limits`).
pub fn login(
    app: &App,
    email: &str,
    password: &str,
    otp: Option<&str>,
    client: &str,
) -> Result<SignIn, Error> {
    let email = email.trim().to_lowercase();
    // The address is kept as a hash: the attempts table names nobody, and any text the
    // caller sends (a control character included) makes a key.
    let address = token_hash(&email);
    let known = format!("{}login:{address}:{client}", db::attempts::KNOWN_PREFIX);
    let since = now() - chrono::Duration::days(throttle::KNOWN_CLIENT_DAYS);
    let holders = app.read(|c| Ok(db::attempts::remembered_since(c, &known, since)?))?;
    let l = &app.throttle;
    let mut keys = vec![
        (format!("login:pair:{address}:{client}"), l.login_pair),
        (format!("login:client:{client}"), l.login_client),
    ];
    // Guesses from elsewhere do not lock out a client that signed in to the account before.
    if !holders {
        keys.push((format!("login:address:{address}"), l.login_address));
        keys.push((
            format!("login:address-daily:{address}"),
            l.login_address_daily,
        ));
    }
    let counted: Vec<(&str, Limit)> = keys.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    take_attempt(app, &counted)?;
    // No stored address holds a control character; such input is simply unknown.
    let account = if email.chars().any(char::is_control) {
        None
    } else {
        app.read(|c| Ok(db::users::find_by_email(c, &email)?))?
    };
    let ok = match account
        .as_ref()
        .and_then(|a| a.password_hash.as_deref().filter(|_| a.active))
    {
        Some(hash) => verify_password(password, hash),
        None => {
            burn_verification(password);
            false
        }
    };
    match account {
        Some(a) if ok => {
            // A wrong code keeps the attempt counted: codes are guessed no faster than
            // passwords.
            let factor = super::second_factor::prove(app, &a, otp)?;
            let taken: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
            give_attempt_back(app, &taken)?;
            if factor != Factor::Awaited {
                app.write(|tx| {
                    db::attempts::remember(tx, &known, now())?;
                    // How long the account is unused is counted from here (`retention`).
                    Ok(db::retention::seen(tx, &a.id, now())?)
                })?;
            }
            Ok(SignIn { account: a, factor })
        }
        _ => Err(super::operations::sign_in_refused(
            app,
            Unauthorized::Credentials,
        )),
    }
}

/// A sign-in link is valid this long.
pub const MAGIC_LINK_MINUTES: i64 = 15;

/// Asks for a sign-in link: the address checked, the request counted against the limits per
/// address and per client; the same work whether the address has an account or not. The
/// link itself is `send_magic_link`'s.
pub fn request_magic_link(
    app: &App,
    email: Option<&str>,
    client: &str,
) -> Result<LinkRequest, Error> {
    let email = match email.map(Email::parse) {
        None => Err(Bilingual::from(REQUIRED)),
        Some(r) => r,
    }
    .map_err(|m| DomainError::Invalid(vec![FieldError::new("email", m)]))?
    .into_inner();
    let (by_address, by_client, mails) = (
        format!("magic:address:{}", token_hash(&email)),
        format!("magic:client:{client}"),
        mail_key(&email),
    );
    take_attempt(
        app,
        &[
            (by_address.as_str(), app.throttle.links_address),
            (by_client.as_str(), app.throttle.links_client),
            (mails.as_str(), app.throttle.mails_address),
        ],
    )?;
    Ok(LinkRequest { email })
}

/// A sign-in link asked for, checked and counted (`request_magic_link`): whether the address
/// has an account is looked up only by `send_magic_link`, after the answer is given, so the
/// answer costs the same for every address and its time tells nothing (issue 29, N12).
#[derive(Debug)]
pub struct LinkRequest {
    email: String,
}

/// Mails an active account holder a one-time sign-in link; nothing for another address.
pub fn send_magic_link(app: &App, request: LinkRequest) -> Result<(), Error> {
    let token = crate::config::random_token();
    let link = format!("{}/aanmelden?token={token}", app.public_url);
    app.write(|tx| {
        let Some(account) = db::users::find_by_email(tx, &request.email)?.filter(|a| a.active)
        else {
            return Ok(());
        };
        let at = now();
        db::users::insert_magic_link(
            tx,
            &token_hash(&token),
            &account,
            at,
            at + chrono::Duration::minutes(MAGIC_LINK_MINUTES),
        )?;
        super::outbox::enqueue(
            tx,
            letters::magic_link(&account.email, &account.name, &link)?,
        )
    })
}

/// Uses a sign-in link: a valid, unused, unexpired token signs its account in, once. For an
/// account with a second factor, a link alone does not: without `otp` the sign-in is
/// `Awaited` and the link stays unused (the code may follow with it); a wrong code is counted
/// and leaves it unused too.
pub fn redeem_magic_link(
    app: &App,
    token: Option<&str>,
    otp: Option<&str>,
    client: &str,
) -> Result<SignIn, Error> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| DomainError::Invalid(vec![FieldError::new("token", REQUIRED)]))?;
    let by_client = format!("redeem:client:{client}");
    take_attempt(app, &[(by_client.as_str(), app.throttle.redeem_client)])?;
    let hash = token_hash(token);
    // A link made before the account's credentials changed is void like its tokens.
    let account = app.read(|c| match db::users::peek_magic_link(c, &hash, now())? {
        Some((user_id, epoch)) => {
            Ok(db::users::find(c, &user_id)?.filter(|a| a.active && a.session_epoch == epoch))
        }
        None => Ok(None),
    })?;
    let Some(account) = account else {
        return Err(super::operations::sign_in_refused(app, Unauthorized::Link));
    };
    let factor = super::second_factor::prove(app, &account, otp)?;
    if factor != Factor::Awaited && !spend_link(app, &hash)? {
        // Used meanwhile by a sign-in at the same moment.
        return Err(Error::Unauthorized(Unauthorized::Link));
    }
    give_attempt_back(app, &[by_client.as_str()])?;
    if factor != Factor::Awaited {
        app.write(|tx| Ok(db::retention::seen(tx, &account.id, now())?))?;
    }
    Ok(SignIn { account, factor })
}

/// Uses the link of `hash` once: whether it was unused and unexpired.
pub(super) fn spend_link(app: &App, hash: &str) -> Result<bool, Error> {
    app.write(|tx| Ok(db::users::use_magic_link(tx, hash, now())?.is_some()))
}
