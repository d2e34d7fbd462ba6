//! What both front doors publish alike: the overview as CSV and as a printable Dutch HTML page
//! with budget charts, and the round's results page. Rendering only; the data comes from the
//! use cases.

pub mod results;

use crate::domain::calendar::dutch_date;
use crate::domain::overview::{Action, Overview, ThemeTable};
use crate::domain::Eur;
use crate::mail::letters::escape_html;

/// The column headings of the published tables.
pub const COLUMNS: [&str; 9] = [
    "Titel en korte omschrijving",
    "Draagt bij aan doelen",
    "Hoofdpartner",
    "Werkt samen met",
    "Doorlopend/nieuw",
    "Financiering programma",
    "Financiering anders",
    "Looptijd",
    "Stand",
];

fn continuing(a: &Action) -> &'static str {
    if a.continuing {
        "Doorlopend"
    } else {
        "Nieuw"
    }
}

/// The other sources as the table writes them: "Fonds (€ 2.500)", and a source named without
/// an amount as its text alone ("Aangevuld door Inholland").
fn other_funding_text(a: &Action) -> String {
    a.other_funding
        .iter()
        .map(|f| {
            if f.amount_eur == 0 {
                f.source.clone()
            } else {
                format!(
                    "{} ({})",
                    f.source,
                    Eur::parse(f.amount_eur)
                        .map_or_else(|_| f.amount_eur.to_string(), Eur::format_nl)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The "Financiering anders" amount: empty when no other source gives an amount.
fn other_funding_amount(a: &Action) -> Option<Eur> {
    (a.other_funding_eur > Eur::ZERO).then_some(a.other_funding_eur)
}

/// What the "Stand" column says of a reservation row.
const RESERVED: &str = "Gereserveerd";
/// What a reservation row says under its purpose.
const RESERVED_NOTE: &str = "Budget gereserveerd voor dit doel: de plannen volgen nog.";

/// One CSV field: quoted when it holds the separator, a quote or a line break; a leading
/// `=`, `+`, `-`, `@`, tab, CR or LF is neutralised so a spreadsheet never runs user text as a
/// formula (OWASP, CSV injection).
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// CSV for Dutch spreadsheet software: UTF-8 with a byte-order mark, `;` between fields
/// (the comma is the decimal separator there), CRLF line ends, one row per action with its
/// theme, amounts as whole numbers.
pub fn csv(o: &Overview) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<&str> = ["Opgave", "Titel", "Korte omschrijving"]
        .into_iter()
        .chain(COLUMNS[1..8].iter().copied())
        .chain([
            "Financiering anders (bronnen)",
            "Stand",
            "Kenmerk",
            "Opmerking",
        ])
        .collect();
    let line = |out: &mut String, row: &[String]| {
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push_str("\r\n");
    };
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for t in &o.themes {
        for a in &t.plans {
            let row = [
                t.name.clone(),
                a.title.clone(),
                a.summary.clone(),
                a.goals.join(", "),
                a.lead_partner.clone().unwrap_or_default(),
                a.partners.join(", "),
                continuing(a).to_string(),
                a.funding
                    .without_amount_nl()
                    .map(str::to_string)
                    .unwrap_or_else(|| a.programme_funding_eur.value().to_string()),
                other_funding_amount(a)
                    .map(|e| e.value().to_string())
                    .unwrap_or_default(),
                a.duration(),
                other_funding_text(a),
                a.progress.label_nl().to_string(),
                a.reference.clone().unwrap_or_default(),
                a.note.clone().unwrap_or_default(),
            ];
            line(&mut out, &row);
        }
        for r in &t.reservations {
            let mut row = vec![String::new(); 14];
            row[0] = t.name.clone();
            row[1] = r.purpose.clone();
            row[2] = RESERVED_NOTE.to_string();
            row[7] = r.amount_eur.value().to_string();
            row[11] = RESERVED.to_string();
            line(&mut out, &row);
        }
    }
    out
}

/// An inline SVG bar: granted against budget, with a text alternative.
fn chart(t: &ThemeTable) -> String {
    const W: f64 = 600.0;
    let share = if t.budget_eur > Eur::ZERO {
        (t.granted_eur.value() as f64 / t.budget_eur.value() as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pct = (share * 100.0).round() as i64;
    let label = if t.reserved_eur > Eur::ZERO {
        format!(
            "Toegekend {} en gereserveerd {} van het budget van {} ({}% toegekend)",
            t.granted_eur.format_nl(),
            t.reserved_eur.format_nl(),
            t.budget_eur.format_nl(),
            pct
        )
    } else {
        format!(
            "Toegekend {} van het budget van {} ({}%)",
            t.granted_eur.format_nl(),
            t.budget_eur.format_nl(),
            pct
        )
    };
    let id = format!("chart-{}", escape_html(&t.code));
    format!(
        r##"<figure class="chart">
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title" viewBox="0 0 {w} 64" width="100%" height="64" data-granted="{granted}" data-budget="{budget}">
<title id="{id}-title">{label}</title>
<rect class="budget" x="0" y="8" width="{w}" height="28" rx="3" fill="#d9e6e4"/>
<rect class="granted" x="0" y="8" width="{gw:.1}" height="28" rx="3" fill="#00564e"/>
<text x="0" y="56" font-size="13" fill="#1a1a1a">Toegekend {g}</text>
<text x="{w}" y="56" font-size="13" fill="#1a1a1a" text-anchor="end">Budget {b}</text>
</svg>
<figcaption>{label}</figcaption>
</figure>"##,
        id = id,
        w = W,
        gw = W * share,
        granted = t.granted_eur.value(),
        budget = t.budget_eur.value(),
        label = escape_html(&label),
        g = escape_html(&t.granted_eur.format_nl()),
        b = escape_html(&t.budget_eur.format_nl()),
    )
}

const STYLE: &str = r#"
body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; line-height: 1.4; }
header p { margin: .25rem 0; }
h1 { color: #00564e; margin-bottom: .25rem; }
h2 { color: #00564e; border-bottom: 2px solid #00564e; padding-bottom: .25rem; margin-top: 2.5rem; }
.status { display: inline-block; padding: .15rem .5rem; border-radius: 3px; background: #fff3cd; }
figure.chart { margin: 1rem 0; max-width: 640px; }
figcaption { font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .5rem 0; }
th, td { border: 1px solid #b8c9c6; padding: .4rem .5rem; vertical-align: top; text-align: left; }
thead th { background: #e8f0ef; }
td.amount, th.amount { text-align: right; white-space: nowrap; }
tfoot th, tfoot td { font-weight: bold; background: #f4f8f7; }
.description { display: block; color: #444; margin-top: .2rem; }
.note { display: block; font-style: italic; margin-top: .2rem; }
.empty { font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  section.theme { break-before: page; page-break-before: always; }
  section.theme:first-of-type { break-before: auto; page-break-before: auto; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The printable page: one section per theme with its chart and table, then the grand total.
/// Every user-supplied text is escaped.
pub fn html(o: &Overview) -> String {
    let e = escape_html;
    let mut out = String::with_capacity(16_384);
    out.push_str("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>Overzicht acties — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        e(&o.name)
    ));
    out.push_str(&format!(
        "<header>\n<h1>Overzicht acties</h1>\n<p class=\"round\">{}</p>\n",
        e(&o.name)
    ));
    match o.adoptions.split_first() {
        Some((first, later)) => {
            out.push_str(&format!(
                "<p>Vastgesteld door het college van burgemeester en wethouders op {} (kenmerk {}).</p>\n",
                dutch_date(first.adopted_on),
                e(&first.reference)
            ));
            for a in later {
                out.push_str(&format!(
                    "<p>Aanvullend vastgesteld op {} (kenmerk {}).</p>\n",
                    dutch_date(a.adopted_on),
                    e(&a.reference)
                ));
            }
        }
        None => out.push_str(
            "<p><span class=\"status\">Concept</span> Nog niet vastgesteld door het college.</p>\n",
        ),
    }
    out.push_str("</header>\n<main>\n");
    out.push_str(&sections(o));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// One row of a theme's table: its header cell, then the eight columns' cells (already
/// escaped), each naming its column's and its row's header (`headers`, WCAG technique H43:
/// the table has headers on two levels, which `scope` alone leaves to guesswork).
fn table_row(code: &str, row: &str, header: &str, cells: [String; 8]) -> String {
    let mut out =
        format!("<tr><th scope=\"row\" id=\"{row}\" headers=\"opgave-{code}-k0\">{header}</th>");
    for (i, cell) in cells.iter().enumerate() {
        let class = if (4..=5).contains(&i) {
            "class=\"amount\" "
        } else {
            ""
        };
        out.push_str(&format!(
            "<td {class}headers=\"opgave-{code}-k{} {row}\">{cell}</td>",
            i + 1
        ));
    }
    out.push_str("</tr>\n");
    out
}

/// The overview's sections, one per theme with its chart and table, then the grand total:
/// the printable page's body, and what the web front shows inside its own layout. Every
/// user-supplied text is escaped.
pub fn sections(o: &Overview) -> String {
    let e = escape_html;
    let mut out = String::with_capacity(16_384);
    for t in &o.themes {
        // A wide table scrolls inside its section: focusable, so a keyboard can scroll it too.
        out.push_str(&format!(
            "<section class=\"theme\" tabindex=\"0\" id=\"opgave-{code}\" aria-labelledby=\"opgave-{code}-titel\">\n<h2 id=\"opgave-{code}-titel\">{name}</h2>\n",
            code = e(&t.code),
            name = e(&t.name)
        ));
        out.push_str(&chart(t));
        out.push_str(&format!(
            "\n<table>\n<caption>Acties binnen de opgave {}</caption>\n<thead><tr>",
            e(&t.name)
        ));
        // Every cell names its column's and its row's header (`headers`, WCAG technique H43):
        // the table has headers on two levels, which `scope` alone leaves to guesswork.
        let code = e(&t.code);
        let col = |i: usize| format!("opgave-{code}-k{i}");
        for (i, c) in COLUMNS.iter().enumerate() {
            let class = if (5..=6).contains(&i) {
                " class=\"amount\""
            } else {
                ""
            };
            out.push_str(&format!(
                "<th scope=\"col\" id=\"{}\"{class}>{}</th>",
                col(i),
                e(c)
            ));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        if t.plans.is_empty() && t.reservations.is_empty() {
            out.push_str(
                "<tr><td colspan=\"9\" class=\"empty\">Geen acties binnen deze opgave.</td></tr>\n",
            );
        }
        for (r, a) in t.plans.iter().enumerate() {
            let row = format!("opgave-{code}-r{r}");
            // Empty when there is none; a source without an amount as its text alone.
            let other = match (a.other_funding.is_empty(), other_funding_amount(a)) {
                (true, _) => String::new(),
                (false, Some(amount)) => format!(
                    "{}<span class=\"description\">{}</span>",
                    e(&amount.format_nl()),
                    e(&other_funding_text(a))
                ),
                (false, None) => e(&other_funding_text(a)),
            };
            let note = a
                .note
                .as_deref()
                .map(|n| format!("<span class=\"note\">{}</span>", e(n)))
                .unwrap_or_default();
            out.push_str(&table_row(
                &code,
                &row,
                &format!(
                    "{}<span class=\"description\">{}</span>{note}",
                    e(&a.title),
                    e(&a.summary)
                ),
                [
                    e(&a.goals.join(", ")),
                    e(a.lead_partner.as_deref().unwrap_or("—")),
                    e(&if a.partners.is_empty() {
                        "—".to_string()
                    } else {
                        a.partners.join(", ")
                    }),
                    continuing(a).to_string(),
                    e(&a.funding
                        .without_amount_nl()
                        .map(str::to_string)
                        .unwrap_or_else(|| a.programme_funding_eur.format_nl())),
                    other,
                    e(&a.duration()),
                    a.progress.label_nl().to_string(),
                ],
            ));
        }
        for (i, r) in t.reservations.iter().enumerate() {
            out.push_str(&table_row(
                &code,
                &format!("opgave-{code}-g{i}"),
                &format!(
                    "{}<span class=\"description\">{RESERVED_NOTE}</span>",
                    e(&r.purpose)
                ),
                [
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    e(&r.amount_eur.format_nl()),
                    String::new(),
                    String::new(),
                    RESERVED.to_string(),
                ],
            ));
        }
        let reserved = if t.reserved_eur > Eur::ZERO {
            format!(
                "Toegekend: {}; gereserveerd: {}. ",
                e(&t.granted_eur.format_nl()),
                e(&t.reserved_eur.format_nl())
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "</tbody>\n<tfoot><tr><th scope=\"row\" colspan=\"5\" id=\"opgave-{code}-totaal\">Totaal binnen deze opgave (budget {})</th><td class=\"amount\" headers=\"{} opgave-{code}-totaal\">{}</td><td colspan=\"3\"></td></tr></tfoot>\n</table>\n<p>{reserved}Betaald: {}; besteed uit het programma volgens de verslagen: {}.</p>\n</section>\n",
            e(&t.budget_eur.format_nl()),
            col(5),
            e(&t.total_eur.format_nl()),
            e(&t.paid_eur.format_nl()),
            e(&t.spent_eur.format_nl())
        ));
    }
    out.push_str(&format!(
        "<section class=\"totals\" aria-labelledby=\"totaal\">\n<h2 id=\"totaal\">Totaal</h2>\n<p>Totaal toegekend uit het programma: <strong>{}</strong>{} van het totale budget van {}. Betaald: {}; besteed volgens de verslagen: {}.</p>\n</section>\n",
        e(&o.total_granted_eur.format_nl()),
        if o.total_reserved_eur > Eur::ZERO {
            format!(", gereserveerd: <strong>{}</strong>,", e(&o.total_reserved_eur.format_nl()))
        } else {
            String::new()
        },
        e(&o.total_budget_eur.format_nl()),
        e(&o.total_paid_eur.format_nl()),
        e(&o.total_spent_eur.format_nl())
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::overview::build;
    use crate::domain::plan::OtherFunding;
    use crate::domain::round::{Catalog, Theme};

    fn overview() -> Overview {
        let catalog = Catalog {
            themes: vec![Theme {
                code: "JJO".into(),
                name: "Jeugd & jongeren".into(),
                budget_eur: Eur::parse(146_000).unwrap(),
                goals: vec![],
                ambition: String::new(),
                current_offer: String::new(),
                intended_results: String::new(),
            }],
            criteria: vec![],
            conditions: vec![],
        };
        let action = Action {
            plan_id: "p1".into(),
            reference: Some("SVN-2025-0001".into()),
            title: "=HYPERLINK(\"x\") <script>alert(1)</script>".into(),
            summary: "Zwemles; voor \"alle\" kinderen".into(),
            goals: vec!["A".into(), "B".into()],
            lead_partner: Some("Zwembad De Fluit".into()),
            partners: vec!["School & co".into()],
            continuing: true,
            funding: crate::domain::plan::Funding::Programme,
            programme_funding_eur: Eur::parse(30_000).unwrap(),
            other_funding: vec![OtherFunding {
                source: "Fonds".into(),
                amount_eur: 2_500,
            }],
            other_funding_eur: Eur::parse(2_500).unwrap(),
            start_year: Some(2025),
            end_year: Some(2026),
            budget_line: "JJO".into(),
            progress: crate::domain::grant::GrantStatus::Finished,
            paid_eur: Eur::parse(24_000).unwrap(),
            spent_eur: Eur::parse(28_000).unwrap(),
            note: Some("Gaat ten laste budget financiële zelfredzaamheid".into()),
        };
        build(
            "r1",
            "Sterk voor Noord 2025-2026",
            vec![
                crate::domain::overview::AdoptionLine {
                    adopted_on: chrono::NaiveDate::from_ymd_opt(2025, 4, 8).unwrap(),
                    reference: "College 2025/114".into(),
                },
                crate::domain::overview::AdoptionLine {
                    adopted_on: chrono::NaiveDate::from_ymd_opt(2025, 6, 3).unwrap(),
                    reference: "College 2025/160".into(),
                },
            ],
            &catalog,
            vec![action],
            vec![(
                "JJO".into(),
                crate::domain::overview::ReservedRow {
                    purpose: "Jeugd, jongeren en onderwijs".into(),
                    amount_eur: Eur::parse(30_000).unwrap(),
                },
            )],
        )
    }

    #[test]
    fn an_action_funded_otherwise_never_reads_as_zero_euros() {
        let mut o = overview();
        let a = &mut o.themes[0].plans[0];
        a.funding = crate::domain::plan::Funding::BaseFunding;
        a.programme_funding_eur = Eur::ZERO;
        let c = csv(&o);
        assert!(c.contains(";Zit in basis financiering;"), "{c}");
        let h = html(&o);
        assert!(h.contains("Zit in basis financiering"), "{h}");
        assert!(!h.contains(">€ 0<"), "{h}");
        o.themes[0].plans[0].funding = crate::domain::plan::Funding::None;
        assert!(html(&o).contains("Geen bijdrage"));
    }

    #[test]
    fn other_funding_without_an_amount_is_text_and_none_is_empty() {
        let mut o = overview();
        let a = &mut o.themes[0].plans[0];
        a.other_funding = vec![OtherFunding {
            source: "Aangevuld door Inholland".into(),
            amount_eur: 0,
        }];
        a.other_funding_eur = Eur::ZERO;
        let h = html(&o);
        assert!(h.contains(">Aangevuld door Inholland</td>"), "{h}");
        assert!(!h.contains("€ 0"), "{h}");
        let c = csv(&o);
        assert!(c.contains(";;2025-2026;Aangevuld door Inholland;"), "{c}");
        o.themes[0].plans[0].other_funding.clear();
        let h = html(&o);
        assert!(
            h.contains("headers=\"opgave-JJO-k6 opgave-JJO-r0\"></td>"),
            "{h}"
        );
        assert!(csv(&o).contains(";30000;;2025-2026;;"));
    }

    #[test]
    fn reservations_are_rows_and_the_table_totals_them() {
        let h = html(&overview());
        assert!(h.contains(
            "Jeugd, jongeren en onderwijs<span class=\"description\">Budget gereserveerd"
        ));
        assert!(h.contains(">Gereserveerd</td>"));
        assert!(h.contains("Totaal binnen deze opgave (budget € 146.000)"));
        assert!(h.contains(">€ 60.000</td>"), "granted and reserved: {h}");
        assert!(h.contains("Gaat ten laste budget financiële zelfredzaamheid"));
    }

    #[test]
    fn csv_opens_in_dutch_spreadsheets_and_never_runs_a_formula() {
        let c = csv(&overview());
        assert!(c.starts_with('\u{feff}'));
        let lines: Vec<&str> = c.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0]
            .starts_with("Opgave;Titel;Korte omschrijving;Draagt bij aan doelen;Hoofdpartner"));
        assert!(
            lines[1].starts_with("Jeugd & jongeren;\"'=HYPERLINK(\"\"x\"\")"),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains("\"Zwemles; voor \"\"alle\"\" kinderen\""));
        assert!(
            lines[1].contains(";30000;2500;2025-2026;Fonds (€ 2.500)"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].ends_with(";SVN-2025-0001;Gaat ten laste budget financiële zelfredzaamheid"),
            "{}",
            lines[1]
        );
        assert_eq!(
            lines[2],
            "Jeugd & jongeren;Jeugd, jongeren en onderwijs;Budget gereserveerd voor dit doel: de plannen volgen nog.;;;;;30000;;;;Gereserveerd;;",
            "a reservation is a row of its own"
        );
        assert_eq!(
            lines.len(),
            4,
            "header, one action, one reservation, trailing line end"
        );
        for cell in ["\t=1+1", "\r=1+1", "\n=1+1", "-2", "@SUM(A1)"] {
            assert!(
                csv_field(cell).trim_start_matches('"').starts_with('\''),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn the_page_is_dutch_accessible_printable_and_escapes_user_text() {
        let h = html(&overview());
        assert!(h.starts_with("<!DOCTYPE html>") && h.contains("<html lang=\"nl\">"));
        assert!(!h.contains("<script>") && h.contains("&lt;script&gt;"));
        assert!(h.contains("School &amp; co"));
        assert!(h.contains("€ 30.000") && h.contains("€ 146.000"));
        assert!(
            h.contains("<svg")
                && h.contains("role=\"img\"")
                && h.contains("data-granted=\"30000\"")
        );
        assert!(
            h.contains("<th scope=\"col\" id=\"opgave-JJO-k0\">Titel en korte omschrijving</th>")
        );
        // Each cell names its column's and its row's header (two levels of headers, H43).
        assert!(h.contains("<th scope=\"row\" id=\"opgave-JJO-r0\" headers=\"opgave-JJO-k0\">"));
        assert!(
            h.contains("<td headers=\"opgave-JJO-k1 opgave-JJO-r0\">"),
            "{h}"
        );
        assert!(h.contains("@media print") && h.contains("break-before: page"));
        assert!(h.contains("8 april 2025") && h.contains("College 2025/114"));
        assert!(
            h.contains("Aanvullend vastgesteld op 3 juni 2025 (kenmerk College 2025/160)"),
            "{h}"
        );
        assert!(!h.contains("besluit College"), "no doubled words");
        assert!(
            !h.contains("http://") || h.contains("xmlns=\"http://www.w3.org/2000/svg\""),
            "no external assets"
        );
        assert!(!h.contains("<link") && !h.contains("src="));
    }
}
