//! Settings from the environment (PRODUCT.md → Configuration). Secrets are never printed.

use std::path::{Path, PathBuf};

/// Where the data lives: an embedded SQLite file or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            // The URL may carry a password: show the scheme and host only.
            DatabaseUrl::Postgres(url) => {
                let host = url
                    .rsplit('@')
                    .next()
                    .unwrap_or("")
                    .split('/')
                    .next()
                    .unwrap_or("");
                write!(f, "postgres://…@{host}")
            }
        }
    }
}

impl DatabaseUrl {
    /// `postgres://…` / `postgresql://…`, `sqlite://path`, or a plain path; any other scheme is refused.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("DATABASE_URL sqlite:// needs a file path".into());
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "DATABASE_URL has the unsupported scheme '{scheme}': use a SQLite path, sqlite://path or postgres://…"
            ));
        }
        if let Some(path) = raw.strip_prefix("sqlite:") {
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(raw)))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// Everything the service needs to start.
#[derive(Clone)]
pub struct Settings {
    pub database: DatabaseUrl,
    /// Connections in the database pool; `None`: the default for the backend (`Db::open`).
    pub db_pool: Option<u32>,
    pub bind: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Vec<u8>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub public_url: String,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// The municipality's account grants are paid from (`PLANLOKET_PAYER_NAME`, `_IBAN`,
    /// `_BIC`); `None` when not set: payments can then be released but not exported.
    pub payer: Option<crate::domain::grant::sepa::Payer>,
    /// The limits of sign-in attempts, links and mails (`PLANLOKET_THROTTLE_<NAME>`).
    pub throttle: crate::domain::throttle::Limits,
    /// The proxies whose `X-Forwarded-For` is believed (`PLANLOKET_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::domain::client::TrustedProxies,
    /// Whether staff must sign in with a second factor (`PLANLOKET_STAFF_MFA`, `required`
    /// unless set to `off`).
    pub staff_mfa: crate::domain::second_factor::StaffMfa,
    /// Single sign-on through the municipality's identity provider (`PLANLOKET_OIDC_*`).
    pub oidc: Option<crate::sso::OidcSettings>,
    /// The bearer token Prometheus presents at `/metrics` (`PLANLOKET_METRICS_TOKEN`); not
    /// served without one.
    pub metrics_token: Option<String>,
    /// How long what is kept (`PLANLOKET_RETENTION_*`).
    pub retention: crate::domain::retention::Policy,
    /// Whom people ask about their data, shown on `/privacy` (`PLANLOKET_PRIVACY_CONTACT`).
    pub privacy_contact: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database", &self.database)
            .field("db_pool", &self.db_pool)
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("jwt_secret", &"<hidden>")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("admin_email", &self.admin_email)
            .field("payer", &self.payer.as_ref().map(|p| &p.name))
            .field("throttle", &self.throttle)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("staff_mfa", &self.staff_mfa)
            .field("oidc", &self.oidc)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .finish()
    }
}

/// The cores this process may run on (2 when the system does not say): the number of workers,
/// of PostgreSQL connections, and of password hashes at once follow it.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The largest database pool accepted (PostgreSQL's default `max_connections` is 100).
pub const DB_POOL_MAX: u32 = 64;

/// The shortest metrics token accepted: it guards the counters of the service's traffic.
pub const METRICS_TOKEN_MIN: usize = 24;

/// The shortest signing key accepted, in bytes.
pub const JWT_SECRET_MIN: usize = 32;

/// Secrets published as examples (in the repository, or in an earlier version of its compose
/// file): anyone can sign tokens with them, so the service refuses to start with one.
const EXAMPLE_SECRETS: [&str; 1] = ["change-me-to-a-long-random-secret-of-32-bytes-or-more"];
/// Texts of the repository that show configuration: a secret that appears in one of them is
/// an example, not a secret.
const EXAMPLE_TEXTS: [&str; 4] = [
    include_str!("../docker-compose.yml"),
    include_str!("../README.md"),
    include_str!("../bench/run.sh"),
    // The tests' own key: known to anyone who reads the repository.
    include_str!("../tests/api/helpers.rs"),
];

/// The fewest different bytes a signing key must hold: a key of one repeated character, or a
/// word repeated, is guessed long before its length suggests.
pub const JWT_SECRET_MIN_DISTINCT: usize = 16;

/// How many different bytes a key holds. A key written in hex digits only (`openssl rand -hex
/// 32`) is counted by the bytes it spells: its characters are at most the 16 digits, and a
/// random 64-digit key lacks one of them about one time in four. A short hex key (16 bytes)
/// needs half its bytes different, which a random one has always and a repeated pattern not.
fn distinct_bytes(secret: &str) -> (usize, usize) {
    let count =
        |b: &mut dyn Iterator<Item = u8>| b.collect::<std::collections::HashSet<u8>>().len();
    let hex = secret.len().is_multiple_of(2) && secret.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return (count(&mut secret.bytes()), JWT_SECRET_MIN_DISTINCT);
    }
    let bytes = secret.as_bytes().chunks(2).map(|pair| {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        digit(pair[0]) << 4 | digit(pair[1])
    });
    let needed = JWT_SECRET_MIN_DISTINCT.min(secret.len() / 4);
    (count(&mut bytes.into_iter()), needed)
}

/// Checks a configured signing key: long enough, and not a published example.
pub fn check_jwt_secret(secret: &str) -> Result<(), String> {
    if secret.len() < JWT_SECRET_MIN {
        return Err(format!(
            "PLANLOKET_JWT_SECRET must be at least {JWT_SECRET_MIN} bytes"
        ));
    }
    if EXAMPLE_SECRETS.contains(&secret) || EXAMPLE_TEXTS.iter().any(|t| t.contains(secret)) {
        return Err(
            "PLANLOKET_JWT_SECRET is an example published with planloket: set a random secret of your own"
                .into(),
        );
    }
    let (distinct, needed) = distinct_bytes(secret);
    if distinct < needed {
        return Err(format!(
            "PLANLOKET_JWT_SECRET is too easy to guess: it holds {distinct} different bytes, \
             at least {needed} are needed; make one with `openssl rand -base64 48`"
        ));
    }
    Ok(())
}

/// Where the service keeps its data: the database (`DATABASE_URL`, by default
/// `planloket.db` in the data folder) and the data folder (`PLANLOKET_DATA_DIR`, `data`).
/// Read alone by `backup` and `restore`, which must not create anything in the folder.
pub fn storage_from_env() -> Result<(DatabaseUrl, PathBuf), String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let data_dir = PathBuf::from(var("PLANLOKET_DATA_DIR").unwrap_or_else(|| "data".into()));
    let database = match var("DATABASE_URL") {
        Some(url) => DatabaseUrl::parse(&url)?,
        None => DatabaseUrl::Sqlite(data_dir.join("planloket.db")),
    };
    Ok((database, data_dir))
}

impl Settings {
    /// Reads the environment; creates the data dir and, on first start, the signing key in it.
    pub fn from_env() -> Result<Settings, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let (database, data_dir) = storage_from_env()?;
        private_dir(&data_dir)
            .map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
        let jwt_secret = match var("PLANLOKET_JWT_SECRET") {
            Some(s) => {
                check_jwt_secret(&s)?;
                s.into_bytes()
            }
            None => load_or_create_secret(&data_dir)?,
        };
        let db_pool = match var("PLANLOKET_DB_POOL") {
            None => None,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=DB_POOL_MAX).contains(&n) => Some(n),
                _ => {
                    return Err(format!(
                    "PLANLOKET_DB_POOL must be a whole number from 1 to {DB_POOL_MAX}, not '{v}'"
                ))
                }
            },
        };
        Ok(Settings {
            database,
            db_pool,
            bind: var("PLANLOKET_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            jwt_secret,
            smtp_url: var("PLANLOKET_SMTP_URL"),
            mail_from: var("PLANLOKET_MAIL_FROM").unwrap_or_else(|| "planloket@localhost".into()),
            public_url: var("PLANLOKET_PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                .trim_end_matches('/')
                .to_string(),
            admin_email: var("PLANLOKET_ADMIN_EMAIL"),
            admin_password: var("PLANLOKET_ADMIN_PASSWORD"),
            payer: payer_from(var)?,
            throttle: crate::domain::throttle::limits_from(var)?,
            retention: crate::domain::retention::policy_from(var)?,
            privacy_contact: var("PLANLOKET_PRIVACY_CONTACT").filter(|c| !c.trim().is_empty()),
            trusted_proxies: crate::domain::client::TrustedProxies::parse(
                &var("PLANLOKET_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|e| format!("PLANLOKET_TRUSTED_PROXIES: {e}"))?,
            staff_mfa: match var("PLANLOKET_STAFF_MFA") {
                Some(v) => crate::domain::second_factor::StaffMfa::parse(&v)?,
                None => crate::domain::second_factor::StaffMfa::Required,
            },
            oidc: crate::sso::OidcSettings::from_env(var)?,
            metrics_token: match var("PLANLOKET_METRICS_TOKEN") {
                Some(t) if t.trim().len() < METRICS_TOKEN_MIN => {
                    return Err(format!(
                        "PLANLOKET_METRICS_TOKEN must be at least {METRICS_TOKEN_MIN} characters (a random token: openssl rand -hex 32)"
                    ))
                }
                t => t.map(|t| t.trim().to_string()),
            },
        })
    }
}

/// The payer's account from the environment: none when no part of it is set, an error naming
/// each bad variable when it is set but wrong (a payment file with a wrong account must never
/// be made).
fn payer_from(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<crate::domain::grant::sepa::Payer>, String> {
    let (name, iban, bic) = (
        var("PLANLOKET_PAYER_NAME"),
        var("PLANLOKET_PAYER_IBAN"),
        var("PLANLOKET_PAYER_BIC"),
    );
    if name.is_none() && iban.is_none() && bic.is_none() {
        return Ok(None);
    }
    crate::domain::grant::sepa::check_payer(name.as_deref(), iban.as_deref(), bic.as_deref())
        .map(Some)
        .map_err(|e| e.join("; "))
}

/// Creates a folder (and its parents) readable by the owner only, if it is not there: the
/// data dir holds the database, the signing key and mails with live sign-in links. A folder
/// that exists already keeps the permissions its owner gave it.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates a file readable by the owner only if it is not there yet (the SQLite database:
/// SQLite gives its WAL and shared-memory files the database's permissions).
pub fn private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// 32 random bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has no random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signing key kept in `<data dir>/jwt-secret`, generated on first start so that tokens
/// survive a restart without anyone having to configure a secret.
fn load_or_create_secret(data_dir: &Path) -> Result<Vec<u8>, String> {
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= JWT_SECRET_MIN => Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => Err(format!(
            "{} is shorter than {JWT_SECRET_MIN} bytes",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = random_token();
            write_private(&path, &secret)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(secret.into_bytes())
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_pick_their_backend() {
        assert_eq!(
            DatabaseUrl::parse("data/p.db").unwrap(),
            DatabaseUrl::Sqlite("data/p.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/p.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/p.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://p.db").unwrap(),
            DatabaseUrl::Sqlite("p.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db").unwrap().backend(),
            "postgres"
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            "postgres"
        );
    }

    #[test]
    fn a_short_or_published_signing_key_is_refused() {
        assert!(check_jwt_secret("kort").is_err());
        assert!(check_jwt_secret("change-me-to-a-long-random-secret-of-32-bytes-or-more").is_err());
        assert!(check_jwt_secret(&random_token()).is_ok());
        // The tests' own key, one character repeated, a word repeated: refused.
        assert!(check_jwt_secret("test-secret-test-secret-test-secret!").is_err());
        assert!(check_jwt_secret(&"a".repeat(32)).is_err());
        assert!(check_jwt_secret(&"geheim12".repeat(5)).is_err());
        assert!(check_jwt_secret("Vx3-kP9q_Lm2#Rt7!Zw4$Hb8&Nc5*Yd6^Je1").is_ok());
        // Fifteen different characters are too few, sixteen enough.
        assert!(check_jwt_secret(&"abcdefghijklmno".repeat(3)).is_err());
        assert!(check_jwt_secret(&"abcdefghijklmnop".repeat(2)).is_ok());
    }

    #[test]
    fn a_hex_key_is_judged_by_the_bytes_it_spells() {
        // Random hex keys of 32 and 16 bytes always pass, though their digits are at most 16.
        for _ in 0..2000 {
            let key = random_token();
            assert!(check_jwt_secret(&key).is_ok(), "{key}");
            assert!(check_jwt_secret(&key[..32]).is_ok(), "{key}");
        }
        // All sixteen digits, in a pattern of eight bytes: refused.
        assert!(check_jwt_secret(&"0123456789abcdef".repeat(4)).is_err());
    }

    #[test]
    fn an_unknown_scheme_is_refused_by_name() {
        let err = DatabaseUrl::parse("mysql://h/db").unwrap_err();
        assert!(err.contains("'mysql'"), "{err}");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://u:secret@db.local:5432/x").unwrap();
        let shown = format!("{url:?}");
        assert!(
            !shown.contains("secret") && shown.contains("db.local"),
            "{shown}"
        );
    }
}
