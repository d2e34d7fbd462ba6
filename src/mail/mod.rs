//! Mail: Dutch letters, the transports that deliver them, and the outbox worker.

pub mod letters;
pub mod transport;
pub mod worker;

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
