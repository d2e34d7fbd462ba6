//! After adoption: a grant's payment schedule and report dates, the payments and their
//! batches, the reports an applicant files, reminders, and the final amount ("vaststelling").
//! PRODUCT.md → "After adoption: grants, payments, reports".

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{Bilingual, DomainError, FieldErrors};
use super::money::Eur;
use super::text::Bounded;

pub mod conditions;
pub mod iban;
pub mod published;
mod report;
pub mod sepa;
pub mod steps;

pub use report::{
    check_final_in_time, check_report, CheckedReport, ReportInput, SpentInput, SPENT_LINE_MAX,
};

/// Spending from the programme's own contribution is reported under this source; any other
/// source names another funder ("eigen bijdrage", "Fonds 1818").
pub const PROGRAMME_SOURCE: &str = "programme";

/// The final report is due this long after the last day of the plan's end year.
pub const FINAL_REPORT_AFTER: Duration = Duration::weeks(13);
/// A reminder goes out this long before a report is due.
pub const REMIND_BEFORE: Duration = Duration::weeks(2);
/// The most an attachment to a report may weigh.
pub const ATTACHMENT_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most attachments one report carries.
pub const ATTACHMENTS_MAX: usize = 10;

macro_rules! words {
    ($name:ident { $($variant:ident = $s:literal / $nl:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }
            /// As a page or a letter says it.
            pub fn label_nl(self) -> &'static str {
                match self { $($name::$variant => $nl),* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }
        }
    };
}

words!(GrantStatus {
    Running = "running" / "loopt",
    Finished = "finished" / "afgerond",
    Stopped = "stopped" / "gestopt",
});
words!(PaymentKind {
    Advance = "advance" / "voorschot",
    Final = "final" / "slotbetaling",
});
words!(PaymentStatus {
    Due = "due" / "klaar om vrij te geven",
    Released = "released" / "vrijgegeven",
    Exported = "exported" / "naar de bank",
    Paid = "paid" / "betaald",
});
words!(ReportKind {
    Progress = "progress" / "voortgangsverslag",
    Final = "final" / "eindverslag",
});
words!(ReportStatus {
    Due = "due" / "nog in te dienen",
    Filed = "filed" / "ingediend",
    Accepted = "accepted" / "beoordeeld",
});
words!(BatchStatus {
    Exported = "exported" / "naar de bank",
    Paid = "paid" / "betaald",
    Cancelled = "cancelled" / "ingetrokken",
});

/// An adopted plan's contribution from the programme, from adoption to the final amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub plan_id: String,
    pub round_id: String,
    pub amount: Eur,
    /// The organisation that receives the money; `None` when the plan names none (a resident
    /// without an organisation): payments wait until the team records one.
    pub payee_id: Option<String>,
    pub status: GrantStatus,
    pub final_amount: Option<Eur>,
    pub final_motivation: Option<String>,
    /// What was paid beyond the final amount, to be paid back.
    pub claim: Option<Eur>,
    pub stopped_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: String,
    pub grant_id: String,
    pub kind: PaymentKind,
    pub amount: Eur,
    pub status: PaymentStatus,
    pub batch_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// Money spent on the action from one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spent {
    pub source: String,
    pub amount_eur: Eur,
}

/// A stored file sent with a report (a photo or a document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Also the stored file's name under the attachments folder.
    pub id: String,
    pub name: String,
    pub media_type: &'static str,
    pub size: i64,
}

/// What an applicant filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub done: String,
    pub reach: i64,
    pub spent: Vec<Spent>,
    pub stopped_reason: Option<String>,
    pub filed_at: DateTime<Utc>,
    pub filed_by: String,
}

impl Filed {
    /// What was spent from the programme's contribution.
    pub fn spent_from_programme(&self) -> Eur {
        self.spent
            .iter()
            .filter(|s| s.source == PROGRAMME_SOURCE)
            .fold(Eur::ZERO, |t, s| t + s.amount_eur)
    }
}

/// A report the grant asks for: due on a date, then filed, then accepted with the final amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub grant_id: String,
    pub kind: ReportKind,
    pub due_on: NaiveDate,
    pub filed: Option<Filed>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// In the order they were added; the first is the one `PUT …/attachment` replaces.
    pub attachments: Vec<Attachment>,
    /// When the reminder before the due date and the one after it went out.
    pub reminded_soon_on: Option<NaiveDate>,
    pub reminded_late_on: Option<NaiveDate>,
}

impl Report {
    pub fn status(&self) -> ReportStatus {
        match (&self.filed, self.accepted_at) {
            (_, Some(_)) => ReportStatus::Accepted,
            (Some(_), None) => ReportStatus::Filed,
            (None, None) => ReportStatus::Due,
        }
    }
}

/// A batch of released payments exported together as one SEPA file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentBatch {
    pub id: String,
    pub status: BatchStatus,
    pub total: Eur,
    pub count: i64,
    /// The day the bank is asked to pay on.
    pub execution_date: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The advance: `share` percent of the amount, whole euros rounded down (the rest comes with
/// the final amount, so nothing is paid twice by rounding).
pub fn advance(amount: Eur, share: i32) -> Eur {
    let share = i64::from(share.clamp(0, 100));
    Eur::parse(amount.value() * share / 100).unwrap_or(Eur::ZERO)
}

/// The reports a grant asks for, from the plan's years and the adoption date. The final report
/// is due 13 weeks after the end year (or after the adoption, for a plan adopted later). When
/// the action runs more than a year from the adoption (or from its start, if later), a
/// progress report is due halfway.
pub fn report_dates(
    start_year: i32,
    end_year: i32,
    adopted_on: NaiveDate,
) -> Vec<(ReportKind, NaiveDate)> {
    let end = NaiveDate::from_ymd_opt(end_year, 12, 31).unwrap_or(adopted_on);
    let start = NaiveDate::from_ymd_opt(start_year, 1, 1)
        .unwrap_or(adopted_on)
        .max(adopted_on);
    let mut out = Vec::new();
    if end - start > Duration::days(365) {
        out.push((ReportKind::Progress, start + (end - start) / 2));
    }
    out.push((ReportKind::Final, end.max(adopted_on) + FINAL_REPORT_AFTER));
    out
}

/// What is paid (payments the bank has paid).
pub fn paid(payments: &[Payment]) -> Eur {
    payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Paid)
        .fold(Eur::ZERO, |t, p| t + p.amount)
}

fn conflict(en: &str, nl: &str) -> DomainError {
    DomainError::Conflict(Bilingual::new(en, nl))
}

/// An organisation's bank account may change unless a payment to it waits in a batch the bank
/// has not paid: that batch's file names the account it had, and paying the account the team
/// just replaced is what nobody wants. The team cancels the batch first (its payments are
/// released again) or waits until it is paid.
pub fn check_account_change(payment_in_unpaid_batch: bool) -> Result<(), DomainError> {
    if payment_in_unpaid_batch {
        return Err(conflict(
            "a payment to this account is in a batch the bank has not paid yet: cancel that batch first, or change the account once it is paid",
            "er staat een betaling naar deze rekening in een batch die de bank nog niet heeft betaald: trek die batch eerst in, of wijzig de rekening als hij betaald is",
        ));
    }
    Ok(())
}

/// A due payment may be released when the payee has a bank account to pay into.
pub fn check_release(
    grant: &Grant,
    payment: &Payment,
    payee_has_account: bool,
) -> Result<(), DomainError> {
    if payment.status != PaymentStatus::Due {
        return Err(conflict(
            "only a due payment can be released; this one is released already",
            "alleen een betaling die klaarstaat kan worden vrijgegeven; deze is al vrijgegeven",
        ));
    }
    if grant.payee_id.is_none() {
        return Err(conflict(
            "the grant has no payee organisation to pay; record the plan's payee first",
            "de subsidie heeft geen ontvangende organisatie; leg eerst vast wie de bijdrage ontvangt",
        ));
    }
    if !payee_has_account {
        return Err(conflict(
            "the payee has no bank account; record its IBAN first",
            "de ontvanger heeft nog geen bankrekening; leg eerst het IBAN vast",
        ));
    }
    Ok(())
}

/// A batch's next step: `paid` or `cancelled`, only while it is with the bank.
pub fn check_batch_step(batch: &PaymentBatch, to: BatchStatus) -> Result<(), DomainError> {
    if batch.status != BatchStatus::Exported || to == BatchStatus::Exported {
        return Err(conflict(
            &format!(
                "the batch is {} already: only a batch with the bank can be marked paid or cancelled",
                batch.status.as_str()
            ),
            &format!(
                "deze batch is al {}: alleen een batch die bij de bank ligt kan als betaald worden gemarkeerd of worden ingetrokken",
                batch.status.label_nl()
            ),
        ));
    }
    Ok(())
}

/// What setting the final amount leads to: a final payment of what is still owed, or a claim
/// for what was paid beyond it (at most one of the two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub final_amount: Eur,
    pub motivation: String,
    pub final_payment: Option<Eur>,
    pub claim: Option<Eur>,
}

/// The team sets the final amount ("vaststelling"): after the final report, once, at most the
/// grant, with a motivation; not while a payment is on its way to the bank (its outcome
/// changes what is owed). A payment still waiting to be released is replaced by the
/// settlement: what is owed is the final amount less what was paid.
pub fn settle(
    grant: &Grant,
    reports: &[Report],
    payments: &[Payment],
    amount_eur: Option<i64>,
    motivation: Option<&str>,
) -> Result<Settlement, DomainError> {
    let mut errors = FieldErrors::new();
    let amount = match amount_eur {
        None => {
            errors.add("amount_eur", super::errors::REQUIRED);
            None
        }
        Some(a) => match Eur::parse(a) {
            Ok(a) if a > grant.amount => {
                errors.add(
                    "amount_eur",
                    Bilingual::new(
                        format!("must be at most the grant, {} euros", grant.amount.value()),
                        format!(
                            "mag hoogstens het toegekende bedrag zijn, {}",
                            grant.amount.format_nl()
                        ),
                    ),
                );
                None
            }
            Ok(a) => Some(a),
            Err(s) => {
                errors.add("amount_eur", s);
                None
            }
        },
    };
    let motivation = Bounded::LONG
        .required(motivation)
        .map_err(|s| errors.add("motivation", s))
        .ok();
    let (Some(final_amount), Some(motivation)) = (amount, motivation) else {
        return Err(DomainError::Invalid(errors.0));
    };
    if grant.final_amount.is_some() {
        return Err(DomainError::Duplicate(Bilingual::new(
            "the final amount is set already",
            "het subsidiebedrag is al vastgesteld",
        )));
    }
    if !reports
        .iter()
        .any(|r| r.kind == ReportKind::Final && r.filed.is_some())
    {
        return Err(conflict(
            "the final amount is set after the final report; it is not filed yet",
            "het bedrag wordt vastgesteld na het eindverslag; dat is nog niet ingediend",
        ));
    }
    if payments
        .iter()
        .any(|p| matches!(p.status, PaymentStatus::Released | PaymentStatus::Exported))
    {
        return Err(conflict(
            "a payment is on its way to the bank: mark its batch paid or cancel it first",
            "er is een betaling onderweg naar de bank: markeer de batch eerst als betaald of trek hem in",
        ));
    }
    let paid = paid(payments);
    let (final_payment, claim) = if final_amount > paid {
        (Eur::parse(final_amount.value() - paid.value()).ok(), None)
    } else if final_amount < paid {
        (None, Eur::parse(paid.value() - final_amount.value()).ok())
    } else {
        (None, None)
    };
    Ok(Settlement {
        final_amount,
        motivation,
        final_payment,
        claim,
    })
}

/// Which reminder a report is due for today, if any: two weeks before its date, and once
/// after it has passed, each once, only while it is not filed and the grant runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    Soon,
    Late,
}

pub fn reminder_due(grant: &Grant, report: &Report, today: NaiveDate) -> Option<Reminder> {
    if grant.status != GrantStatus::Running || report.filed.is_some() {
        return None;
    }
    if today > report.due_on {
        return report.reminded_late_on.is_none().then_some(Reminder::Late);
    }
    if today >= report.due_on - REMIND_BEFORE && report.reminded_soon_on.is_none() {
        return Some(Reminder::Soon);
    }
    None
}

/// An attachment's type by its first bytes (what a browser says is not trusted): a photo
/// (JPEG, PNG) or a PDF; `None` for anything else.
pub fn sniff_attachment(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Checks an attachment's size and type; the Dutch text tells what is accepted.
pub fn check_attachment(bytes: &[u8]) -> Result<&'static str, DomainError> {
    let mut errors = FieldErrors::new();
    if bytes.is_empty() {
        errors.add("attachment", ("is empty", "het bestand is leeg"));
    } else if bytes.len() > ATTACHMENT_MAX_BYTES {
        errors.add(
            "attachment",
            (
                "must be at most 5 MB",
                "het bestand mag hoogstens 5 MB groot zijn",
            ),
        );
    }
    let kind = sniff_attachment(bytes);
    if kind.is_none() && !bytes.is_empty() {
        errors.add(
            "attachment",
            (
                "must be a photo (JPEG or PNG) or a PDF",
                "voeg een foto (JPEG of PNG) of een PDF toe",
            ),
        );
    }
    match kind {
        Some(k) if errors.is_empty() => Ok(k),
        _ => Err(DomainError::Invalid(errors.0)),
    }
}

/// A file name as shown and offered for download: the base name, without path or control
/// characters, at most 100 characters; "bijlage" when nothing is left.
pub fn attachment_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !super::text::is_bidi_control(*c) && *c != '"')
        .take(100)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "bijlage".into()
    } else {
        clean
    }
}

/// The name a stored file is offered under: its name with the extension its bytes say (a PDF
/// uploaded as `verslag.html` is offered as `verslag.pdf`, so a browser never opens it as a
/// page of another kind).
pub fn download_name(name: &str, media_type: &str) -> String {
    let ext = match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        crate::domain::plan::attachments::ODT => "odt",
        crate::domain::plan::attachments::ODS => "ods",
        crate::domain::plan::attachments::DOCX => "docx",
        crate::domain::plan::attachments::XLSX => "xlsx",
        _ => "bin",
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem,
        _ => name,
    };
    format!("{stem}.{ext}")
}

/// Whether a report is late: not filed, and its date has passed.
pub fn overdue(report: &Report, today: NaiveDate) -> bool {
    report.filed.is_none() && today > report.due_on
}

/// Who may read a grant: the plan's owner, the members of the organisation that receives it,
/// the programme team and the board.
pub fn sees(actor: &super::user::Actor, grant: &Grant, owner_id: &str) -> bool {
    actor.is_staff()
        || actor.user_id == owner_id
        || (grant.payee_id.is_some() && actor.organisation_id == grant.payee_id)
}

/// Where a grant stands in figures: paid by the bank, spent from the programme and reach as
/// the latest filed report says (the final report over the progress report).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub paid: Eur,
    pub spent: Eur,
    pub reach: i64,
}

pub fn progress(payments: &[Payment], reports: &[Report]) -> Progress {
    let latest = reports
        .iter()
        .filter(|r| r.filed.is_some())
        .max_by_key(|r| (r.kind == ReportKind::Final, r.due_on));
    let (spent, reach) = latest
        .and_then(|r| r.filed.as_ref())
        .map(|f| (f.spent_from_programme(), f.reach))
        .unwrap_or((Eur::ZERO, 0));
    Progress {
        paid: paid(payments),
        spent,
        reach,
    }
}

#[cfg(test)]
mod tests;
