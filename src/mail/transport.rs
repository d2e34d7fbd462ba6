//! Where mail goes: an SMTP server, `.eml` files, or memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use crate::db::models::OutboxRow;

/// A mail as the memory transport keeps it.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The configured transport.
#[derive(Clone)]
pub enum Transport {
    Smtp(SmtpTransport),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An SMTP transport from `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers
/// it) or `smtps://[user:pass@]host[:port]` (implicit TLS).
pub fn smtp_from_url(url: &str) -> Result<SmtpTransport, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("PLANLOKET_SMTP_URL must start with smtp:// or smtps://")?;
    let rest = rest.split(['/', '?']).next().unwrap_or("");
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (
            h,
            Some(
                p.parse::<u16>()
                    .map_err(|_| format!("PLANLOKET_SMTP_URL has a bad port '{p}'"))?,
            ),
        ),
        None => (host_port, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err("PLANLOKET_SMTP_URL names no host".into());
    }
    let tls =
        TlsParameters::new(host.to_string()).map_err(|e| format!("PLANLOKET_SMTP_URL: {e}"))?;
    let (tls, default_port) = match scheme {
        "smtp" => (Tls::Opportunistic(tls), 25),
        "smtps" => (Tls::Wrapper(tls), 465),
        other => {
            return Err(format!(
                "PLANLOKET_SMTP_URL has the unsupported scheme '{other}': use smtp:// or smtps://"
            ))
        }
    };
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(port.unwrap_or(default_port))
        .tls(tls)
        .timeout(Some(Duration::from_secs(15)));
    if let Some(c) = credentials {
        let (user, pass) = c.split_once(':').unwrap_or((c, ""));
        builder = builder.credentials(Credentials::new(percent_decode(user), percent_decode(pass)));
    }
    Ok(builder.build())
}

impl Transport {
    /// SMTP when a URL is set (`memory://` keeps mail in memory, for tests), else files in
    /// `<data dir>/mail`.
    pub fn from_settings(
        smtp_url: Option<&str>,
        data_dir: &std::path::Path,
    ) -> Result<Transport, String> {
        match smtp_url {
            Some("memory://") => Ok(Transport::Memory(Arc::new(Mutex::new(Vec::new())))),
            Some(url) => smtp_from_url(url).map(Transport::Smtp),
            None => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                Ok(Transport::File(dir))
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".into(),
            Transport::File(dir) => format!("files in {}", dir.display()),
            Transport::Memory(_) => "memory".into(),
        }
    }

    /// Delivers one mail; the error text is kept on the outbox row.
    pub fn send(&self, from: &str, mail: &OutboxRow) -> Result<(), String> {
        if let Transport::Memory(store) = self {
            store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(SentMail {
                    to: mail.to_address.clone(),
                    subject: mail.subject.clone(),
                    text: mail.text_body.clone(),
                    html: mail.html_body.clone(),
                });
            return Ok(());
        }
        let message = build(from, mail)?;
        match self {
            Transport::Smtp(t) => t.send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Transport::File(dir) => FileTransport::new(dir)
                .send(&message)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::Memory(_) => Ok(()),
        }
    }
}

/// The MIME message: plain text and HTML alternatives, quoted-printable, UTF-8.
pub fn build(from: &str, mail: &OutboxRow) -> Result<Message, String> {
    let from: Mailbox = format!("Sterk voor Noord <{from}>")
        .parse()
        .or_else(|_| from.parse())
        .map_err(|e| format!("sender: {e}"))?;
    let to: Mailbox = mail
        .to_address
        .parse()
        .map_err(|e| format!("recipient: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(mail.text_body.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(mail.html_body.clone()),
                ),
        )
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_read_with_credentials_and_tls_mode() {
        assert!(smtp_from_url("smtp://127.0.0.1:2525").is_ok());
        assert!(smtp_from_url("smtps://user%40x:p%3Ass@mail.example.org").is_ok());
        assert!(smtp_from_url("smtp://localhost").is_ok());
        assert!(smtp_from_url("http://x").unwrap_err().contains("'http'"));
        assert!(smtp_from_url("smtp://h:notaport").is_err());
        assert!(smtp_from_url("smtp://").is_err());
        assert_eq!(percent_decode("p%3Ass%40"), "p:ss@");
    }

    fn row(to: &str) -> OutboxRow {
        let now = chrono::Utc::now().naive_utc();
        OutboxRow {
            id: "m1".into(),
            kind: "receipt".into(),
            to_address: to.into(),
            subject: "Ontvangstbevestiging: Huiswerkklas".into(),
            text_body: "Bijdrage € 12.500".into(),
            html_body: "<p>Bijdrage € 12.500</p>".into(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            sent_at: None,
            last_error: None,
            plan_id: None,
            created_at: now,
        }
    }

    #[test]
    fn the_memory_transport_keeps_what_it_is_given() {
        let t = Transport::from_settings(Some("memory://"), std::path::Path::new("/nonexistent"))
            .unwrap();
        t.send("planloket@localhost", &row("anna@example.nl"))
            .unwrap();
        let Transport::Memory(store) = &t else {
            panic!("memory transport expected")
        };
        let sent = store.lock().unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, "anna@example.nl");
        assert!(sent[0].text.contains("€ 12.500"));
    }

    #[test]
    fn the_file_transport_writes_an_eml_file() {
        let dir =
            std::env::temp_dir().join(format!("planloket-mail-{}", uuid::Uuid::now_v7().simple()));
        let t = Transport::from_settings(None, &dir).unwrap();
        t.send("planloket@localhost", &row("anna@example.nl"))
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.join("mail"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            eml.contains("To: anna@example.nl") && eml.contains("multipart/alternative"),
            "{eml}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_address_is_an_error_kept_on_the_row_not_a_panic() {
        let t = Transport::from_settings(Some("memory://"), std::path::Path::new("/nonexistent"))
            .unwrap();
        assert!(build("planloket@localhost", &row("not an address")).is_err());
        assert!(t
            .send("planloket@localhost", &row("anna@example.nl"))
            .is_ok());
    }
}
