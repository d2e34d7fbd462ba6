//! A round's results ("Resultaten") as a Dutch page: per theme what was granted, paid and
//! spent, whom the actions reached, and what each action reported. The printable page the
//! API serves and the web front's page share its sections (`web/_results.html`).

use askama::Template;

use crate::app::grants::ThemeResults;
use crate::domain::calendar::{amsterdam_date, dutch_date};
use crate::domain::grant::PROGRAMME_SOURCE;
use crate::domain::round::Round;

/// One filed report, as the page shows it.
pub struct ReportRow {
    pub kind: &'static str,
    pub filed_on: String,
    pub done: String,
    pub reach: i64,
    pub spent: Vec<(String, String)>,
    pub stopped_reason: Option<String>,
}

pub struct ActionRow {
    pub plan_id: String,
    pub title: String,
    pub status: &'static str,
    pub granted: String,
    pub paid: String,
    pub spent: String,
    pub reach: i64,
    pub final_amount: Option<String>,
    pub reports: Vec<ReportRow>,
}

pub struct ThemeRow {
    pub code: String,
    pub name: String,
    pub granted: String,
    pub paid: String,
    pub spent: String,
    pub reach: i64,
    pub actions: Vec<ActionRow>,
}

pub struct ResultsView {
    pub round_id: String,
    pub name: String,
    pub themes: Vec<ThemeRow>,
}

/// A source of money as a reader says it.
pub fn source_nl(source: &str) -> String {
    if source == PROGRAMME_SOURCE {
        "Bijdrage uit het programma".to_string()
    } else {
        source.to_string()
    }
}

pub fn view(round: &Round, themes: &[ThemeResults]) -> ResultsView {
    ResultsView {
        round_id: round.id.clone(),
        name: round.spec.name.clone(),
        themes: themes
            .iter()
            .map(|t| ThemeRow {
                code: t.code.clone(),
                name: t.name.clone(),
                granted: t.granted.format_nl(),
                paid: t.paid.format_nl(),
                spent: t.spent.format_nl(),
                reach: t.reach,
                actions: t
                    .actions
                    .iter()
                    .map(|a| ActionRow {
                        plan_id: a.plan_id.clone(),
                        title: a.title.clone(),
                        status: a.status.label_nl(),
                        granted: a.granted.format_nl(),
                        paid: a.paid.format_nl(),
                        spent: a.spent.format_nl(),
                        reach: a.reach,
                        final_amount: a.final_amount.map(|e| e.format_nl()),
                        reports: a
                            .reports
                            .iter()
                            .map(|r| ReportRow {
                                kind: r.kind.label_nl(),
                                filed_on: dutch_date(amsterdam_date(r.filed_at)),
                                done: r.done.clone(),
                                reach: r.reach,
                                spent: r
                                    .spent
                                    .iter()
                                    .map(|s| (source_nl(&s.source), s.amount_eur.format_nl()))
                                    .collect(),
                                stopped_reason: r.stopped_reason.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "web/results_print.html")]
struct Print<'a> {
    v: &'a ResultsView,
}

/// The printable page.
pub fn page(round: &Round, themes: &[ThemeResults]) -> Result<String, crate::app::Error> {
    Print {
        v: &view(round, themes),
    }
    .render()
    .map_err(|e| crate::app::Error::Internal(format!("results page: {e}")))
}
