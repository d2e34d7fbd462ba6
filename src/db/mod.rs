//! Storage: one connection enum over PostgreSQL and SQLite, the pool, migrations, the
//! transaction handle, and the queries of each aggregate. Rows are parsed into domain types
//! when read (`rows`): a stored value that does not parse is an error naming its row and
//! column, never dropped or defaulted.

pub mod adoptions;
pub mod assessment;
pub mod assignments;
pub mod attempts;
pub mod backup;
pub mod bank_accounts;
pub mod batches;
pub mod co_applicants;
pub mod conditions;
pub mod conversation;
pub mod grants;
pub mod notes;
pub mod organisations;
pub mod outbox;
pub mod plan_attachments;
pub mod plans;
pub mod processing;
pub mod reservations;
pub mod retention;
pub mod rounds;
pub mod rows;
pub mod schema;
pub mod second_factor;
pub mod sessions;
pub mod single_sign_on;
pub mod users;
mod wal;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;

/// Why storage failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The database cannot be reached, or stayed locked past the busy timeout.
    Unavailable(String),
    /// A row with these unique values exists already.
    Duplicate,
    /// PostgreSQL gave this transaction up for a concurrent one.
    Concurrent,
    /// Input the database cannot keep (PostgreSQL refuses NUL characters in text).
    Unstorable(String),
    /// A stored value that does not parse into its domain type.
    Corrupt {
        table: &'static str,
        id: String,
        column: &'static str,
        detail: String,
    },
    /// Anything else: a bug, never the caller's doing.
    Other(String),
}

impl DbError {
    /// A stored value that did not parse, logged with its row and column.
    pub fn corrupt(
        table: &'static str,
        id: &str,
        column: &'static str,
        detail: impl std::fmt::Display,
    ) -> DbError {
        let detail = detail.to_string();
        tracing::error!(table, id, column, %detail, "a stored value does not parse");
        DbError::Corrupt {
            table,
            id: id.to_string(),
            column,
            detail,
        }
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            DbError::Duplicate => f.write_str("a row with these values exists already"),
            DbError::Concurrent => f.write_str("a concurrent transaction won"),
            DbError::Unstorable(m) => f.write_str(m),
            DbError::Corrupt {
                table,
                id,
                column,
                detail,
            } => write!(f, "{table} {id}: column {column} does not parse: {detail}"),
            DbError::Other(m) => f.write_str(m),
        }
    }
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> DbError {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::DatabaseError(K::UniqueViolation, _) => DbError::Duplicate,
            E::DatabaseError(K::ClosedConnection, info) => {
                DbError::Unavailable(info.message().to_string())
            }
            E::DatabaseError(K::SerializationFailure, _) => DbError::Concurrent,
            // PostgreSQL refuses NUL characters in text; input that carries one is malformed.
            E::DatabaseError(_, ref info) if info.message().contains("invalid byte sequence") => {
                DbError::Unstorable("text must not contain NUL characters".into())
            }
            E::DatabaseError(_, ref info)
                if info.message().contains("database is locked")
                    || info.message().contains("connection")
                    || info.message().contains("terminating") =>
            {
                DbError::Unavailable(info.message().to_string())
            }
            E::BrokenTransactionManager => DbError::Unavailable(e.to_string()),
            other => DbError::Other(other.to_string()),
        }
    }
}

impl From<r2d2::PoolError> for DbError {
    fn from(e: r2d2::PoolError) -> DbError {
        DbError::Unavailable(e.to_string())
    }
}

/// An error a unit of work may end with: storage's own, or the caller's that wraps it. The
/// pool needs to know whether the database was lost, whatever the error type.
pub trait WorkError: From<DbError> {
    /// Whether the database could not be reached.
    fn lost_database(&self) -> bool;
}

impl WorkError for DbError {
    fn lost_database(&self) -> bool {
        matches!(self, DbError::Unavailable(_))
    }
}

/// A write transaction in progress: the connection, and what the transaction did that must be
/// acted on at its commit (which rounds' plans changed, whether mail was written).
pub struct Tx<'a> {
    conn: &'a mut DbConn,
    changed_rounds: BTreeSet<String>,
    mail_written: bool,
}

impl Tx<'_> {
    /// Notes that a plan of `round_id` changed: the round's change counter is raised at commit.
    pub fn plans_changed(&mut self, round_id: &str) {
        if !self.changed_rounds.contains(round_id) {
            self.changed_rounds.insert(round_id.to_string());
        }
    }

    /// Notes that a letter was written to the outbox: the mail worker is woken after commit.
    pub fn mail_written(&mut self) {
        self.mail_written = true;
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConn {
        self.conn
    }
}

/// What a committed write transaction did, for the caller to act on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Committed {
    pub mail_written: bool,
}

/// Starts a transaction: on SQLite with `BEGIN IMMEDIATE`, so the write lock is taken at the
/// start (two processes on one file then wait for each other at BEGIN instead of one failing
/// with SQLITE_BUSY when its read lock would have to become a write lock).
fn begin(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

fn commit(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        DbConn::Pg(c) => AnsiTransactionManager::commit_transaction(c),
    }
}

fn rollback(conn: &mut DbConn) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConn::Pg(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}

/// A connection to either backend; the same queries run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection. Through `DbConn`, diesel
/// writes a query's SQL text anew on every execution (to serve either backend); on the
/// backend's own connection a query of fixed shape is found in the statement cache by its
/// type. Measured: a fifth of the CPU of `GET /plans/{id}` went to writing its SQL again
/// (docs/BENCHMARKS.md). Used on the queries every request makes.
#[macro_export]
macro_rules! with_backend_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock held while migrating, so instances starting together
/// do not run the same migration twice.
const MIGRATION_LOCK: i64 = 0x706c_616e_6c6f;

/// Opens connections for the pool, choosing the backend from the URL (never by trial).
pub struct Manager {
    url: DatabaseUrl,
}

/// Settings every SQLite connection gets: enforce foreign keys, wait for a lock instead of
/// failing, write-ahead logging so readers do not block the writer, and a bounded WAL. A page
/// cache of 1 MiB instead of 2 per connection: eight connections had 16 MiB of pages the
/// operating system caches anyway (peak memory at 100k plans 57 against 51 MiB, same speed).
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864; \
     PRAGMA cache_size = -1024;";

/// A pooled connection and whether it was seen to lose its server.
pub struct Pooled {
    pub conn: DbConn,
    /// Set when a query failed for want of the database: the pool then drops this connection
    /// instead of handing it out again. This replaces a test query on every checkout.
    lost: bool,
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        self.open().map(|conn| Pooled { conn, lost: false })
    }

    fn is_valid(&self, c: &mut Pooled) -> Result<(), r2d2::Error> {
        c.conn.ping().map(|_| ()).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, c: &mut Pooled) -> bool {
        c.lost || std::thread::panicking() || c.conn.is_broken()
    }
}

impl Manager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The database handle the service shares between requests.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: &'static str,
    /// SQLite has one writer at a time; taking this before a write transaction makes every
    /// write in this process wait its turn instead of failing with SQLITE_BUSY half-way.
    sqlite_writer: Arc<Mutex<()>>,
    sqlite_path: Option<std::path::PathBuf>,
    /// The SQLite WAL file and when its size was last acted on (see `bound_wal`).
    wal: Option<Arc<wal::Wal>>,
}

/// An exclusive lock on `<database>.migrate-lock`, held while migrating SQLite.
/// The data changes a migration cannot make in SQL, for they are computed by the domain:
/// organisations' name keys brought up to the current key, and references for the plans
/// submitted before references were given.
fn after_migrations(c: &mut DbConn) -> Result<(), String> {
    let clashes = organisations::rekey(c)
        .map_err(|e| format!("updating the organisations' name keys failed: {e}"))?;
    for id in clashes {
        tracing::warn!(
            organisation = %id,
            "this organisation's name reads as another's (look-alike or invisible characters); it keeps its old key: merge or rename one of them"
        );
    }
    let given = plans::give_missing_references(c)
        .map_err(|e| format!("giving plans their references failed: {e}"))?;
    if given > 0 {
        tracing::info!(plans = given, "gave submitted plans their references");
    }
    Ok(())
}

fn migration_lock(db: &std::path::Path) -> Result<std::fs::File, String> {
    let mut name = db.as_os_str().to_owned();
    name.push(".migrate-lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .map_err(|e| format!("cannot open the migration lock: {e}"))?;
    file.lock()
        .map_err(|e| format!("cannot take the migration lock: {e}"))?;
    Ok(file)
}

impl Db {
    /// Opens the pool (creating the SQLite file and its folder if needed) and runs migrations.
    pub fn open(url: &DatabaseUrl) -> Result<Db, String> {
        Self::open_sized(url, None)
    }

    /// As `open`, with `size` connections instead of the backend's default.
    pub fn open_sized(url: &DatabaseUrl, size: Option<u32>) -> Result<Db, String> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            // Readable by the owner only; SQLite gives its WAL the same permissions.
            crate::config::private_file(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        }
        let size = size.unwrap_or(match url {
            DatabaseUrl::Sqlite(_) => 8,
            // One per core, at least 2: more busy PostgreSQL backends than the machine can run
            // only queue in the scheduler. Measured with PostgreSQL on the same 2 cores: p99
            // of `GET /plans/{id}` 40-130 ms with 12 connections, 10-13 ms with 4, 7-8 ms
            // with 2, at the same read throughput and 10 % fewer writes (docs/BENCHMARKS.md).
            // A database on a host of its own takes more: PLANLOKET_DB_POOL.
            DatabaseUrl::Postgres(_) => (crate::config::cores() as u32).clamp(2, 16),
        });
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(3))
            // A lost connection is dropped when a query fails on it (see `Pooled`), so the
            // pool need not spend a query testing every checkout.
            .test_on_check_out(false)
            .build(Manager { url: url.clone() })
            .map_err(|e| format!("cannot open the {} database: {e}", url.backend()))?;
        let db = Db {
            pool,
            backend: url.backend(),
            sqlite_writer: Arc::new(Mutex::new(())),
            sqlite_path: match url {
                DatabaseUrl::Sqlite(p) => Some(p.clone()),
                DatabaseUrl::Postgres(_) => None,
            },
            wal: match url {
                DatabaseUrl::Sqlite(p) => Some(Arc::new(wal::Wal::new(p, wal::WAL_LIMIT))),
                DatabaseUrl::Postgres(_) => None,
            },
        };
        db.migrate()?;
        Ok(db)
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Runs pending migrations, then the data changes that are computed in Rust
    /// (`after_migrations`); on PostgreSQL under an advisory lock.
    pub fn migrate(&self) -> Result<(), String> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| format!("cannot connect: {e}"))?;
        // One instance at a time: on PostgreSQL an advisory lock; on SQLite two processes
        // opening a new file together would both run the first migration, so a lock file
        // beside the database makes the second wait.
        let _file_lock = match &mut conn.conn {
            DbConn::Pg(c) => {
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                    .execute(c)
                    .map_err(|e| e.to_string())?;
                None
            }
            DbConn::Sqlite(_) => self
                .sqlite_path
                .as_ref()
                .map(|p| migration_lock(p))
                .transpose()?,
        };
        let migrated = match &mut conn.conn {
            DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        }
        .map_err(|e| format!("migration failed: {e}"))
        .and_then(|()| after_migrations(&mut conn.conn));
        if let DbConn::Pg(c) = &mut conn.conn {
            let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .execute(c);
        }
        migrated
    }

    /// The pool's connections now: (in use, idle, the most it opens).
    pub fn pool_state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (
            s.connections - s.idle_connections,
            s.idle_connections,
            self.pool.max_size(),
        )
    }

    /// A connection from the pool; `Unavailable` when none can be had in time.
    pub fn conn(&self) -> Result<PooledConn, DbError> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers now (for `/health`), waiting at most a second.
    pub fn ping(&self) -> bool {
        match self.pool.get_timeout(Duration::from_secs(1)) {
            Ok(mut c) => {
                let up = c.conn.ping().is_ok();
                c.lost = !up;
                up
            }
            Err(_) => false,
        }
    }

    /// Whether the database answers now and every migration this build carries has run (for
    /// `/health/ready`), waiting at most a second for a connection; why not, otherwise.
    pub fn ready(&self) -> Result<(), String> {
        let mut c = self
            .pool
            .get_timeout(Duration::from_secs(1))
            .map_err(|e| format!("cannot connect: {e}"))?;
        let pending = match &mut c.conn {
            DbConn::Pg(pg) => pg.pending_migrations(PG_MIGRATIONS).map(|p| p.len()),
            DbConn::Sqlite(lite) => lite.pending_migrations(SQLITE_MIGRATIONS).map(|p| p.len()),
        };
        match pending {
            Ok(0) => Ok(()),
            Ok(n) => Err(format!("{n} migration(s) not run yet")),
            Err(e) => {
                c.lost = c.conn.ping().is_err();
                Err(format!("cannot read the migrations: {e}"))
            }
        }
    }

    /// Runs `f` outside a transaction, statement by statement (reads).
    pub fn read<T, E: WorkError>(
        &self,
        f: impl FnOnce(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut pooled = self.conn()?;
        let result = f(&mut pooled.conn);
        if result.as_ref().is_err_and(E::lost_database) {
            pooled.lost = true;
        }
        result
    }

    /// Runs `f` in one transaction: all of it is stored, or nothing.
    pub fn write<T, E: WorkError>(&self, f: impl FnOnce(&mut Tx) -> Result<T, E>) -> Result<T, E> {
        self.write_noting(f).map(|(value, _)| value)
    }

    /// As `write`, and tells what the committed transaction did.
    pub fn write_noting<T, E: WorkError>(
        &self,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<(T, Committed), E> {
        let _turn = if self.backend == "sqlite" {
            Some(self.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner()))
        } else {
            None
        };
        let mut pooled = self.conn()?;
        let result = Self::transaction(&mut pooled.conn, f);
        if result.as_ref().is_err_and(E::lost_database) {
            pooled.lost = true;
        }
        if let (Some(wal), Ok(_)) = (&self.wal, &result) {
            wal.bound(&mut pooled.conn);
        }
        result
    }

    fn transaction<T, E: WorkError>(
        conn: &mut DbConn,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<(T, Committed), E> {
        begin(conn).map_err(|e| E::from(e.into()))?;
        let mut tx = Tx {
            conn,
            changed_rounds: BTreeSet::new(),
            mail_written: false,
        };
        let result = f(&mut tx).and_then(|value| {
            // Raised last, so the counter's row lock (PostgreSQL) is held only for the commit
            // and is never taken before another lock: no deadlock with plan or budget locks.
            // Sorted (a set), so transactions touching several rounds take them in one order.
            for round in std::mem::take(&mut tx.changed_rounds) {
                plans::bump_changes(&mut tx, &round)?;
            }
            Ok(value)
        });
        let committed = Committed {
            mail_written: tx.mail_written,
        };
        match result {
            Ok(value) => {
                commit(conn).map_err(|e| E::from(e.into()))?;
                Ok((value, committed))
            }
            Err(e) => {
                // A failed rollback leaves the connection broken; the pool then drops it.
                if let Err(r) = rollback(conn) {
                    tracing::warn!(error = %r, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

/// A new id: UUID v7, time-ordered so inserts stay at the end of indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, in UTC, to the microsecond (what PostgreSQL keeps; SQLite then stores the same).
pub fn now() -> DateTime<Utc> {
    micros(Utc::now())
}

/// A timestamp cut to whole microseconds, so both backends answer the same value.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// A stored timestamp (UTC) as the domain keeps it.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// A domain timestamp as it is stored: UTC, to the microsecond.
pub fn stored(t: DateTime<Utc>) -> NaiveDateTime {
    micros(t).naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    /// Two processes on one SQLite file (two pools, each with its own writer lock): each
    /// reads, waits, then writes in one transaction. With a deferred BEGIN the second would
    /// fail with SQLITE_BUSY when its read lock had to become a write lock; BEGIN IMMEDIATE
    /// makes it wait its turn at the start.
    #[test]
    fn two_processes_writing_one_sqlite_file_take_turns() {
        let dir = std::env::temp_dir().join(format!("planloket-db-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = DatabaseUrl::Sqlite(dir.join("planloket.db"));
        let a = Db::open(&url).unwrap();
        let b = Db::open(&url).unwrap();
        a.write(|tx| {
            diesel::sql_query("CREATE TABLE counter (n BIGINT NOT NULL)").execute(&mut **tx)?;
            diesel::sql_query("INSERT INTO counter VALUES (0)").execute(&mut **tx)?;
            Ok::<_, DbError>(())
        })
        .unwrap();
        let bump = |db: Db| {
            std::thread::spawn(move || {
                db.write(|tx| {
                    let n = diesel::sql_query("SELECT n FROM counter")
                        .get_result::<Count>(&mut **tx)?
                        .n;
                    std::thread::sleep(Duration::from_millis(100));
                    diesel::sql_query(format!("UPDATE counter SET n = {}", n + 1))
                        .execute(&mut **tx)?;
                    Ok::<_, DbError>(())
                })
            })
        };
        let (ta, tb) = (bump(a.clone()), bump(b));
        assert_eq!(ta.join().unwrap(), Ok(()));
        assert_eq!(tb.join().unwrap(), Ok(()));
        let n = a
            .read(|c| {
                Ok::<_, DbError>(
                    diesel::sql_query("SELECT n FROM counter")
                        .get_result::<Count>(c)?
                        .n,
                )
            })
            .unwrap();
        assert_eq!(n, 2, "neither write was lost");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn what_a_transaction_did_is_told_at_commit_and_nothing_of_a_rolled_back_one_stays() {
        let dir = std::env::temp_dir().join(format!("planloket-db-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&DatabaseUrl::Sqlite(dir.join("planloket.db"))).unwrap();
        let ((), done) = db
            .write_noting(|tx| {
                tx.mail_written();
                Ok::<_, DbError>(())
            })
            .unwrap();
        assert!(done.mail_written);
        let ((), done) = db.write_noting(|_| Ok::<_, DbError>(())).unwrap();
        assert!(!done.mail_written);
        let failed: Result<(), DbError> = db.write(|tx| {
            diesel::sql_query("CREATE TABLE gone (n BIGINT)").execute(&mut **tx)?;
            Err(DbError::Other("the change fails".into()))
        });
        assert!(failed.is_err());
        let gone = db.read(|c| {
            Ok::<_, DbError>(
                diesel::sql_query("SELECT COUNT(*) AS n FROM gone")
                    .get_result::<Count>(c)
                    .is_err(),
            )
        });
        assert_eq!(gone, Ok(true), "the table was rolled back");
        let _ = std::fs::remove_dir_all(dir);
    }
}
