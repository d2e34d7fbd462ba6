//! The letters planloket sends, in Dutch, as plain text and HTML; templates are compiled in.

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

const LAYOUT: &str = include_str!("templates/layout.html");

struct Template {
    text: &'static str,
    html: &'static str,
}

macro_rules! template {
    ($name:literal) => {
        Template {
            text: include_str!(concat!("templates/", $name, ".txt")),
            html: include_str!(concat!("templates/", $name, ".html")),
        }
    };
}

const RECEIPT: Template = template!("receipt");
const QUESTION: Template = template!("question");
const VOTE_OPENED: Template = template!("vote_opened");
const GRANTED: Template = template!("granted");
const REJECTED: Template = template!("rejected");
const MAGIC_LINK: Template = template!("magic_link");

/// Escapes text for HTML; line breaks become `<br>`.
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

fn fill(template: &str, values: &[(&str, &str)], html: bool) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        let v = if html { escape_html(v) } else { v.to_string() };
        out = out.replace(&format!("{{{{{k}}}}}"), &v);
    }
    out
}

fn letter(
    kind: &'static str,
    to: &str,
    subject: String,
    t: &Template,
    values: &[(&str, &str)],
    plan_id: Option<&str>,
) -> Letter {
    let body = fill(t.html, values, true);
    let html = LAYOUT
        .replace("{{subject}}", &escape_html(&subject))
        .replace("{{body}}", &body);
    Letter {
        kind,
        to: to.to_string(),
        subject,
        text: fill(t.text, values, false),
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
) -> Letter {
    let date = dutch_date(on);
    letter(
        "receipt",
        to,
        format!("Ontvangstbevestiging: {title}"),
        &RECEIPT,
        &[
            ("name", name),
            ("title", title),
            ("plan_id", plan_id),
            ("round", round),
            ("date", &date),
        ],
        Some(plan_id),
    )
}

/// The programme team's question to the applicant.
pub fn question(to: &str, name: &str, title: &str, plan_id: &str, message: &str) -> Letter {
    letter(
        "question",
        to,
        format!("Vraag over uw projectplan: {title}"),
        &QUESTION,
        &[
            ("name", name),
            ("title", title),
            ("plan_id", plan_id),
            ("message", message),
        ],
        Some(plan_id),
    )
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
) -> Letter {
    let amount = proposed.format_nl();
    letter(
        "vote_opened",
        to,
        format!("Stemming geopend: {title}"),
        &VOTE_OPENED,
        &[
            ("name", name),
            ("title", title),
            ("plan_id", plan_id),
            ("recommendation", recommendation_nl(recommendation)),
            ("amount", &amount),
        ],
        Some(plan_id),
    )
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
) -> Letter {
    let amount = amount.format_nl();
    let conditions = if conditions.trim().is_empty() {
        "Aan de toekenning zijn geen aanvullende voorwaarden verbonden.".to_string()
    } else {
        format!(
            "Aan de toekenning zijn deze voorwaarden verbonden: {}",
            conditions.trim()
        )
    };
    let (adopted_on, deadline) = (
        dutch_date(a.adopted_on),
        dutch_date(objection_deadline(a.sent_on)),
    );
    letter(
        "granted",
        to,
        format!("Besluit over uw projectplan: {title}"),
        &GRANTED,
        &[
            ("name", name),
            ("title", title),
            ("plan_id", plan_id),
            ("amount", &amount),
            ("conditions", &conditions),
            ("adopted_on", &adopted_on),
            ("reference", a.reference),
            ("objection_deadline", &deadline),
        ],
        Some(plan_id),
    )
}

/// The decision letter for a rejected plan: the motivation and the objection period.
pub fn rejected(
    to: &str,
    name: &str,
    title: &str,
    plan_id: &str,
    motivation: &str,
    a: &Adoption<'_>,
) -> Letter {
    let (adopted_on, deadline) = (
        dutch_date(a.adopted_on),
        dutch_date(objection_deadline(a.sent_on)),
    );
    letter(
        "rejected",
        to,
        format!("Besluit over uw projectplan: {title}"),
        &REJECTED,
        &[
            ("name", name),
            ("title", title),
            ("plan_id", plan_id),
            ("motivation", motivation),
            ("adopted_on", &adopted_on),
            ("reference", a.reference),
            ("objection_deadline", &deadline),
        ],
        Some(plan_id),
    )
}

/// A one-time sign-in link.
pub fn magic_link(to: &str, name: &str, link: &str) -> Letter {
    letter(
        "magic_link",
        to,
        "Aanmelden bij planloket".to_string(),
        &MAGIC_LINK,
        &[("name", name), ("link", link)],
        None,
    )
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
            Eur(12_500),
            "Samenwerken met de bibliotheek",
            &adoption(),
        );
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
        );
        assert!(l.text.contains("niet toegekend") && l.text.contains("Valt buiten de kaders"));
        assert!(l.text.contains("bezwaar"));
    }

    #[test]
    fn user_text_is_escaped_in_html_but_not_in_plain_text() {
        let l = question("a@b.nl", "<Anna>", "Plan & co", "p-3", "Wie <script>?");
        assert!(l.html.contains("&lt;script&gt;") && !l.html.contains("<script>"));
        assert!(l.html.contains("Plan &amp; co"));
        assert!(l.text.contains("Wie <script>?"));
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
                Eur(5000),
            ),
            granted("a@b.nl", "A", "T", "p", Eur(1), "", &a),
            rejected("a@b.nl", "A", "T", "p", "m", &a),
            magic_link("a@b.nl", "A", "http://127.0.0.1:8080/aanmelden?token=x"),
        ];
        for l in letters {
            assert!(
                !l.text.contains("{{") && !l.html.contains("{{"),
                "{}: {}",
                l.kind,
                l.text
            );
        }
    }
}
