//! The `planloket` binary: `serve` (the default), `demo`, `migrate`, `healthcheck`, `backup`,
//! `restore`.

use clap::{Parser, Subcommand};
use planloket::config::Settings;
use planloket::db::Db;
use planloket::startup;

#[derive(Parser)]
#[command(
    name = "planloket",
    version,
    about = "The call for project plans of a municipal programme, as a REST API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Clone, PartialEq, Eq)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Serve, and on an empty database first load the 2025-2026 round and one account per role.
    Demo,
    /// Run pending database migrations and exit.
    Migrate,
    /// Ask a running service whether it is ready (`GET /api/v1/health/ready` on
    /// `PLANLOKET_BIND`, or on the URL given): exit 0 when it is, 1 when not. For a
    /// container's health check, where no curl is installed.
    Healthcheck {
        /// The readiness URL; by default http://127.0.0.1:<port of PLANLOKET_BIND>/api/v1/health/ready.
        url: Option<String>,
    },
    /// Write a consistent backup of the database and the data folder's files to DIR (new or
    /// empty), with a manifest; safe while the service runs. PostgreSQL needs pg_dump.
    Backup {
        /// The folder to write the backup to.
        dir: std::path::PathBuf,
    },
    /// Restore the backup in DIR into an empty data folder and an empty database, and check
    /// the result. PostgreSQL needs pg_restore.
    Restore {
        /// The folder of a backup written by `planloket backup`.
        dir: std::path::PathBuf,
    },
    /// Apply the retention policy now (the service does it daily): delete or anonymise what
    /// is past its term (`PLANLOKET_RETENTION_*`), one line per record: kind, id, action,
    /// reason, due date.
    Retention {
        /// Only print what would be done.
        #[arg(long)]
        dry_run: bool,
    },
}

/// glibc gives every thread that allocates its own malloc arena; with the HTTP workers and
/// their blocking threads that multiplies the resident memory for no gain. Two arenas keep
/// the service small (measured in docs/BENCHMARKS.md).
///
/// A fixed mmap threshold of 1 MiB: glibc's threshold otherwise rises to the size of the
/// largest block freed, so after the first sign-in Argon2's 19 MiB blocks came from the heap
/// and stayed resident after use (a fresh server at 16 MiB held 77-153 MiB after ten
/// sign-ins). Above the threshold a block is mapped for its use and given back when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    // SAFETY: mallopt only sets allocator tunables; called once, before any thread starts.
    unsafe {
        mallopt(M_ARENA_MAX, 2);
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

/// Files the service creates (the database, its WAL, mails, the signing key) are readable by
/// the owner only, whatever the umask it was started with.
#[cfg(unix)]
fn private_files() {
    extern "C" {
        fn umask(mask: u32) -> u32;
    }
    // SAFETY: umask only sets the process's file creation mask; called once, before any thread.
    unsafe {
        umask(0o077);
    }
}

#[cfg(not(unix))]
fn private_files() {}

fn main() {
    tune_malloc();
    private_files();
    let cli = Cli::parse();
    // One line per event: text for people (the default), or one JSON object per line for a
    // log store (`PLANLOKET_LOG_FORMAT=json`). On standard error: standard output is what the
    // commands print for people (addresses, the demo's accounts), so a log store reading the
    // log stream gets nothing but log lines.
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLANLOKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    match std::env::var("PLANLOKET_LOG_FORMAT")
        .as_deref()
        .map(str::trim)
    {
        Ok("json") => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
        Ok("text") | Ok("") | Err(_) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init(),
        Ok(other) => {
            eprintln!("planloket: PLANLOKET_LOG_FORMAT must be text or json, not '{other}'");
            std::process::exit(1);
        }
    }
    if let Err(message) = run(cli.command.unwrap_or(Command::Serve)) {
        eprintln!("planloket: {message}");
        std::process::exit(1);
    }
}

use planloket::domain::second_factor::StaffMfa;

/// `planloket healthcheck`: the readiness endpoint of the service on this host answers 200.
fn healthcheck(url: Option<String>) -> Result<(), String> {
    let url = match url {
        Some(u) => u,
        None => {
            let bind = std::env::var("PLANLOKET_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
            let port = bind.rsplit(':').next().unwrap_or("8080");
            format!("http://127.0.0.1:{port}/api/v1/health/ready")
        }
    };
    match ureq::get(&url)
        .timeout(std::time::Duration::from_secs(5))
        .call()
    {
        Ok(r) if r.status() == 200 => Ok(()),
        Ok(r) => Err(format!("{url} answered {}", r.status())),
        Err(ureq::Error::Status(code, r)) => Err(format!(
            "{url} answered {code}: {}",
            r.into_string().unwrap_or_default()
        )),
        Err(e) => Err(format!("{url}: {e}")),
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        // Needs no settings: it only asks the running service.
        Command::Healthcheck { url } => return healthcheck(url),
        // Read only where the data lies: settings would create a signing key in the folder.
        Command::Backup { dir } => {
            let (database, data_dir) = planloket::config::storage_from_env()?;
            let m = planloket::app::backup::backup(&database, &data_dir, &dir)?;
            println!(
                "backup written to {}: the {} database ({} migrations) and {} files",
                dir.display(),
                m.backend,
                m.migrations.len(),
                m.files.len()
            );
            return Ok(());
        }
        Command::Restore { dir } => {
            let (database, data_dir) = planloket::config::storage_from_env()?;
            let m = planloket::app::backup::restore(&database, &data_dir, &dir)?;
            println!(
                "restored the backup of {} ({} files) into {}: integrity and migrations checked; start the service",
                m.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                m.files.len(),
                data_dir.display()
            );
            return Ok(());
        }
        _ => {}
    }
    let settings = Settings::from_env()?;
    tracing::info!(database = ?settings.database, "starting");
    match command {
        Command::Migrate => {
            Db::open_sized(&settings.database, settings.db_pool)?;
            println!(
                "migrations are up to date ({})",
                settings.database.backend()
            );
            Ok(())
        }
        Command::Demo => {
            let db = Db::open_sized(&settings.database, settings.db_pool)?;
            match planloket::demo::load(&db, &settings.public_url)? {
                Some(lines) => lines.iter().for_each(|l| println!("{l}")),
                None => println!("the database holds data already; no demo data loaded"),
            }
            // The demo pays from an example account unless a real one is configured, so its
            // payments can be exported; the file says "demo" in the payer's name.
            let mut settings = settings;
            if settings.payer.is_none() {
                settings.payer = Some(planloket::demo::demo_payer());
                println!("payments are exported from the demo account (set PLANLOKET_PAYER_* for a real one)");
            }
            // The demo's staff sign in with their password alone unless the environment asks
            // for the second factor: trying the product needs no authenticator app.
            if std::env::var("PLANLOKET_STAFF_MFA").is_err() {
                settings.staff_mfa = StaffMfa::Off;
            }
            println!(
                "{}",
                match settings.staff_mfa {
                    StaffMfa::Off => "second factor for staff: off (set PLANLOKET_STAFF_MFA=required to ask it)",
                    StaffMfa::Required => "second factor for staff: required (staff enrol an authenticator app at their first sign-in)",
                }
            );
            serve(&settings)
        }
        Command::Serve => serve(&settings),
        Command::Retention { dry_run } => {
            let db = Db::open_sized(&settings.database, settings.db_pool)?;
            let now = chrono::Utc::now();
            let policy = settings.retention;
            let lines = if dry_run {
                db.read(|c| planloket::app::retention::due(c, &policy, now))
            } else {
                planloket::app::retention::apply(
                    &db,
                    &policy,
                    now,
                    &settings.public_url,
                    &settings.data_dir.join("attachments"),
                )
            }
            .map_err(|e| e.to_string())?;
            for due in &lines {
                println!("{}", due.line());
            }
            eprintln!(
                "retention: {} record(s) {}",
                lines.len(),
                if dry_run {
                    "due (dry run: nothing changed)"
                } else {
                    "handled"
                }
            );
            Ok(())
        }
        Command::Healthcheck { .. } | Command::Backup { .. } | Command::Restore { .. } => Ok(()),
    }
}

fn serve(settings: &Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async {
        let running = startup::build(settings, planloket::config::cores())?;
        // Where people go (the web front) and where clients go (the API).
        println!("planloket web front: http://{}/", running.addr);
        println!("planloket API:       http://{}/api/v1", running.addr);
        let mail_worker = running.mail_worker;
        // On SIGTERM (or SIGINT) actix stops accepting, lets the requests in flight finish
        // (at most `SHUTDOWN_SECS`), and then this returns.
        let served = running.server.await.map_err(|e| e.to_string());
        tracing::info!("stopped serving; the mail worker finishes the mail it is sending");
        // The worker finishes the mail being sent and gives the rest of its claim back.
        drop(mail_worker);
        tracing::info!("stopped");
        served
    })
}
