//! Organisations.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::rows::OrganisationRow;
use super::schema::organisations;
use super::{DbConn, DbError};
use crate::domain::organisation::Organisation;

pub fn insert(c: &mut DbConn, o: &Organisation) -> Result<(), DbError> {
    diesel::insert_into(organisations::table)
        .values(&OrganisationRow::of(o))
        .execute(c)?;
    Ok(())
}

/// Stores a changed organisation (name, its key, kind, contact address).
pub fn update(c: &mut DbConn, o: &Organisation) -> Result<(), DbError> {
    let row = OrganisationRow::of(o);
    diesel::update(organisations::table.find(&o.id))
        .set((
            organisations::name.eq(&row.name),
            organisations::name_key.eq(&row.name_key),
            organisations::kind.eq(&row.kind),
            organisations::contact_email.eq(&row.contact_email),
        ))
        .execute(c)?;
    Ok(())
}

/// Brings every stored key up to the current `organisation_key` (run after the migrations: the
/// key is computed in Rust, so a better key cannot be a SQL migration). Of two names that the new
/// key finds to be one, the newer keeps its old key and its id is returned, so the operator
/// is told.
pub fn rekey(c: &mut DbConn) -> Result<Vec<String>, DbError> {
    // The oldest first: of two names that now read as one, the older keeps the key.
    let rows: Vec<(String, String, String)> = organisations::table
        .order((organisations::created_at.asc(), organisations::id.asc()))
        .select((
            organisations::id,
            organisations::name,
            organisations::name_key,
        ))
        .load(c)?;
    let mut clashes = Vec::new();
    for (id, name, key) in rows {
        let new = crate::domain::organisation::organisation_key(&name);
        if new == key {
            continue;
        }
        let taken: i64 = organisations::table
            .filter(organisations::name_key.eq(&new))
            .count()
            .get_result(c)?;
        if taken > 0 {
            clashes.push(id);
            continue;
        }
        diesel::update(organisations::table.find(&id))
            .set(organisations::name_key.eq(&new))
            .execute(c)?;
    }
    Ok(clashes)
}

/// The organisation whose name has this key (`organisation_key`), if any.
pub fn find_by_key(c: &mut DbConn, key: &str) -> Result<Option<Organisation>, DbError> {
    organisations::table
        .filter(organisations::name_key.eq(key))
        .select(OrganisationRow::as_select())
        .first(c)
        .optional()?
        .map(OrganisationRow::parse)
        .transpose()
}

/// The ids of the organisations whose names have these keys (`organisation_key`), by key.
pub fn ids_by_key(c: &mut DbConn, keys: &[String]) -> Result<HashMap<String, String>, DbError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisations::table
        .filter(organisations::name_key.eq_any(keys))
        .select((organisations::name_key, organisations::id))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

pub fn find(c: &mut DbConn, id: &str) -> Result<Option<Organisation>, DbError> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(c)
        .optional()?
        .map(OrganisationRow::parse)
        .transpose()
}

/// Every organisation, by name.
pub fn list(c: &mut DbConn) -> Result<Vec<Organisation>, DbError> {
    let mut all = organisations::table
        .order(organisations::id.asc())
        .select(OrganisationRow::as_select())
        .load(c)?
        .into_iter()
        .map(OrganisationRow::parse)
        .collect::<Result<Vec<_>, _>>()?;
    // By name as a reader sorts it (the key is a look-alike skeleton, not an alphabet).
    all.sort_by_cached_key(|o| crate::domain::text::fold(&o.name));
    Ok(all)
}

/// Every organisation's name by id (for overviews and reasons).
pub fn names(c: &mut DbConn) -> Result<HashMap<String, String>, DbError> {
    let rows: Vec<(String, String)> = crate::with_backend_conn!(c, c => organisations::table
        .select((organisations::id, organisations::name))
        .load(c))?;
    Ok(rows.into_iter().collect())
}

/// The names of these organisations, by id (a plan's page names only its own).
pub fn names_of(c: &mut DbConn, ids: &[&str]) -> Result<HashMap<String, String>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((organisations::id, organisations::name))
        .load::<(String, String)>(c)?
        .into_iter()
        .collect())
}

/// Which of these organisation ids exist.
pub fn existing(c: &mut DbConn, ids: &[&str]) -> Result<HashSet<String>, DbError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(organisations::id)
        .load::<String>(c)?
        .into_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;

    #[test]
    fn stored_keys_are_brought_up_to_the_current_key_and_clashes_are_reported() {
        let t = TestApp::new();
        let a = t.organisation("Woningcorporatie Leidschendam");
        let b = t.organisation("Bibliotheek Noord");
        // Keys as an older version wrote them (lower case only), one now clashing with `a`.
        let clash = t.organisation("Stichting X");
        t.app
            .write(|tx| {
                for (id, name, key) in [
                    (
                        &a,
                        "Woningcorporatie Leidschendam",
                        "woningcorporatie leidschendam",
                    ),
                    (&b, "Bibliotheek Noord", "bibliotheek noord"),
                    (
                        &clash,
                        "Woningcorporatie Leids\u{0441}hendam",
                        "woningcorporatie leidsсhendam",
                    ),
                ] {
                    diesel::update(organisations::table.find(id))
                        .set((
                            organisations::name.eq(name),
                            organisations::name_key.eq(key),
                        ))
                        .execute(&mut **tx)
                        .map_err(DbError::from)?;
                }
                Ok(())
            })
            .unwrap();
        let clashes = t.app.write(|tx| Ok(rekey(tx)?)).unwrap();
        let key = |id: &str| t.app.read(|c| Ok(find(c, id)?.unwrap().key())).unwrap();
        assert_eq!(
            t.app
                .read(|c| Ok(ids_by_key(c, &[key(&a)])?))
                .unwrap()
                .get(&key(&a)),
            Some(&a)
        );
        assert_eq!(clashes, vec![clash.clone()]);
        let stored: String = t
            .app
            .read(|c| {
                Ok(organisations::table
                    .find(&b)
                    .select(organisations::name_key)
                    .first(c)
                    .map_err(DbError::from)?)
            })
            .unwrap();
        assert_eq!(stored, key(&b));
    }
}
