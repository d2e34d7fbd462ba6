//! The letters planloket sends, in Dutch, as plain text and HTML: askama templates compiled
//! into the binary (`templates/mail`), HTML-escaped by the template engine.

use askama::Template;
use chrono::NaiveDate;

use crate::domain::notice::{dutch_date, objection_deadline};
use crate::domain::pre_advice::Recommendation;
use crate::domain::Eur;

/// A letter ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub plan_id: Option<String>,
}

/// A template that did not render (a bug: the templates are checked when compiled).
#[derive(Debug)]
pub struct LetterError(askama::Error);

impl std::fmt::Display for LetterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a letter did not render: {}", self.0)
    }
}

impl From<askama::Error> for LetterError {
    fn from(e: askama::Error) -> LetterError {
        LetterError(e)
    }
}

/// Escapes text for HTML; line breaks become `<br>` (the published overview uses this too).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

/// Declares a letter's values and its two templates (text and HTML) over them: each template
/// derefs to the values, so both read the same fields.
macro_rules! letter {
    ($values:ident { $($field:ident),* }, $text:literal, $html:literal) => {
        struct $values {
            subject: String,
            $($field: String),*
        }

        impl $values {
            fn render(&self) -> Result<(String, String), LetterError> {
                #[derive(Template)]
                #[template(path = $text)]
                struct Text<'a>(&'a $values);
                impl std::ops::Deref for Text<'_> {
                    type Target = $values;
                    fn deref(&self) -> &$values {
                        self.0
                    }
                }
                #[derive(Template)]
                #[template(path = $html)]
                struct Html<'a>(&'a $values);
                impl std::ops::Deref for Html<'_> {
                    type Target = $values;
                    fn deref(&self) -> &$values {
                        self.0
                    }
                }
                Ok((Text(self).render()?, Html(self).render()?))
            }
        }
    };
}

letter!(
    Receipt {
        name,
        title,
        plan_id,
        round,
        date
    },
    "mail/receipt.txt",
    "mail/receipt.html"
);
letter!(
    Question {
        name,
        title,
        plan_id,
        message
    },
    "mail/question.txt",
    "mail/question.html"
);
letter!(
    VoteOpened {
        name,
        title,
        plan_id,
        recommendation,
        amount
    },
    "mail/vote_opened.txt",
    "mail/vote_opened.html"
);
letter!(
    Granted {
        name,
        title,
        plan_id,
        amount,
        conditions,
        adopted_on,
        reference,
        objection_deadline
    },
    "mail/granted.txt",
    "mail/granted.html"
);
letter!(
    Rejected {
        name,
        title,
        plan_id,
        motivation,
        adopted_on,
        reference,
        objection_deadline
    },
    "mail/rejected.txt",
    "mail/rejected.html"
);
letter!(
    MagicLink { name, link },
    "mail/magic_link.txt",
    "mail/magic_link.html"
);
letter!(
    AccountExists { name, link },
    "mail/account_exists.txt",
    "mail/account_exists.html"
);

fn letter(
    kind: &'static str,
    to: &str,
    subject: String,
    (text, html): (String, String),
    plan_id: Option<&str>,
) -> Letter {
    Letter {
        kind,
        to: to.to_string(),
        subject,
        text,
        html,
        plan_id: plan_id.map(str::to_string),
    }
}

/// The receipt ("ontvangstbevestiging") for a submitted plan.
pub fn receipt(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    round: &str,
    on: NaiveDate,
) -> Result<Letter, LetterError> {
    let subject = format!("Ontvangstbevestiging: {title}");
    let body = Receipt {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        plan_id: plan_id.into(),
        round: round.into(),
        date: dutch_date(on),
    }
    .render()?;
    Ok(letter("receipt", to, subject, body, Some(plan_id)))
}

/// The programme team's question to the applicant.
pub fn question(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    message: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Vraag over uw projectplan: {title}");
    let body = Question {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        plan_id: plan_id.into(),
        message: message.into(),
    }
    .render()?;
    Ok(letter("question", to, subject, body, Some(plan_id)))
}

fn recommendation_nl(r: Recommendation) -> &'static str {
    match r {
        Recommendation::Positive => "positief",
        Recommendation::Conditional => "positief onder voorwaarden",
        Recommendation::Negative => "negatief",
    }
}

/// To an eligible board member: a vote has opened.
pub fn vote_opened(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    recommendation: Recommendation,
    proposed: Eur,
) -> Result<Letter, LetterError> {
    let subject = format!("Stemming geopend: {title}");
    let body = VoteOpened {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        plan_id: plan_id.into(),
        recommendation: recommendation_nl(recommendation).into(),
        amount: proposed.format_nl(),
    }
    .render()?;
    Ok(letter("vote_opened", to, subject, body, Some(plan_id)))
}

/// What the decision letters share: the adoption and the objection period.
pub struct Adoption<'a> {
    pub adopted_on: NaiveDate,
    pub reference: &'a str,
    /// The day the letter is written and sent; the objection period runs from the day after.
    pub sent_on: NaiveDate,
}

/// The decision letter for a granted plan: amount in Dutch notation, conditions, objection period.
pub fn granted(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    amount: Eur,
    conditions: &str,
    a: &Adoption<'_>,
) -> Result<Letter, LetterError> {
    let conditions = if conditions.trim().is_empty() {
        "Aan de toekenning zijn geen aanvullende voorwaarden verbonden.".to_string()
    } else {
        format!(
            "Aan de toekenning zijn deze voorwaarden verbonden: {}",
            conditions.trim()
        )
    };
    let subject = format!("Besluit over uw projectplan: {title}");
    let body = Granted {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        plan_id: plan_id.into(),
        amount: amount.format_nl(),
        conditions,
        adopted_on: dutch_date(a.adopted_on),
        reference: a.reference.into(),
        objection_deadline: dutch_date(objection_deadline(a.sent_on)),
    }
    .render()?;
    Ok(letter("granted", to, subject, body, Some(plan_id)))
}

/// The decision letter for a rejected plan: the motivation and the objection period.
pub fn rejected(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    motivation: &str,
    a: &Adoption<'_>,
) -> Result<Letter, LetterError> {
    let subject = format!("Besluit over uw projectplan: {title}");
    let body = Rejected {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        plan_id: plan_id.into(),
        motivation: motivation.into(),
        adopted_on: dutch_date(a.adopted_on),
        reference: a.reference.into(),
        objection_deadline: dutch_date(objection_deadline(a.sent_on)),
    }
    .render()?;
    Ok(letter("rejected", to, subject, body, Some(plan_id)))
}

/// A one-time sign-in link.
pub fn magic_link(to: &str, name: &str, link: &str) -> Result<Letter, LetterError> {
    let subject = "Aanmelden bij planloket".to_string();
    let body = MagicLink {
        subject: subject.clone(),
        name: name.into(),
        link: link.into(),
    }
    .render()?;
    Ok(letter("magic_link", to, subject, body, None))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn adoption() -> Adoption<'static> {
        Adoption {
            adopted_on: NaiveDate::from_ymd_opt(2025, 4, 8).unwrap(),
            reference: "College 2025/114",
            sent_on: NaiveDate::from_ymd_opt(2025, 4, 9).unwrap(),
        }
    }

    #[test]
    fn a_grant_letter_states_the_amount_in_dutch_the_conditions_and_the_objection_period() {
        let l = granted(
            "anna@example.nl",
            "Anna",
            "Huiswerkklas",
            "p-1",
            Eur::parse(12_500).unwrap(),
            "Samenwerken met de bibliotheek",
            &adoption(),
        )
        .unwrap();
        assert_eq!(l.subject, "Besluit over uw projectplan: Huiswerkklas");
        for text in [&l.text, &l.html] {
            assert!(text.contains("€ 12.500"), "{text}");
            assert!(text.contains("Samenwerken met de bibliotheek"));
            assert!(text.contains("8 april 2025"));
            assert!(
                text.contains("21 mei 2025"),
                "six weeks after the letter of 9 April"
            );
            assert!(text.contains("College 2025/114"));
        }
        assert!(l.html.starts_with("<!DOCTYPE html>") && l.html.contains("lang=\"nl\""));
    }

    #[test]
    fn a_rejection_letter_states_the_motivation() {
        let l = rejected(
            "anna@example.nl",
            "Anna",
            "Moestuin",
            "p-2",
            "Valt buiten de kaders",
            &adoption(),
        )
        .unwrap();
        assert!(l.text.contains("niet toegekend") && l.text.contains("Valt buiten de kaders"));
        assert!(l.text.contains("bezwaar"));
    }

    #[test]
    fn user_text_is_escaped_in_html_but_not_in_plain_text() {
        let l = question(
            "a@b.nl",
            "<Anna>",
            "Plan & co",
            "p-3",
            "Wie <script>?\nEn {{ body }}?",
        )
        .unwrap();
        // askama escapes with numeric references: `<` is `&#60;`, `&` is `&#38;`.
        assert!(
            l.html.contains("&#60;script&#62;") && !l.html.contains("<script>"),
            "{}",
            l.html
        );
        assert!(l.html.contains("Plan &#38; co"), "{}", l.html);
        assert!(l.text.contains("Wie <script>?"));
        assert!(
            l.html.contains("<br/>"),
            "a line break in the question: {}",
            l.html
        );
        // A template engine renders values once: text that looks like a placeholder stays text.
        assert!(l.text.contains("En {{ body }}?"));
        let l = question("a@b.nl", "A", "{{body}}", "p-3", "?").unwrap();
        assert!(
            l.html
                .contains("<title>Vraag over uw projectplan: {{body}}</title>"),
            "{}",
            l.html
        );
    }

    #[test]
    fn every_letter_fills_every_placeholder() {
        let a = adoption();
        let letters = [
            receipt("a@b.nl", "A", "T", "p", "Ronde", a.sent_on),
            question("a@b.nl", "A", "T", "p", "?"),
            vote_opened(
                "a@b.nl",
                "A",
                "T",
                "p",
                Recommendation::Conditional,
                Eur::parse(5000).unwrap(),
            ),
            granted("a@b.nl", "A", "T", "p", Eur::parse(1).unwrap(), "", &a),
            rejected("a@b.nl", "A", "T", "p", "m", &a),
            magic_link("a@b.nl", "A", "http://127.0.0.1:8080/aanmelden?token=x"),
            account_exists("a@b.nl", "A", "http://127.0.0.1:8080/inloggen"),
        ];
        for l in letters {
            let l = l.unwrap();
            assert!(l.html.starts_with("<!DOCTYPE html>"), "{}", l.kind);
            assert!(
                !l.text.contains("{{") && !l.html.contains("{{"),
                "{}: {}",
                l.kind,
                l.text
            );
        }
    }
}
