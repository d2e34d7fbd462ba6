//! Paying grants over HTTP: organisations' bank accounts, releasing payments, and batches
//! with their SEPA file.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{read_as, write_as, Bearer, JsonBody};
use super::grants::{payment_dto, Items, PaymentDto};
use super::overview::pick;
use super::problem::ApiError;
use crate::app::payments::{self, BatchView, PaymentLine};
use crate::app::App;
use crate::domain::grant::iban::RecordedAccount;
use crate::domain::grant::{PaymentBatch, PaymentStatus};
use crate::domain::Eur;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccountBody {
    iban: Option<String>,
    holder: Option<String>,
}

#[derive(Debug, Serialize)]
struct BankAccountDto {
    organisation_id: String,
    /// `None` while no account is recorded.
    iban: Option<String>,
    holder: Option<String>,
    /// Whether a second person with the finance role confirmed the account as it is now:
    /// batches pay only into a confirmed account.
    confirmed: bool,
    recorded_by: Option<String>,
    recorded_at: Option<DateTime<Utc>>,
    confirmed_by: Option<String>,
    confirmed_at: Option<DateTime<Utc>>,
}

fn bank_account_dto(organisation_id: String, r: Option<RecordedAccount>) -> BankAccountDto {
    match r {
        None => BankAccountDto {
            organisation_id,
            iban: None,
            holder: None,
            confirmed: false,
            recorded_by: None,
            recorded_at: None,
            confirmed_by: None,
            confirmed_at: None,
        },
        Some(r) => BankAccountDto {
            organisation_id,
            confirmed: r.confirmed(),
            iban: Some(r.account.iban.as_str().to_string()),
            holder: Some(r.account.holder),
            recorded_by: Some(r.recorded_by),
            recorded_at: Some(r.recorded_at),
            confirmed_by: r.confirmed_by,
            confirmed_at: r.confirmed_at,
        },
    }
}

/// `PUT /organisations/{id}/bank-account`: the programme team or finance records the account
/// (it waits for a second person's confirmation).
pub async fn put_bank_account(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
    JsonBody(body): JsonBody<BankAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let org = id.clone();
    let (a, _) = write_as(&state, bearer, move |tx, me| {
        payments::set_bank_account(
            tx,
            &me.actor(),
            &id,
            body.iban.as_deref(),
            body.holder.as_deref(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(bank_account_dto(org, Some(a))))
}

/// `POST /organisations/{id}/bank-account/confirm`: finance confirms the account someone else
/// recorded (`409` for one's own).
pub async fn confirm_bank_account(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let org = id.clone();
    let (a, _) = write_as(&state, bearer, move |tx, me| {
        payments::confirm_bank_account(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(bank_account_dto(org, Some(a))))
}

/// `GET /organisations/{id}/bank-account`: for the programme team, finance and the
/// organisation's members; `iban` and `holder` are null while none is recorded.
pub async fn get_bank_account(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let org = id.clone();
    let st = state.clone();
    let (a, _) = read_as(&state, bearer, move |c, me| {
        payments::bank_account(c, &st.reads, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(bank_account_dto(org, a)))
}

#[derive(Debug, Serialize)]
struct PaymentLineDto {
    #[serde(flatten)]
    payment: PaymentDto,
    plan_id: String,
    title: String,
    payee_id: Option<String>,
    payee_name: Option<String>,
    /// Whether the payee has a bank account (a payment is released only into one).
    has_bank_account: bool,
    /// Whether finance confirmed that account (a batch pays only into a confirmed one).
    bank_account_confirmed: bool,
    /// The grant's conditions that come before this payment, met or not.
    conditions: Vec<super::grants::ConditionDto>,
}

fn line_dto(l: &PaymentLine) -> PaymentLineDto {
    PaymentLineDto {
        payment: payment_dto(&l.payment),
        plan_id: l.grant.plan_id.clone(),
        title: l.title.clone(),
        payee_id: l.grant.payee_id.clone(),
        payee_name: l.payee_name.clone(),
        has_bank_account: l.account.is_some(),
        bank_account_confirmed: l.confirmed,
        conditions: l
            .conditions
            .iter()
            .map(super::grants::condition_dto)
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsQuery {
    status: Option<String>,
}

/// `GET /payments?status=due|released|exported|paid` (staff): payments in one status.
pub async fn list_payments(
    state: web::Data<App>,
    bearer: Bearer,
    query: super::extract::Query<PaymentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut more = Vec::new();
    let status = match query.value.status.as_deref() {
        None => Some(PaymentStatus::Due),
        Some(s) => PaymentStatus::parse(s),
    };
    if status.is_none() {
        more.push(crate::domain::FieldError::new(
            "status",
            (
                "must be due, released, exported or paid",
                "kies due, released, exported of paid",
            ),
        ));
    }
    query.checked(more)?;
    let status = status.unwrap_or(PaymentStatus::Due);
    let (all, _) = read_as(&state, bearer, move |c, me| {
        payments::in_status(c, &me.actor(), status)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(line_dto).collect(),
    }))
}

/// `POST /payments/{id}/release`: a due payment may be paid.
pub async fn release(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (p, _) = write_as(&state, bearer, move |tx, me| {
        payments::release(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(payment_dto(&p)))
}

#[derive(Debug, Serialize)]
struct BatchDto {
    id: String,
    status: &'static str,
    total_eur: Eur,
    count: i64,
    execution_date: NaiveDate,
    created_by: String,
    created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<Vec<PaymentLineDto>>,
    /// When the batch is made: the released payments it left out, their account not yet
    /// confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    left_out: Option<Vec<PaymentLineDto>>,
}

fn batch_dto(b: &PaymentBatch, lines: Option<&[PaymentLine]>) -> BatchDto {
    BatchDto {
        id: b.id.clone(),
        status: b.status.as_str(),
        total_eur: b.total,
        count: b.count,
        execution_date: b.execution_date,
        created_by: b.created_by.clone(),
        created_at: b.created_at,
        closed_at: b.closed_at,
        payments: lines.map(|ls| ls.iter().map(line_dto).collect()),
        left_out: None,
    }
}

fn batch_view_dto(v: &BatchView) -> BatchDto {
    batch_dto(&v.batch, Some(&v.payments))
}

/// `POST /payment-batches` (finance): every released payment not in a batch whose account is
/// confirmed, in a new one (`201`); `left_out` lists those whose account is not.
pub async fn create_batch(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        payments::create_batch(tx, &me.actor(), st.payer.as_ref())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/payment-batches/{}", v.batch.id),
        ))
        .json(BatchDto {
            left_out: Some(v.left_out.iter().map(line_dto).collect()),
            ..batch_view_dto(&v)
        }))
}

/// `GET /payment-batches`: every batch, the newest first (staff).
pub async fn list_batches(state: web::Data<App>, bearer: Bearer) -> Result<HttpResponse, ApiError> {
    let (all, _) = read_as(&state, bearer, |c, me| payments::batches(c, &me.actor())).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: all.iter().map(|b| batch_dto(b, None)).collect(),
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchFormat {
    Json,
    Xml,
}

/// `GET /payment-batches/{id}`: JSON, or with `Accept: application/xml` the `pain.001.001.09`
/// file for the bank.
pub async fn get_batch(
    state: web::Data<App>,
    req: HttpRequest,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let format = pick(
        &req,
        &[
            (BatchFormat::Json, "application/json"),
            (BatchFormat::Xml, "application/xml"),
        ],
    )
    .ok_or_else(|| {
        ApiError::NotAcceptable(
            "a payment batch is served as application/json or application/xml".into(),
        )
    })?;
    let id = path.into_inner();
    match format {
        BatchFormat::Json => {
            let (v, _) = read_as(&state, bearer, move |c, me| {
                payments::batch(c, &me.actor(), &id)
            })
            .await?;
            Ok(HttpResponse::Ok()
                .insert_header((header::VARY, "Accept, Authorization"))
                .json(batch_view_dto(&v)))
        }
        BatchFormat::Xml => {
            let st = state.clone();
            let batch = id.clone();
            let (xml, _) = read_as(&state, bearer, move |c, me| {
                payments::export(c, &me.actor(), &id, st.payer.as_ref())
            })
            .await?;
            let mut file = crate::front::sepa_file(&batch, xml);
            file.headers_mut().insert(
                header::VARY,
                header::HeaderValue::from_static("Accept, Authorization"),
            );
            Ok(file)
        }
    }
}

/// `POST /payment-batches/{id}/paid`: the bank paid it; letters go out.
pub async fn mark_paid(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        payments::mark_paid(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(batch_view_dto(&v)))
}

/// `POST /payment-batches/{id}/cancel`: taken back before it is paid; its payments are
/// released again.
pub async fn cancel(
    state: web::Data<App>,
    bearer: Bearer,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (v, _) = write_as(&state, bearer, move |tx, me| {
        payments::cancel(tx, &me.actor(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(batch_view_dto(&v)))
}
