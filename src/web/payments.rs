//! The team's payment pages: due payments to release, batches for the bank (with their SEPA
//! file), and an organisation's bank account with its change log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::grants::{condition_line, ConditionLine};
use super::kit::{self, Post};
use super::public::Flash;
use super::session::Pending;
use super::{redirect, render, with_visitor, Layout, Visitor, WebError};
use crate::app::App;
use crate::app::{self, organisations, payments};
use crate::domain::calendar::{amsterdam_date, dutch_date};
use crate::domain::grant::{self as rules, BatchStatus, PaymentStatus};
use crate::domain::permission::Permission;

pub struct PayLine {
    pub id: String,
    pub grant_id: String,
    pub title: String,
    /// The plan's reference, as the payee's statement will show it.
    pub kenmerk: String,
    pub payee: String,
    pub payee_id: Option<String>,
    pub kind: &'static str,
    pub amount: String,
    pub has_account: bool,
    /// Whether finance confirmed the account (a batch pays only into a confirmed one).
    pub confirmed: bool,
    /// The conditions before this payment; it is released once all are met.
    pub conditions: Vec<ConditionLine>,
    pub conditions_met: bool,
}

fn pay_line(l: &payments::PaymentLine) -> PayLine {
    PayLine {
        id: l.payment.id.clone(),
        grant_id: l.grant.id.clone(),
        title: l.title.clone(),
        kenmerk: l.kenmerk.clone(),
        payee: l
            .payee_name
            .clone()
            .unwrap_or_else(|| "geen ontvanger bekend".into()),
        payee_id: l.grant.payee_id.clone(),
        kind: l.payment.kind.label_nl(),
        amount: l.payment.amount.format_nl(),
        has_account: l.account.is_some(),
        confirmed: l.confirmed,
        conditions: l.conditions.iter().map(condition_line).collect(),
        conditions_met: l.conditions.iter().all(|c| c.is_met()),
    }
}

pub struct BatchRow {
    pub id: String,
    pub made: String,
    pub status: &'static str,
    pub total: String,
    pub count: i64,
    pub execution: String,
    pub open: bool,
    pub exportable: bool,
}

#[derive(Template)]
#[template(path = "web/payments.html")]
struct PaymentsPage {
    l: Layout,
    due: Vec<PayLine>,
    released: Vec<PayLine>,
    batches: Vec<BatchRow>,
    /// Releases payments and records bank accounts.
    team: bool,
    /// Makes batches, downloads their file, marks them paid or cancelled, confirms accounts.
    finance: bool,
    /// Records payment conditions as met (the team), and where that form comes back to.
    may_meet: bool,
    back: &'static str,
    payer: bool,
}

/// `GET /betalingen` (programme team and finance; the board reads): due payments to release, released
/// ones waiting for a batch, and the batches.
pub async fn payments_page(
    state: web::Data<App>,
    pending: Pending,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let (v, (due, released, batches)) = with_visitor(&state, pending, |c, v| {
        let a = v.may(Permission::SeeGrants, "/betalingen")?;
        Ok((
            payments::in_status(c, &a, PaymentStatus::Due)?,
            payments::in_status(c, &a, PaymentStatus::Released)?,
            payments::batches(c, &a)?,
        ))
    })
    .await?;
    let is_team = v.allows(Permission::ManagePayments);
    let page = PaymentsPage {
        l: Layout::new("Betalingen", &v).with_flash(super::flash(q.bericht.as_deref())),
        due: due.iter().map(pay_line).collect(),
        released: released.iter().map(pay_line).collect(),
        batches: batches
            .iter()
            .map(|b| BatchRow {
                id: b.id.clone(),
                made: dutch_date(amsterdam_date(b.created_at)),
                status: b.status.label_nl(),
                total: b.total.format_nl(),
                count: b.count,
                execution: dutch_date(b.execution_date),
                open: b.status == BatchStatus::Exported,
                exportable: b.status != BatchStatus::Cancelled,
            })
            .collect(),
        team: is_team,
        finance: v.allows(Permission::PayBatches),
        may_meet: is_team,
        back: "betalingen",
        payer: state.payer.is_some(),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {}

/// Runs one of the payment steps for who holds `right` and goes back to the payments page
/// with its message, or shows the refusal in Dutch.
async fn payment_step<T: Send + 'static>(
    state: web::Data<App>,
    post: Post<TokenForm>,
    right: Permission,
    done: &str,
    step: impl FnOnce(&mut app::Tx, &crate::domain::user::Actor) -> Result<T, app::Error>
        + Send
        + 'static,
) -> Result<HttpResponse, WebError> {
    let actor = post.may(right, "/betalingen")?;
    let v = post.v;
    let st = state.clone();
    match web::block(move || st.write(|tx| step(tx, &actor))).await? {
        Ok(_) => Ok(redirect(&v, &format!("/betalingen?bericht={done}"))),
        Err(app::Error::Domain(d)) => Err(WebError::Refused(d.message_nl())),
        Err(e) => Err(e.into()),
    }
}

/// `POST /betalingen/{id}/vrijgeven`.
pub async fn release(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    payment_step(
        state,
        post,
        Permission::ManagePayments,
        "betaling-vrijgegeven",
        move |tx, a| payments::release(tx, a, &id),
    )
    .await
}

/// `POST /betalingen/batches`.
pub async fn create_batch(
    state: web::Data<App>,
    post: Post<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let payer = state.payer.clone();
    payment_step(
        state,
        post,
        Permission::PayBatches,
        "batch-gemaakt",
        move |tx, a| payments::create_batch(tx, a, payer.as_ref()),
    )
    .await
}

/// `POST /betalingen/batches/{id}/betaald`.
pub async fn batch_paid(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    payment_step(
        state,
        post,
        Permission::PayBatches,
        "batch-betaald",
        move |tx, a| payments::mark_paid(tx, a, &id),
    )
    .await
}

/// `POST /betalingen/batches/{id}/intrekken`.
pub async fn batch_cancel(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    payment_step(
        state,
        post,
        Permission::PayBatches,
        "batch-ingetrokken",
        move |tx, a| payments::cancel(tx, a, &id),
    )
    .await
}

/// `GET /betalingen/batches/{id}/sepa.xml`: the batch's file for the bank (finance).
pub async fn sepa_file(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let payer = state.payer.clone();
    let batch = id.clone();
    let (_, outcome) = with_visitor(&state, pending, move |c, v| {
        let a = v.may(Permission::PayBatches, "/betalingen")?;
        Ok(payments::export(c, &a, &id, payer.as_ref()))
    })
    .await?;
    match outcome {
        Ok(xml) => Ok(crate::front::sepa_file(&batch, xml)),
        Err(app::Error::Domain(d)) => Err(WebError::Refused(d.message_nl())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "web/bank_account.html")]
struct BankAccountPage {
    l: Layout,
    p: Problems,
    org_id: String,
    org_name: String,
    current: Option<(String, String)>,
    /// "Bevestigd door … op …", or `None` while the current account waits for confirmation.
    confirmed: Option<String>,
    /// Whether the visitor may confirm it now (finance, and not the one who recorded it).
    may_confirm: bool,
    changes: Vec<(String, String, String)>,
    iban: String,
    holder: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BankAccountForm {
    #[serde(default)]
    iban: String,
    #[serde(default)]
    holder: String,
}

async fn bank_account_page(
    state: &web::Data<App>,
    v: &Visitor,
    org_id: &str,
    p: Problems,
    f: Option<BankAccountForm>,
) -> Result<BankAccountPage, WebError> {
    let here = format!("/beheer/organisaties/{org_id}/bankrekening");
    let a = v.may(Permission::KeepBankAccounts, &here)?;
    let st = state.clone();
    let id = org_id.to_string();
    let me = a.clone();
    let (org, current, changes, confirmer) = web::block(move || {
        st.read(|c| {
            let org = organisations::list(c)?
                .into_iter()
                .find(|o| o.id == id)
                .ok_or(app::Error::NotFound("organisation"))?;
            let current = payments::bank_account(c, &st.reads, &a, &id)?;
            let confirmer = payments::confirmer_name(c, &a, &id)?;
            Ok((
                org,
                current,
                payments::account_changes(c, &a, &id)?,
                confirmer,
            ))
        })
    })
    .await??;
    let may_confirm = v.allows(Permission::ConfirmBankAccounts)
        && current
            .as_ref()
            .is_some_and(|r| rules::iban::check_confirm(r, &me.user_id).is_ok() && !r.confirmed());
    let confirmed = current.as_ref().and_then(|r| {
        r.confirmed_at.map(|at| {
            format!(
                "Bevestigd door {} op {}.",
                confirmer
                    .clone()
                    .unwrap_or_else(|| "de financiële administratie".into()),
                dutch_date(amsterdam_date(at))
            )
        })
    });
    let current = current.map(|r| r.account);
    let (iban, holder) = match f {
        Some(f) => (f.iban, f.holder),
        None => current
            .as_ref()
            .map(|c| (c.iban.grouped(), c.holder.clone()))
            .unwrap_or_default(),
    };
    Ok(BankAccountPage {
        l: Layout::new(
            format!(
                "{}Bankrekening — {}",
                if p.is_empty() { "" } else { "Fout: " },
                org.name
            ),
            v,
        ),
        p,
        org_id: org.id.clone(),
        org_name: org.name.clone(),
        current: current.map(|c| (c.iban.grouped(), c.holder)),
        confirmed,
        may_confirm,
        changes: changes
            .iter()
            .map(|ch| {
                (
                    dutch_date(amsterdam_date(ch.changed_at)),
                    rules::iban::Iban::stored(ch.iban.clone()).grouped(),
                    ch.previous_iban
                        .clone()
                        .map(|i| rules::iban::Iban::stored(i).grouped())
                        .unwrap_or_else(|| "—".into()),
                )
            })
            .collect(),
        iban,
        holder,
    })
}

/// `GET /beheer/organisaties/{id}/bankrekening` (programme team and finance).
pub async fn bank_account(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let mut page = bank_account_page(&state, &v, &id, Problems::new(), None).await?;
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

/// `POST /beheer/organisaties/{id}/bankrekening`.
pub async fn set_bank_account(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<BankAccountForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/beheer/organisaties/{id}/bankrekening");
    let actor = post.signed_in(&here)?;
    let Post { v, form: f, .. } = post;
    let (oid, iban, holder) = (id.clone(), f.iban.clone(), f.holder.clone());
    let mut p = Problems::new();
    match kit::write(&state, move |tx| {
        payments::set_bank_account(tx, &actor, &oid, Some(&iban), Some(&holder))
    })
    .await?
    {
        Ok(_) => return Ok(redirect(&v, &format!("{here}?bericht=bankrekening"))),
        Err(errors) => p.extend(Problems::from_fields(&errors, |field| match field {
            "holder" => ("holder".into(), "Ten name van".into()),
            _ => ("iban".into(), "IBAN".into()),
        })),
    }
    let page = bank_account_page(&state, &v, &id, p, Some(f)).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}

/// `POST /beheer/organisaties/{id}/bankrekening/bevestigen` (finance, not who recorded it).
pub async fn confirm_bank_account(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/beheer/organisaties/{id}/bankrekening");
    let actor = post.may(Permission::ConfirmBankAccounts, &here)?;
    let v = post.v;
    let st = state.clone();
    match web::block(move || st.write(|tx| payments::confirm_bank_account(tx, &actor, &id))).await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("{here}?bericht=bankrekening-bevestigd"),
        )),
        Err(app::Error::Domain(d)) => Err(WebError::Refused(d.message_nl())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MetForm {
    #[serde(default)]
    note: String,
    /// `betalingen` to come back to the payments page; else the grant's page.
    #[serde(default)]
    terug: String,
}

/// `POST /subsidies/{id}/voorwaarden/{condition}/voldaan` (programme team): a payment condition
/// is met, with what shows it.
pub async fn meet_condition(
    state: web::Data<App>,
    path: web::Path<(String, String)>,
    post: Post<MetForm>,
) -> Result<HttpResponse, WebError> {
    let (grant, condition) = path.into_inner();
    let back = if post.form.terug == "betalingen" {
        "/betalingen".to_string()
    } else {
        format!("/subsidies/{grant}")
    };
    let actor = post.may(Permission::ManagePayments, &back)?;
    let Post { v, form, .. } = post;
    let st = state.clone();
    match web::block(move || {
        st.write(|tx| payments::meet_condition(tx, &actor, &grant, &condition, &form.note))
    })
    .await?
    {
        Ok(_) => Ok(redirect(&v, &format!("{back}?bericht=voorwaarde-voldaan"))),
        Err(app::Error::Domain(crate::domain::DomainError::Invalid(errors))) => {
            Err(WebError::Refused(
                errors
                    .iter()
                    .map(|e| format!("Waaruit blijkt dat eraan is voldaan: {}", e.message_nl))
                    .collect::<Vec<_>>()
                    .join(" "),
            ))
        }
        Err(app::Error::Domain(d)) => Err(WebError::Refused(d.message_nl())),
        Err(e) => Err(e.into()),
    }
}
