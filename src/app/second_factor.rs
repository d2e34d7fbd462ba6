//! The second factor of an account: enrolling an authenticator app, proving a sign-in with
//! its code (or a recovery code), and the admin's reset of a lost one. The rules (who must
//! have one, which code counts) are `domain::second_factor`'s.

use super::accounts::{give_attempt_back, take_attempt, token_hash};
use super::{now, App, Error, Tx, Unauthorized};
use crate::db::{self, DbConn};
use crate::domain::errors::REQUIRED;
use crate::domain::permission::{self, Permission};
use crate::domain::second_factor::{self as rules, CodeRefusal, Proof};
use crate::domain::user::Account;
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

/// A secret to add to the authenticator app, not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, as the app takes it typed.
    pub secret: String,
    /// What the QR code holds.
    pub otpauth_uri: String,
}

fn already_on() -> Error {
    DomainError::Conflict(Bilingual::new(
        "this account has a second factor already; to move it to another app, ask an admin to reset it",
        "Uw account heeft de tweestapsverificatie al. Wilt u een andere app gebruiken? Vraag de beheerder de tweestapsverificatie uit te zetten.",
    ))
    .into()
}

/// Begins enrolment: a new secret (160 random bits) kept unconfirmed, replacing an earlier
/// unconfirmed one; an account whose factor is on is refused (an admin resets it first).
pub fn begin(tx: &mut Tx, me: &Account) -> Result<Enrolment, Error> {
    if db::second_factor::is_on(tx, &me.id)? {
        return Err(already_on());
    }
    let mut bytes = [0u8; rules::SECRET_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no random source for a secret: {e}")))?;
    let secret = rules::encode_secret(&bytes);
    let otpauth_uri = rules::otpauth_uri(&secret, &me.email).map_err(Error::Internal)?;
    db::second_factor::begin(tx, &me.id, &secret, now())?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
    })
}

/// The enrolment waiting for its first code, if any (the page shows its secret again).
pub fn pending(c: &mut DbConn, me: &Account) -> Result<Option<Enrolment>, Error> {
    match db::second_factor::find(c, &me.id)? {
        Some(f) if f.confirmed_at.is_none() => Ok(Some(Enrolment {
            otpauth_uri: rules::otpauth_uri(&f.secret, &me.email).map_err(Error::Internal)?,
            secret: f.secret,
        })),
        _ => Ok(None),
    }
}

fn recovery_hash(user_id: &str, code: &str) -> String {
    token_hash(&format!("recovery:{user_id}:{code}"))
}

/// Confirms enrolment with the app's current code: the factor is on from now, and the ten
/// recovery codes are answered, once (only their hashes are kept).
pub fn confirm(tx: &mut Tx, me: &Account, otp: Option<&str>) -> Result<Vec<String>, Error> {
    let factor = match db::second_factor::find(tx, &me.id)? {
        Some(f) if f.confirmed_at.is_some() => return Err(already_on()),
        Some(f) => f,
        None => {
            return Err(DomainError::Conflict(Bilingual::new(
                "begin enrolment first (POST /me/totp)",
                "Begin eerst opnieuw met het instellen van de tweestapsverificatie.",
            ))
            .into())
        }
    };
    let wrong = |m: (&str, &str)| DomainError::Invalid(vec![FieldError::new("otp", m)]);
    let code = match otp.map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(wrong(REQUIRED).into()),
        Some(raw) => match rules::read_proof(raw) {
            Some(Proof::Code(code)) => code,
            _ => {
                return Err(wrong((
                    "must be the 6-digit code the app shows",
                    "vul de code van 6 cijfers in die de app nu laat zien",
                ))
                .into())
            }
        },
    };
    let Ok(step) = rules::accept_code(&factor.secret, &code, now(), factor.last_step) else {
        return Err(wrong((
            "is not the code the app shows now: check that the app's clock is right and type the newest code",
            "is niet de code die de app nu laat zien. Vul de nieuwste code in; staat de klok van uw telefoon goed?",
        ))
        .into());
    };
    if !db::second_factor::take_step(tx, &me.id, step)? {
        return Err(Error::Changed("second factor"));
    }
    let codes = (0..rules::RECOVERY_CODES)
        .map(|_| {
            let mut random = [0u8; 10];
            getrandom::fill(&mut random)
                .map_err(|e| Error::Internal(format!("no random source for a code: {e}")))?;
            Ok(rules::recovery_code(random))
        })
        .collect::<Result<Vec<String>, Error>>()?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(&me.id, c)).collect();
    db::second_factor::confirm(tx, &me.id, now(), &hashes)?;
    Ok(codes)
}

/// Whether the account's second factor is on, and how many recovery codes are left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub on: bool,
    pub recovery_codes_left: i64,
}

pub fn status(c: &mut DbConn, me: &Account) -> Result<Status, Error> {
    let on = db::second_factor::is_on(c, &me.id)?;
    Ok(Status {
        on,
        recovery_codes_left: if on {
            db::second_factor::recovery_codes_left(c, &me.id)?
        } else {
            0
        },
    })
}

/// Whether the second factor of account `user_id` is on, as the admin sees it (to reset a
/// lost one).
pub fn status_of(c: &mut DbConn, admin: &Account, user_id: &str) -> Result<Status, Error> {
    permission::check(&admin.actor(), Permission::ManageUsers)?;
    let account = db::users::find(c, user_id)?.ok_or(Error::NotFound("user"))?;
    status(c, &account)
}

/// How a sign-in whose password (or link) was right stands with the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// The account has none: the sign-in is made without one.
    None,
    /// Its code (or a recovery code) was given and right.
    Proven,
    /// The account has one and no code was given: the sign-in waits for it.
    Awaited,
}

/// Checks the code given with a sign-in of `account`: none needed when the account has no
/// factor; `Awaited` when it has one and `otp` is absent; a right code is taken (each code
/// and each recovery code works once, so two sign-ins with one code cannot both pass); a
/// wrong one is `OtpInvalid`.
pub fn prove(app: &App, account: &Account, otp: Option<&str>) -> Result<Factor, Error> {
    let Some(factor) = app
        .read(|c| Ok(db::second_factor::find(c, &account.id)?))?
        .filter(|f| f.confirmed_at.is_some())
    else {
        return Ok(Factor::None);
    };
    let Some(raw) = otp.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Factor::Awaited);
    };
    let taken = match rules::read_proof(raw) {
        Some(Proof::Code(code)) => {
            match rules::accept_code(&factor.secret, &code, now(), factor.last_step) {
                Ok(step) => {
                    app.write(|tx| Ok(db::second_factor::take_step(tx, &account.id, step)?))?
                }
                Err(CodeRefusal::Wrong | CodeRefusal::Used) => false,
            }
        }
        Some(Proof::Recovery(code)) => app.write(|tx| {
            Ok(db::second_factor::use_recovery_code(
                tx,
                &account.id,
                &recovery_hash(&account.id, &code),
                now(),
            )?)
        })?,
        None => false,
    };
    if taken {
        Ok(Factor::Proven)
    } else {
        Err(super::operations::sign_in_refused(
            app,
            Unauthorized::OtpInvalid,
        ))
    }
}

/// The sign-in throttle's keys for codes typed for `account` from `client`: per account and
/// client, per client, and per account (codes guessed from many places at once).
fn code_keys(
    app: &App,
    account: &Account,
    client: &str,
) -> Vec<(String, crate::domain::throttle::Limit)> {
    let address = token_hash(&account.email);
    let l = &app.throttle;
    vec![
        (format!("login:pair:{address}:{client}"), l.login_pair),
        (format!("login:client:{client}"), l.login_client),
        (format!("otp:account:{}", account.id), l.login_address),
    ]
}

/// A code typed on its own after the password (the web's second step): counted by the sign-in
/// throttle before it is checked, and given back when right.
pub fn prove_counted(
    app: &App,
    account: &Account,
    otp: Option<&str>,
    client: &str,
) -> Result<Factor, Error> {
    let keys = code_keys(app, account, client);
    let counted: Vec<(&str, crate::domain::throttle::Limit)> =
        keys.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    take_attempt(app, &counted)?;
    let factor = prove(app, account, otp)?;
    if factor == Factor::Proven {
        let taken: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        give_attempt_back(app, &taken)?;
    }
    Ok(factor)
}

/// An admin resets the lost second factor of account `user_id`: the factor and its recovery
/// codes go, every token and session of the account ends, and its holder is mailed.
pub fn reset(tx: &mut Tx, admin: &Account, user_id: &str, public_url: &str) -> Result<(), Error> {
    permission::check(&admin.actor(), Permission::ManageUsers)?;
    let mut account = db::users::find(tx, user_id)?.ok_or(Error::NotFound("user"))?;
    if !db::second_factor::remove(tx, user_id)? {
        return Err(Error::NotFound("second factor"));
    }
    account.session_epoch += 1;
    account.updated_at = now();
    db::users::update(tx, &account)?;
    db::sessions::delete_of_user(tx, user_id)?;
    super::outbox::enqueue(
        tx,
        letters::second_factor_reset(
            &account.email,
            &account.name,
            &format!("{public_url}/inloggen"),
        )?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::second_factor::{code_at, step_of};

    /// The code `offset` steps after the step the test began in (one step either side is
    /// accepted, so a test that crosses a step's end still passes).
    fn code(secret: &str, offset: u64) -> String {
        use std::sync::OnceLock;
        static START: OnceLock<u64> = OnceLock::new();
        code_at(secret, *START.get_or_init(|| step_of(now())) + offset).unwrap()
    }

    #[test]
    fn enrolment_is_confirmed_by_a_code_and_hands_out_ten_recovery_codes() {
        let t = TestApp::new();
        let anna = t.resident();
        let e = t.app.write(|tx| begin(tx, &anna)).unwrap();
        assert!(e.otpauth_uri.contains(&e.secret));
        assert_eq!(t.app.read(|c| pending(c, &anna)).unwrap(), Some(e.clone()));
        // A wrong code names the field; the factor stays off.
        let wrong = t.app.write(|tx| confirm(tx, &anna, Some("000000")));
        assert!(matches!(wrong, Err(Error::Domain(DomainError::Invalid(_)))));
        assert!(!t.app.read(|c| status(c, &anna)).unwrap().on);
        let codes = t
            .app
            .write(|tx| confirm(tx, &anna, Some(&code(&e.secret, 0))))
            .unwrap();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| rules::is_recovery_code(c)));
        let s = t.app.read(|c| status(c, &anna)).unwrap();
        assert_eq!((s.on, s.recovery_codes_left), (true, 10));
        // On already: a new enrolment is refused.
        assert!(t.app.write(|tx| begin(tx, &anna)).is_err());
        // A sign-in without a code waits for it; the code used to confirm is spent; the next
        // one passes once; a recovery code passes once.
        assert_eq!(prove(&t.app, &anna, None).unwrap(), Factor::Awaited);
        assert!(matches!(
            prove(&t.app, &anna, Some(&code(&e.secret, 0))),
            Err(Error::Unauthorized(Unauthorized::OtpInvalid))
        ));
        assert_eq!(
            prove(&t.app, &anna, Some(&code(&e.secret, 1))).unwrap(),
            Factor::Proven
        );
        assert!(prove(&t.app, &anna, Some(&code(&e.secret, 1))).is_err());
        let upper = codes[3].to_uppercase();
        assert_eq!(prove(&t.app, &anna, Some(&upper)).unwrap(), Factor::Proven);
        assert!(prove(&t.app, &anna, Some(&codes[3])).is_err());
        assert_eq!(
            t.app
                .read(|c| status(c, &anna))
                .unwrap()
                .recovery_codes_left,
            9
        );
    }

    #[test]
    fn an_admin_resets_a_lost_factor_and_the_account_signs_in_again_without() {
        let t = TestApp::new();
        let admin = t.account(&[crate::domain::user::Role::Admin]);
        let anna = t.resident();
        let e = t.app.write(|tx| begin(tx, &anna)).unwrap();
        t.app
            .write(|tx| confirm(tx, &anna, Some(&code(&e.secret, 0))))
            .unwrap();
        // Not for anyone but an admin.
        assert!(t
            .app
            .write(|tx| reset(tx, &anna, &anna.id, "http://x"))
            .is_err());
        t.app
            .write(|tx| reset(tx, &admin, &anna.id, "http://x"))
            .unwrap();
        let after = t
            .app
            .read(|c| Ok(db::users::find(c, &anna.id)?))
            .unwrap()
            .unwrap();
        assert_eq!(after.session_epoch, anna.session_epoch + 1);
        assert_eq!(prove(&t.app, &after, None).unwrap(), Factor::None);
        assert!(matches!(
            t.app.write(|tx| reset(tx, &admin, &anna.id, "http://x")),
            Err(Error::NotFound(_))
        ));
    }
}
