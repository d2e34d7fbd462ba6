//! The operator's backup and restore (`planloket backup DIR`, `planloket restore DIR`): the
//! database as one consistent snapshot, then the data folder's files (attachments, the
//! signing key, mail kept on disk), each with its size and hash in `manifest.json`.
//!
//! The database is copied first: a file written after its snapshot is at most one the
//! snapshot does not name, never the other way round.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::DatabaseUrl;
use crate::db::{backup as dbb, Db};

/// What a backup holds, written as `manifest.json` beside it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The layout of the backup folder (this is the first).
    pub format: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub planloket_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub database: Copied,
    /// The migrations the database had run, oldest first.
    pub migrations: Vec<String>,
    /// The data folder's files, by path under `files/`.
    pub files: Vec<Copied>,
}

/// One file of a backup: where it lies in the backup folder, its size, its BLAKE2s hash.
#[derive(Debug, Serialize, Deserialize)]
pub struct Copied {
    pub path: String,
    pub bytes: u64,
    pub blake2s: String,
}

const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_COPY: &str = "database.sqlite3";
const PG_COPY: &str = "database.pgdump";
const FILES: &str = "files";

fn hash_file(path: &Path) -> Result<(u64, String), String> {
    use blake2::{Blake2s256, Digest};
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    use std::io::Read;
    let mut h = Blake2s256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        bytes += n as u64;
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((bytes, hex))
}

fn copied(root: &Path, rel: &str) -> Result<Copied, String> {
    let (bytes, blake2s) = hash_file(&root.join(rel))?;
    Ok(Copied {
        path: rel.to_string(),
        bytes,
        blake2s,
    })
}

/// Whether `dir` is missing or holds nothing.
fn is_empty_dir(dir: &Path) -> Result<bool, String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
    }
}

/// The files under `dir`, as paths relative to it, leaving out those `skip` names.
fn files_under(dir: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if skip(&path) {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else if path.is_file() {
                found.push(path.strip_prefix(dir).map_err(|e| e.to_string())?.into());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Copies `from` to `to`, creating its folder (the owner's only, like the data folder).
fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        crate::config::private_dir(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// The SQLite database file and the files SQLite keeps beside it.
fn is_database_file(path: &Path, db: Option<&Path>) -> bool {
    let Some(db) = db else { return false };
    let (Some(name), Some(db_name)) = (path.file_name(), db.file_name()) else {
        return false;
    };
    path.parent() == db.parent()
        && name
            .to_string_lossy()
            .strip_prefix(&*db_name.to_string_lossy())
            .is_some_and(|rest| ["", "-wal", "-shm", "-journal", ".migrate-lock"].contains(&rest))
}

/// `planloket backup DIR`: writes the database's snapshot and the data folder's files to
/// `dest` (missing or empty; outside the data folder), with the manifest. Safe while the
/// service runs and writes.
pub fn backup(database: &DatabaseUrl, data_dir: &Path, dest: &Path) -> Result<Manifest, String> {
    if !is_empty_dir(dest)? {
        return Err(format!(
            "{} is not empty: a backup is written to a new or empty folder",
            dest.display()
        ));
    }
    let data_abs = std::fs::canonicalize(data_dir)
        .map_err(|e| format!("cannot read the data folder {}: {e}", data_dir.display()))?;
    crate::config::private_dir(dest)
        .map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let dest_abs = std::fs::canonicalize(dest).map_err(|e| e.to_string())?;
    if dest_abs.starts_with(&data_abs) {
        return Err(format!(
            "{} lies in the data folder: choose a folder outside it",
            dest.display()
        ));
    }
    let (database_copy, migrations, sqlite_path) = match database {
        DatabaseUrl::Sqlite(path) => {
            dbb::sqlite_snapshot(path, &dest.join(SQLITE_COPY))?;
            let migrations = dbb::sqlite_migrations(&dest.join(SQLITE_COPY))?;
            (SQLITE_COPY, migrations, std::fs::canonicalize(path).ok())
        }
        DatabaseUrl::Postgres(url) => {
            dbb::pg_dump(url, &dest.join(PG_COPY))?;
            (PG_COPY, dbb::pg_migrations(url)?, None)
        }
    };
    let skip = |p: &Path| is_database_file(p, sqlite_path.as_deref());
    let mut files = Vec::new();
    for rel in files_under(&data_abs, &skip)? {
        let to = Path::new(FILES).join(&rel);
        copy_file(&data_abs.join(&rel), &dest.join(&to))?;
        files.push(copied(dest, &to.to_string_lossy())?);
    }
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now(),
        planloket_version: env!("CARGO_PKG_VERSION").into(),
        backend: database.backend().into(),
        database: copied(dest, database_copy)?,
        migrations,
        files,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(dest.join(MANIFEST), text)
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    Ok(manifest)
}

/// Reads a backup's manifest and checks every file it names against its size and hash.
fn checked_manifest(from: &Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(from.join(MANIFEST)).map_err(|e| {
        format!(
            "{} holds no readable {MANIFEST}: is it a planloket backup? ({e})",
            from.display()
        )
    })?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| format!("{MANIFEST} cannot be read: {e}"))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "this backup has format {}; this planloket reads format {FORMAT}",
            manifest.format
        ));
    }
    for c in std::iter::once(&manifest.database).chain(&manifest.files) {
        if Path::new(&c.path)
            .components()
            .any(|p| !matches!(p, std::path::Component::Normal(_)))
        {
            return Err(format!(
                "{MANIFEST} names a path outside the backup: {}",
                c.path
            ));
        }
        let (bytes, hash) = hash_file(&from.join(&c.path))?;
        if bytes != c.bytes || hash != c.blake2s {
            return Err(format!(
                "{} differs from the manifest: the backup is damaged",
                c.path
            ));
        }
    }
    Ok(manifest)
}

/// `planloket restore DIR`: checks the backup, restores it into an empty data folder and an
/// empty database, brings the database to this build's migrations and checks it (SQLite's
/// integrity check; readiness). On failure, what it wrote is removed again.
pub fn restore(database: &DatabaseUrl, data_dir: &Path, from: &Path) -> Result<Manifest, String> {
    let manifest = checked_manifest(from)?;
    if manifest.backend != database.backend() {
        return Err(format!(
            "this backup is of a {} database; DATABASE_URL names a {} one",
            manifest.backend,
            database.backend()
        ));
    }
    if !is_empty_dir(data_dir)? {
        return Err(format!(
            "the data folder {} is not empty: restore into an empty one (PLANLOKET_DATA_DIR)",
            data_dir.display()
        ));
    }
    match database {
        DatabaseUrl::Sqlite(path) if path.exists() => {
            return Err(format!(
                "a database exists at {} already: restore into a new one",
                path.display()
            ))
        }
        DatabaseUrl::Postgres(url) if dbb::pg_tables(url)? > 0 => {
            return Err(
                "the PostgreSQL database of DATABASE_URL holds tables already: restore into an empty database"
                    .into(),
            )
        }
        _ => {}
    }
    let restored = restore_into(&manifest, database, data_dir, from);
    if restored.is_err() {
        // Leave the data folder as empty as it was found (the database too, for SQLite), so
        // the restore can be run again.
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for e in entries.flatten() {
                let p = e.path();
                let _ = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
            }
        }
        if let DatabaseUrl::Sqlite(path) = database {
            let _ = std::fs::remove_file(path);
        }
    }
    restored.map(|()| manifest)
}

fn restore_into(
    manifest: &Manifest,
    database: &DatabaseUrl,
    data_dir: &Path,
    from: &Path,
) -> Result<(), String> {
    crate::config::private_dir(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    for f in &manifest.files {
        let rel = Path::new(&f.path)
            .strip_prefix(FILES)
            .map_err(|_| format!("{MANIFEST} names a file outside files/: {}", f.path))?;
        copy_file(&from.join(&f.path), &data_dir.join(rel))?;
    }
    match database {
        DatabaseUrl::Sqlite(path) => {
            copy_file(&from.join(&manifest.database.path), path)?;
            dbb::sqlite_integrity(path)?;
        }
        DatabaseUrl::Postgres(url) => dbb::pg_restore(url, &from.join(&manifest.database.path))?,
    }
    // Opening migrates an older backup to this build; readiness then confirms the result.
    let db = Db::open_sized(database, Some(1))?;
    db.ready()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_and_the_files_sqlite_keeps_beside_it_are_not_copied_as_files() {
        let db = Path::new("/data/planloket.db");
        for name in [
            "planloket.db",
            "planloket.db-wal",
            "planloket.db-shm",
            "planloket.db.migrate-lock",
        ] {
            assert!(is_database_file(&Path::new("/data").join(name), Some(db)));
        }
        for other in [
            "/data/jwt-secret",
            "/data/planloket.db.txt",
            "/other/planloket.db",
        ] {
            assert!(!is_database_file(Path::new(other), Some(db)), "{other}");
        }
        assert!(!is_database_file(Path::new("/data/planloket.db"), None));
    }
}
