//! Signed-in browsers: a session begins at sign-in (by password or by link), is found again by
//! the cookie's token, and ends at sign-out, after 8 hours idle, or at once when the account's
//! credentials, roles or activation change (its session epoch moves).

use super::accounts::token_hash;
use super::{now, App, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::session::{Session, IDLE, LIFETIME_APPLICANT, MAX_PER_ACCOUNT};
use crate::domain::user::Account;

/// A browser's signed-in account and its session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub session: Session,
}

/// Begins a session for an account that just signed in (`second_factor`: with one); answers
/// the cookie's token (only its hash is kept). The account keeps its newest `MAX_PER_ACCOUNT`
/// sessions: the oldest beyond them ends. Sessions idle or older than any lifetime, anyone's,
/// are cleared on the way.
pub fn start(
    tx: &mut Tx,
    account: &Account,
    second_factor: bool,
) -> Result<(String, Session), Error> {
    begin(tx, account, second_factor, false)
}

/// Begins a session after a link that proves only the mailbox (an address change's
/// confirmation): not for an account with a second factor, which signs in with its code
/// (`None`).
pub fn start_by_mailbox(
    tx: &mut Tx,
    account: &Account,
) -> Result<Option<(String, Session)>, Error> {
    if db::second_factor::is_on(tx, &account.id)? {
        return Ok(None);
    }
    start(tx, account, false).map(Some)
}

/// Begins a sign-in that waits for the code of the account's second factor (its password or
/// link was right): it signs nobody in, and lives `CODE_WAIT`. A link (by its token's hash)
/// is used up now, once.
pub fn start_awaiting_code(
    tx: &mut Tx,
    account: &Account,
    link_hash: Option<&str>,
) -> Result<String, Error> {
    if let Some(hash) = link_hash {
        if db::users::use_magic_link(tx, hash, now())?.is_none() {
            return Err(Error::Unauthorized(super::Unauthorized::Link));
        }
    }
    Ok(begin(tx, account, false, true)?.0)
}

/// The account of a sign-in waiting for its code, while it waits.
pub fn awaiting_code(c: &mut DbConn, token: &str) -> Result<Option<Account>, Error> {
    let Some((session, account)) = db::sessions::find_with_account(c, &token_hash(token))? else {
        return Ok(None);
    };
    Ok(
        (session.awaiting_code && account.active && session.is_live(&account, now()))
            .then_some(account),
    )
}

/// Finishes a sign-in waiting for its code: the code (or a recovery code), counted by the
/// sign-in throttle, and if right, the waiting sign-in ends and a session with the second
/// factor begins. A wrong code is `OtpInvalid`, and the sign-in goes on waiting.
pub fn finish_with_code(
    app: &App,
    token: &str,
    code: Option<&str>,
    client: &str,
) -> Result<(String, SignedIn), Error> {
    let account = app
        .read(|c| awaiting_code(c, token))?
        .ok_or(Error::Unauthorized(super::Unauthorized::Token))?;
    let factor = super::second_factor::prove_counted(app, &account, code, client)?;
    if factor == super::second_factor::Factor::Awaited {
        return Err(Error::Unauthorized(super::Unauthorized::OtpRequired));
    }
    app.write(|tx| {
        end(tx, token)?;
        let (token, session) = start(tx, &account, true)?;
        Ok((
            token,
            SignedIn {
                account: account.clone(),
                session,
            },
        ))
    })
}

/// Marks the browser's session as begun with a second factor: its holder just confirmed one
/// with a code.
pub fn proven(tx: &mut Tx, me: &SignedIn) -> Result<(), Error> {
    Ok(db::sessions::mark_second_factor(
        tx,
        &me.session.token_hash,
    )?)
}

fn begin(
    tx: &mut Tx,
    account: &Account,
    second_factor: bool,
    awaiting_code: bool,
) -> Result<(String, Session), Error> {
    let token = crate::config::random_token();
    let at = now();
    db::sessions::delete_idle(tx, at - IDLE, at - LIFETIME_APPLICANT)?;
    let session = Session {
        token_hash: token_hash(&token),
        user_id: account.id.clone(),
        epoch: account.session_epoch,
        csrf: crate::config::random_token(),
        created_at: at,
        last_seen_at: at,
        second_factor,
        awaiting_code,
    };
    db::sessions::insert(tx, &session)?;
    db::sessions::keep_newest(tx, &account.id, MAX_PER_ACCOUNT)?;
    Ok((token, session))
}

/// A session as its account's page lists it: when it began and was last used, and whether it
/// is the browser asking. Never its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub this_browser: bool,
}

/// The live sessions of the signed-in account, the newest first.
pub fn mine(c: &mut DbConn, me: &SignedIn) -> Result<Vec<SessionLine>, Error> {
    let at = now();
    Ok(db::sessions::of_user(c, &me.account.id)?
        .into_iter()
        .filter(|s| !s.awaiting_code && s.is_live(&me.account, at))
        .map(|s| SessionLine {
            this_browser: s.token_hash == me.session.token_hash,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

/// Signs the account out everywhere ("Overal uitloggen"): every session of it ends, this
/// browser's too.
pub fn end_everywhere(tx: &mut Tx, me: &SignedIn) -> Result<(), Error> {
    Ok(db::sessions::delete_of_user(tx, &me.account.id)?)
}

/// The live session a cookie's token names, with its active account; `None` for an unknown,
/// idle or outdated session (a credential or role change since sign-in) or a deactivated
/// account. The time of the request is written down at most every few minutes.
pub fn resume(app: &App, token: &str) -> Result<Option<SignedIn>, Error> {
    let found = app.read(|c| find(c, token))?;
    if let Some((signed_in, true)) = &found {
        touch(app, &signed_in.session.token_hash)?;
    }
    Ok(found.map(|(s, _)| s))
}

/// As `resume`, on a connection a page reads with anyway (one hand-over per page), without
/// writing: answers whether the caller must `touch` the session afterwards.
pub fn find(c: &mut DbConn, token: &str) -> Result<Option<(SignedIn, bool)>, Error> {
    let hash = token_hash(token);
    let Some((session, account)) = db::sessions::find_with_account(c, &hash)? else {
        return Ok(None);
    };
    let at = now();
    // A sign-in still waiting for its code signs nobody in.
    if !account.active || session.awaiting_code || !session.is_live(&account, at) {
        return Ok(None);
    }
    let stale = session.needs_touch(at);
    Ok(Some((SignedIn { account, session }, stale)))
}

/// Writes down that the session (by its token's hash) was used now.
pub fn touch(app: &App, token_hash: &str) -> Result<(), Error> {
    app.write(|tx| Ok(db::sessions::touch(tx, token_hash, now())?))
}

/// Ends the session a cookie's token names (signing out); nothing when there is none.
pub fn end(tx: &mut Tx, token: &str) -> Result<(), Error> {
    Ok(db::sessions::delete(tx, &token_hash(token))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::user::Role;

    #[test]
    fn a_session_lives_until_sign_out_or_a_credential_change() {
        let t = TestApp::new();
        let anna = t.resident();
        let (token, s) = t.app.write(|tx| start(tx, &anna, false)).unwrap();
        assert_ne!(s.token_hash, token, "only a hash is kept");
        let found = resume(&t.app, &token).unwrap().expect("a live session");
        assert_eq!(found.account.id, anna.id);
        assert!(resume(&t.app, "nope").unwrap().is_none());
        // A role change raises the account's epoch: the session ends.
        let mut changed = anna.clone();
        changed.roles = vec![Role::Applicant, Role::BoardMember];
        changed.session_epoch += 1;
        t.app
            .write(|tx| Ok(db::users::update(tx, &changed)?))
            .unwrap();
        assert!(resume(&t.app, &token).unwrap().is_none());
        // Signing out ends a session.
        let (token, _) = t.app.write(|tx| start(tx, &changed, false)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_some());
        t.app.write(|tx| end(tx, &token)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_none());
    }

    #[test]
    fn an_account_keeps_its_ten_newest_sessions_and_can_end_them_all() {
        let t = TestApp::new();
        let anna = t.resident();
        let tokens: Vec<String> = (0..12)
            .map(|_| t.app.write(|tx| start(tx, &anna, false)).unwrap().0)
            .collect();
        // The two oldest ended; the ten newest live.
        assert!(resume(&t.app, &tokens[0]).unwrap().is_none());
        assert!(resume(&t.app, &tokens[1]).unwrap().is_none());
        let me = resume(&t.app, &tokens[11])
            .unwrap()
            .expect("the newest lives");
        let listed = t.app.read(|c| mine(c, &me)).unwrap();
        assert_eq!(listed.len(), 10);
        assert_eq!(listed.iter().filter(|l| l.this_browser).count(), 1);
        t.app.write(|tx| end_everywhere(tx, &me)).unwrap();
        assert!(tokens
            .iter()
            .all(|tk| resume(&t.app, tk).unwrap().is_none()));
    }

    #[test]
    fn a_deactivated_account_has_no_session() {
        let t = TestApp::new();
        let mut anna = t.resident();
        let (token, _) = t.app.write(|tx| start(tx, &anna, false)).unwrap();
        anna.active = false;
        t.app.write(|tx| Ok(db::users::update(tx, &anna)?)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_none());
    }
}
