//! A holder's own account: their name, their password (proving the current one) and their
//! e-mail address (confirmed by a link mailed to the new address).

use super::accounts::{hash_password, mail_key, take_attempt, token_hash, verify_password};
use super::{now, App, Error, Unauthorized};
use crate::db;
use crate::domain::calendar::amsterdam_date;
use crate::domain::erasure::{self, Erasure, Holding};
use crate::domain::errors::REQUIRED;
use crate::domain::grant::GrantStatus;
use crate::domain::second_factor::is_staff_account;
use crate::domain::state::PlanStatus;
use crate::domain::user::{apply_change, check_password, Account, AccountChange, Email};
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

/// How long the link confirming a new address works.
pub const EMAIL_CHANGE_HOURS: i64 = 24;

fn invalid(errors: Vec<FieldError>) -> Error {
    DomainError::Invalid(errors).into()
}

/// The holder changes the name the service addresses them by.
pub fn rename(tx: &mut db::Tx, me: &Account, name: Option<&str>) -> Result<Account, Error> {
    let mut account = db::users::find(tx, &me.id)?.ok_or(Error::NotFound("user"))?;
    let change = AccountChange {
        name: Some(name.unwrap_or_default().to_string()),
        ..Default::default()
    };
    apply_change(&mut account, &change, false)?;
    account.updated_at = now();
    db::users::update(tx, &account)?;
    Ok(account)
}

/// Checks the holder's current password, each try counted like a sign-in attempt so the form
/// cannot be used to guess it; `field` names the form's field in the refusal.
fn prove(app: &App, me: &Account, password: Option<&str>, field: &str) -> Result<(), Error> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(invalid(vec![FieldError::new(field, REQUIRED)]));
    };
    let key = format!("password:user:{}", me.id);
    take_attempt(app, &[(key.as_str(), app.throttle.login_pair)])?;
    let right = me
        .password_hash
        .as_deref()
        .is_some_and(|h| verify_password(password, h));
    if !right {
        return Err(invalid(vec![FieldError::new(
            field,
            Bilingual::new("is not your current password", "klopt niet"),
        )]));
    }
    super::accounts::give_attempt_back(app, &[key.as_str()])?;
    Ok(())
}

/// The holder sets a new password, proving the current one (an account made at the desk or
/// by a link may have none: then the new one is simply set). Every token, session and sign-in
/// link of the account ends; the web begins a new session for the browser it was done in.
pub fn change_password(
    app: &App,
    me: &Account,
    current: Option<&str>,
    new: Option<&str>,
) -> Result<Account, Error> {
    let new = new.unwrap_or_default();
    if let Err(m) = check_password(new) {
        let mut errors = vec![FieldError::new("new_password", m)];
        if me.password_hash.is_some() && current.is_none_or(str::is_empty) {
            errors.insert(0, FieldError::new("current_password", REQUIRED));
        }
        return Err(invalid(errors));
    }
    if me.password_hash.is_some() {
        prove(app, me, current, "current_password")?;
    }
    let hash = hash_password(new)?;
    app.write(|tx| {
        let mut account = db::users::find(tx, &me.id)?.ok_or(Error::NotFound("user"))?;
        account.password_hash = Some(hash);
        account.session_epoch += 1;
        account.updated_at = now();
        db::users::update(tx, &account)?;
        Ok(account)
    })
}

/// The holder asks to move the account to another address, proving their password: a link
/// goes to the new address (`{site}/account/e-mailadres/bevestigen?token=…`, valid
/// `EMAIL_CHANGE_HOURS`), and nothing changes until it is used. Whether another account has
/// the address is only said when the link is used, so this answers the same for any address.
pub fn request_email_change(
    app: &App,
    me: &Account,
    email: Option<&str>,
    password: Option<&str>,
) -> Result<(), Error> {
    let email = match email.map(Email::parse) {
        None => Err(Bilingual::from(REQUIRED)),
        Some(r) => r,
    };
    let email = match email {
        Ok(e) if e.as_str() == me.email => Err(Bilingual::new(
            "is your current address",
            "dit is al uw e-mailadres",
        )),
        other => other,
    };
    let email = match email {
        Ok(e) => e.into_inner(),
        Err(m) => {
            let mut errors = vec![FieldError::new("email", m)];
            if password.is_none_or(str::is_empty) {
                errors.push(FieldError::new("password", REQUIRED));
            }
            return Err(invalid(errors));
        }
    };
    prove(app, me, password, "password")?;
    let mails = mail_key(&email);
    take_attempt(app, &[(mails.as_str(), app.throttle.mails_address)])?;
    let token = crate::config::random_token();
    let link = format!(
        "{}/account/e-mailadres/bevestigen?token={token}",
        app.public_url
    );
    app.write(|tx| {
        let account = db::users::find(tx, &me.id)?.ok_or(Error::NotFound("user"))?;
        let at = now();
        db::users::insert_email_change(
            tx,
            &token_hash(&token),
            &account,
            &email,
            at,
            at + chrono::Duration::hours(EMAIL_CHANGE_HOURS),
        )?;
        super::outbox::enqueue(tx, letters::email_change(&email, &account.name, &link)?)
    })
}

/// Uses the link sent to a new address: the account takes the address (unless another
/// account has it by now: `409`), every token and session of the account ends, and the old
/// address is told. Answers the account, for the web to sign in.
pub fn confirm_email_change(app: &App, token: Option<&str>) -> Result<Account, Error> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid(vec![FieldError::new("token", REQUIRED)]))?;
    let hash = token_hash(token);
    app.write(|tx| {
        let Some((user_id, new_email, epoch)) = db::users::use_email_change(tx, &hash, now())?
        else {
            return Err(Error::Unauthorized(Unauthorized::Link));
        };
        let Some(mut account) =
            db::users::find(tx, &user_id)?.filter(|a| a.active && a.session_epoch == epoch)
        else {
            return Err(Error::Unauthorized(Unauthorized::Link));
        };
        if db::users::find_by_email(tx, &new_email)?.is_some() {
            return Err(DomainError::Duplicate(Bilingual::new(
                "another account has this address",
                "dit e-mailadres hoort al bij een ander account",
            ))
            .into());
        }
        let old = std::mem::replace(&mut account.email, new_email);
        account.session_epoch += 1;
        account.updated_at = now();
        db::users::update(tx, &account)?;
        super::outbox::enqueue(
            tx,
            letters::email_changed(&old, &account.name, &account.email)?,
        )?;
        Ok(account)
    })
}

/// Erases the holder's own account where the law allows (AVG art. 17), proving their password
/// (an account made by an invitation may have none). Only drafts (or nothing): the account
/// goes with its drafts, their attachments, its sessions and links, and the address can
/// register again. A subsidy file remains: the account is closed (no sign-in, no password,
/// every session ended) and a letter says what is kept and until when. Refused (409) while a
/// plan is assessed or a grant runs (`erasure::decide`).
pub fn erase(app: &App, me: &Account, password: Option<&str>) -> Result<Erasure, Error> {
    if me.password_hash.is_some() {
        prove(app, me, password, "password")?;
    }
    let (step, files) = app.write(|tx| {
        let mut account = db::users::find(tx, &me.id)?.ok_or(Error::NotFound("user"))?;
        let owned = db::plans::page(
            tx,
            &db::plans::PlanFilter {
                owner_id: Some(account.id.clone()),
                ..Default::default()
            },
            &Default::default(),
            // Every plan one person owns: drafts are capped, and nobody files thousands.
            10_000,
        )?;
        let mut running = Vec::with_capacity(owned.len());
        for p in &owned {
            running.push(
                p.status != PlanStatus::Draft
                    && db::grants::of_plan(tx, &p.id)?
                        .is_some_and(|g| g.status == GrantStatus::Running),
            );
        }
        let holdings: Vec<Holding> = owned
            .iter()
            .zip(&running)
            .map(|(p, r)| Holding {
                title: &p.content.title,
                status: p.status,
                published: p.is_published(),
                grant_running: *r,
            })
            .collect();
        let touches_others = db::retention::touches_others(tx, &account.id)?;
        let step = erasure::decide(is_staff_account(&account), &holdings, touches_others)?;
        let mut files = Vec::new();
        match step {
            Erasure::Erase => {
                for p in &owned {
                    files.extend(db::retention::drop_attachments(tx, &p.id)?);
                    if !db::plans::delete(tx, p)? {
                        return Err(Error::Changed("plan"));
                    }
                    db::retention::forget(tx, "draft", &p.id)?;
                }
                db::retention::delete_account(tx, &account.id)?;
            }
            Erasure::Close => {
                let at = now();
                account.active = false;
                account.password_hash = None;
                account.session_epoch += 1;
                account.updated_at = at;
                db::users::update(tx, &account)?;
                db::retention::end_sign_ins(tx, &account.id)?;
                let kept: Vec<(String, chrono::NaiveDate)> = owned
                    .iter()
                    .filter(|p| p.status != PlanStatus::Draft)
                    .map(|p| {
                        (
                            p.content.title.clone(),
                            amsterdam_date(app.retention.subsidy_file_due(p.updated_at)),
                        )
                    })
                    .collect();
                super::outbox::enqueue(
                    tx,
                    letters::account_closed(
                        &account.email,
                        &account.name,
                        &kept,
                        &app.retention,
                        &app.public_url,
                    )?,
                )?;
            }
        }
        Ok((step, files))
    })?;
    for f in files {
        let _ = std::fs::remove_file(app.attachments.join(f));
    }
    Ok(step)
}
