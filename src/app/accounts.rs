//! Accounts: who the caller is, registration, and the admin's management of users. Passwords
//! are hashed and verified here (Argon2id); signing in by password or link is `sign_in`.

use std::sync::OnceLock;

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;

pub use super::second_factor::Factor;
use super::tokens::Bearer;
use super::{new_id, now, App, Error, Unauthorized};
use crate::db::{self, DbConn};
use crate::domain::permission::{self, Permission};
use crate::domain::second_factor;
use crate::domain::throttle::Limit;
use crate::domain::user::{
    apply_change, check_own_change, check_password, parse_registration, Account, AccountChange,
    Actor, Email, Role,
};
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

/// The account of a signed-in caller, read on every request so that a role taken away or an
/// account deactivated takes effect at once. A missing or deactivated account is refused, and
/// so is a token issued before the account's credentials last changed; a staff account signed
/// in without a second factor (while the policy asks one) may only enrol
/// (`authenticate_enrolling`): everything else is refused.
pub fn authenticate(c: &mut DbConn, bearer: &Bearer) -> Result<Account, Error> {
    signed_in(db::users::find(c, &bearer.user_id)?, bearer)
}

/// As `authenticate`, for what a staff account still to enrol may do: read its own account,
/// and enrol a second factor.
pub fn authenticate_enrolling(c: &mut DbConn, bearer: &Bearer) -> Result<Account, Error> {
    match db::users::find(c, &bearer.user_id)? {
        Some(a) if a.active && a.session_epoch == bearer.epoch => Ok(a),
        _ => Err(Error::Unauthorized(Unauthorized::Account)),
    }
}

/// The caller as an account read already makes them (see `authenticate`).
pub fn signed_in(account: Option<Account>, bearer: &Bearer) -> Result<Account, Error> {
    match account {
        Some(a) if a.active && a.session_epoch == bearer.epoch => {
            second_factor::check_signed_in(&a, bearer.policy, bearer.second_factor)?;
            Ok(a)
        }
        _ => Err(Error::Unauthorized(Unauthorized::Account)),
    }
}

/// The hashing cost: Argon2id with 12 MiB and 3 passes, one of the settings OWASP's Password
/// Storage Cheat Sheet lists as equal in strength to the crate's default of 19 MiB and 2
/// passes, for about the same time. Hashing is memory the server holds while it runs (one per
/// core at once): 12 MiB instead of 19 keeps two at once within the 64 MiB the service may use
/// (docs/BENCHMARKS.md). A stored hash carries its own cost, so hashes made with the old
/// setting still verify.
const HASH_MEMORY_KIB: u32 = 12 * 1024;
const HASH_PASSES: u32 = 3;

fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(HASH_MEMORY_KIB, HASH_PASSES, 1, None)
        .expect("the hashing cost is within Argon2's bounds");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Argon2id at the cost above, a fresh salt per password.
pub fn hash_password(password: &str) -> Result<String, Error> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash a password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        // The cost is read from the stored hash, whatever it was made with.
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same effort for an unknown address as for a known one, so response times do
/// not tell which addresses have an account.
pub(super) fn burn_verification(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("not-a-real-password").ok()) {
        verify_password(password, hash);
    }
}

/// Counts an attempt for each key before it is made, in a transaction of its own, so
/// attempts sent at once are counted one after the other (across instances too): past a
/// limit, refused with the seconds to wait.
pub(super) fn take_attempt(app: &App, keys: &[(&str, Limit)]) -> Result<(), Error> {
    match app.write(|tx| Ok(db::attempts::take(tx, keys, now())?))? {
        Ok(()) => Ok(()),
        Err(wait) => {
            app.metrics.attempt_throttled();
            Err(Error::TooManyRequests(wait))
        }
    }
}

/// The key counting the sign-in and registration mails to an address, whichever asked.
pub(super) fn mail_key(email: &str) -> String {
    format!("mail:address:{}", token_hash(email))
}

/// Gives an attempt back to each key: it succeeded, so it does not count against the limit.
pub(super) fn give_attempt_back(app: &App, keys: &[&str]) -> Result<(), Error> {
    app.write(|tx| Ok(db::attempts::give_back_one(tx, keys, now())?))
}

/// What a resident or partner sends to register.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub email: Option<String>,
    pub password: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
}

pub(crate) fn check_organisation(c: &mut DbConn, org: Option<&str>) -> Result<(), Error> {
    if let Some(org) = org {
        if db::organisations::existing(c, &[org])?.is_empty() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "organisation_id",
                (
                    format!("unknown organisation '{org}'"),
                    format!("organisatie '{org}' bestaat niet"),
                ),
            )])
            .into());
        }
    }
    Ok(())
}

fn duplicate_address() -> Error {
    DomainError::Duplicate(Bilingual::new(
        "an account with this e-mail address exists already",
        "er bestaat al een account met dit e-mailadres",
    ))
    .into()
}

/// A resident or partner creates their own applicant account. The answer is the same
/// whether or not the address has an account already (its holder gets a mail saying so), so
/// registration tells nobody which addresses have one. Throttled per address and per client;
/// the password is hashed after the throttle, for every address alike. A claim to belong to
/// an organisation is kept pending until the programme team or an admin confirms it.
///
/// The new account comes back (`None` when the address had one: its holder was mailed), so the
/// web can sign its maker in: they just chose its address and password, and signing in with
/// them would tell the same as signing them in does.
pub fn register(app: &App, input: RegisterInput, client: &str) -> Result<Option<Account>, Error> {
    let r = parse_registration(
        input.email.as_deref(),
        input.password.as_deref(),
        input.name.as_deref(),
        input.kind.as_deref(),
        input.organisation_id,
    )?;
    let (by_address, by_client, mails) = (
        format!("register:address:{}", token_hash(r.email.as_str())),
        format!("register:client:{client}"),
        mail_key(r.email.as_str()),
    );
    take_attempt(
        app,
        &[
            (by_address.as_str(), app.throttle.registrations_address),
            (by_client.as_str(), app.throttle.registrations_client),
            // Registering an address that has an account mails its holder.
            (mails.as_str(), app.throttle.mails_address),
        ],
    )?;
    let hash = hash_password(&r.password)?;
    let at = now();
    let account = Account {
        email: r.email.into_inner(),
        name: r.name,
        password_hash: Some(hash),
        roles: vec![Role::Applicant],
        kind: Some(r.kind),
        organisation_confirmed: r.organisation_id.is_none(),
        organisation_id: r.organisation_id,
        ..Account::empty(new_id(), at)
    };
    let link = format!("{}/inloggen", app.public_url);
    app.write(|tx| {
        check_organisation(tx, account.organisation_id.as_deref())?;
        match db::users::find_by_email(tx, &account.email)? {
            Some(holder) => {
                super::outbox::enqueue(
                    tx,
                    letters::account_exists(&holder.email, &holder.name, &link)?,
                )?;
                Ok(None)
            }
            None => {
                db::users::insert(tx, &account)?;
                Ok(Some(account))
            }
        }
    })
}

/// Only a hash of a sign-in token is stored, so a leaked database signs nobody in.
pub fn token_hash(token: &str) -> String {
    use blake2::{Blake2s256, Digest};
    Blake2s256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An admin creates an account with roles.
pub fn create_user(app: &App, me: &Bearer, change: AccountChange) -> Result<Account, Error> {
    app.read(|c| {
        Ok(permission::check(
            &authenticate(c, me)?.actor(),
            Permission::ManageUsers,
        )?)
    })?;
    let mut account = Account::empty(new_id(), now());
    if let Some(password) = apply_change(&mut account, &change, true)? {
        account.password_hash = Some(hash_password(&password)?);
    }
    app.write(|tx| {
        permission::check(&authenticate(tx, me)?.actor(), Permission::ManageUsers)?;
        check_organisation(tx, account.organisation_id.as_deref())?;
        if db::users::find_by_email(tx, &account.email)?.is_some() {
            return Err(duplicate_address());
        }
        db::users::insert(tx, &account)?;
        Ok(account)
    })
}

/// Every account, the first created first (admin).
pub fn list_users(
    c: &mut DbConn,
    reads: &super::processing::Reads,
    actor: &Actor,
) -> Result<Vec<Account>, Error> {
    permission::check(actor, Permission::ManageUsers)?;
    let all = db::users::list(c)?;
    // The list shows each account: each is read.
    for a in &all {
        reads.note(
            actor,
            crate::domain::processing::Activity::AccountViewed,
            ("account", &a.id),
            std::slice::from_ref(&a.id),
        );
    }
    Ok(all)
}

/// An admin changes an account; an admin keeps their own admin role and account. A new
/// password, e-mail address or set of roles, a deactivation or a reactivation ends every
/// token, session and sign-in link of the account.
pub fn update_user(
    app: &App,
    me: &Bearer,
    id: &str,
    change: AccountChange,
) -> Result<Account, Error> {
    app.read(|c| {
        Ok(permission::check(
            &authenticate(c, me)?.actor(),
            Permission::ManageUsers,
        )?)
    })?;
    // Hashed before the transaction (a bad password is refused by `apply_change` below).
    let hash = match &change.password {
        Some(p) if check_password(p).is_ok() => Some(hash_password(p)?),
        _ => None,
    };
    app.write(|tx| {
        let actor = authenticate(tx, me)?.actor();
        permission::check(&actor, Permission::ManageUsers)?;
        let before = db::users::find(tx, id)?.ok_or(Error::NotFound("user"))?;
        let mut account = before.clone();
        apply_change(&mut account, &change, false)?;
        check_own_change(&actor, &account)?;
        check_organisation(tx, account.organisation_id.as_deref())?;
        if change.email.is_some() {
            if let Some(other) = db::users::find_by_email(tx, &account.email)? {
                if other.id != account.id {
                    return Err(duplicate_address());
                }
            }
        }
        if hash.is_some() {
            account.password_hash = hash;
        }
        if account.ends_sessions_from(&before) {
            account.session_epoch += 1;
        }
        account.updated_at = now();
        db::users::update(tx, &account)?;
        super::processing::changed(
            tx,
            &actor,
            crate::domain::processing::Activity::AccountChanged,
            ("account", &account.id),
            std::slice::from_ref(&account.id),
        )?;
        Ok(account)
    })
}

/// Creates this admin account if no account has the address (start-up configuration).
pub fn bootstrap_admin(app: &App, email: &str, password: &str) -> Result<bool, String> {
    let email = Email::parse(email).map_err(|m| format!("PLANLOKET_ADMIN_EMAIL {m}"))?;
    check_password(password).map_err(|m| format!("PLANLOKET_ADMIN_PASSWORD {m}"))?;
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    app.write(|tx| {
        if db::users::find_by_email(tx, email.as_str())?.is_some() {
            return Ok(false);
        }
        let account = Account {
            email: email.as_str().to_string(),
            name: "Beheerder".into(),
            password_hash: Some(hash),
            roles: vec![Role::Admin],
            ..Account::empty(new_id(), now())
        };
        db::users::insert(tx, &account)?;
        Ok(true)
    })
    .map_err(|e| format!("cannot create the bootstrap admin: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sign_in::*;
    use crate::app::testing::TestApp;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(h.contains("$m=12288,t=3,p=1$"), "{h}");
        // Made before the cost changed (the crate's default, 19 MiB and 2 passes).
        let old = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert!(verify_password("correct horse battery", &old));
        assert!(!verify_password("wrong horse battery", &old));
    }

    fn registration(email: &str) -> RegisterInput {
        RegisterInput {
            email: Some(email.into()),
            password: Some("een-lang-wachtwoord".into()),
            name: Some("Anna de Vries".into()),
            kind: Some("resident".into()),
            organisation_id: None,
        }
    }

    fn bearer(a: &Account) -> Bearer {
        Bearer {
            user_id: a.id.clone(),
            epoch: a.session_epoch,
            second_factor: true,
            policy: crate::domain::second_factor::StaffMfa::Required,
        }
    }

    #[test]
    fn a_resident_registers_once_and_signs_in_with_the_password() {
        let t = TestApp::new();
        register(&t.app, registration("Anna@Example.nl"), "c").unwrap();
        let a = login(&t.app, " ANNA@example.nl", "een-lang-wachtwoord", None, "c")
            .map(|s| s.account)
            .unwrap();
        assert_eq!(a.email, "anna@example.nl");
        assert_eq!(a.roles, vec![Role::Applicant]);
        assert!(t.outbox().is_empty());
        // The same answer for an address that has an account; its holder gets a mail.
        register(&t.app, registration("anna@example.nl"), "c").unwrap();
        let mails = t.outbox();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "anna@example.nl");
        assert!(matches!(
            login(&t.app, "anna@example.nl", "fout-wachtwoord", None, "c").map(|s| s.account),
            Err(Error::Unauthorized(Unauthorized::Credentials))
        ));
        let again = login(&t.app, "anna@example.nl", "een-lang-wachtwoord", None, "c")
            .map(|s| s.account)
            .unwrap();
        assert_eq!(again.id, a.id, "the first registration stands");
    }

    #[test]
    fn guessing_a_password_is_throttled_per_address_and_a_success_is_given_back() {
        let t = TestApp::new();
        register(&t.app, registration("bob@example.nl"), "c").unwrap();
        for _ in 0..3 {
            login(&t.app, "bob@example.nl", "een-lang-wachtwoord", None, "c")
                .map(|s| s.account)
                .unwrap();
        }
        for _ in 0..t.app.throttle.login_pair.max {
            assert!(
                login(&t.app, "bob@example.nl", "fout-wachtwoord", None, "c")
                    .map(|s| s.account)
                    .is_err()
            );
        }
        assert!(matches!(
            login(&t.app, "bob@example.nl", "een-lang-wachtwoord", None, "c").map(|s| s.account),
            Err(Error::TooManyRequests(_))
        ));
    }

    #[test]
    fn a_pending_organisation_claim_grants_nothing_until_confirmed() {
        let t = TestApp::new();
        let org = t.organisation("Bibliotheek Noord");
        let input = RegisterInput {
            organisation_id: Some(org.clone()),
            kind: Some("partner".into()),
            ..registration("piet@example.nl")
        };
        register(&t.app, input, "c").unwrap();
        let piet = login(&t.app, "piet@example.nl", "een-lang-wachtwoord", None, "c")
            .map(|s| s.account)
            .unwrap();
        assert!(!piet.organisation_confirmed);
        assert_eq!(piet.actor().organisation_id, None);
    }

    #[test]
    fn a_sign_in_link_is_mailed_and_works_once() {
        let t = TestApp::new();
        register(&t.app, registration("link@example.nl"), "c").unwrap();
        let a = login(&t.app, "link@example.nl", "een-lang-wachtwoord", None, "c")
            .map(|s| s.account)
            .unwrap();
        // Asking looks nothing up: known and unknown addresses take the same steps until
        // the answer; the account is looked up when the link is sent, after it.
        let asked: Vec<LinkRequest> = ["link@example.nl", "nobody@example.nl"]
            .into_iter()
            .map(|address| request_magic_link(&t.app, Some(address), "c").unwrap())
            .collect();
        assert!(t.outbox().is_empty());
        for a in asked {
            send_magic_link(&t.app, a).unwrap();
        }
        let mails = t.outbox();
        assert_eq!(mails.len(), 1, "only the account holder gets a link");
        let token = mails[0]
            .text
            .split("token=")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap()
            .to_string();
        assert_eq!(
            redeem_magic_link(&t.app, Some(&token), None, "c")
                .unwrap()
                .account
                .id,
            a.id
        );
        assert!(matches!(
            redeem_magic_link(&t.app, Some(&token), None, "c"),
            Err(Error::Unauthorized(Unauthorized::Link))
        ));
    }

    #[test]
    fn an_admin_creates_lists_and_changes_accounts_but_not_their_own_admin_role() {
        let t = TestApp::new();
        let admin = t.account(&[Role::Admin]);
        let change = AccountChange {
            email: Some("team@example.nl".into()),
            name: Some("Team".into()),
            roles: Some(vec!["programme_team".into()]),
            password: Some("een-lang-wachtwoord".into()),
            ..Default::default()
        };
        let team = create_user(&t.app, &bearer(&admin), change.clone()).unwrap();
        assert!(team.password_hash.is_some());
        assert!(matches!(
            create_user(&t.app, &bearer(&team), change),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        let all = t
            .app
            .read(|c| list_users(c, &t.app.reads, &admin.actor()))
            .unwrap();
        assert_eq!(all.len(), 2);
        let off = AccountChange {
            active: Some(false),
            ..Default::default()
        };
        let changed = update_user(&t.app, &bearer(&admin), &team.id, off.clone()).unwrap();
        assert!(!changed.active);
        assert!(matches!(
            update_user(&t.app, &bearer(&admin), &admin.id, off),
            Err(Error::Domain(DomainError::Conflict(_)))
        ));
        assert!(matches!(
            t.app.read(|c| authenticate(c, &bearer(&team))),
            Err(Error::Unauthorized(Unauthorized::Account))
        ));
        // Reactivated, the account's old tokens stay void: the epoch moved twice.
        let on = AccountChange {
            active: Some(true),
            ..Default::default()
        };
        let back = update_user(&t.app, &bearer(&admin), &team.id, on).unwrap();
        assert_eq!(back.session_epoch, team.session_epoch + 2);
        assert!(t.app.read(|c| authenticate(c, &bearer(&team))).is_err());
        assert!(t.app.read(|c| authenticate(c, &bearer(&back))).is_ok());
        let renamed = AccountChange {
            name: Some("Team Noord".into()),
            ..Default::default()
        };
        let same = update_user(&t.app, &bearer(&admin), &team.id, renamed).unwrap();
        assert_eq!(
            same.session_epoch, back.session_epoch,
            "a new name ends nothing"
        );
    }

    #[test]
    fn the_bootstrap_admin_is_created_once() {
        let t = TestApp::new();
        assert_eq!(
            bootstrap_admin(&t.app, "root@example.nl", "een-lang-wachtwoord"),
            Ok(true)
        );
        assert_eq!(
            bootstrap_admin(&t.app, "root@example.nl", "een-lang-wachtwoord"),
            Ok(false)
        );
        assert!(bootstrap_admin(&t.app, "root@example.nl", "kort").is_err());
    }
}
