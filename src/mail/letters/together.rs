//! Letters of working together and of one's records: news in a plan's conversation, an
//! invitation to file a plan together, a request to review a plan and its reminder, a draft
//! about to be deleted, an account closed.

use askama::Template;
use chrono::NaiveDate;

use super::{letter, Letter, LetterError};
use crate::domain::calendar::dutch_date;

letter!(
    NewMessage {
        name,
        title,
        kenmerk,
        news,
        from,
        link
    },
    "mail/new_message.txt",
    "mail/new_message.html"
);

letter!(
    CoApplicantInvited {
        name,
        inviter,
        title,
        kenmerk,
        link,
        sign_in,
        plan_link
    },
    "mail/co_applicant.txt",
    "mail/co_applicant.html"
);

letter!(
    Assigned {
        name,
        opening,
        title,
        kenmerk,
        due,
        link
    },
    "mail/assigned.txt",
    "mail/assigned.html"
);

letter!(
    DraftExpiring {
        name,
        title,
        on,
        link
    },
    "mail/draft_expiring.txt",
    "mail/draft_expiring.html"
);

letter!(
    AccountClosed {
        name,
        kept,
        privacy
    },
    "mail/account_closed.txt",
    "mail/account_closed.html"
);

/// To someone a plan's owner invited as co-applicant: who invited them, what they may do,
/// and how to reach the plan (a new account's one-time sign-in link, or the plan's page).
pub fn co_applicant_invited(
    to: &str,
    name: &str,
    inviter: &str,
    title: &str,
    plan: (&str, &str),
    link: Option<&str>,
    site: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Uitnodiging om samen een projectplan in te dienen: {title}");
    let site = site.trim_end_matches('/');
    let body = CoApplicantInvited {
        subject: subject.clone(),
        name: name.into(),
        inviter: inviter.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        link: link.unwrap_or_default().into(),
        sign_in: format!("{site}/inloggen"),
        plan_link: format!("{site}/plannen/{}", plan.0),
    }
    .render()?;
    Ok(letter("co_applicant", to, subject, body, Some(plan.0)))
}

/// To someone the programme team assigned to review a plan (`reminder`: the reminder three
/// days before the due date, to one who has not evaluated yet).
pub fn assigned(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    due_on: Option<NaiveDate>,
    reminder: bool,
    site: &str,
) -> Result<Letter, LetterError> {
    let subject = if reminder {
        format!("Herinnering: beoordeel het projectplan {title}")
    } else {
        format!("Gevraagd: beoordeel het projectplan {title}")
    };
    let body = Assigned {
        subject: subject.clone(),
        name: name.into(),
        opening: if reminder {
            "Wij herinneren u eraan dat het programmateam u heeft gevraagd".into()
        } else {
            "Het programmateam vraagt u".into()
        },
        title: title.into(),
        kenmerk: plan.1.into(),
        due: due_on
            .map(|d| format!(", uiterlijk op {}", dutch_date(d)))
            .unwrap_or_default(),
        link: format!("{}/plannen/{}", site.trim_end_matches('/'), plan.0),
    }
    .render()?;
    let kind = if reminder {
        "review_reminder"
    } else {
        "assigned"
    };
    Ok(letter(kind, to, subject, body, Some(plan.0)))
}

/// To the holders of a draft untouched for long: it is deleted on `on` unless changed.
pub fn draft_expiring(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    on: NaiveDate,
    site: &str,
) -> Result<Letter, LetterError> {
    let shown = if title.trim().is_empty() {
        "(zonder titel)"
    } else {
        title
    };
    let subject = format!("Uw concept wordt op {} verwijderd: {shown}", dutch_date(on));
    let body = DraftExpiring {
        subject: subject.clone(),
        name: name.into(),
        title: shown.into(),
        on: dutch_date(on),
        link: format!("{}/plannen/{plan_id}", site.trim_end_matches('/')),
    }
    .render()?;
    Ok(letter("draft_expiring", to, subject, body, Some(plan_id)))
}

/// To a person whose account was closed at their request: what is still kept, until when
/// (`kept`: each plan's file and the day it is due), and where the terms are stated.
pub fn account_closed(
    to: &str,
    name: &str,
    kept: &[(String, NaiveDate)],
    policy: &crate::domain::retention::Policy,
    site: &str,
) -> Result<Letter, LetterError> {
    let subject = "Uw account bij planloket is gesloten".to_string();
    let mut lines: Vec<String> = kept
        .iter()
        .map(|(title, until)| {
            format!(
                "het dossier van uw plan \u{201c}{title}\u{201d}, met uw naam en e-mailadres: tot {}",
                dutch_date(*until)
            )
        })
        .collect();
    lines.push(format!(
        "de e-mails die planloket u stuurde: onderwerp en tekst tot {} dagen na verzending",
        policy.mail_days
    ));
    let body = AccountClosed {
        subject: subject.clone(),
        name: name.into(),
        kept: lines.join("\n"),
        privacy: format!("{}/privacy", site.trim_end_matches('/')),
    }
    .render()?;
    Ok(letter("account_closed", to, subject, body, None))
}

/// To the other side of a plan's conversation: `count` new messages (one at once, the ones
/// after it gathered an hour later) from the applicants or the programme team, with a link to
/// the plan. The messages themselves stay in planloket: the mail says only that there are any.
pub fn new_message(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    from_team: bool,
    count: i64,
    link: &str,
) -> Result<Letter, LetterError> {
    let subject = if count > 1 {
        format!("Nieuwe berichten over {title}")
    } else {
        format!("Nieuw bericht over {title}")
    };
    let news = if count > 1 {
        format!("Er zijn {count} nieuwe berichten")
    } else {
        "Er is een nieuw bericht".to_string()
    };
    let from = if from_team {
        "het programmateam"
    } else {
        "de indieners"
    };
    let body = NewMessage {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        news,
        from: from.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("new_message", to, subject, body, Some(plan.0)))
}
