//! `GET /rounds/{id}/overview`: the "Overzicht acties" as JSON, CSV or HTML, by `Accept`.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Auth;
use super::plans::{content_of, status_of};
use super::rounds::catalog_of;
use super::AppState;
use crate::db::repo;
use crate::domain::overview::{build, Action};
use crate::domain::plan::PartyRef;
use crate::domain::state::PlanStatus;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::publish;

/// The representations served, in the order preferred when the client likes several equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    Csv,
}

const FORMATS: [(Format, &str); 3] = [
    (Format::Json, "application/json"),
    (Format::Html, "text/html"),
    (Format::Csv, "text/csv"),
];

/// Picks the representation from `Accept` (q-values honoured; none or `*/*` is JSON);
/// None when nothing offered is acceptable (406).
pub fn negotiate(accept: Option<&str>) -> Option<Format> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Some(Format::Json);
    };
    let mut best: Option<(f32, usize, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.trim().parse::<f32>().ok())
            })
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        for (rank, (format, name)) in FORMATS.iter().enumerate() {
            let (kind, _) = name.split_once('/').unwrap_or((name, ""));
            let matches = media == *name || media == "*/*" || media == format!("{kind}/*");
            // An exact type beats a wildcard at the same q.
            let specificity = if media == *name { 0 } else { 1 };
            if matches {
                let key = (q, specificity * 10 + rank);
                let better = match best {
                    None => true,
                    Some((bq, brank, _)) => key.0 > bq || (key.0 == bq && key.1 < brank),
                };
                if better {
                    best = Some((key.0, key.1, *format));
                }
            }
        }
    }
    best.map(|b| b.2)
}

fn party_name(p: &PartyRef, names: &HashMap<String, String>) -> String {
    match p {
        PartyRef::Registered { organisation_id } => names
            .get(organisation_id)
            .cloned()
            .unwrap_or_else(|| organisation_id.clone()),
        PartyRef::Named { name } => name.trim().to_string(),
    }
}

/// `GET /rounds/{id}/overview`: public once the round is adopted; before that a draft for the
/// programme team only (404 to anyone else).
pub async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Option<Auth>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = negotiate(accept).ok_or_else(|| {
        AppError::NotAcceptable(
            "this overview is served as application/json, text/csv or text/html".into(),
        )
    })?;
    let id = path.into_inner();
    let team = auth
        .as_ref()
        .is_some_and(|a| a.actor.has(Role::ProgrammeTeam));
    let db = state.db.clone();
    let (round, plans, names) = web::block(move || {
        db.read(|c| {
            let round = repo::find_round(c, &id)?.ok_or_else(|| AppError::not_found("round"))?;
            if round.adopted_on.is_none() && !team {
                return Err(AppError::not_found("round overview"));
            }
            let plans = repo::round_plans(c, &round.id)?;
            let names: HashMap<String, String> = repo::list_organisations(c)?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect();
            Ok((round, plans, names))
        })
    })
    .await??;
    let mut actions = Vec::new();
    for p in &plans {
        if !matches!(status_of(p)?, PlanStatus::Approved | PlanStatus::Adopted) {
            continue;
        }
        let c = content_of(p)?;
        actions.push(Action {
            plan_id: p.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            goals: c.goals.clone(),
            lead_partner: c.lead_partner.as_ref().map(|l| party_name(l, &names)),
            partners: c.partners.iter().map(|x| party_name(x, &names)).collect(),
            continuing: c.continuing,
            programme_funding_eur: p.granted_eur.unwrap_or_default(),
            other_funding_eur: c.other_funding.iter().map(|f| f.amount_eur).sum(),
            other_funding: c.other_funding.clone(),
            start_year: c.start_year,
            end_year: c.end_year,
            budget_line: p.budget_line.clone().unwrap_or_default(),
        });
    }
    let o = build(
        &round.id,
        &round.name,
        round.adopted_on,
        round.adoption_reference.as_deref(),
        &catalog_of(&round)?,
        actions,
    );
    let mut answer = HttpResponse::Ok();
    answer.insert_header((header::VARY, "Accept, Authorization"));
    // The published overview may be cached; a draft may not.
    if round.adopted_on.is_some() {
        answer.insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    }
    Ok(match format {
        Format::Json => answer.json(o),
        Format::Csv => answer
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                "inline; filename=\"overzicht-acties.csv\"",
            ))
            .body(publish::csv(&o)),
        Format::Html => answer
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(publish::html(&o)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_chooses_the_representation() {
        assert_eq!(negotiate(None), Some(Format::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Format::Json));
        assert_eq!(negotiate(Some("text/csv")), Some(Format::Csv));
        assert_eq!(
            negotiate(Some(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            )),
            Some(Format::Html)
        );
        assert_eq!(
            negotiate(Some("application/json;q=0.5, text/csv")),
            Some(Format::Csv)
        );
        assert_eq!(negotiate(Some("text/*")), Some(Format::Html));
        assert_eq!(negotiate(Some("application/pdf")), None);
        assert_eq!(negotiate(Some("text/csv;q=0")), None);
    }
}
