//! Letters about one's account: a sign-in link, an address that has an account already, a
//! new address to confirm and the old one told of the change.

use askama::Template;

use super::{letter, Letter, LetterError};

letter!(
    EmailChange { name, link },
    "mail/email_change.txt",
    "mail/email_change.html"
);
letter!(
    EmailChanged { name, new_email },
    "mail/email_changed.txt",
    "mail/email_changed.html"
);
letter!(
    MagicLink { name, link },
    "mail/magic_link.txt",
    "mail/magic_link.html"
);
letter!(
    SecondFactorReset { name, link },
    "mail/second_factor_reset.txt",
    "mail/second_factor_reset.html"
);
letter!(
    AccountExists { name, link },
    "mail/account_exists.txt",
    "mail/account_exists.html"
);

/// To a new address a holder moves their account to: the link that confirms it.
pub fn email_change(to: &str, name: &str, link: &str) -> Result<Letter, LetterError> {
    let subject = "Bevestig uw nieuwe e-mailadres bij planloket".to_string();
    let body = EmailChange {
        subject: subject.clone(),
        name: name.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("email_change", to, subject, body, None))
}

/// To the old address once the account moved to `new_email`.
pub fn email_changed(to: &str, name: &str, new_email: &str) -> Result<Letter, LetterError> {
    let subject = "Uw e-mailadres bij planloket is gewijzigd".to_string();
    let body = EmailChanged {
        subject: subject.clone(),
        name: name.into(),
        new_email: new_email.into(),
    }
    .render()?;
    Ok(letter("email_changed", to, subject, body, None))
}

/// To the holder of an address someone tried to register again: they have an account.
pub fn account_exists(to: &str, name: &str, link: &str) -> Result<Letter, LetterError> {
    let subject = "U heeft al een account bij planloket".to_string();
    let body = AccountExists {
        subject: subject.clone(),
        name: name.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("account_exists", to, subject, body, None))
}

/// A one-time sign-in link.
pub fn magic_link(to: &str, name: &str, link: &str) -> Result<Letter, LetterError> {
    let subject = "Inloggen bij planloket".to_string();
    let body = MagicLink {
        subject: subject.clone(),
        name: name.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("magic_link", to, subject, body, None))
}

/// To the holder of an account whose second factor the admin reset: signed out everywhere,
/// and how to enrol again.
pub fn second_factor_reset(to: &str, name: &str, link: &str) -> Result<Letter, LetterError> {
    let subject = "Uw tweestapsverificatie bij planloket is uitgezet".to_string();
    let body = SecondFactorReset {
        subject: subject.clone(),
        name: name.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("second_factor_reset", to, subject, body, None))
}
