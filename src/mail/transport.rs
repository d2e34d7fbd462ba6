//! Where mail goes: an SMTP server, `.eml` files, or memory (tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use super::Outgoing;

/// A mail as the memory transport keeps it: as it was given.
pub type SentMail = Outgoing;

/// The configured transport.
#[derive(Clone)]
pub enum Transport {
    Smtp(SmtpTransport),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

/// An SMTP transport from `PLANLOKET_SMTP_URL`, read by lettre: `smtps://[user:pass@]host[:port]`
/// (implicit TLS), or `smtp://[user:pass@]host[:port]`, which here means STARTTLS when the
/// server offers it (lettre's `?tls=opportunistic`) on port 25 unless another is named;
/// `?tls=required` demands STARTTLS.
pub fn smtp_from_url(raw: &str) -> Result<SmtpTransport, String> {
    let mut url = url::Url::parse(raw).map_err(|e| format!("PLANLOKET_SMTP_URL: {e}"))?;
    match url.scheme() {
        "smtp" => {
            if !url.query_pairs().any(|(k, _)| k == "tls") {
                url.query_pairs_mut().append_pair("tls", "opportunistic");
            }
            if url.port().is_none() {
                url.set_port(Some(25))
                    .map_err(|()| "PLANLOKET_SMTP_URL names no host".to_string())?;
            }
        }
        "smtps" => {}
        other => {
            return Err(format!(
                "PLANLOKET_SMTP_URL has the unsupported scheme '{other}': use smtp:// or smtps://"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("PLANLOKET_SMTP_URL names no host".into());
    }
    Ok(SmtpTransport::from_url(url.as_str())
        .map_err(|e| format!("PLANLOKET_SMTP_URL: {e}"))?
        .timeout(Some(Duration::from_secs(15)))
        .build())
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
                // The mails hold live sign-in links: the folder is the owner's only.
                let dir = data_dir.join("mail");
                crate::config::private_dir(&dir)
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

    /// The mails kept by the memory transport (none for the others).
    pub fn sent(&self) -> Vec<SentMail> {
        match self {
            Transport::Memory(store) => store.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Whether sending waits on a server (then several mails are sent at once).
    pub fn waits_on_network(&self) -> bool {
        matches!(self, Transport::Smtp(_))
    }

    /// Delivers one mail; the error text is kept on the outbox row.
    pub fn send(&self, from: &str, mail: &Outgoing) -> Result<(), String> {
        if let Transport::Memory(store) = self {
            // The memory transport checks the message as the others would.
            build(from, mail)?;
            store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(mail.clone());
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
pub fn build(from: &str, mail: &Outgoing) -> Result<Message, String> {
    let from: Mailbox = format!("Sterk voor Noord <{from}>")
        .parse()
        .or_else(|_| from.parse())
        .map_err(|e| format!("sender: {e}"))?;
    let to: Mailbox = mail.to.parse().map_err(|e| format!("recipient: {e}"))?;
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
                        .body(mail.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(mail.html.clone()),
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
        assert!(smtp_from_url("smtp://127.0.0.1:2525?tls=required").is_ok());
    }

    fn row(to: &str) -> Outgoing {
        Outgoing {
            to: to.into(),
            subject: "Ontvangstbevestiging: Huiswerkklas".into(),
            text: "Bijdrage € 12.500".into(),
            html: "<p>Bijdrage € 12.500</p>".into(),
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
            .send("planloket@localhost", &row("not an address"))
            .is_err());
        assert!(t
            .send("planloket@localhost", &row("anna@example.nl"))
            .is_ok());
    }
}
