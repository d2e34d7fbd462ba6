//! Signed-in browsers: a session begins at sign-in (by password or by link), is found again by
//! the cookie's token, and ends at sign-out, after 8 hours idle, or at once when the account's
//! credentials, roles or activation change (its session epoch moves).

use super::accounts::token_hash;
use super::{now, App, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::session::{Session, IDLE};
use crate::domain::user::Account;

/// A browser's signed-in account and its session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub session: Session,
}

/// Begins a session for an account that just signed in; answers the cookie's token (only its
/// hash is kept). Sessions idle for longer than allowed, anyone's, are cleared on the way.
pub fn start(tx: &mut Tx, account: &Account) -> Result<(String, Session), Error> {
    let token = crate::config::random_token();
    let at = now();
    db::sessions::delete_idle(tx, at - IDLE)?;
    let session = Session {
        token_hash: token_hash(&token),
        user_id: account.id.clone(),
        epoch: account.session_epoch,
        csrf: crate::config::random_token(),
        created_at: at,
        last_seen_at: at,
    };
    db::sessions::insert(tx, &session)?;
    Ok((token, session))
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
    if !account.active || !session.is_live(account.session_epoch, at) {
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
        let (token, s) = t.app.write(|tx| start(tx, &anna)).unwrap();
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
        let (token, _) = t.app.write(|tx| start(tx, &changed)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_some());
        t.app.write(|tx| end(tx, &token)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_none());
    }

    #[test]
    fn a_deactivated_account_has_no_session() {
        let t = TestApp::new();
        let mut anna = t.resident();
        let (token, _) = t.app.write(|tx| start(tx, &anna)).unwrap();
        anna.active = false;
        t.app.write(|tx| Ok(db::users::update(tx, &anna)?)).unwrap();
        assert!(resume(&t.app, &token).unwrap().is_none());
    }
}
