//! Keeping SQLite's write-ahead log bounded (see `Wal`).

use chrono::Utc;
use diesel::connection::SimpleConnection;

use super::DbConn;

/// Keeps SQLite's write-ahead log bounded. SQLite's own checkpoint (every 1,000 pages) copies
/// what it can back into the database but cannot start the log again from its beginning while
/// any reader still uses it; under constant reads the file then only grows (3.47 GB was seen
/// on this machine). After a write that leaves the log over `limit`, the writer runs
/// `wal_checkpoint(TRUNCATE)`: it waits (at most `CHECKPOINT_WAIT_MS`) for the readers of
/// older snapshots to finish, which takes a moment because new readers read the copied pages
/// from the database file, then empties the file. At most one attempt per second.
pub(super) struct Wal {
    pub(super) path: std::path::PathBuf,
    limit: u64,
    pub(super) last_attempt_ms: std::sync::atomic::AtomicU64,
}

/// The WAL size above which a write empties it (the soak in docs/BENCHMARKS.md).
pub const WAL_LIMIT: u64 = 16 * 1024 * 1024;
/// How long the checkpoint may wait for readers; the writer lock is held meanwhile.
const CHECKPOINT_WAIT_MS: u32 = 200;

impl Wal {
    pub(super) fn new(db: &std::path::Path, limit: u64) -> Wal {
        let mut path = db.as_os_str().to_owned();
        path.push("-wal");
        Wal {
            path: path.into(),
            limit,
            last_attempt_ms: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Called with the writer's turn held, after a commit on `conn`.
    pub(super) fn bound(&self, conn: &mut DbConn) {
        use std::sync::atomic::Ordering;
        let size = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if size <= self.limit {
            return;
        }
        let now_ms = Utc::now().timestamp_millis().max(0) as u64;
        if now_ms.saturating_sub(self.last_attempt_ms.load(Ordering::Relaxed)) < 1000 {
            return;
        }
        self.last_attempt_ms.store(now_ms, Ordering::Relaxed);
        let sql = format!(
            "PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}; PRAGMA wal_checkpoint(TRUNCATE); \
             PRAGMA busy_timeout = 5000;"
        );
        match conn.batch_execute(&sql) {
            Ok(()) => tracing::debug!(wal_bytes = size, "WAL checkpointed"),
            Err(e) => tracing::warn!(error = %e, wal_bytes = size, "WAL checkpoint failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use diesel::{Connection, RunQueryDsl, SqliteConnection};

    use super::*;
    use crate::config::DatabaseUrl;
    use crate::db::{new_id, Db, DbError};

    /// A reader that keeps an old snapshot open pins the WAL: SQLite's own checkpoints cannot
    /// start it again, and it grows with every write. Once the reader is done, the next write
    /// over the limit empties the file.
    #[test]
    fn a_write_empties_a_wal_grown_over_its_limit_once_readers_let_go() {
        let dir = std::env::temp_dir().join(format!("planloket-db-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("planloket.db");
        let mut db = Db::open(&DatabaseUrl::Sqlite(path.clone())).unwrap();
        let wal = Arc::new(Wal::new(&path, 256 * 1024));
        db.wal = Some(wal.clone());
        let size = || std::fs::metadata(&wal.path).map(|m| m.len()).unwrap_or(0);
        let fill = |db: &Db| {
            db.write(|tx| {
                diesel::sql_query("INSERT INTO filler SELECT randomblob(4000) FROM seq")
                    .execute(&mut **tx)?;
                Ok::<_, DbError>(())
            })
            .unwrap()
        };
        db.write(|tx| {
            diesel::sql_query("CREATE TABLE filler (b BLOB)").execute(&mut **tx)?;
            diesel::sql_query(
                "CREATE TABLE seq AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 \
                 FROM n WHERE i < 100) SELECT i FROM n",
            )
            .execute(&mut **tx)?;
            Ok::<_, DbError>(())
        })
        .unwrap();

        let mut reader = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        reader
            .batch_execute("BEGIN; SELECT count(*) FROM filler;")
            .unwrap();
        for _ in 0..5 {
            fill(&db);
            wal.last_attempt_ms
                .store(0, std::sync::atomic::Ordering::Relaxed);
        }
        let pinned = size();
        assert!(pinned > 1024 * 1024, "the WAL grew while pinned: {pinned}");

        reader.batch_execute("COMMIT;").unwrap();
        fill(&db);
        assert_eq!(size(), 0, "emptied after the write over the limit");
        let _ = std::fs::remove_dir_all(dir);
    }
}
