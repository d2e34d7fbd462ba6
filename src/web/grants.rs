//! After adoption, in the browser: the grants (for the applicant: payments and the report
//! forms; for the team: due reports and the final amount), the payments and their batches,
//! an organisation's bank account, and a round's results.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::form::{euros, Problems};
use super::kit::Post;
use super::public::Flash;
use super::session::Pending;
use super::{redirect, render, with_visitor, Layout, Visitor, WebError};
use crate::app;
use crate::app::grants::{self, GrantView};
use crate::app::App;
use crate::domain::calendar::{amsterdam_date, dutch_date};
use crate::domain::grant::conditions::{before_nl, GrantCondition};
use crate::domain::grant::steps;
use crate::domain::grant::{self as rules, ReportInput, SpentInput, PROGRAMME_SOURCE};
use crate::domain::permission::{self, Permission};
use crate::domain::DomainError;
use crate::publish::results::{self, ResultsView};

pub struct GrantRow {
    pub id: String,
    pub plan_id: String,
    pub title: String,
    pub status: &'static str,
    pub amount: String,
    pub paid: String,
    pub payee: String,
    pub next_report: String,
}

fn row(v: &GrantView) -> GrantRow {
    let today = amsterdam_date(Utc::now());
    let next = v.reports.iter().find(|r| r.filed.is_none());
    GrantRow {
        id: v.grant.id.clone(),
        plan_id: v.grant.plan_id.clone(),
        title: v.title.clone(),
        status: v.grant.status.label_nl(),
        amount: v.grant.amount.format_nl(),
        paid: v.progress().paid.format_nl(),
        payee: v
            .payee_name
            .clone()
            .unwrap_or_else(|| "nog niet bekend".into()),
        next_report: match next {
            Some(r) if rules::overdue(r, today) => format!(
                "{} (was uiterlijk {}: te laat)",
                r.kind.label_nl(),
                dutch_date(r.due_on)
            ),
            Some(r) => format!("{}, uiterlijk {}", r.kind.label_nl(), dutch_date(r.due_on)),
            None => "—".into(),
        },
    }
}

pub struct DueRow {
    pub grant_id: String,
    pub title: String,
    pub kind: &'static str,
    pub due: String,
    pub late: bool,
}

#[derive(Template)]
#[template(path = "web/grants.html")]
struct GrantsPage {
    l: Layout,
    rows: Vec<GrantRow>,
    due: Vec<DueRow>,
    staff: bool,
}

/// `GET /subsidies`: the grants the visitor may read; for staff also the reports due soon or
/// late.
pub async fn list(
    state: web::Data<App>,
    pending: Pending,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let (v, (all, due)) = with_visitor(&state, pending, |c, v| {
        let a = v.require("/subsidies")?.actor();
        let all = grants::list(c, &a, None)?;
        let due = if permission::allows(&a, Permission::SeeGrants) {
            grants::due_reports(c, &a, amsterdam_date(Utc::now()))?
        } else {
            Vec::new()
        };
        Ok((all, due))
    })
    .await?;
    let today = amsterdam_date(Utc::now());
    let is_staff = v.allows(Permission::SeeGrants);
    let page = GrantsPage {
        l: Layout::new("Subsidies", &v).with_flash(super::flash(q.bericht.as_deref())),
        rows: all.iter().map(row).collect(),
        due: due
            .iter()
            .map(|(r, g)| DueRow {
                grant_id: g.grant.id.clone(),
                title: g.title.clone(),
                kind: r.kind.label_nl(),
                due: dutch_date(r.due_on),
                late: rules::overdue(r, today),
            })
            .collect(),
        staff: is_staff,
    };
    render(&v, StatusCode::OK, &page)
}

pub struct PaymentRow {
    pub id: String,
    pub kind: &'static str,
    pub amount: String,
    pub status: &'static str,
    pub when: String,
    pub releasable: bool,
}

pub struct FiledView {
    pub on: String,
    pub done: String,
    pub reach: i64,
    pub spent: Vec<(String, String)>,
    pub stopped_reason: Option<String>,
}

pub struct ReportView {
    pub id: String,
    pub kind: &'static str,
    pub due: String,
    pub status: &'static str,
    pub late: bool,
    pub filed: Option<FiledView>,
    /// Each attachment: its name, where it is downloaded and where it is removed.
    pub attachments: Vec<AttachmentView>,
    /// The applicant may add attachments (and remove them) now.
    pub can_attach: bool,
    /// Room for another: fewer than the most a report carries.
    pub room: bool,
}

pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub size: String,
    pub href: String,
    pub remove: String,
}

/// What the report form holds (as typed, when it comes back with problems).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    reach: String,
    #[serde(default)]
    spent_programme: String,
    #[serde(default)]
    spent_source_0: String,
    #[serde(default)]
    spent_amount_0: String,
    #[serde(default)]
    spent_source_1: String,
    #[serde(default)]
    spent_amount_1: String,
    #[serde(default)]
    stopped_reason: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct FinalForm {
    #[serde(default)]
    amount_eur: String,
    #[serde(default)]
    motivation: String,
}

#[derive(Template)]
#[template(path = "web/grant.html")]
pub(super) struct GrantPage {
    l: Layout,
    p: Problems,
    g: GrantRow,
    /// The payment conditions, and whether the visitor records them as met.
    conditions: Vec<ConditionLine>,
    may_meet: bool,
    back: &'static str,
    final_amount: Option<String>,
    final_motivation: Option<String>,
    claim: Option<String>,
    stopped_reason: Option<String>,
    payments: Vec<PaymentRow>,
    reports: Vec<ReportView>,
    /// The applicant: files reports and adds attachments.
    owner: bool,
    /// Which reports can be filed now, as (kind, label).
    fileable: Vec<(&'static str, &'static str)>,
    can_settle: bool,
    /// The final report's programme spending, suggested as the final amount ("€ 3.850").
    suggested: String,
    form: ReportForm,
    fin: FinalForm,
}

/// A payment condition as pages show it.
pub struct ConditionLine {
    pub id: String,
    pub grant_id: String,
    pub text: String,
    /// "vóór het voorschot".
    pub before: &'static str,
    /// "op 3 maart 2026: brief van Vidomes", once met.
    pub met: Option<String>,
}

pub fn condition_line(c: &GrantCondition) -> ConditionLine {
    ConditionLine {
        id: c.id.clone(),
        grant_id: c.grant_id.clone(),
        text: c.text.clone(),
        before: before_nl(c.before),
        met: c.met_on.map(|on| {
            if c.note.is_empty() {
                format!("op {}.", dutch_date(on))
            } else {
                format!("op {}: {}", dutch_date(on), c.note)
            }
        }),
    }
}

pub(super) fn grant_page(
    v: &Visitor,
    view: GrantView,
    p: Problems,
    form: ReportForm,
    fin: FinalForm,
) -> GrantPage {
    let today = amsterdam_date(Utc::now());
    let actor = v.account().map(|a| a.actor());
    let owner = actor
        .as_ref()
        .is_some_and(|a| steps::check_reporter(a, &view.owner_id).is_ok());
    let running = view.grant.status == rules::GrantStatus::Running;
    let fileable = steps::fileable(&view.grant, &view.reports)
        .into_iter()
        .map(|k| (k.as_str(), k.label_nl()))
        .collect();
    let suggested_eur = steps::suggested_final_amount(&view.grant, &view.reports);
    let fin = if fin.amount_eur.is_empty() && fin.motivation.is_empty() {
        FinalForm {
            amount_eur: suggested_eur
                .map(|e| e.value().to_string())
                .unwrap_or_default(),
            ..fin
        }
    } else {
        fin
    };
    GrantPage {
        l: Layout::new(
            format!(
                "{}Subsidie — {}",
                if p.is_empty() { "" } else { "Fout: " },
                view.title
            ),
            v,
        ),
        p,
        g: row(&view),
        conditions: view.conditions.iter().map(condition_line).collect(),
        may_meet: v.allows(Permission::ManagePayments),
        back: "subsidie",
        final_amount: view.grant.final_amount.map(|e| e.format_nl()),
        final_motivation: view.grant.final_motivation.clone(),
        claim: view.grant.claim.map(|e| e.format_nl()),
        stopped_reason: view.grant.stopped_reason.clone(),
        payments: view
            .payments
            .iter()
            .map(|pay| PaymentRow {
                id: pay.id.clone(),
                kind: pay.kind.label_nl(),
                amount: pay.amount.format_nl(),
                status: pay.status.label_nl(),
                when: pay
                    .paid_at
                    .or(pay.released_at)
                    .map(|t| dutch_date(amsterdam_date(t)))
                    .unwrap_or_default(),
                releasable: actor.as_ref().is_some_and(|a| steps::may_release(a, pay)),
            })
            .collect(),
        reports: view
            .reports
            .iter()
            .map(|r| ReportView {
                id: r.id.clone(),
                kind: r.kind.label_nl(),
                due: dutch_date(r.due_on),
                status: r.status().label_nl(),
                late: rules::overdue(r, today) && running,
                filed: r.filed.as_ref().map(|f| FiledView {
                    on: dutch_date(amsterdam_date(f.filed_at)),
                    done: f.done.clone(),
                    reach: f.reach,
                    spent: f
                        .spent
                        .iter()
                        .map(|s| (results::source_nl(&s.source), s.amount_eur.format_nl()))
                        .collect(),
                    stopped_reason: f.stopped_reason.clone(),
                }),
                attachments: r
                    .attachments
                    .iter()
                    .map(|a| AttachmentView {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        size: super::attachments::size_nl(a.size),
                        href: format!("/verslagen/{}/bijlagen/{}", r.id, a.id),
                        remove: format!("/verslagen/{}/bijlagen/{}/verwijderen", r.id, a.id),
                    })
                    .collect(),
                can_attach: actor
                    .as_ref()
                    .is_some_and(|a| steps::check_attach(a, &view.owner_id, r).is_ok()),
                room: actor
                    .as_ref()
                    .is_some_and(|a| steps::check_append(a, &view.owner_id, r).is_ok()),
            })
            .collect(),
        owner,
        fileable,
        can_settle: actor
            .as_ref()
            .is_some_and(|a| steps::may_settle(a, &view.grant, &view.reports)),
        suggested: suggested_eur.map(|e| e.format_nl()).unwrap_or_default(),
        form,
        fin,
    }
}

/// `GET /subsidies/{id}`: a grant, its payments and reports, with the forms the visitor may
/// use.
pub async fn show(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let here = format!("/subsidies/{id}");
    let (v, view) = with_visitor(&state, pending, move |c, v| {
        let a = v.require(&here)?.actor();
        Ok(grants::get(c, &a, &id)?)
    })
    .await?;
    let mut page = grant_page(
        &v,
        view,
        Problems::new(),
        ReportForm::default(),
        FinalForm::default(),
    );
    page.l = page.l.with_flash(super::flash(q.bericht.as_deref()));
    render(&v, StatusCode::OK, &page)
}

async fn reload(state: &web::Data<App>, v: &Visitor, id: &str) -> Result<GrantView, WebError> {
    let a = v.require(&format!("/subsidies/{id}"))?.actor();
    let st = state.clone();
    let id = id.to_string();
    Ok(web::block(move || st.read(|c| grants::get(c, &a, &id))).await??)
}

/// The form's fields as the use case takes them; `where_` maps each `spent[i]` back to the
/// form field it came from.
fn report_input(
    f: &ReportForm,
    p: &mut Problems,
) -> (ReportInput, Vec<(&'static str, &'static str)>) {
    let mut spent = Vec::new();
    let mut where_ = Vec::new();
    match euros(&f.spent_programme) {
        Ok(Some(a)) => {
            spent.push(SpentInput {
                source: Some(PROGRAMME_SOURCE.into()),
                amount_eur: Some(a),
            });
            where_.push((
                "spent_programme",
                "Besteed uit de bijdrage van het programma",
            ));
        }
        Ok(None) => {}
        Err(_) => p.add(
            "spent_programme",
            "Besteed uit de bijdrage van het programma",
            "Vul een bedrag in hele euro's in.",
        ),
    }
    for (source, amount, sid, aid) in [
        (
            &f.spent_source_0,
            &f.spent_amount_0,
            "spent_source_0",
            "spent_amount_0",
        ),
        (
            &f.spent_source_1,
            &f.spent_amount_1,
            "spent_source_1",
            "spent_amount_1",
        ),
    ] {
        if source.trim().is_empty() && amount.trim().is_empty() {
            continue;
        }
        match euros(amount) {
            Ok(a) => {
                spent.push(SpentInput {
                    source: Some(source.clone()),
                    amount_eur: a,
                });
                where_.push((sid, aid));
            }
            Err(_) => p.add(aid, "Bedrag", "Vul een bedrag in hele euro's in."),
        }
    }
    let reach = if f.reach.trim().is_empty() {
        None
    } else {
        match f.reach.trim().replace('.', "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add(
                    "reach",
                    "Bereik",
                    "Vul een aantal mensen in, als heel getal.",
                );
                Some(0)
            }
        }
    };
    let stopped = !f.stopped_reason.trim().is_empty();
    (
        ReportInput {
            kind: Some(f.kind.clone()),
            done: Some(f.done.clone()),
            reach,
            spent,
            stopped_reason: stopped.then(|| f.stopped_reason.clone()),
        },
        where_,
    )
}

/// `POST /subsidies/{id}/verslag`: the applicant files a report.
pub async fn file_report(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ReportForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.signed_in(&format!("/subsidies/{id}"))?;
    let Post { v, form: f, .. } = post;
    let mut p = Problems::new();
    let (input, where_) = report_input(&f, &mut p);
    let outcome = if p.is_empty() {
        let st = state.clone();
        let gid = id.clone();
        let input = input.clone();
        web::block(move || st.write(|tx| grants::file_report(tx, &actor, &gid, &input))).await?
    } else {
        // What did not read as a number is named already; the rules name every other field
        // in the same answer (nothing is stored).
        let a = v.require(&format!("/subsidies/{id}"))?.actor();
        let (st, gid) = (state.clone(), id.clone());
        web::block(move || st.read(|c| grants::review_report(c, &a, &gid, &input))).await?
    };
    {
        match outcome {
            Ok(_) if p.is_empty() => {
                return Ok(redirect(&v, &format!("/subsidies/{id}?bericht=verslag")))
            }
            Ok(_) => {}
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                let errors: Vec<_> = errors
                    .into_iter()
                    .filter(|e| !(e.field == "reach" && p.has("reach")))
                    .collect();
                p.extend(Problems::from_fields(&errors, |field| {
                    let spent_at = |i: usize, amount: bool| {
                        where_
                            .get(i)
                            .map(|(s, a)| if amount { *a } else { *s })
                            .unwrap_or("spent_programme")
                    };
                    let id = match field {
                        "kind" => "kind",
                        "done" => "done",
                        "reach" => "reach",
                        "stopped_reason" => "stopped_reason",
                        f if f.starts_with("spent[") => {
                            let i = f[6..]
                                .split(']')
                                .next()
                                .and_then(|n| n.parse().ok())
                                .unwrap_or(0);
                            let source = f.ends_with(".source")
                                && where_.get(i).is_some_and(|w| w.0 != "spent_programme");
                            spent_at(i, !source)
                        }
                        _ => "done",
                    };
                    (id.to_string(), report_label(id).to_string())
                }));
            }
            Err(app::Error::Domain(d)) => p.add("kind", "Soort verslag", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let view = reload(&state, &v, &id).await?;
    let page = grant_page(&v, view, p, f, FinalForm::default());
    render(&v, StatusCode::BAD_REQUEST, &page)
}

fn report_label(id: &str) -> &'static str {
    match id {
        "kind" => "Soort verslag",
        "done" => "Wat is er gedaan",
        "reach" => "Bereik",
        "stopped_reason" => "Waarom is de actie gestopt",
        "spent_programme" => "Besteed uit de bijdrage van het programma",
        "spent_source_0" | "spent_source_1" => "Andere bron",
        _ => "Bedrag",
    }
}

/// `POST /subsidies/{id}/vaststelling`: the team sets the final amount.
pub async fn settle(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<FinalForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::SettleGrants, &format!("/subsidies/{id}"))?;
    let Post { v, form: f, .. } = post;
    let mut p = Problems::new();
    let amount = match euros(&f.amount_eur) {
        Ok(a) => a,
        Err(_) => {
            p.add(
                "amount_eur",
                "Vastgesteld bedrag (€)",
                "Vul een bedrag in hele euro's in.",
            );
            None
        }
    };
    if p.is_empty() {
        let st = state.clone();
        let (gid, motivation) = (id.clone(), f.motivation.clone());
        match web::block(move || {
            st.write(|tx| grants::set_final_amount(tx, &actor, &gid, amount, Some(&motivation)))
        })
        .await?
        {
            Ok(_) => {
                return Ok(redirect(
                    &v,
                    &format!("/subsidies/{id}?bericht=subsidie-vastgesteld"),
                ))
            }
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |field| match field {
                    "motivation" => ("motivation".into(), "Motivering".into()),
                    _ => ("amount_eur".into(), "Vastgesteld bedrag (€)".into()),
                }));
            }
            Err(app::Error::Domain(d)) => {
                p.add("amount_eur", "Vastgesteld bedrag (€)", d.message_nl())
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = reload(&state, &v, &id).await?;
    let page = grant_page(&v, view, p, ReportForm::default(), f);
    render(&v, StatusCode::BAD_REQUEST, &page)
}

#[derive(Template)]
#[template(path = "web/results.html")]
struct ResultsPage {
    l: Layout,
    v: ResultsView,
}

/// `GET /rondes/{id}/resultaten`: the round's results, public like the overview.
pub async fn results_page(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (v, (round, themes)) =
        with_visitor(&state, pending, move |c, _| Ok(grants::results(c, &id)?)).await?;
    let page = ResultsPage {
        l: Layout::new(format!("Resultaten — {}", round.spec.name), &v),
        v: results::view(&round, &themes),
    };
    render(&v, StatusCode::OK, &page)
}
