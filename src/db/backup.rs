//! Copies of the database for `planloket backup` and `restore`: SQLite's `VACUUM INTO` (a
//! consistent snapshot read in one transaction, which in WAL mode waits for no writer and
//! stops none), and for PostgreSQL the server's own tools, `pg_dump` and `pg_restore`.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

/// Opens a SQLite file as it is: no migration runs (a backup must not change the database of
/// a running service, which may be another version).
fn open_sqlite(path: &Path) -> Result<SqliteConnection, String> {
    let mut c = SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    diesel::sql_query("PRAGMA busy_timeout = 10000")
        .execute(&mut c)
        .map_err(|e| e.to_string())?;
    Ok(c)
}

/// A SQL string literal of `text`.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Writes a consistent copy of the SQLite database at `db` to `to` (which must not exist).
pub fn sqlite_snapshot(db: &Path, to: &Path) -> Result<(), String> {
    if !db.exists() {
        return Err(format!("there is no database at {}", db.display()));
    }
    let mut c = open_sqlite(db)?;
    diesel::sql_query(format!("VACUUM INTO {}", quoted(&to.to_string_lossy())))
        .execute(&mut c)
        .map_err(|e| format!("copying the database failed: {e}"))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

/// The migrations a SQLite copy has run, oldest first.
pub fn sqlite_migrations(db: &Path) -> Result<Vec<String>, String> {
    let mut c = open_sqlite(db)?;
    let rows: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut c)
            .map_err(|e| format!("cannot read the migrations of {}: {e}", db.display()))?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

/// `PRAGMA integrity_check` of a SQLite file: `Ok` when it says "ok", else what it found.
pub fn sqlite_integrity(db: &Path) -> Result<(), String> {
    let mut c = open_sqlite(db)?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .map_err(|e| format!("cannot check {}: {e}", db.display()))?;
    match rows.as_slice() {
        [one] if one.integrity_check == "ok" => Ok(()),
        found => Err(format!(
            "the restored database is damaged: {}",
            found
                .iter()
                .map(|r| r.integrity_check.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// Runs one of PostgreSQL's tools, saying how to get it when it is not on the path.
fn pg_tool(name: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(name).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{name} is not on the PATH: install PostgreSQL's client tools (Debian: apt-get install postgresql-client), \
                 or run {name} yourself as README's \"Backup and restore\" describes"
            )
        } else {
            format!("cannot run {name}: {e}")
        }
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `pg_dump` of the database at `url` into `to`, in its custom format (one consistent
/// snapshot; `pg_restore` reads it).
pub fn pg_dump(url: &str, to: &Path) -> Result<(), String> {
    pg_tool(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            &to.to_string_lossy(),
            "--dbname",
            url,
        ],
    )
}

/// `pg_restore` of `from` into the database at `url` (which holds no tables).
pub fn pg_restore(url: &str, from: &Path) -> Result<(), String> {
    pg_tool(
        "pg_restore",
        &[
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            url,
            &from.to_string_lossy(),
        ],
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The tables of the PostgreSQL database at `url`'s current schema (none: it may be restored
/// into).
pub fn pg_tables(url: &str) -> Result<i64, String> {
    let mut c = diesel::pg::PgConnection::establish(url)
        .map_err(|e| format!("cannot connect to the PostgreSQL database: {e}"))?;
    let rows: Vec<Count> = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .load(&mut c)
    .map_err(|e| e.to_string())?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// The migrations the PostgreSQL database at `url` has run, oldest first.
pub fn pg_migrations(url: &str) -> Result<Vec<String>, String> {
    let mut c = diesel::pg::PgConnection::establish(url)
        .map_err(|e| format!("cannot connect to the PostgreSQL database: {e}"))?;
    let rows: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut c)
            .map_err(|e| format!("cannot read the migrations: {e}"))?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}
