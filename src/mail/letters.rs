//! The letters planloket sends, in Dutch, as plain text and HTML: askama templates compiled
//! into the binary (`templates/mail`), HTML-escaped by the template engine.

use askama::Template;
use chrono::NaiveDate;

use crate::domain::calendar::dutch_date;
use crate::domain::pre_advice::Recommendation;

/// A letter ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub plan_id: Option<String>,
    /// A decision letter: the adoption it belongs to, and what it says (so the outbox writes
    /// it again, dated, on the day it is sent).
    pub decision: Option<(String, DecisionLetter)>,
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
        kenmerk,
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
        kenmerk,
        message,
        answer_by,
        link
    },
    "mail/question.txt",
    "mail/question.html"
);
letter!(
    VoteOpened {
        name,
        title,
        kenmerk,
        recommendation,
        amount,
        link
    },
    "mail/vote_opened.txt",
    "mail/vote_opened.html"
);
letter!(
    Merged {
        name,
        title,
        kenmerk,
        target_title,
        target_id
    },
    "mail/merged.txt",
    "mail/merged.html"
);
letter!(
    VoteWithdrawn {
        name,
        title,
        kenmerk
    },
    "mail/vote_withdrawn.txt",
    "mail/vote_withdrawn.html"
);
letter!(
    Invited {
        name,
        title,
        kenmerk,
        link,
        sign_in
    },
    "mail/invited.txt",
    "mail/invited.html"
);

mod accounts;
mod decision;
pub mod grants;
mod together;

pub use accounts::{account_exists, email_change, email_changed, magic_link, second_factor_reset};

pub use decision::{decision, Addressee, DecisionLetter};
pub use together::{account_closed, assigned, co_applicant_invited, draft_expiring, new_message};

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
        decision: None,
    }
}

/// The receipt ("ontvangstbevestiging") for a submitted plan.
pub fn receipt(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    round: &str,
    on: NaiveDate,
) -> Result<Letter, LetterError> {
    let subject = format!("Ontvangstbevestiging: {title}");
    let body = Receipt {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        round: round.into(),
        date: dutch_date(on),
    }
    .render()?;
    Ok(letter("receipt", to, subject, body, Some(plan.0)))
}

/// The programme team's question to the applicant.
pub fn question(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    message: &str,
    answer_by: NaiveDate,
    link: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Vraag over uw projectplan: {title}");
    let body = Question {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        message: message.into(),
        answer_by: dutch_date(answer_by),
        link: link.into(),
    }
    .render()?;
    Ok(letter("question", to, subject, body, Some(plan.0)))
}

/// To an eligible board member: a vote has opened.
pub fn vote_opened(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    recommendation: Recommendation,
    amount: String,
    link: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Stemming geopend: {title}");
    let body = VoteOpened {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        recommendation: recommendation.label_nl().into(),
        amount,
        link: link.into(),
    }
    .render()?;
    Ok(letter("vote_opened", to, subject, body, Some(plan.0)))
}

/// To a board member who was asked to vote: the applicant withdrew the plan, so the vote is off.
pub fn vote_withdrawn(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
) -> Result<Letter, LetterError> {
    let subject = format!("Stemming vervallen: {title}");
    let body = VoteWithdrawn {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
    }
    .render()?;
    Ok(letter("vote_withdrawn", to, subject, body, Some(plan.0)))
}

/// To the owner of a plan merged into another: which plan theirs went into.
pub fn merged(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    target_title: &str,
    target_id: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Uw projectplan is samengevoegd: {title}");
    let body = Merged {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        target_title: target_title.into(),
        target_id: target_id.into(),
    }
    .render()?;
    Ok(letter("merged", to, subject, body, Some(plan.0)))
}

/// To a person the programme team filed a plan for at the desk: an account was made for
/// them, the plan waits for them to read and submit, and how to sign in.
pub fn invited(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    link: Option<&str>,
    sign_in: &str,
) -> Result<Letter, LetterError> {
    let subject = format!("Er staat een projectplan voor u klaar: {title}");
    // `link` is a new account's one-time sign-in link; without it the person signs in as usual.
    let body = Invited {
        subject: subject.clone(),
        name: name.into(),
        title: title.into(),
        kenmerk: plan.1.into(),
        link: link.unwrap_or_default().into(),
        sign_in: sign_in.into(),
    }
    .render()?;
    Ok(letter("invited", to, subject, body, Some(plan.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Eur;

    fn grant() -> DecisionLetter {
        DecisionLetter {
            addressee: Addressee::Applicant,
            name: "Anna".into(),
            applicant: "Anna de Vries".into(),
            plan_id: "p-1".into(),
            kenmerk: "SVN-2025-0001".into(),
            title: "Huiswerkklas".into(),
            merged_title: None,
            funding: crate::domain::plan::Funding::Programme,
            granted_eur: Some(Eur::parse(12_500).unwrap()),
            payee: Some("Bibliotheek Noord".into()),
            motivation: "Sluit aan bij doel B".into(),
            conditions: vec![
                "Samenwerken met de bibliotheek".into(),
                "Verantwoording achteraf".into(),
            ],
            schedule: Some(
                "Bibliotheek Noord ontvangt een voorschot van € 10.000 (80% van de bijdrage)."
                    .into(),
            ),
            programme: "Sterk voor Noord".into(),
            adopted_on: NaiveDate::from_ymd_opt(2025, 4, 8).unwrap(),
            reference: "Collegebesluit 2025/114".into(),
            authority: "het college van burgemeester en wethouders van Leidschendam-Voorburg"
                .into(),
            legal_basis: "Algemene subsidieverordening Leidschendam-Voorburg 2019".into(),
            objection_address: "Postbus 1005, 2260 BA Leidschendam".into(),
        }
    }

    fn sent_on() -> NaiveDate {
        // A Wednesday; six weeks later is Wednesday 21 May 2025.
        NaiveDate::from_ymd_opt(2025, 4, 9).unwrap()
    }

    #[test]
    fn a_grant_letter_is_a_whole_beschikking() {
        let l = grant().write("anna@example.nl", sent_on()).unwrap();
        assert_eq!(l.subject, "Besluit op uw projectplan: Huiswerkklas");
        assert_eq!(l.kind, "granted");
        for text in [&l.text, &l.html] {
            for expected in [
                "9 april 2025",
                "8 april 2025",
                "Collegebesluit 2025/114",
                "toegekend",
                "€ 12.500",
                "betaald aan Bibliotheek Noord",
                "Sluit aan bij doel B",
                "Samenwerken met de bibliotheek",
                "Verantwoording achteraf",
                "Algemene subsidieverordening Leidschendam-Voorburg 2019",
                "Het college van burgemeester en wethouders van Leidschendam-Voorburg heeft",
                "bezwaar maken bij het college van burgemeester en wethouders van Leidschendam-Voorburg",
                "Postbus 1005, 2260 BA Leidschendam",
                "21 mei 2025",
            ] {
                assert!(text.contains(expected), "{expected} missing from {text}");
            }
            assert!(
                !text.to_lowercase().contains("besluit collegebesluit"),
                "{text}"
            );
            assert!(!text.contains("U ontvangt een bijdrage"), "{text}");
        }
        assert!(l.html.starts_with("<!DOCTYPE html>") && l.html.contains("lang=\"nl\""));
    }

    #[test]
    fn a_rejection_letter_states_the_motivation_and_no_conditions() {
        let mut d = grant();
        d.granted_eur = None;
        d.payee = None;
        d.motivation = "Valt buiten de kaders".into();
        let l = d.write("anna@example.nl", sent_on()).unwrap();
        assert_eq!(l.kind, "rejected");
        assert!(l.text.contains("niet toegekend") && l.text.contains("Valt buiten de kaders"));
        assert!(!l.text.contains("Voorwaarden") && !l.text.contains("€"));
        assert!(l.text.contains("bezwaar") && l.text.contains("21 mei 2025"));
    }

    #[test]
    fn copies_say_why_they_are_sent() {
        let mut d = grant();
        d.addressee = Addressee::Payee;
        d.name = "Bert".into();
        let l = d.write("bert@bieb.nl", sent_on()).unwrap();
        assert!(l.subject.starts_with("Afschrift"));
        assert!(l.text.contains("afschrift") && l.text.contains("van Anna de Vries"));
        let mut d = grant();
        d.addressee = Addressee::CoApplicant;
        d.merged_title = Some("Huiswerk in de wijk".into());
        let l = d.write("carla@example.nl", sent_on()).unwrap();
        assert!(l.text.contains("\"Huiswerk in de wijk\" is samengevoegd"));
        let mut d = grant();
        d.payee = None;
        let l = d.write("anna@example.nl", sent_on()).unwrap();
        assert!(
            l.text.contains("betaald aan de aanvrager, Anna de Vries"),
            "{}",
            l.text
        );
    }

    #[test]
    fn a_plan_funded_otherwise_is_granted_without_an_amount() {
        let mut d = grant();
        d.granted_eur = Some(Eur::ZERO);
        d.funding = crate::domain::plan::Funding::BaseFunding;
        let l = d.write("anna@example.nl", sent_on()).unwrap();
        assert!(!l.text.contains("€ 0"), "{}", l.text);
        assert!(l.text.contains("basis financiering"), "{}", l.text);
        // A letter kept in the outbox before `funding` existed still reads.
        let mut json = serde_json::to_value(grant()).unwrap();
        json.as_object_mut().unwrap().remove("funding");
        let old: DecisionLetter = serde_json::from_value(json).unwrap();
        assert_eq!(old.funding, crate::domain::plan::Funding::Programme);
    }

    #[test]
    fn a_grant_without_money_speaks_of_no_contribution() {
        let mut d = grant();
        d.granted_eur = Some(Eur::ZERO);
        let l = d.write("anna@example.nl", sent_on()).unwrap();
        assert!(!l.text.contains("€ 0"), "{}", l.text);
        assert!(l.text.contains("geen bijdrage"));
    }

    #[test]
    fn a_decision_letter_keeps_what_it_says_for_the_outbox() {
        let l = decision("anna@example.nl", "a-1", grant(), sent_on()).unwrap();
        let (adoption, kept) = l.decision.unwrap();
        assert_eq!(adoption, "a-1");
        assert_eq!(kept, grant());
        let json = serde_json::to_string(&kept).unwrap();
        assert_eq!(serde_json::from_str::<DecisionLetter>(&json).unwrap(), kept);
    }

    #[test]
    fn user_text_is_escaped_in_html_but_not_in_plain_text() {
        let l = question(
            "a@b.nl",
            "<Anna>",
            "Plan & co",
            ("p-3", "SVN-2025-0003"),
            "Wie <script>?\nEn {{ body }}?",
            sent_on(),
            "http://x/plannen/p-3",
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
        let l = question(
            "a@b.nl",
            "A",
            "{{body}}",
            ("p-3", "SVN-2025-0003"),
            "?",
            sent_on(),
            "http://x/plannen/p-3",
        )
        .unwrap();
        assert!(
            l.html
                .contains("<title>Vraag over uw projectplan: {{body}}</title>"),
            "{}",
            l.html
        );
    }

    #[test]
    fn a_vote_on_a_plan_funded_otherwise_says_how_never_an_amount_of_nothing() {
        let l = vote_opened(
            "a@b.nl",
            "A",
            "T",
            ("p", "SVN-2025-0001"),
            Recommendation::Positive,
            crate::domain::plan::Funding::BaseFunding.amount_nl(Eur::ZERO),
            "http://x/bestuur#plan-p",
        )
        .unwrap();
        assert!(l.text.contains("Zit in basis financiering"), "{}", l.text);
        assert!(
            !l.text.contains("€ 0") && !l.html.contains("€ 0"),
            "{}",
            l.text
        );
    }

    #[test]
    fn the_final_amount_letter_says_the_payee_receives_the_rest_never_you() {
        let n = grants::FinalNotice {
            plan_id: "p",
            kenmerk: "SVN-2025-0001-V",
            title: "Buurtmaaltijd",
            programme: "Sterk voor Noord",
            granted: Eur::parse(4000).unwrap(),
            paid: Eur::parse(3200).unwrap(),
            final_amount: Eur::parse(3850).unwrap(),
            final_payment: Some(Eur::parse(650).unwrap()),
            claim: None,
            motivation: "Volgens het eindverslag.",
            authority: "het college",
            legal_basis: "Asv 2019",
            objection_address: "Postbus 1",
            copy_of: None,
            payee: Some("Woej"),
        };
        let l = grants::final_amount("a@b.nl", "Anna", &n, sent_on()).unwrap();
        assert!(l.text.contains("Woej ontvangt nog € 650"), "{}", l.text);
        assert!(!l.text.contains("U ontvangt nog"), "{}", l.text);
        assert!(l.text.contains("SVN-2025-0001-V"), "{}", l.text);
    }

    #[test]
    fn every_letter_fills_every_placeholder() {
        let letters = [
            receipt(
                "a@b.nl",
                "A",
                "T",
                ("p", "SVN-2025-0001"),
                "Ronde",
                sent_on(),
            ),
            question(
                "a@b.nl",
                "A",
                "T",
                ("p", "SVN-2025-0001"),
                "?",
                sent_on(),
                "http://x/plannen/p",
            ),
            vote_opened(
                "a@b.nl",
                "A",
                "T",
                ("p", "SVN-2025-0001"),
                Recommendation::Conditional,
                crate::domain::plan::Funding::Programme.amount_nl(Eur::parse(5000).unwrap()),
                "http://x/bestuur#plan-p",
            ),
            grant().write("a@b.nl", sent_on()),
            merged(
                "a@b.nl",
                "A",
                "T",
                ("p", "SVN-2025-0001"),
                "U",
                "SVN-2025-0002",
            ),
            vote_withdrawn("a@b.nl", "A", "T", ("p", "SVN-2025-0001")),
            magic_link("a@b.nl", "A", "http://127.0.0.1:8080/aanmelden?token=x"),
            account_exists("a@b.nl", "A", "http://127.0.0.1:8080/inloggen"),
        ];
        for l in letters {
            let l = l.unwrap();
            assert!(l.html.starts_with("<!DOCTYPE html>"), "{}", l.kind);
            // Every letter about a plan quotes its reference, never its id.
            if l.plan_id.is_some() {
                assert!(l.text.contains("SVN-2025-000"), "{}: {}", l.kind, l.text);
            }
            assert!(
                !l.text.contains("{{") && !l.html.contains("{{"),
                "{}: {}",
                l.kind,
                l.text
            );
        }
    }

    #[test]
    fn a_mail_that_asks_something_links_to_where_it_is_done_and_says_by_when() {
        let q = question(
            "anna@example.nl",
            "Anna",
            "Huiswerkklas",
            ("p-1", "SVN-2025-0001"),
            "Wie begeleidt de kinderen?",
            NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            "https://planloket.example/plannen/p-1",
        )
        .unwrap();
        for text in [&q.text, &q.html] {
            assert!(
                text.contains("https://planloket.example/plannen/p-1"),
                "{text}"
            );
            assert!(text.contains("20 december 2026"), "{text}");
        }
        let v = vote_opened(
            "bestuur@example.nl",
            "Bea",
            "Huiswerkklas",
            ("p-1", "SVN-2025-0001"),
            Recommendation::Positive,
            "€ 3.850".into(),
            "https://planloket.example/bestuur#plan-p-1",
        )
        .unwrap();
        for text in [&v.text, &v.html] {
            assert!(text.contains("https://planloket.example/bestuur#plan-p-1"));
            assert!(!text.contains("pre-advies"), "no internal words: {text}");
        }
        let m = magic_link("anna@example.nl", "Anna", "https://planloket.example/x").unwrap();
        assert_eq!(m.subject, "Inloggen bij planloket");
        assert!(!m.text.contains("Aanmelden") && !m.text.contains("aanmelden"));
    }
}
