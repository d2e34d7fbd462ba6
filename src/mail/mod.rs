//! Mail: Dutch letters as templates, and the transports that deliver them (SMTP, files, memory).
//! Below the use cases and knowing nothing of them: `crate::app::outbox` keeps the outbox and
//! hands each mail to a transport as an `Outgoing`.

pub mod letters;
pub mod transport;

/// A mail as a transport sends it: one recipient, a subject, text and HTML alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An address as logs show it: the first letter of the mailbox and the domain.
pub fn mask(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn recipients_are_masked() {
        assert_eq!(super::mask("anna.devries@example.nl"), "a***@example.nl");
        assert_eq!(super::mask("nonsense"), "***");
    }
}
