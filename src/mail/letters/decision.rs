//! The decision letter ("beschikking") of an adoption: kept with its values in the outbox so
//! it is written again, dated, on the day it is sent.

use askama::Template;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{letter, Letter, LetterError};
use crate::domain::calendar::{dutch_date, objection_deadline};
use crate::domain::Eur;

/// Why someone receives a decision letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    /// The applicant who filed the plan.
    Applicant,
    /// The owner of a plan merged into this one.
    CoApplicant,
    /// A co-applicant the owner invited to file the plan with them: a copy.
    Copy,
    /// A member of the organisation that receives the grant: a copy.
    Payee,
}

/// Everything a decision letter ("beschikking") states, kept with it in the outbox so the
/// letter is written with the date it is actually sent, and so a correction of the adoption
/// reaches letters not yet sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionLetter {
    pub addressee: Addressee,
    pub name: String,
    /// The applicant's name (a copy to the payee names them).
    pub applicant: String,
    pub plan_id: String,
    /// The plan's reference, printed ("Kenmerk"); empty in letters written before references
    /// were given, which print the id.
    #[serde(default)]
    pub kenmerk: String,
    pub title: String,
    /// For a co-applicant: the title of their own plan, merged into this one.
    pub merged_title: Option<String>,
    /// Granted: the amount; `None` when rejected.
    pub granted_eur: Option<Eur>,
    /// How the action is paid for: a plan funded otherwise is granted without an amount.
    /// (Letters written before the field existed read as a programme contribution.)
    #[serde(default)]
    pub funding: crate::domain::plan::Funding,
    /// Granted: the organisation that receives the amount, by name (`None`: the applicant).
    pub payee: Option<String>,
    pub motivation: String,
    /// The grant's conditions, as the pre-advice set them.
    pub conditions: Vec<String>,
    /// A grant: how it is paid and which reports are due when (letters written before the
    /// field existed have none).
    #[serde(default)]
    pub schedule: Option<String>,
    pub programme: String,
    pub adopted_on: NaiveDate,
    pub reference: String,
    pub authority: String,
    pub legal_basis: String,
    pub objection_address: String,
}

#[derive(Template)]
#[template(path = "mail/decision.txt")]
struct DecisionText<'a>(&'a DecisionValues);

#[derive(Template)]
#[template(path = "mail/decision.html")]
struct DecisionHtml<'a>(&'a DecisionValues);

impl std::ops::Deref for DecisionText<'_> {
    type Target = DecisionValues;
    fn deref(&self) -> &DecisionValues {
        self.0
    }
}

impl std::ops::Deref for DecisionHtml<'_> {
    type Target = DecisionValues;
    fn deref(&self) -> &DecisionValues {
        self.0
    }
}

struct DecisionValues {
    subject: String,
    date: String,
    name: String,
    preface: String,
    kenmerk: String,
    title: String,
    programme: String,
    authority: String,
    authority_cap: String,
    adopted_on: String,
    reference: String,
    outcome: String,
    granted: bool,
    motivation: String,
    conditions: Vec<String>,
    schedule: String,
    legal_basis: String,
    objection_address: String,
    objection_deadline: String,
}

/// The text with its first letter a capital, as at the start of a sentence.
pub(super) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl DecisionLetter {
    /// The letter to `to`, sent on `sent_on` (a date in Amsterdam): the objection period runs
    /// from the day after.
    pub fn write(&self, to: &str, sent_on: NaiveDate) -> Result<Letter, LetterError> {
        let subject = match self.addressee {
            Addressee::Applicant => format!("Besluit op uw projectplan: {}", self.title),
            Addressee::CoApplicant => format!(
                "Besluit op het projectplan waarin uw plan is opgegaan: {}",
                self.title
            ),
            Addressee::Payee | Addressee::Copy => {
                format!("Afschrift van het besluit: {}", self.title)
            }
        };
        let receiver = self
            .payee
            .clone()
            .unwrap_or_else(|| format!("de aanvrager, {}", self.applicant));
        let preface = match (self.addressee, &self.merged_title) {
            (Addressee::Applicant, _) => String::new(),
            (Addressee::CoApplicant, Some(t)) => format!(
                "Uw projectplan \"{t}\" is samengevoegd met het projectplan \"{}\". Daarom ontvangt u dit besluit ook.",
                self.title
            ),
            (Addressee::CoApplicant, None) => format!(
                "Uw projectplan is samengevoegd met het projectplan \"{}\". Daarom ontvangt u dit besluit ook.",
                self.title
            ),
            (Addressee::Copy, _) => format!(
                "U ontvangt een afschrift van dit besluit, omdat u het projectplan \"{}\" samen met {} heeft ingediend.",
                self.title, self.applicant
            ),
            (Addressee::Payee, _) => format!(
                "U ontvangt een afschrift van dit besluit, omdat {receiver} de bijdrage ontvangt voor het projectplan \"{}\" van {}.",
                self.title, self.applicant
            ),
        };
        let outcome = match (self.granted_eur, self.funding.without_amount_nl()) {
            (Some(_), Some(_)) if self.funding == crate::domain::plan::Funding::BaseFunding => "Het projectplan is toegekend. De actie wordt betaald uit een vast budget (basis financiering); er is geen bijdrage uit het programma aan verbonden.".to_string(),
            (Some(_), Some(_)) => "Het projectplan is toegekend. De actie heeft geen bijdrage uit het programma nodig.".to_string(),
            (granted, _) => match granted {
            Some(amount) if amount > Eur::ZERO => format!(
                "Het projectplan is toegekend. Er is een bijdrage van {} uit het programma {} toegekend. De bijdrage wordt betaald aan {receiver}.",
                amount.format_nl(),
                self.programme
            ),
            Some(_) => "Het projectplan is toegekend. Aan dit besluit is geen bijdrage uit het programma verbonden.".to_string(),
            None => "Het projectplan is niet toegekend: er is geen bijdrage uit het programma toegekend.".to_string(),
            },
        };
        let values = DecisionValues {
            subject: subject.clone(),
            date: dutch_date(sent_on),
            name: self.name.clone(),
            preface,
            kenmerk: if self.kenmerk.is_empty() {
                self.plan_id.clone()
            } else {
                self.kenmerk.clone()
            },
            title: self.title.clone(),
            programme: self.programme.clone(),
            authority: self.authority.clone(),
            authority_cap: capitalised(&self.authority),
            adopted_on: dutch_date(self.adopted_on),
            reference: self.reference.clone(),
            outcome,
            granted: self.granted_eur.is_some(),
            motivation: self.motivation.clone(),
            conditions: self.conditions.clone(),
            schedule: self.schedule.clone().unwrap_or_default(),
            legal_basis: self.legal_basis.clone(),
            objection_address: self.objection_address.clone(),
            objection_deadline: dutch_date(objection_deadline(sent_on)),
        };
        let text = DecisionText(&values).render()?;
        let html = DecisionHtml(&values).render()?;
        let kind = if self.granted_eur.is_some() {
            "granted"
        } else {
            "rejected"
        };
        Ok(letter(kind, to, subject, (text, html), Some(&self.plan_id)))
    }
}

/// A decision letter of an adoption for the outbox: written now, and again when sent.
pub fn decision(
    to: &str,
    adoption_id: &str,
    d: DecisionLetter,
    sent_on: NaiveDate,
) -> Result<Letter, LetterError> {
    let mut l = d.write(to, sent_on)?;
    l.decision = Some((adoption_id.to_string(), d));
    Ok(l)
}
