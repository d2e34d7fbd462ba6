//! The programme team's scoring pages: a reviewer's own evaluation, and the pre-advice with
//! every evaluation and the means beside it.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::form::Problems;
use super::kit::{self, Post};
use super::review::read_plan;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::dossier::{dossier, Dossier};
use crate::app::plans::Expected;
use crate::app::App;
use crate::app::{self, assessment, rounds};
use crate::domain::evaluation::ScoreInput;
use crate::domain::permission::Permission;
use crate::domain::pre_advice::{default_score, PaymentConditionInput, PreAdviceInput};
use crate::domain::round::Round;
use crate::domain::user::Actor;
use crate::domain::{DomainError, Eur};

// ---- the own evaluation ------------------------------------------------------------------------

pub struct CriterionRow {
    pub code: String,
    pub name: String,
    pub description: String,
    /// The options: value and label ("n.v.t." for not applicable).
    pub options: Vec<(String, String)>,
    pub chosen: String,
    pub motivation: String,
    /// The computed suggestion, if any, and why.
    pub suggestion: Option<String>,
    /// The evaluations' mean (pre-advice page).
    pub mean: Option<String>,
    /// Each reviewer's score (pre-advice page).
    pub others: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "web/evaluation.html")]
struct EvaluationPage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    rows: Vec<CriterionRow>,
}

/// Per criterion code: the score chosen (as posted, "nvt" for not applicable) and the
/// motivation.
type ChosenScores = HashMap<String, (String, String)>;

fn options(scale_max: i32) -> Vec<(String, String)> {
    let mut o = vec![("nvt".to_string(), "niet van toepassing".to_string())];
    o.extend((0..=scale_max).map(|n| (n.to_string(), n.to_string())));
    o
}

fn criterion_rows(d: &Dossier, chosen: &ChosenScores) -> Vec<CriterionRow> {
    let means: HashMap<&str, Option<f64>> = d
        .evaluations
        .means
        .iter()
        .map(|m| (m.criterion.as_str(), m.mean))
        .collect();
    d.round
        .spec
        .catalog
        .criteria
        .iter()
        .map(|c| {
            let (score, motivation) = chosen.get(&c.code).cloned().unwrap_or_default();
            CriterionRow {
                code: c.code.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                options: options(c.scale_max),
                chosen: score,
                motivation,
                suggestion: d
                    .evaluations
                    .suggestions
                    .iter()
                    .find(|s| s.criterion == c.code)
                    .map(|s| format!("{} — {}", s.score, s.reason_nl)),
                mean: means
                    .get(c.code.as_str())
                    .copied()
                    .flatten()
                    .map(|m| format!("{m:.1}").replace('.', ",")),
                others: d
                    .evaluations
                    .evaluations
                    .iter()
                    .map(|e| {
                        (
                            d.people
                                .get(&e.reviewer_id)
                                .cloned()
                                .unwrap_or_else(|| "beoordelaar".into()),
                            e.scores
                                .iter()
                                .find(|s| s.criterion == c.code)
                                .map(|s| {
                                    s.score
                                        .map(|n| n.to_string())
                                        .unwrap_or_else(|| "n.v.t.".into())
                                })
                                .unwrap_or_else(|| "—".into()),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Reads a posted score list (`score_<CODE>`, `motivatie_<CODE>`) in the round's criteria's
/// order; "nvt" is not applicable, anything else not a number is kept as typed and named.
fn posted_scores(
    round: &Round,
    form: &HashMap<String, String>,
    p: &mut Problems,
) -> (Vec<ScoreInput>, ChosenScores) {
    let mut scores = Vec::new();
    let mut kept = HashMap::new();
    for c in &round.spec.catalog.criteria {
        let raw = form
            .get(&format!("score_{}", c.code))
            .cloned()
            .unwrap_or_default();
        let motivation = form
            .get(&format!("motivatie_{}", c.code))
            .cloned()
            .unwrap_or_default();
        let score = match raw.as_str() {
            "nvt" => None,
            "" => {
                p.add(
                    format!("score_{}", c.code),
                    c.name.clone(),
                    "Kies een score, of niet van toepassing.",
                );
                None
            }
            n => match n.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.add(
                        format!("score_{}", c.code),
                        c.name.clone(),
                        "Kies een score uit de lijst.",
                    );
                    None
                }
            },
        };
        kept.insert(c.code.clone(), (raw, motivation.clone()));
        scores.push(ScoreInput {
            criterion: c.code.clone(),
            score,
            motivation,
        });
    }
    (scores, kept)
}

async fn load_dossier(
    state: &web::Data<App>,
    actor: &Actor,
    id: &str,
) -> Result<Dossier, WebError> {
    let st = state.clone();
    let a = actor.clone();
    let pid = id.to_string();
    Ok(web::block(move || st.read(|c| dossier(c, &st.similar, &st.reads, &a, &pid))).await??)
}

/// `GET /plannen/{id}/beoordeling`: the reviewer's own scores, with the suggestions.
pub async fn evaluation_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(
        Permission::EvaluatePlans,
        &format!("/plannen/{id}/beoordeling"),
    )?;
    let d = load_dossier(&state, &actor, &id).await?;
    let mine: ChosenScores = d
        .evaluations
        .evaluations
        .iter()
        .find(|e| e.reviewer_id == actor.user_id)
        .map(|e| {
            e.scores
                .iter()
                .map(|s| {
                    (
                        s.criterion.clone(),
                        (
                            s.score
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| "nvt".into()),
                            s.motivation.clone(),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = EvaluationPage {
        l: Layout::new("Beoordeling", &v),
        p: Problems::new(),
        id,
        title: d.view.plan.content.title.clone(),
        rows: criterion_rows(&d, &mine),
    };
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/beoordeling`: saves (or replaces) the reviewer's evaluation.
pub async fn evaluate(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::EvaluatePlans,
        &format!("/plannen/{id}/beoordeling"),
    )?;
    let Post { v, form, .. } = post;
    let d = load_dossier(&state, &actor, &id).await?;
    let mut p = Problems::new();
    let (scores, kept) = posted_scores(&d.round, &form, &mut p);
    if p.is_empty() {
        let pid = id.clone();
        let a = actor.clone();
        match kit::write(&state, move |tx| {
            assessment::evaluate(tx, &a, &pid, Some(scores))
        })
        .await?
        {
            Ok(_) => return Ok(redirect(&v, &format!("/plannen/{id}?bericht=beoordeeld"))),
            Err(errors) => {
                p.extend(Problems::from_fields(&errors, |path| {
                    score_field(&d.round, path)
                }));
            }
        }
    }
    let page = EvaluationPage {
        l: Layout::new("Fout: Beoordeling", &v),
        rows: criterion_rows(&d, &kept),
        p,
        id,
        title: d.view.plan.content.title.clone(),
    };
    render(&v, StatusCode::BAD_REQUEST, &page)
}

/// The form field of a domain error's path in a score list (`scores[2].score`).
fn score_field(round: &Round, path: &str) -> (String, String) {
    let criteria = &round.spec.catalog.criteria;
    let index = path
        .strip_prefix("scores[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    match index.and_then(|i| criteria.get(i)) {
        Some(c) if path.ends_with("motivation") => {
            (format!("motivatie_{}", c.code), c.name.clone())
        }
        Some(c) => (format!("score_{}", c.code), c.name.clone()),
        None => match path {
            "recommendation" => ("recommendation".into(), "Advies".into()),
            "proposed_eur" => ("proposed_eur".into(), "Voorgesteld bedrag (€)".into()),
            "motivation" => ("motivation".into(), "Motivering".into()),
            "conditions" => ("conditions".into(), "Voorwaarden".into()),
            other if other.starts_with("payment_conditions[") => {
                let n = other
                    .trim_start_matches("payment_conditions[")
                    .split(']')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
                let field = if other.ends_with(".before") {
                    format!("voorwaarde_{n}_voor")
                } else {
                    format!("voorwaarde_{n}")
                };
                (field, format!("Voorwaarde voor betaling {}", n + 1))
            }
            "requested_eur" => ("proposed_eur".into(), "Gevraagde bijdrage".into()),
            other => (
                criteria
                    .first()
                    .map(|c| format!("score_{}", c.code))
                    .unwrap_or_else(|| other.to_string()),
                "Scores".into(),
            ),
        },
    }
}

// ---- the pre-advice ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "web/pre_advice.html")]
struct PreAdvicePage {
    l: Layout,
    p: Problems,
    id: String,
    title: String,
    version: i64,
    reviewers: Vec<String>,
    rows: Vec<CriterionRow>,
    recommendation: String,
    proposed: String,
    /// Beside the amount: what was asked, and what is left of the theme's budget.
    amount_hint: String,
    motivation: String,
    conditions: String,
    /// The rows for payment conditions, as posted.
    payment_conditions: Vec<ConditionRow>,
}

/// A row of the form for a payment condition.
pub struct ConditionRow {
    /// The text field's name (`voorwaarde_0`) and the select's (`voorwaarde_0_voor`).
    tid: String,
    bid: String,
    /// "Voorwaarde 1".
    label: String,
    text: String,
    /// `advance` or `final`.
    before: String,
}

/// How many payment conditions the form offers (the API takes up to
/// `PAYMENT_CONDITIONS_MAX`; more than three on one plan is rare, and the team may post again).
const PAYMENT_CONDITION_ROWS: usize = 3;

/// The payment conditions posted: each row with a text, in order (rows left empty are none),
/// with the form's row number of each (to name the right field in an error).
fn posted_payment_conditions(
    form: &HashMap<String, String>,
) -> (Vec<PaymentConditionInput>, Vec<usize>) {
    (0..PAYMENT_CONDITION_ROWS)
        .filter_map(|i| {
            let text = form.get(&format!("voorwaarde_{i}"))?.trim().to_string();
            (!text.is_empty()).then(|| {
                (
                    PaymentConditionInput {
                        text: Some(text),
                        before: form.get(&format!("voorwaarde_{i}_voor")).cloned(),
                    },
                    i,
                )
            })
        })
        .unzip()
}

/// `payment_conditions[n]…` of the n-th condition posted, as the form's row it came from.
fn in_form_rows(path: &str, rows: &[usize]) -> String {
    let Some(rest) = path.strip_prefix("payment_conditions[") else {
        return path.to_string();
    };
    let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
    let row = n
        .parse::<usize>()
        .ok()
        .and_then(|n| rows.get(n).copied())
        .unwrap_or(0);
    format!("payment_conditions[{row}]{tail}")
}

async fn pre_advice_page_for(
    state: &web::Data<App>,
    v: &Visitor,
    actor: &Actor,
    id: &str,
    posted: Option<(ChosenScores, &HashMap<String, String>)>,
    p: Problems,
) -> Result<PreAdvicePage, WebError> {
    let d = load_dossier(state, actor, id).await?;
    let st = state.clone();
    let a = actor.clone();
    let rid = d.round.id.clone();
    let budget = web::block(move || st.read(|c| rounds::budget(c, &a, &rid))).await??;
    let line = d
        .view
        .plan
        .budget_line
        .as_deref()
        .and_then(|t| budget.iter().find(|b| b.theme == t));
    let requested = d
        .view
        .plan
        .content
        .requested_eur
        .and_then(|e| Eur::parse(e).ok());
    // Prefilled: the scores from the evaluations' means, the amount asked for.
    let (chosen, form) = match posted {
        Some((kept, form)) => (kept, Some(form)),
        None => (
            d.evaluations
                .means
                .iter()
                .map(|m| {
                    (
                        m.criterion.clone(),
                        (
                            default_score(m).map(|n| n.to_string()).unwrap_or_default(),
                            String::new(),
                        ),
                    )
                })
                .collect(),
            None,
        ),
    };
    let get = |k: &str, default: String| form.and_then(|f| f.get(k).cloned()).unwrap_or(default);
    let mut reviewers: Vec<String> = d
        .evaluations
        .evaluations
        .iter()
        .map(|e| {
            d.people
                .get(&e.reviewer_id)
                .cloned()
                .unwrap_or_else(|| "beoordelaar".into())
        })
        .collect();
    reviewers.dedup();
    Ok(PreAdvicePage {
        l: Layout::new(
            if p.is_empty() {
                "Pre-advies".to_string()
            } else {
                "Fout: Pre-advies".to_string()
            },
            v,
        ),
        id: id.to_string(),
        title: d.view.plan.content.title.clone(),
        version: d.view.version_for(actor),
        reviewers,
        rows: criterion_rows(&d, &chosen),
        recommendation: get("recommendation", String::new()),
        proposed: get(
            "proposed_eur",
            requested.map(|e| e.value().to_string()).unwrap_or_default(),
        ),
        amount_hint: format!(
            "Gevraagd: {}. Hoogstens het gevraagde bedrag. Nog vrij in het budget{}: {}.",
            requested
                .map(|e| e.format_nl())
                .unwrap_or_else(|| "—".into()),
            line.map(|b| format!(" van {}", b.name)).unwrap_or_default(),
            line.map(|b| b.remaining.format_nl())
                .unwrap_or_else(|| "—".into()),
        ),
        motivation: get("motivation", String::new()),
        conditions: get("conditions", String::new()),
        payment_conditions: (0..PAYMENT_CONDITION_ROWS)
            .map(|i| ConditionRow {
                tid: format!("voorwaarde_{i}"),
                bid: format!("voorwaarde_{i}_voor"),
                label: format!("Voorwaarde {}", i + 1),
                text: get(&format!("voorwaarde_{i}"), String::new()),
                before: get(&format!("voorwaarde_{i}_voor"), "advance".into()),
            })
            .collect(),
        p,
    })
}

/// `GET /plannen/{id}/pre-advies`: every evaluation side by side with the means, and the
/// pre-advice form prefilled from them.
pub async fn pre_advice_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = v.may(
        Permission::ReviewPlans,
        &format!("/plannen/{id}/pre-advies"),
    )?;
    let page = pre_advice_page_for(&state, &v, &actor, &id, None, Problems::new()).await?;
    render(&v, StatusCode::OK, &page)
}

/// `POST /plannen/{id}/pre-advies`: records the pre-advice.
pub async fn pre_advise(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(
        Permission::ReviewPlans,
        &format!("/plannen/{id}/pre-advies"),
    )?;
    let Post { v, form, .. } = post;
    let (view, round) = read_plan(&state, &actor, &id).await?;
    let mut p = Problems::new();
    let (scores, kept) = posted_scores(&round, &form, &mut p);
    let proposed = form
        .get("proposed_eur")
        .map(|s| s.trim().replace(['.', ' ', '€'], ""))
        .unwrap_or_default();
    let proposed_eur = if proposed.is_empty() {
        None
    } else {
        match proposed.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add(
                    "proposed_eur",
                    "Voorgesteld bedrag (€)",
                    "Vul een bedrag in hele euro's in, bijvoorbeeld 7500.",
                );
                None
            }
        }
    };
    let (conditions, rows) = posted_payment_conditions(&form);
    if p.is_empty() {
        let input = PreAdviceInput {
            recommendation: form
                .get("recommendation")
                .cloned()
                .filter(|r| !r.is_empty()),
            proposed_eur,
            motivation: form.get("motivation").cloned().unwrap_or_default(),
            conditions: form.get("conditions").cloned().unwrap_or_default(),
            scores,
            payment_conditions: conditions,
        };
        let st = state.clone();
        let pid = id.clone();
        let a = actor.clone();
        let expected = Expected::Versions(vec![form.get("versie").cloned().unwrap_or_default()]);
        match web::block(move || {
            st.write(|tx| assessment::record_pre_advice(tx, &a, &pid, &input, Some(&expected)))
        })
        .await?
        {
            Ok(_) => return Ok(redirect(&v, &format!("/plannen/{id}?bericht=pre-advies"))),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |path| {
                    score_field(&round, &in_form_rows(path, &rows))
                }));
            }
            Err(app::Error::Domain(d)) => p.add("recommendation", "Pre-advies", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let _ = view;
    let page = pre_advice_page_for(&state, &v, &actor, &id, Some((kept, &form)), p).await?;
    render(&v, StatusCode::BAD_REQUEST, &page)
}
