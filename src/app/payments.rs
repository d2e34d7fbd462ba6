//! Paying grants: organisations' bank accounts, releasing due payments, batches exported as a
//! SEPA file, marked paid (with a letter for each payment) or cancelled.

use chrono::Utc;

use super::grants::{addressees, organisation_recipients};
use super::outbox::enqueue;
use super::plans::owner_of;
use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::calendar::amsterdam_date;
use crate::domain::grant::conditions::{
    before_payment, check_conditions_met, check_meet, GrantCondition,
};
use crate::domain::grant::iban::{check_bank_account, check_confirm, BankAccount, RecordedAccount};
use crate::domain::grant::sepa::{pain001, Payer, Transfer};
use crate::domain::grant::{
    check_account_change, check_batch_step, check_release, BatchStatus, Grant, Payment,
    PaymentBatch, PaymentKind, PaymentStatus,
};
use crate::domain::permission::{self, Permission};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError, Eur};
use crate::mail::letters::grants as letters;

/// An organisation's bank account, with who recorded and confirmed it, for the team, finance
/// or the organisation's own members.
pub fn bank_account(
    c: &mut DbConn,
    reads: &super::processing::Reads,
    actor: &Actor,
    organisation_id: &str,
) -> Result<Option<RecordedAccount>, Error> {
    let found = recorded_account(c, actor, organisation_id)?;
    reads.note(
        actor,
        crate::domain::processing::Activity::BankAccountViewed,
        ("bank_account", organisation_id),
        &[],
    );
    Ok(found)
}

fn recorded_account(
    c: &mut DbConn,
    actor: &Actor,
    organisation_id: &str,
) -> Result<Option<RecordedAccount>, Error> {
    db::organisations::find(c, organisation_id)?.ok_or(Error::NotFound("organisation"))?;
    permission::check_bank_account_reader(actor, organisation_id)?;
    Ok(db::bank_accounts::recorded(c, organisation_id)?)
}

/// The name of who confirmed the organisation's bank account, if it is confirmed (the bank
/// account page says who).
pub fn confirmer_name(
    c: &mut DbConn,
    actor: &Actor,
    organisation_id: &str,
) -> Result<Option<String>, Error> {
    let by = recorded_account(c, actor, organisation_id)?.and_then(|r| r.confirmed_by);
    Ok(match by {
        Some(id) => db::users::find(c, &id)?.map(|u| u.name),
        None => None,
    })
}

/// The programme team or finance records an organisation's bank account (PRODUCT: staff only).
/// The change is logged with the IBAN it replaces, waits for a second person's confirmation
/// before payments use it, and each confirmed member is told by mail, so a change nobody asked
/// for is noticed before money goes there.
pub fn set_bank_account(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: &str,
    iban: Option<&str>,
    holder: Option<&str>,
) -> Result<RecordedAccount, Error> {
    permission::check(actor, Permission::KeepBankAccounts)?;
    let org =
        db::organisations::find(tx, organisation_id)?.ok_or(Error::NotFound("organisation"))?;
    let account = check_bank_account(iban, holder)?;
    check_account_change(db::batches::in_unpaid_batch(tx, &org.id)?)?;
    let at = now();
    let previous =
        db::bank_accounts::set_bank_account(tx, &new_id(), &org.id, &account, &actor.user_id, at)?;
    let recorded = db::bank_accounts::recorded(tx, &org.id)?
        .ok_or_else(|| Error::Internal(format!("bank account of {} not kept", org.id)))?;
    if previous.as_ref() == Some(&account) {
        return Ok(recorded);
    }
    super::processing::changed(
        tx,
        actor,
        crate::domain::processing::Activity::BankAccountChanged,
        ("bank_account", &org.id),
        &[],
    )?;
    let today = amsterdam_date(Utc::now());
    for m in organisation_recipients(tx, &org.id)? {
        enqueue(
            tx,
            letters::bank_account(
                &m.email,
                &m.name,
                &org.name,
                &account.iban.grouped(),
                &account.holder,
                today,
            )?,
        )?;
    }
    Ok(recorded)
}

/// Finance confirms an organisation's bank account as recorded: from now on batches pay into
/// it. Nobody confirms what they recorded themselves (four eyes).
pub fn confirm_bank_account(
    tx: &mut Tx,
    actor: &Actor,
    organisation_id: &str,
) -> Result<RecordedAccount, Error> {
    permission::check(actor, Permission::ConfirmBankAccounts)?;
    db::organisations::find(tx, organisation_id)?.ok_or(Error::NotFound("organisation"))?;
    let recorded = db::bank_accounts::recorded(tx, organisation_id)?.ok_or_else(|| {
        Error::Domain(DomainError::Conflict(Bilingual::new(
            "the organisation has no bank account to confirm",
            "de organisatie heeft nog geen bankrekening om te bevestigen",
        )))
    })?;
    check_confirm(&recorded, &actor.user_id)?;
    if !recorded.confirmed() {
        if !db::bank_accounts::confirm(tx, organisation_id, &actor.user_id, now())? {
            return Err(Error::Changed("bank account"));
        }
        super::processing::changed(
            tx,
            actor,
            crate::domain::processing::Activity::BankAccountChanged,
            ("bank_account", organisation_id),
            &[],
        )?;
    }
    db::bank_accounts::recorded(tx, organisation_id)?.ok_or(Error::NotFound("bank account"))
}

/// The changes of an organisation's bank account, the newest first (the team and finance).
pub fn account_changes(
    c: &mut DbConn,
    actor: &Actor,
    organisation_id: &str,
) -> Result<Vec<db::bank_accounts::AccountChange>, Error> {
    permission::check(actor, Permission::KeepBankAccounts)?;
    Ok(db::bank_accounts::account_changes(c, organisation_id)?)
}

fn grant_of(c: &mut DbConn, p: &Payment) -> Result<Grant, Error> {
    db::grants::find(c, &p.grant_id)?
        .ok_or_else(|| Error::Internal(format!("payment {} without its grant", p.id)))
}

/// The programme team releases a due payment: it may go into the next batch.
pub fn release(tx: &mut Tx, actor: &Actor, payment_id: &str) -> Result<Payment, Error> {
    permission::check(actor, Permission::ManagePayments)?;
    let p = db::grants::payment(tx, payment_id)?.ok_or(Error::NotFound("payment"))?;
    let g = grant_of(tx, &p)?;
    let has_account = match &g.payee_id {
        Some(org) => db::bank_accounts::bank_account(tx, org)?.is_some(),
        None => false,
    };
    check_release(&g, &p, has_account)?;
    check_conditions_met(&db::conditions::of_grants(tx, &[&g.id])?, p.kind)?;
    if !db::grants::move_payment(
        tx,
        &p.id,
        PaymentStatus::Due,
        PaymentStatus::Released,
        None,
        now(),
    )? {
        return Err(Error::Changed("payment"));
    }
    db::grants::payment(tx, &p.id)?.ok_or(Error::NotFound("payment"))
}

/// The programme team records that a grant's payment condition is met, with a note of what
/// shows it; the payments it held back may then be released.
pub fn meet_condition(
    tx: &mut Tx,
    actor: &Actor,
    grant_id: &str,
    condition_id: &str,
    note: &str,
) -> Result<GrantCondition, Error> {
    permission::check(actor, Permission::ManagePayments)?;
    let condition = db::conditions::find(tx, condition_id)?
        .filter(|c| c.grant_id == grant_id)
        .ok_or(Error::NotFound("condition"))?;
    let note = check_meet(&condition, note)?;
    if !db::conditions::meet(
        tx,
        &condition.id,
        amsterdam_date(Utc::now()),
        &actor.user_id,
        &note,
    )? {
        return Err(Error::Changed("condition"));
    }
    db::conditions::find(tx, condition_id)?.ok_or(Error::NotFound("condition"))
}

/// A payment with what a page or the SEPA file says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub payment: Payment,
    pub grant: Grant,
    pub title: String,
    /// The plan's reference (what the payee reads on its statement).
    pub kenmerk: String,
    pub payee_name: Option<String>,
    pub account: Option<BankAccount>,
    /// Whether a second person confirmed the payee's account (a batch pays only into one).
    pub confirmed: bool,
    /// The grant's conditions that come before this payment, met or not.
    pub conditions: Vec<GrantCondition>,
}

/// The payments with their grants, titles and payees; the account is the payee's current one,
/// or, for a payment in a batch, the one the batch was made with (`kept`).
fn lines(
    c: &mut DbConn,
    payments: Vec<Payment>,
    kept: &[db::batches::Kept],
) -> Result<Vec<PaymentLine>, Error> {
    let mut out = Vec::with_capacity(payments.len());
    for p in payments {
        let g = grant_of(c, &p)?;
        let plan = db::plans::find(c, &g.plan_id)?
            .ok_or_else(|| Error::Internal(format!("grant {} without its plan", g.id)))?;
        let (payee_name, recorded) = match &g.payee_id {
            Some(org) => (
                db::organisations::find(c, org)?.map(|o| o.name),
                db::bank_accounts::recorded(c, org)?,
            ),
            None => (None, None),
        };
        let confirmed = recorded.as_ref().is_some_and(RecordedAccount::confirmed);
        let conditions = before_payment(&db::conditions::of_grants(c, &[&g.id])?, p.kind)
            .into_iter()
            .cloned()
            .collect();
        let mut account = recorded.map(|r| r.account);
        if let Some(k) = kept.iter().find(|k| k.payment_id == p.id) {
            account = Some(k.account.clone());
        }
        out.push(PaymentLine {
            payment: p,
            grant: g,
            kenmerk: plan.kenmerk().to_string(),
            title: plan.content.title,
            payee_name,
            account,
            confirmed,
            conditions,
        });
    }
    Ok(out)
}

/// Payments in one status (programme team, board and finance): `due` ones to release, `released` ones
/// waiting for a batch.
pub fn in_status(
    c: &mut DbConn,
    actor: &Actor,
    status: PaymentStatus,
) -> Result<Vec<PaymentLine>, Error> {
    permission::check(actor, Permission::SeeGrants)?;
    let payments = db::grants::payments_in(c, status, None)?;
    lines(c, payments, &[])
}

/// A batch with its payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    pub batch: PaymentBatch,
    pub payments: Vec<PaymentLine>,
    /// Released payments the batch left out because their account is not yet confirmed
    /// (only when the batch is made).
    pub left_out: Vec<PaymentLine>,
}

fn payer_required(payer: Option<&Payer>) -> Result<&Payer, Error> {
    payer.ok_or_else(|| {
        Error::Domain(DomainError::Conflict(Bilingual::new(
            "the payer's account is not configured (PLANLOKET_PAYER_NAME, PLANLOKET_PAYER_IBAN)",
            "de rekening waarvan wordt betaald is niet ingesteld; vraag de beheerder om PLANLOKET_PAYER_NAME en PLANLOKET_PAYER_IBAN in te stellen",
        )))
    })
}

/// Finance puts every released payment not yet in a batch, whose payee's account is
/// confirmed, into a new batch, which is then exported as a SEPA file; the others wait and
/// the answer lists them. A payment is in one batch at a time: each is moved on only if it is
/// still released and unbatched, so two batches made at once cannot share one.
pub fn create_batch(tx: &mut Tx, actor: &Actor, payer: Option<&Payer>) -> Result<BatchView, Error> {
    permission::check(actor, Permission::PayBatches)?;
    let payer = payer_required(payer)?;
    let released: Vec<Payment> = db::grants::payments_in(tx, PaymentStatus::Released, None)?
        .into_iter()
        .filter(|p| p.batch_id.is_none())
        .collect();
    let (ready, left_out): (Vec<PaymentLine>, Vec<PaymentLine>) = lines(tx, released, &[])?
        .into_iter()
        .partition(|l| l.confirmed);
    if ready.is_empty() {
        return Err(Error::Domain(DomainError::Conflict(
            if left_out.is_empty() {
                Bilingual::new(
                    "no released payments wait for a batch",
                    "er zijn geen vrijgegeven betalingen die op een batch wachten",
                )
            } else {
                Bilingual::new(
                format!(
                    "{} released payment(s) wait for a confirmed bank account: a second person with the finance role confirms the account first",
                    left_out.len()
                ),
                format!(
                    "{} vrijgegeven betaling(en) wachten op een bevestigde bankrekening: een tweede persoon van de financiële administratie bevestigt eerst de rekening",
                    left_out.len()
                ),
            )
            },
        )));
    }
    let at = now();
    let batch = PaymentBatch {
        id: new_id(),
        status: BatchStatus::Exported,
        total: ready.iter().fold(Eur::ZERO, |t, l| t + l.payment.amount),
        count: ready.len() as i64,
        execution_date: crate::domain::grant::sepa::execution_date(amsterdam_date(Utc::now())),
        created_by: actor.user_id.clone(),
        created_at: at,
        closed_at: None,
    };
    db::grants::insert_batch(tx, &batch)?;
    for l in &ready {
        if !db::grants::move_payment(
            tx,
            &l.payment.id,
            PaymentStatus::Released,
            PaymentStatus::Exported,
            Some(&batch.id),
            at,
        )? {
            return Err(Error::Changed("payment"));
        }
    }
    // The batch keeps what it pays and its file, made now: a later change of an account
    // changes neither (issue 29, N2).
    let transfers = transfers_of(&ready)?;
    let file = pain001(
        &batch,
        payer,
        &transfers,
        batch.created_at,
        batch.execution_date,
    );
    db::batches::keep(tx, &batch.id, &transfers, &file)?;
    let mut view = batch_view(tx, batch)?;
    view.left_out = left_out;
    Ok(view)
}

/// The transfers for these payments, each to its payee's account.
fn transfers_of(lines: &[PaymentLine]) -> Result<Vec<Transfer>, Error> {
    lines
        .iter()
        .map(|l| {
            let account = l.account.clone().ok_or_else(|| {
                Error::Domain(DomainError::Conflict(Bilingual::new(
                    format!("the payee of payment {} has no bank account", l.payment.id),
                    format!(
                        "de ontvanger van de betaling voor \"{}\" heeft geen bankrekening",
                        l.title
                    ),
                )))
            })?;
            Ok(Transfer {
                payment_id: l.payment.id.clone(),
                amount: l.payment.amount,
                creditor: account.holder,
                iban: account.iban,
                // The reference first: the bank may cut the text at 140 characters.
                remittance: format!("{} {} {}", l.kenmerk, l.payment.kind.label_nl(), l.title),
            })
        })
        .collect()
}

fn batch_view(c: &mut DbConn, batch: PaymentBatch) -> Result<BatchView, Error> {
    let payments = db::grants::payments_of_batch(c, &batch.id)?;
    let kept = db::batches::transfers(c, &batch.id)?;
    Ok(BatchView {
        payments: lines(c, payments, &kept)?,
        batch,
        left_out: Vec::new(),
    })
}

/// A batch (programme team, board and finance).
pub fn batch(c: &mut DbConn, actor: &Actor, id: &str) -> Result<BatchView, Error> {
    permission::check(actor, Permission::SeeGrants)?;
    let b = db::grants::batch(c, id)?.ok_or(Error::NotFound("payment batch"))?;
    batch_view(c, b)
}

/// Every batch, the newest first (programme team, board and finance).
pub fn batches(c: &mut DbConn, actor: &Actor) -> Result<Vec<PaymentBatch>, Error> {
    permission::check(actor, Permission::SeeGrants)?;
    Ok(db::grants::batches(c)?)
}

/// The batch as a `pain.001.001.09` file (finance). A cancelled batch is not exported:
/// its payments may be in a newer batch.
pub fn export(
    c: &mut DbConn,
    actor: &Actor,
    id: &str,
    payer: Option<&Payer>,
) -> Result<String, Error> {
    permission::check(actor, Permission::PayBatches)?;
    let v = batch(c, actor, id)?;
    if v.batch.status == BatchStatus::Cancelled {
        return Err(Error::Domain(DomainError::Conflict(Bilingual::new(
            "the batch is cancelled: its file must not go to the bank",
            "deze batch is ingetrokken: het bestand mag niet naar de bank",
        ))));
    }
    if let Some(file) = db::batches::file(c, id)? {
        return Ok(file);
    }
    // A batch made before files were kept: made now from the accounts as they are, and kept,
    // so every later download is these same bytes.
    let payer = payer_required(payer)?;
    let transfers = transfers_of(&v.payments)?;
    let file = pain001(
        &v.batch,
        payer,
        &transfers,
        v.batch.created_at,
        v.batch.execution_date,
    );
    db::batches::keep_file(c, id, &file)?;
    db::batches::file(c, id)?.ok_or(Error::NotFound("payment batch"))
}

/// Finance confirms the bank paid the batch: its payments are paid, and a letter
/// for each goes to the applicant and the payee's members.
pub fn mark_paid(tx: &mut Tx, actor: &Actor, id: &str) -> Result<BatchView, Error> {
    permission::check(actor, Permission::PayBatches)?;
    let b = db::grants::batch(tx, id)?.ok_or(Error::NotFound("payment batch"))?;
    check_batch_step(&b, BatchStatus::Paid)?;
    let at = now();
    if !db::grants::close_batch(tx, &b.id, BatchStatus::Paid, at)? {
        return Err(Error::Changed("payment batch"));
    }
    let v = batch_view(tx, b)?;
    for l in &v.payments {
        if !db::grants::move_payment(
            tx,
            &l.payment.id,
            PaymentStatus::Exported,
            PaymentStatus::Paid,
            Some(&v.batch.id),
            at,
        )? {
            return Err(Error::Changed("payment"));
        }
        letters_for(tx, l)?;
    }
    let b = db::grants::batch(tx, id)?.ok_or(Error::NotFound("payment batch"))?;
    batch_view(tx, b)
}

fn letters_for(tx: &mut Tx, l: &PaymentLine) -> Result<(), Error> {
    let plan = db::plans::find(tx, &l.grant.plan_id)?
        .ok_or_else(|| Error::Internal(format!("grant {} without its plan", l.grant.id)))?;
    let owner = owner_of(tx, &plan)?;
    let round_share = db::rounds::find(tx, &l.grant.round_id)?
        .map(|r| r.spec.advance_share)
        .unwrap_or(crate::domain::round::DEFAULT_ADVANCE_SHARE);
    let schedule = match l.payment.kind {
        PaymentKind::Advance => format!(
            "Dit is het voorschot: {round_share}% van de toegekende {}. De rest volgt na de vaststelling van de subsidie, als u het eindverslag heeft ingediend.",
            l.grant.amount.format_nl()
        ),
        PaymentKind::Final => format!(
            "Dit is de slotbetaling na de vaststelling van de subsidie op {}.",
            l.grant.final_amount.unwrap_or(l.grant.amount).format_nl()
        ),
    };
    let (iban, holder) = match &l.account {
        Some(a) => (a.iban.masked(), a.holder.clone()),
        None => (String::new(), String::new()),
    };
    let notice = letters::PaymentNotice {
        title: &plan.content.title,
        plan_id: &plan.id,
        kenmerk: plan.kenmerk(),
        kind: l.payment.kind.label_nl(),
        amount: l.payment.amount,
        iban: &iban,
        holder: &holder,
        schedule,
    };
    for to in addressees(tx, &plan, &owner, l.grant.payee_id.as_deref())? {
        enqueue(tx, letters::payment(&to.email, &to.name, &notice)?)?;
    }
    Ok(())
}

/// Finance takes a batch back before it is paid: its payments are released again,
/// ready for a new batch.
pub fn cancel(tx: &mut Tx, actor: &Actor, id: &str) -> Result<BatchView, Error> {
    permission::check(actor, Permission::PayBatches)?;
    let b = db::grants::batch(tx, id)?.ok_or(Error::NotFound("payment batch"))?;
    check_batch_step(&b, BatchStatus::Cancelled)?;
    let at = now();
    if !db::grants::close_batch(tx, &b.id, BatchStatus::Cancelled, at)? {
        return Err(Error::Changed("payment batch"));
    }
    let payments = db::grants::payments_of_batch(tx, &b.id)?;
    for p in &payments {
        if !db::grants::move_payment(
            tx,
            &p.id,
            PaymentStatus::Exported,
            PaymentStatus::Released,
            None,
            p.released_at.unwrap_or(at),
        )? {
            return Err(Error::Changed("payment"));
        }
    }
    let b = db::grants::batch(tx, id)?.ok_or(Error::NotFound("payment batch"))?;
    // The answer lists what was taken back; afterwards the batch keeps its count and total,
    // and its payments belong to no batch until the next one.
    let kept = db::batches::transfers(tx, &b.id)?;
    Ok(BatchView {
        batch: b,
        payments: lines(tx, payments, &kept)?,
        left_out: Vec::new(),
    })
}
