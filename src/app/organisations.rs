//! Organisations that plans refer to: partners, schools, the municipality…

use super::accounts::require_any;
use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::organisation::{parse_organisation, Organisation};
use crate::domain::user::{Actor, Role};
use crate::domain::DomainError;

/// An admin or the programme team registers an organisation; names are unique regardless of
/// case and spacing.
pub fn create(
    tx: &mut Tx,
    actor: &Actor,
    name: Option<&str>,
    kind: Option<&str>,
) -> Result<Organisation, Error> {
    require_any(actor, &[Role::Admin, Role::ProgrammeTeam])?;
    let o = parse_organisation(new_id(), name, kind, now())?;
    if db::organisations::find_by_key(tx, &o.key())?.is_some() {
        return Err(DomainError::Duplicate(format!(
            "an organisation named '{}' exists already",
            o.name
        ))
        .into());
    }
    db::organisations::insert(tx, &o)?;
    Ok(o)
}

/// Every organisation, by name (public, so a partner can find theirs when registering).
pub fn list(c: &mut DbConn) -> Result<Vec<Organisation>, Error> {
    Ok(db::organisations::list(c)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;

    #[test]
    fn the_team_registers_an_organisation_once_whatever_its_spelling() {
        let t = TestApp::new();
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let o = t
            .app
            .write(|tx| create(tx, &team, Some("Buurthuis De Heuvel"), Some("partner")))
            .unwrap();
        assert!(matches!(
            t.app
                .write(|tx| create(tx, &team, Some(" buurthuis  de heuvel"), Some("partner"))),
            Err(Error::Domain(DomainError::Duplicate(_)))
        ));
        let anna = t.resident();
        assert!(matches!(
            t.app
                .write(|tx| create(tx, &anna.actor(), Some("X"), Some("partner"))),
            Err(Error::Forbidden(_))
        ));
        assert_eq!(t.app.read(list).unwrap(), vec![o]);
    }
}
