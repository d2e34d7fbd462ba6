//! The programme team creates and edits a round's frame in a form: name, period, window, the
//! legal frame, conditions, themes with budgets and lettered goals, criteria. The same frame
//! may be pasted as the JSON the API takes (`POST /rounds`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::form::{Posted, Problems};
use super::kit::Post;
use super::{redirect, render, Layout, Visitor, WebError};
use crate::app::App;
use crate::app::{self, rounds};
use crate::domain::calendar::{amsterdam_local, from_amsterdam_local};
use crate::domain::permission::Permission;
use crate::domain::round::{CriterionInput, GoalInput, Round, RoundInput, ThemeInput};
use crate::domain::DomainError;

/// The form's format for a moment: `datetime-local`, Amsterdam time.
const LOCAL: &str = "%Y-%m-%dT%H:%M";

pub struct ThemeRow {
    pub i: usize,
    /// The fields' ids (and names).
    pub ids: [String; 7],
    pub code: String,
    pub name: String,
    pub budget: String,
    /// One goal a line: "A: text".
    pub goals: String,
    pub ambition: String,
    pub offer: String,
    pub results: String,
}

pub struct CriterionRow {
    pub i: usize,
    pub ids: [String; 4],
    pub code: String,
    pub name: String,
    pub description: String,
    pub scale: String,
}

#[derive(Template)]
#[template(path = "web/round_form.html")]
struct RoundFormPage {
    l: Layout,
    p: Problems,
    /// `None` for a new round.
    id: Option<String>,
    v: HashMap<String, String>,
    themes: Vec<ThemeRow>,
    criteria: Vec<CriterionRow>,
}

impl RoundFormPage {
    fn value(&self, key: &str) -> String {
        self.v.get(key).cloned().unwrap_or_default()
    }
}

/// A round's frame as the form's fields.
fn fields_of(r: &Round) -> HashMap<String, String> {
    let s = &r.spec;
    let mut v = HashMap::new();
    v.insert("name".into(), s.name.clone());
    v.insert("programme".into(), s.programme.clone());
    v.insert("start_year".into(), s.start_year.to_string());
    v.insert("end_year".into(), s.end_year.to_string());
    v.insert(
        "opens_at".into(),
        amsterdam_local(s.opens_at).format(LOCAL).to_string(),
    );
    v.insert(
        "closes_at".into(),
        amsterdam_local(s.closes_at).format(LOCAL).to_string(),
    );
    v.insert("authority".into(), s.legal.authority.clone());
    v.insert("advance_share".into(), s.advance_share.to_string());
    v.insert("reference_prefix".into(), s.reference_prefix.clone());
    v.insert("legal_basis".into(), s.legal.legal_basis.clone());
    v.insert(
        "objection_address".into(),
        s.legal.objection_address.clone(),
    );
    v.insert("conditions".into(), s.catalog.conditions.join("\n"));
    for (i, t) in s.catalog.themes.iter().enumerate() {
        v.insert(format!("theme_code_{i}"), t.code.clone());
        v.insert(format!("theme_name_{i}"), t.name.clone());
        v.insert(
            format!("theme_budget_{i}"),
            t.budget_eur.value().to_string(),
        );
        v.insert(format!("theme_ambition_{i}"), t.ambition.clone());
        v.insert(format!("theme_offer_{i}"), t.current_offer.clone());
        v.insert(format!("theme_results_{i}"), t.intended_results.clone());
        v.insert(
            format!("theme_goals_{i}"),
            t.goals
                .iter()
                .map(|g| format!("{}: {}", g.code, g.text))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for (i, c) in s.catalog.criteria.iter().enumerate() {
        v.insert(format!("criterion_code_{i}"), c.code.clone());
        v.insert(format!("criterion_name_{i}"), c.name.clone());
        v.insert(format!("criterion_description_{i}"), c.description.clone());
        v.insert(format!("criterion_scale_{i}"), c.scale_max.to_string());
    }
    v
}

/// How many rows of each the form shows: those filled in and one or two empty.
fn rows(v: &HashMap<String, String>, prefix: &str, empty_form: usize) -> usize {
    let filled = (0..50)
        .filter(|i| {
            v.iter().any(|(k, val)| {
                k.starts_with(prefix) && k.ends_with(&format!("_{i}")) && !val.trim().is_empty()
            })
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0);
    if filled == 0 {
        empty_form
    } else {
        filled + 1
    }
}

fn page(
    v_: &Visitor,
    id: Option<String>,
    v: HashMap<String, String>,
    p: Problems,
) -> RoundFormPage {
    let get = |k: String| v.get(&k).cloned().unwrap_or_default();
    let themes = (0..rows(&v, "theme_", 3))
        .map(|i| ThemeRow {
            i,
            ids: [
                "code", "name", "budget", "goals", "ambition", "offer", "results",
            ]
            .map(|f| format!("theme_{f}_{i}")),
            code: get(format!("theme_code_{i}")),
            name: get(format!("theme_name_{i}")),
            budget: get(format!("theme_budget_{i}")),
            goals: get(format!("theme_goals_{i}")),
            ambition: get(format!("theme_ambition_{i}")),
            offer: get(format!("theme_offer_{i}")),
            results: get(format!("theme_results_{i}")),
        })
        .collect();
    let criteria = (0..rows(&v, "criterion_", 4))
        .map(|i| CriterionRow {
            i,
            ids: ["code", "name", "description", "scale"].map(|f| format!("criterion_{f}_{i}")),
            code: get(format!("criterion_code_{i}")),
            name: get(format!("criterion_name_{i}")),
            description: get(format!("criterion_description_{i}")),
            scale: get(format!("criterion_scale_{i}")),
        })
        .collect();
    let title = match (&id, p.is_empty()) {
        (None, true) => "Nieuwe ronde".to_string(),
        (None, false) => "Fout: Nieuwe ronde".to_string(),
        (Some(_), true) => "Ronde bewerken".to_string(),
        (Some(_), false) => "Fout: Ronde bewerken".to_string(),
    };
    RoundFormPage {
        l: Layout::new(title, v_),
        p,
        id,
        v,
        themes,
        criteria,
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "name" => "Naam",
        "programme" => "Programma",
        "start_year" => "Eerste jaar",
        "end_year" => "Laatste jaar",
        "opens_at" => "Open vanaf",
        "closes_at" => "Open tot en met",
        "authority" => "Bevoegd gezag",
        "legal_basis" => "Wettelijke grondslag",
        "objection_address" => "Adres voor bezwaar",
        "advance_share" => "Voorschot (%)",
        "reference_prefix" => "Begin van het kenmerk",
        "conditions" => "Voorwaarden",
        "json" => "JSON",
        f if f.starts_with("theme_code") => "Code van de opgave",
        f if f.starts_with("theme_name") => "Naam van de opgave",
        f if f.starts_with("theme_budget") => "Budget (€)",
        f if f.starts_with("theme_goals") => "Doelen",
        f if f.starts_with("theme_ambition") => "Ambitie",
        f if f.starts_with("theme_offer") => "Wat doen we al",
        f if f.starts_with("theme_results") => "Beoogde resultaten",
        f if f.starts_with("criterion_code") => "Code van het criterium",
        f if f.starts_with("criterion_name") => "Naam van het criterium",
        f if f.starts_with("criterion_description") => "Toelichting",
        f if f.starts_with("criterion_scale") => "Hoogste score",
        _ => "Ronde",
    }
}

/// The form field of a domain error's path (`themes[1].goals[0].text`, `criteria[2].scale_max`).
fn field_of(path: &str) -> (String, String) {
    let index = |rest: &str| -> Option<usize> { rest.split(']').next()?.parse().ok() };
    let id = if let Some(rest) = path.strip_prefix("themes[") {
        let i = index(rest).unwrap_or(0);
        let part = rest.split("].").nth(1).unwrap_or("code");
        let part = if part.starts_with("goals") {
            "goals"
        } else if part.starts_with("ambition") {
            "ambition"
        } else if part.starts_with("current_offer") {
            "offer"
        } else if part.starts_with("intended_results") {
            "results"
        } else if part.starts_with("budget") {
            "budget"
        } else if part.starts_with("name") {
            "name"
        } else {
            "code"
        };
        format!("theme_{part}_{i}")
    } else if path == "themes" {
        "theme_code_0".into()
    } else if let Some(rest) = path.strip_prefix("criteria[") {
        let i = index(rest).unwrap_or(0);
        let part = match rest.split("].").nth(1).unwrap_or("code") {
            "scale_max" => "scale",
            "name" => "name",
            "description" => "description",
            _ => "code",
        };
        format!("criterion_{part}_{i}")
    } else if path == "criteria" {
        "criterion_code_0".into()
    } else if path.starts_with("conditions") {
        "conditions".into()
    } else {
        path.to_string()
    };
    let l = label(&id).to_string();
    (id, l)
}

/// Reads the form into a round's input; a number or date that does not read is named here,
/// every rule of the frame by the domain.
fn input_of(v: &HashMap<String, String>, p: &mut Problems) -> RoundInput {
    let text = |k: &str| {
        v.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let number = |k: &str, p: &mut Problems| -> Option<i64> {
        let raw = text(k)?;
        match raw.replace(['.', ' ', '€'], "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.add(k, label(k), "Vul een heel getal in.");
                None
            }
        }
    };
    let moment = |k: &str, p: &mut Problems| {
        let raw = text(k)?;
        match chrono::NaiveDateTime::parse_from_str(&raw, LOCAL) {
            Ok(t) => Some(from_amsterdam_local(t)),
            Err(_) => {
                p.add(
                    k,
                    label(k),
                    "Vul een datum en tijd in, zoals 2026-03-31T17:00.",
                );
                None
            }
        }
    };
    let start_year = number("start_year", p);
    let end_year = number("end_year", p);
    let opens_at = moment("opens_at", p);
    let closes_at = moment("closes_at", p);
    let mut themes = Vec::new();
    for i in 0..rows(v, "theme_", 0) {
        let (code, name, goals) = (
            text(&format!("theme_code_{i}")),
            text(&format!("theme_name_{i}")),
            text(&format!("theme_goals_{i}")),
        );
        let budget = number(&format!("theme_budget_{i}"), p);
        if code.is_none() && name.is_none() && goals.is_none() && budget.is_none() {
            continue;
        }
        let mut parsed = Vec::new();
        for line in goals
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            match line.split_once(':') {
                Some((c, t)) => parsed.push(GoalInput {
                    code: Some(c.trim().to_string()),
                    text: Some(t.trim().to_string()),
                }),
                None => p.add(
                    format!("theme_goals_{i}"),
                    "Doelen",
                    format!("Schrijf elk doel als letter, dubbele punt, tekst (zoals \"A: Meer kinderen sporten\"); deze regel mist de dubbele punt: {}", line.trim()),
                ),
            }
        }
        themes.push(ThemeInput {
            code,
            name,
            budget_eur: budget,
            goals: Some(parsed),
            ambition: Some(text(&format!("theme_ambition_{i}")).unwrap_or_default()),
            current_offer: Some(text(&format!("theme_offer_{i}")).unwrap_or_default()),
            intended_results: Some(text(&format!("theme_results_{i}")).unwrap_or_default()),
        });
    }
    let mut criteria = Vec::new();
    for i in 0..rows(v, "criterion_", 0) {
        let (code, name, description) = (
            text(&format!("criterion_code_{i}")),
            text(&format!("criterion_name_{i}")),
            text(&format!("criterion_description_{i}")),
        );
        let scale = number(&format!("criterion_scale_{i}"), p);
        if code.is_none() && name.is_none() && description.is_none() && scale.is_none() {
            continue;
        }
        criteria.push(CriterionInput {
            code,
            name,
            description,
            scale_max: scale,
        });
    }
    RoundInput {
        name: text("name"),
        programme: text("programme"),
        start_year,
        end_year,
        opens_at,
        closes_at,
        themes: Some(themes),
        criteria: Some(criteria),
        conditions: Some(
            v.get("conditions")
                .map(|c| {
                    c.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
        ),
        authority: text("authority"),
        legal_basis: text("legal_basis"),
        objection_address: text("objection_address"),
        advance_share: number("advance_share", p),
        reference_prefix: Some(v.get("reference_prefix").cloned().unwrap_or_default()),
    }
}

/// `GET /rondes/nieuw`.
pub async fn new_round_page(v: Visitor) -> Result<HttpResponse, WebError> {
    v.may(Permission::ManageRounds, "/rondes/nieuw")?;
    let mut fields = HashMap::new();
    fields.insert("programme".to_string(), "Sterk voor Noord".to_string());
    render(&v, StatusCode::OK, &page(&v, None, fields, Problems::new()))
}

/// `GET /rondes/{id}/bewerken`.
pub async fn edit_round_page(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    v.may(Permission::ManageRounds, &format!("/rondes/{id}/bewerken"))?;
    let st = state.clone();
    let rid = id.clone();
    let round = web::block(move || st.read(|c| rounds::get(c, &rid))).await??;
    render(
        &v,
        StatusCode::OK,
        &page(&v, Some(id), fields_of(&round), Problems::new()),
    )
}

/// Saves a round from the form, or from the JSON pasted beside it.
async fn save(
    state: web::Data<App>,
    v: Visitor,
    id: Option<String>,
    form: HashMap<String, String>,
) -> Result<HttpResponse, WebError> {
    let here = match &id {
        Some(id) => format!("/rondes/{id}/bewerken"),
        None => "/rondes/nieuw".into(),
    };
    let actor = v.may(Permission::ManageRounds, &here)?;
    v.check_csrf(form.get("csrf").map(String::as_str))?;
    let mut p = Problems::new();
    if let Some(msg) = form.get(UPLOAD_ERROR) {
        p.add("bestand", "JSON-bestand", msg.clone());
    }
    let json = form.get("json").map(|j| j.trim()).unwrap_or("");
    let input = if form.get("bron").map(String::as_str) == Some("json") {
        match serde_json::from_str::<crate::domain::round::RoundInput>(json) {
            Ok(body) => Some(body),
            Err(e) => {
                p.add(
                    "json",
                    "JSON",
                    format!(
                        "Dit is geen kader zoals de API het aanneemt (regel {}, kolom {}).",
                        e.line(),
                        e.column()
                    ),
                );
                None
            }
        }
    } else {
        Some(input_of(&form, &mut p))
    };
    if let (Some(input), true) = (input, p.is_empty()) {
        let st = state.clone();
        let rid = id.clone();
        match web::block(move || {
            st.write(|tx| match &rid {
                None => rounds::create(tx, &actor, input),
                Some(rid) => rounds::update(tx, &actor, rid, input),
            })
        })
        .await?
        {
            Ok(round) => return Ok(redirect(&v, &format!("/rondes/{}", round.id))),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                let from_json = form.get("bron").map(String::as_str) == Some("json");
                p.extend(Problems::from_fields(&errors, |path| {
                    if from_json {
                        ("json".into(), format!("JSON, {path}"))
                    } else {
                        field_of(path)
                    }
                }));
            }
            Err(app::Error::Domain(d)) => p.add("name", "Ronde", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    render(&v, StatusCode::BAD_REQUEST, &page(&v, id, form, p))
}

/// Where a refused upload's reason travels beside the form's fields to `save`.
const UPLOAD_ERROR: &str = "bestand_fout";
/// The largest frame file taken (the real round's is some 20 KB).
const UPLOAD_MAX: usize = 1024 * 1024;

fn malformed() -> WebError {
    WebError::Refused(
        "Het formulier kwam niet goed aan. Kies het bestand en probeer het opnieuw.".into(),
    )
}

/// Reads the JSON form sent as `multipart/form-data`: its text fields, and the chosen file
/// (`bestand`), which replaces any pasted JSON. A file too large or not UTF-8 text is named.
async fn read_upload(
    mut payload: actix_multipart::Multipart,
) -> Result<HashMap<String, String>, WebError> {
    use futures_util::StreamExt;
    let mut form = HashMap::new();
    let mut total = 0usize;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| malformed())?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            total += chunk.len();
            if total > UPLOAD_MAX {
                form.insert(
                    UPLOAD_ERROR.to_string(),
                    "Het bestand is te groot: een kader als JSON is hooguit 1 MB.".to_string(),
                );
                return Ok(form);
            }
            bytes.extend_from_slice(&chunk);
        }
        match (name.as_str(), String::from_utf8(bytes)) {
            ("bestand", Ok(text)) if !text.trim().is_empty() => {
                form.insert("json".to_string(), text);
            }
            ("bestand", Ok(_)) => {}
            ("bestand", Err(_)) => {
                form.insert(
                    UPLOAD_ERROR.to_string(),
                    "Dit bestand is geen tekst: kies het JSON-bestand van het kader.".to_string(),
                );
            }
            // A pasted text never overwrites a chosen file.
            ("json", Ok(text)) if form.contains_key("json") => drop(text),
            (_, Ok(text)) => {
                form.insert(name, text);
            }
            (_, Err(_)) => {}
        }
    }
    Ok(form)
}

/// `POST /rondes/nieuw` with the frame as an uploaded JSON file (or pasted, in the same form).
pub async fn create_round_upload(
    state: web::Data<App>,
    v: Visitor,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, WebError> {
    let form = read_upload(payload).await?;
    save(state, v, None, form).await
}

/// `POST /rondes/{id}/bewerken` with the frame as an uploaded JSON file.
pub async fn update_round_upload(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, WebError> {
    let form = read_upload(payload).await?;
    save(state, v, Some(path.into_inner()), form).await
}

/// The next period's fields of the copy form (`copy_name`, `copy_start_year`, …), read as the
/// round form reads them; what does not read is named on the copy form's own fields.
fn copy_input(form: &HashMap<String, String>, p: &mut Problems) -> rounds::CopyInput {
    const FIELDS: [&str; 5] = ["name", "start_year", "end_year", "opens_at", "closes_at"];
    let sub: HashMap<String, String> = FIELDS
        .iter()
        .filter_map(|k| {
            form.get(&format!("copy_{k}"))
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    let mut read = Problems::new();
    let r = input_of(&sub, &mut read);
    for item in read.items {
        p.add(
            format!("copy_{}", item.field),
            format!("Volgende periode: {}", item.label),
            item.message,
        );
    }
    rounds::CopyInput {
        name: r.name,
        start_year: r.start_year,
        end_year: r.end_year,
        opens_at: r.opens_at,
        closes_at: r.closes_at,
    }
}

/// `POST /rondes/{id}/kopieren`: the next period's round from this one (its frame, and every
/// adopted continuing action as a draft for its owner), then to the new round's page.
pub async fn copy_round(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::ManageRounds, &format!("/rondes/{id}/bewerken"))?;
    let Post { v, form, .. } = post;
    let mut p = Problems::new();
    let input = copy_input(&form, &mut p);
    if p.is_empty() {
        let st = state.clone();
        let rid = id.clone();
        match web::block(move || st.write(|tx| rounds::copy(tx, &actor, &rid, input))).await? {
            Ok((round, _)) => return Ok(redirect(&v, &format!("/rondes/{}", round.id))),
            Err(app::Error::Domain(DomainError::Invalid(errors))) => {
                p.extend(Problems::from_fields(&errors, |path| {
                    let (field, label) = field_of(path);
                    (
                        format!("copy_{field}"),
                        format!("Volgende periode: {label}"),
                    )
                }));
            }
            Err(app::Error::Domain(d)) => p.add("copy_name", "Volgende periode", d.message_nl()),
            Err(e) => return Err(e.into()),
        }
    }
    let st = state.clone();
    let rid = id.clone();
    let round = web::block(move || st.read(|c| rounds::get(c, &rid))).await??;
    let mut fields = fields_of(&round);
    fields.extend(form.into_iter().filter(|(k, _)| k.starts_with("copy_")));
    render(&v, StatusCode::BAD_REQUEST, &page(&v, Some(id), fields, p))
}

/// `POST /rondes/nieuw`.
pub async fn create_round(
    state: web::Data<App>,
    v: Visitor,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    save(state, v, None, form).await
}

/// `POST /rondes/{id}/bewerken`.
pub async fn update_round(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
    Posted(form): Posted<HashMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    save(state, v, Some(path.into_inner()), form).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_paths_name_the_round_forms_fields() {
        assert_eq!(field_of("themes[1].goals[0].text").0, "theme_goals_1");
        assert_eq!(field_of("themes[2].budget_eur").0, "theme_budget_2");
        assert_eq!(field_of("criteria[3].scale_max").0, "criterion_scale_3");
        assert_eq!(field_of("closes_at").0, "closes_at");
        assert_eq!(field_of("conditions[4]").0, "conditions");
    }

    #[test]
    fn the_form_reads_into_a_round_and_names_what_does_not_read() {
        let mut v = HashMap::new();
        for (k, val) in [
            ("name", "Ronde 2027"),
            ("start_year", "2027"),
            ("end_year", "twee"),
            ("opens_at", "2027-01-10T09:00"),
            ("theme_code_0", "JJO"),
            ("theme_budget_0", "€ 50.000"),
            ("theme_goals_0", "A: Meer sport\nB zonder dubbele punt"),
            ("criterion_code_1", "IMPACT"),
            ("criterion_scale_1", "3"),
            ("conditions", "Eén\n\nTwee"),
        ] {
            v.insert(k.to_string(), val.to_string());
        }
        let mut p = Problems::new();
        let input = input_of(&v, &mut p);
        assert!(p.has("end_year") && p.has("theme_goals_0"));
        assert_eq!(input.start_year, Some(2027));
        let themes = input.themes.unwrap();
        assert_eq!(themes[0].budget_eur, Some(50_000));
        assert_eq!(themes[0].goals.as_ref().unwrap().len(), 1);
        assert_eq!(input.criteria.unwrap()[0].scale_max, Some(3));
        assert_eq!(input.conditions.unwrap(), vec!["Eén", "Twee"]);
        assert_eq!(
            input.opens_at.unwrap().to_rfc3339(),
            "2027-01-10T08:00:00+00:00"
        );
    }
}
