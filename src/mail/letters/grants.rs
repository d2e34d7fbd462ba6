//! The letters after adoption: a bank account recorded, a payment made, a report reminder,
//! and the final amount ("vaststelling", a beschikking with the objection clause).

use askama::Template;
use chrono::NaiveDate;

use super::decision::capitalised;
use super::{letter, Letter, LetterError};
use crate::domain::calendar::{dutch_date, objection_deadline};
use crate::domain::Eur;

letter!(
    BankAccountLetter {
        name,
        organisation,
        iban,
        holder,
        date
    },
    "mail/bank_account.txt",
    "mail/bank_account.html"
);
letter!(
    PaymentLetter {
        name,
        title,
        kenmerk,
        kind,
        amount,
        iban,
        holder,
        schedule
    },
    "mail/payment.txt",
    "mail/payment.html"
);
letter!(
    ReminderLetter {
        name,
        lead,
        title,
        kenmerk,
        report,
        due,
        link
    },
    "mail/report_reminder.txt",
    "mail/report_reminder.html"
);
letter!(
    FinalLetter {
        date,
        name,
        preface,
        kenmerk,
        title,
        programme,
        authority,
        authority_cap,
        final_amount,
        granted,
        paid,
        outcome,
        motivation,
        legal_basis,
        objection_address,
        objection_deadline
    },
    "mail/final_amount.txt",
    "mail/final_amount.html"
);

/// To each member of an organisation: its bank account was recorded or changed (so a change
/// nobody asked for is noticed before money goes there).
pub fn bank_account(
    to: &str,
    name: &str,
    organisation: &str,
    iban: &str,
    holder: &str,
    on: NaiveDate,
) -> Result<Letter, LetterError> {
    let subject = format!("Bankrekening vastgelegd voor {organisation}");
    let body = BankAccountLetter {
        subject: subject.clone(),
        name: name.into(),
        organisation: organisation.into(),
        iban: iban.into(),
        holder: holder.into(),
        date: dutch_date(on),
    }
    .render()?;
    Ok(letter("bank_account", to, subject, body, None))
}

/// What a payment letter says.
pub struct PaymentNotice<'a> {
    pub title: &'a str,
    pub plan_id: &'a str,
    /// The plan's reference, printed.
    pub kenmerk: &'a str,
    /// "voorschot" or "slotbetaling".
    pub kind: &'a str,
    pub amount: Eur,
    pub iban: &'a str,
    pub holder: &'a str,
    /// What comes next ("De rest volgt na de vaststelling …").
    pub schedule: String,
}

/// To the applicant and the payee's members: a payment was made.
pub fn payment(to: &str, name: &str, n: &PaymentNotice<'_>) -> Result<Letter, LetterError> {
    let subject = format!("Betaling voor uw projectplan: {}", n.title);
    let body = PaymentLetter {
        subject: subject.clone(),
        name: name.into(),
        title: n.title.into(),
        kenmerk: n.kenmerk.into(),
        kind: n.kind.into(),
        amount: n.amount.format_nl(),
        iban: n.iban.into(),
        holder: n.holder.into(),
        schedule: n.schedule.clone(),
    }
    .render()?;
    Ok(letter("payment", to, subject, body, Some(n.plan_id)))
}

/// To the applicant: a report is due in two weeks (`late`: it is overdue).
#[allow(clippy::too_many_arguments)]
pub fn report_reminder(
    to: &str,
    name: &str,
    title: &str,
    plan: (&str, &str),
    report: &str,
    due: NaiveDate,
    late: bool,
    link: &str,
) -> Result<Letter, LetterError> {
    let (subject, lead) = if late {
        (
            format!("Uw {report} is te laat: {title}"),
            format!(
                "Het {report} voor uw projectplan had op {} binnen moeten zijn. We hebben het nog niet ontvangen. Wilt u het zo snel mogelijk indienen? Lukt dat niet, neem dan contact op met het programmateam.",
                dutch_date(due)
            ),
        )
    } else {
        (
            format!("Herinnering: uw {report} voor {title}"),
            format!(
                "Over twee weken, op {}, moet het {report} voor uw projectplan binnen zijn.",
                dutch_date(due)
            ),
        )
    };
    let body = ReminderLetter {
        subject: subject.clone(),
        name: name.into(),
        lead,
        title: title.into(),
        kenmerk: plan.1.into(),
        report: report.into(),
        due: dutch_date(due),
        link: link.into(),
    }
    .render()?;
    Ok(letter("report_reminder", to, subject, body, Some(plan.0)))
}

/// What the final-amount decision states.
pub struct FinalNotice<'a> {
    pub plan_id: &'a str,
    /// The decision's own reference (`reference::final_amount`), printed.
    pub kenmerk: &'a str,
    pub title: &'a str,
    pub programme: &'a str,
    pub granted: Eur,
    pub paid: Eur,
    pub final_amount: Eur,
    pub final_payment: Option<Eur>,
    pub claim: Option<Eur>,
    pub motivation: &'a str,
    pub authority: &'a str,
    pub legal_basis: &'a str,
    pub objection_address: &'a str,
    /// A copy to the payee's members: whose plan it is.
    pub copy_of: Option<&'a str>,
    /// The organisation that receives the money, by name: the letter says it receives the
    /// rest, never "U" (the applicant is not paid).
    pub payee: Option<&'a str>,
}

/// The final amount as a beschikking, dated `sent_on`: the objection period runs from the day
/// after.
pub fn final_amount(
    to: &str,
    name: &str,
    n: &FinalNotice<'_>,
    sent_on: NaiveDate,
) -> Result<Letter, LetterError> {
    let subject = match n.copy_of {
        None => format!("Vaststelling van uw subsidie: {}", n.title),
        Some(_) => format!("Afschrift van de vaststelling: {}", n.title),
    };
    let preface = match n.copy_of {
        None => String::new(),
        Some(applicant) => format!(
            "U ontvangt een afschrift van dit besluit, omdat uw organisatie de bijdrage ontvangt voor het projectplan \"{}\" van {applicant}.",
            n.title
        ),
    };
    let receiver = n.payee.unwrap_or("De organisatie die de bijdrage ontvangt");
    let outcome = match (n.final_payment, n.claim) {
        (Some(p), _) => format!(
            "{receiver} ontvangt nog {}: het verschil tussen het vastgestelde bedrag en wat al is betaald. Dat bedrag wordt binnenkort overgemaakt.",
            p.format_nl()
        ),
        (None, Some(c)) => format!(
            "Er is {} meer betaald dan het vastgestelde bedrag. Dat bedrag vorderen wij terug van {receiver}, met een aparte betaalopdracht.",
            c.format_nl()
        ),
        (None, None) => {
            "Het vastgestelde bedrag is al betaald: er hoeft niets terugbetaald te worden en er volgt geen betaling meer."
                .to_string()
        }
    };
    let body = FinalLetter {
        subject: subject.clone(),
        date: dutch_date(sent_on),
        name: name.into(),
        preface,
        kenmerk: n.kenmerk.into(),
        title: n.title.into(),
        programme: n.programme.into(),
        authority: n.authority.into(),
        authority_cap: capitalised(n.authority),
        final_amount: n.final_amount.format_nl(),
        granted: n.granted.format_nl(),
        paid: n.paid.format_nl(),
        outcome,
        motivation: n.motivation.into(),
        legal_basis: n.legal_basis.into(),
        objection_address: n.objection_address.into(),
        objection_deadline: dutch_date(objection_deadline(sent_on)),
    }
    .render()?;
    Ok(letter("final_amount", to, subject, body, Some(n.plan_id)))
}
