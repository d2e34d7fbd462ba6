//! Organisations that plans refer to: partners, schools, the municipality…

use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::errors::REQUIRED;
use crate::domain::organisation::{
    change_organisation, parse_organisation, Organisation, OrganisationChange,
};
use crate::domain::permission::{self, Permission};
use crate::domain::user::{Account, Actor};
use crate::domain::{Bilingual, DomainError, FieldError};

/// An admin or the programme team registers an organisation; names are unique regardless of
/// case and spacing.
pub fn create(
    tx: &mut Tx,
    actor: &Actor,
    name: Option<&str>,
    kind: Option<&str>,
    contact_email: Option<&str>,
) -> Result<Organisation, Error> {
    permission::check(actor, Permission::ManageOrganisations)?;
    let o = parse_organisation(new_id(), name, kind, contact_email, now())?;
    check_name_free(tx, &o)?;
    db::organisations::insert(tx, &o)?;
    Ok(o)
}

/// `Ok` unless another organisation has this one's name (by its key).
fn check_name_free(tx: &mut Tx, o: &Organisation) -> Result<(), Error> {
    match db::organisations::find_by_key(tx, &o.key())? {
        Some(other) if other.id != o.id => Err(DomainError::Duplicate(Bilingual::new(
            format!("an organisation named '{}' exists already", o.name),
            format!("er bestaat al een organisatie met de naam '{}'", o.name),
        ))
        .into()),
        _ => Ok(()),
    }
}

/// An admin or the programme team changes an organisation: its name (still unique), kind or
/// the contact address its letters go to.
pub fn change(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    change: &OrganisationChange,
) -> Result<Organisation, Error> {
    permission::check(actor, Permission::ManageOrganisations)?;
    let o = db::organisations::find(tx, id)?.ok_or(Error::NotFound("organisation"))?;
    let changed = change_organisation(&o, change)?;
    check_name_free(tx, &changed)?;
    db::organisations::update(tx, &changed)?;
    Ok(changed)
}

/// One organisation with its contact address (admin and programme team).
pub fn get(c: &mut DbConn, actor: &Actor, id: &str) -> Result<Organisation, Error> {
    permission::check(actor, Permission::ManageOrganisations)?;
    db::organisations::find(c, id)?.ok_or(Error::NotFound("organisation"))
}

/// Every organisation, by name (public, so a partner can find theirs when registering).
pub fn list(c: &mut DbConn) -> Result<Vec<Organisation>, Error> {
    Ok(db::organisations::list(c)?)
}

/// The accounts that claim or hold membership of an organisation (programme team, admin):
/// so a claim made at registration can be confirmed.
pub fn members(
    c: &mut DbConn,
    actor: &Actor,
    organisation_id: &str,
) -> Result<Vec<Account>, Error> {
    permission::check(actor, Permission::ManageOrganisations)?;
    db::organisations::find(c, organisation_id)?.ok_or(Error::NotFound("organisation"))?;
    Ok(db::users::members_of(c, organisation_id)?)
}

/// The programme team or an admin confirms that an account belongs to the organisation it
/// claims: from then on its membership counts (a pending claim grants nothing).
pub fn confirm_member(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: &str,
    user_id: Option<&str>,
) -> Result<Account, Error> {
    permission::check(actor, Permission::ManageOrganisations)?;
    db::organisations::find(tx, organisation_id)?.ok_or(Error::NotFound("organisation"))?;
    let user_id = user_id
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| DomainError::Invalid(vec![FieldError::new("user_id", REQUIRED)]))?;
    // A body naming no claim to this organisation is a bad field, as any unknown reference
    // in a body is; 404 is for the organisation in the path.
    let mut account = db::users::find(tx, user_id)?
        .filter(|a| a.organisation_id.as_deref() == Some(organisation_id))
        .ok_or_else(|| {
            DomainError::Invalid(vec![FieldError::new(
                "user_id",
                (
                    "names no account claiming this organisation",
                    "dit account hoort niet (in aanvraag) bij deze organisatie",
                ),
            )])
        })?;
    account.organisation_confirmed = true;
    account.updated_at = now();
    db::users::update(tx, &account)?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::user::Role;

    #[test]
    fn the_team_registers_an_organisation_once_whatever_its_spelling() {
        let t = TestApp::new();
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let o = t
            .app
            .write(|tx| {
                create(
                    tx,
                    &team,
                    Some("Buurthuis De Heuvel"),
                    Some("partner"),
                    None,
                )
            })
            .unwrap();
        assert!(matches!(
            t.app.write(|tx| create(
                tx,
                &team,
                Some(" buurthuis  de heuvel"),
                Some("partner"),
                None
            )),
            Err(Error::Domain(DomainError::Duplicate(_)))
        ));
        let anna = t.resident();
        assert!(matches!(
            t.app
                .write(|tx| create(tx, &anna.actor(), Some("X"), Some("partner"), None)),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        assert_eq!(t.app.read(list).unwrap(), vec![o.clone()]);
    }

    #[test]
    fn the_team_confirms_a_claim_to_belong_to_an_organisation() {
        let t = TestApp::new();
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let org = t.organisation("Buurthuis De Heuvel");
        let mut piet = t.account(&[Role::Applicant]);
        piet.organisation_id = Some(org.clone());
        piet.organisation_confirmed = false;
        t.app.write(|tx| Ok(db::users::update(tx, &piet)?)).unwrap();
        let claims = t.app.read(|c| members(c, &team, &org)).unwrap();
        assert_eq!(claims.len(), 1);
        assert!(!claims[0].organisation_confirmed);
        let anna = t.resident();
        assert!(matches!(
            t.app
                .write(|tx| confirm_member(tx, &team, &org, Some(&anna.id))),
            Err(Error::Domain(DomainError::Invalid(_)))
        ));
        assert!(matches!(
            t.app
                .write(|tx| confirm_member(tx, &anna.actor(), &org, Some(&piet.id))),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        let confirmed = t
            .app
            .write(|tx| confirm_member(tx, &team, &org, Some(&piet.id)))
            .unwrap();
        assert_eq!(
            confirmed.actor().organisation_id.as_deref(),
            Some(org.as_str())
        );
    }
}
