//! A round's pages for staff: the budget per theme, the ranking against the budget, and the
//! college's adoption (programme team).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::Post;
use super::public::Flash;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::adoptions::{self, AdoptionInput};
use crate::app::App;
use crate::app::{self, reservations, rounds};
use crate::domain::calendar::{amsterdam_date, dutch_date, dutch_date_time};
use crate::domain::permission;
use crate::domain::permission::Permission;
use crate::domain::state::PlanStatus;
use crate::domain::DomainError;

pub struct BudgetRow {
    pub name: String,
    pub budget: String,
    pub requested: String,
    pub proposed: String,
    pub granted: String,
    pub reserved: String,
    pub remaining: String,
    /// For the bar: granted and budget in whole euros.
    pub granted_value: i64,
    pub budget_value: i64,
}

/// A standing reservation as the budget page lists it.
pub struct ReservationLine {
    pub id: String,
    pub theme: String,
    pub amount: String,
    pub purpose: String,
    /// The plan it holds its money for, once turned into one.
    pub plan_id: Option<String>,
}

#[derive(Template)]
#[template(path = "web/budget.html")]
struct BudgetPage {
    l: Layout,
    p: Problems,
    round_id: String,
    round_name: String,
    rows: Vec<BudgetRow>,
    reservations: Vec<ReservationLine>,
    /// The programme team reserves and releases; the board reads.
    team: bool,
    themes: Vec<(String, String)>,
    theme: String,
    amount: String,
    purpose: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReservationForm {
    #[serde(default)]
    theme: String,
    #[serde(default)]
    amount_eur: String,
    #[serde(default)]
    purpose: String,
}

async fn budget_page(
    state: &web::Data<App>,
    v: &Visitor,
    id: &str,
    f: ReservationForm,
    p: Problems,
) -> Result<BudgetPage, WebError> {
    let actor = v.may(Permission::SeeAssessment, &format!("/rondes/{id}/budget"))?;
    let st = state.clone();
    let rid = id.to_string();
    let a = actor.clone();
    let (round, lines, standing) = web::block(move || {
        st.read(|c| {
            let round = rounds::get(c, &rid)?;
            Ok((
                round,
                rounds::budget(c, &a, &rid)?,
                reservations::list(c, &a, &rid)?,
            ))
        })
    })
    .await??;
    let theme_name = |code: &str| {
        round
            .spec
            .catalog
            .theme(code)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    Ok(BudgetPage {
        l: Layout::new(
            format!(
                "{}Budget — {}",
                if p.is_empty() { "" } else { "Fout: " },
                round.spec.name
            ),
            v,
        ),
        p,
        round_id: round.id.clone(),
        round_name: round.spec.name.clone(),
        rows: lines
            .iter()
            .map(|b| BudgetRow {
                name: b.name.clone(),
                budget: b.budget.format_nl(),
                requested: b.requested.format_nl(),
                proposed: b.proposed.format_nl(),
                granted: b.granted.format_nl(),
                reserved: b.reserved.format_nl(),
                remaining: b.remaining.format_nl(),
                granted_value: (b.granted + b.reserved).value(),
                budget_value: b.budget.value(),
            })
            .collect(),
        reservations: standing
            .iter()
            .map(|r| ReservationLine {
                id: r.id.clone(),
                theme: theme_name(&r.theme),
                amount: r.amount.format_nl(),
                purpose: r.purpose.clone(),
                plan_id: r.plan_id.clone(),
            })
            .collect(),
        team: permission::allows(&actor, Permission::ManageReservations),
        themes: round
            .spec
            .catalog
            .themes
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect(),
        theme: f.theme,
        amount: f.amount_eur,
        purpose: f.purpose,
    })
}

/// `GET /rondes/{id}/budget` (programme team and board): per theme the money, with the
/// reservations that stand; the team reserves and releases here.
pub async fn budget(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let mut page =
        budget_page(&state, &v, &id, ReservationForm::default(), Problems::new()).await?;
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

/// `POST /rondes/{id}/reserveringen`: the team reserves part of a theme's budget.
pub async fn reserve(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ReservationForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::ManageReservations,
        &format!("/rondes/{id}/budget"),
    )?;
    let Post { v, form: f, .. } = post;
    let raw = f.amount_eur.trim().replace(['.', ' ', '€'], "");
    let mut p = Problems::new();
    let amount = if raw.is_empty() {
        None
    } else {
        match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add(
                    "amount_eur",
                    "Bedrag (€)",
                    "Vul een bedrag in hele euro's in.",
                );
                None
            }
        }
    };
    if p.is_empty() {
        let st = state.clone();
        let rid = id.clone();
        let (theme, purpose) = (f.theme.clone(), f.purpose.clone());
        match web::block(move || {
            st.write(|tx| {
                reservations::create(tx, &actor, &rid, Some(&theme), amount, Some(&purpose))
            })
        })
        .await?
        {
            Ok(_) => {
                return Ok(redirect(
                    &v,
                    &format!("/rondes/{id}/budget?bericht=gereserveerd"),
                ))
            }
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |f| match f {
                    "theme" => ("theme".into(), "Opgave".into()),
                    "amount_eur" => ("amount_eur".into(), "Bedrag (€)".into()),
                    _ => ("purpose".into(), "Doel van de reservering".into()),
                }));
            }
            Err(app::Error::Domain(d)) => p.add("amount_eur", "Bedrag (€)", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let page = budget_page(&state, &v, &id, f, p).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    ronde: String,
}

/// `POST /reserveringen/{id}/vrijgeven`: the team releases a reservation.
pub async fn release(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ReleaseForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::ManageReservations,
        &format!("/rondes/{}/budget", post.form.ronde),
    )?;
    let Post { v, form: f, .. } = post;
    let st = state.clone();
    web::block(move || st.write(|tx| reservations::release(tx, &actor, &id))).await??;
    let back = super::form::local_path(Some(&format!("/rondes/{}/budget", f.ronde)))
        .unwrap_or_else(|| "/beoordelen".into());
    Ok(redirect(&v, &format!("{back}?bericht=vrijgegeven")))
}

pub struct RankRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub score: i32,
    pub proposed: String,
    pub running: String,
    pub fits: bool,
    /// The first plan past the budget: the line is drawn above it.
    pub line_above: bool,
}

pub struct RankTheme {
    pub name: String,
    pub budget: String,
    /// What standing reservations hold on the theme, when anything.
    pub reserved: Option<String>,
    pub rows: Vec<RankRow>,
}

#[derive(Template)]
#[template(path = "web/ranking.html")]
struct RankingPage {
    l: Layout,
    round_id: String,
    round_name: String,
    themes: Vec<RankTheme>,
}

/// `GET /rondes/{id}/rangorde` (programme team and board).
pub async fn ranking(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(Permission::SeeAssessment, &format!("/rondes/{id}/rangorde"))?;
    let st = state.clone();
    let rid = id.clone();
    let (round, ranked) = web::block(move || {
        st.read(|c| {
            let round = rounds::get(c, &rid)?;
            Ok((round, rounds::ranking(c, &actor, &rid, None)?))
        })
    })
    .await??;
    let themes = round
        .spec
        .catalog
        .themes
        .iter()
        .map(|t| {
            let mut crossed = false;
            RankTheme {
                name: t.name.clone(),
                budget: t.budget_eur.format_nl(),
                reserved: ranked
                    .iter()
                    .find(|r| r.theme == t.code && r.reserved > crate::domain::Eur::ZERO)
                    .map(|r| r.reserved.format_nl()),
                rows: ranked
                    .iter()
                    .filter(|r| r.theme == t.code)
                    .map(|r| {
                        let line_above = !r.fits && !crossed;
                        crossed |= !r.fits;
                        RankRow {
                            id: r.plan_id.clone(),
                            title: r.title.clone(),
                            status: r.status.label_nl(),
                            score: r.total_score,
                            proposed: r.funding.amount_nl(r.proposed),
                            running: r.running_total.format_nl(),
                            fits: r.fits,
                            line_above,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let page = RankingPage {
        l: Layout::new(format!("Rangorde — {}", round.spec.name), &v),
        round_id: round.id.clone(),
        round_name: round.spec.name.clone(),
        themes,
    };
    render(&v, StatusCode::OK, &page)
}

// ---- the adoption ------------------------------------------------------------------------------

pub struct PlanRef {
    pub id: String,
    pub title: String,
    pub status: &'static str,
}

pub struct AdoptionLine {
    pub seq: i32,
    pub date: String,
    pub reference: String,
    pub covered: usize,
}

#[derive(Template)]
#[template(path = "web/adoption.html")]
struct AdoptionPage {
    l: Layout,
    p: Problems,
    round_id: String,
    round_name: String,
    decided: Vec<PlanRef>,
    open: Vec<PlanRef>,
    adoptions: Vec<AdoptionLine>,
    adopted_on: String,
    reference: String,
    deferred: Vec<String>,
    /// While the call is open: until when (the first adoption waits for its close).
    open_until: Option<String>,
    drafts: i64,
    /// Organisations the grants pay that would get no copy of their letters.
    no_copy: Vec<String>,
    confirmed: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct AdoptionForm {
    #[serde(default)]
    adopted_on: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    deferred: Vec<String>,
    /// "Ik leg deze vaststelling vast": the confirmation the page asks.
    #[serde(default)]
    bevestigd: Option<String>,
}

async fn adoption_page(
    state: &web::Data<App>,
    v: &Visitor,
    id: &str,
    f: AdoptionForm,
    p: Problems,
) -> Result<AdoptionPage, WebError> {
    let actor = v.may(
        Permission::RecordAdoption,
        &format!("/rondes/{id}/vaststelling"),
    )?;
    let st = state.clone();
    let rid = id.to_string();
    let (standing, adoptions) = web::block(move || {
        st.read(|c| {
            let standing = adoptions::standing(c, &actor, &rid)?;
            Ok((standing, adoptions::list(c, &actor, &rid)?))
        })
    })
    .await??;
    let adoptions::RoundStanding {
        round,
        plans: standing,
        drafts,
        call_open,
        no_copy,
    } = standing;
    let plan_ref = |p: &crate::domain::plan::Plan| PlanRef {
        id: p.id.clone(),
        title: p.content.title.clone(),
        status: p.status.label_nl(),
    };
    Ok(AdoptionPage {
        l: Layout::new(
            if p.is_empty() {
                "Vaststelling".to_string()
            } else {
                "Fout: Vaststelling".to_string()
            },
            v,
        ),
        p,
        round_id: round.id.clone(),
        round_name: round.spec.name.clone(),
        decided: standing
            .iter()
            .filter(|p| {
                !p.is_published() && matches!(p.status, PlanStatus::Approved | PlanStatus::Rejected)
            })
            .map(plan_ref)
            .collect(),
        open: standing
            .iter()
            .filter(|p| crate::domain::adoption::is_being_assessed(p.status))
            .map(plan_ref)
            .collect(),
        adoptions: adoptions
            .iter()
            .map(|a| AdoptionLine {
                seq: a.adoption.seq,
                date: dutch_date(a.adoption.adopted_on),
                reference: a.adoption.reference.clone(),
                covered: a.covered.len(),
            })
            .collect(),
        adopted_on: if f.adopted_on.is_empty() {
            amsterdam_date(chrono::Utc::now()).to_string()
        } else {
            f.adopted_on
        },
        reference: f.reference,
        deferred: f.deferred,
        open_until: call_open.then(|| dutch_date_time(round.spec.closes_at)),
        drafts,
        no_copy,
        confirmed: f.bevestigd.is_some(),
    })
}

/// `GET /rondes/{id}/vaststelling`: which plans are decided and which still open, the
/// adoptions so far, and the form for the next.
pub async fn adoption(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let mut page = adoption_page(&state, &v, &id, AdoptionForm::default(), Problems::new()).await?;
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

/// `POST /rondes/{id}/vaststelling`: records the college's adoption.
pub async fn adopt(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<AdoptionForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::RecordAdoption,
        &format!("/rondes/{id}/vaststelling"),
    )?;
    let Post { v, form: f, .. } = post;
    let mut p = Problems::new();
    let adopted_on = match chrono::NaiveDate::parse_from_str(f.adopted_on.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) if f.adopted_on.trim().is_empty() => None,
        Err(_) => {
            p.add(
                "adopted_on",
                "Datum van het collegebesluit",
                "Vul een datum in als 2026-01-27.",
            );
            None
        }
    };
    if f.bevestigd.is_none() {
        p.add(
            "bevestigd",
            "Bevestiging",
            "Vink aan dat u deze vaststelling vastlegt: daarna gaan de besluitbrieven weg.",
        );
    }
    if p.is_empty() {
        let input = AdoptionInput {
            adopted_on,
            reference: Some(f.reference.clone()),
            deferred: f.deferred.clone(),
        };
        let st = state.clone();
        let rid = id.clone();
        match web::block(move || st.write(|tx| adoptions::adopt(tx, &actor, &rid, input))).await? {
            Ok(_) => {
                return Ok(redirect(
                    &v,
                    &format!("/rondes/{id}/vaststelling?bericht=vastgesteld"),
                ))
            }
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |f| match f {
                    "adopted_on" => ("adopted_on".into(), "Datum van het collegebesluit".into()),
                    "reference" => ("reference".into(), "Kenmerk van het besluit".into()),
                    _ => ("deferred".into(), "Uitgestelde plannen".into()),
                }));
            }
            Err(app::Error::Domain(d @ DomainError::Undecided { .. })) => {
                p.add("deferred", "Plannen in behandeling", d.message_nl());
            }
            Err(app::Error::Domain(d)) => p.add("adopted_on", "Vaststelling", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let page = adoption_page(&state, &v, &id, f, p).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}
