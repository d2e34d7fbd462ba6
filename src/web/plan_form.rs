//! The plan form: what a person typed, kept as typed so a refused form comes back whole; read
//! into a plan's content; and each of the domain's field paths named by its field on the form.

use serde::Deserialize;

use super::form::Problems;
use crate::domain::plan::{Funding, OtherFunding, PartyRef, PlanContent, PlanLink, Relation};
use crate::domain::round::Catalog;

/// The value of the lead-partner choice for "another organisation, named below".
pub const NAMED: &str = "anders";

/// The plan form as posted (every value as text, so nothing typed is lost to a mistake).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanFormInput {
    pub csrf: Option<String>,
    /// The version of the plan the form was filled in on (an edit of an older version is
    /// refused rather than overwriting a newer one).
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub budget_line: String,
    #[serde(default)]
    pub lead_partner_id: String,
    #[serde(default)]
    pub lead_partner_name: String,
    /// Co-leads: registered ones travel unchanged in hidden fields (the API may set them),
    /// others are typed as names, one a line.
    #[serde(default)]
    pub co_lead_ids: Vec<String>,
    #[serde(default)]
    pub co_lead_names: String,
    #[serde(default)]
    pub partner_ids: Vec<String>,
    #[serde(default)]
    pub partner_names: String,
    #[serde(default)]
    pub payee_id: String,
    /// The plan's links (set through the API) travel unchanged in hidden fields.
    #[serde(default)]
    pub link_plan_ids: Vec<String>,
    #[serde(default)]
    pub link_relations: Vec<String>,
    /// "programme", "base_funding" or "none" (the API's words).
    #[serde(default)]
    pub funding: String,
    #[serde(default)]
    pub requested_eur: String,
    #[serde(default)]
    pub funding_source: Vec<String>,
    #[serde(default)]
    pub funding_amount: Vec<String>,
    #[serde(default)]
    pub start_year: String,
    #[serde(default)]
    pub end_year: String,
    #[serde(default)]
    pub continuing: Option<String>,
    #[serde(default)]
    pub expected_reach: String,
    #[serde(default)]
    pub resident_involvement: String,
    #[serde(default)]
    pub gap_in_offer: String,
    /// Which button: "opslaan" (save the draft) or "indienen" (save, then to the check page).
    #[serde(default)]
    pub action: String,
    /// The programme team's form only: for whom it files, "organisatie" (an organisation's
    /// own action) or "persoon" (a resident or partner at the desk), and their details.
    #[serde(default)]
    pub voor: String,
    /// The organisation whose own action it is, or the partner's organisation.
    #[serde(default)]
    pub voor_organisatie_id: String,
    #[serde(default)]
    pub voor_email: String,
    #[serde(default)]
    pub voor_naam: String,
    /// "resident" or "partner" (the API's words).
    #[serde(default)]
    pub voor_soort: String,
    /// The reservation the plan is made from (the budget page's link), if any.
    #[serde(default)]
    pub reservering: String,
}

/// One row of other funding, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundingRow {
    pub source: String,
    pub amount: String,
}

/// A row of other funding as the form shows it: its fields' ids and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundingRowView {
    pub source_id: String,
    pub amount_id: String,
    pub source_label: String,
    pub amount_label: String,
    pub source: String,
    pub amount: String,
}

impl FundingRowView {
    pub fn numbered(rows: Vec<FundingRow>) -> Vec<FundingRowView> {
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| FundingRowView {
                source_id: format!("funding_source_{i}"),
                amount_id: format!("funding_amount_{i}"),
                source_label: format!("Bron, rij {}", i + 1),
                amount_label: format!("Bedrag (€), rij {}", i + 1),
                source: r.source,
                amount: r.amount,
            })
            .collect()
    }
}

impl PlanFormInput {
    /// The funding rows that hold anything, in order (empty rows are left out, so the rows'
    /// numbers are those of the plan's list).
    pub fn funding_rows(&self) -> Vec<FundingRow> {
        let n = self.funding_source.len().max(self.funding_amount.len());
        (0..n)
            .map(|i| FundingRow {
                source: self.funding_source.get(i).cloned().unwrap_or_default(),
                amount: self.funding_amount.get(i).cloned().unwrap_or_default(),
            })
            .filter(|r| !r.source.trim().is_empty() || !r.amount.trim().is_empty())
            .collect()
    }

    /// The form filled in with a plan's content.
    pub fn of(content: &PlanContent, version: i64) -> PlanFormInput {
        let (lead_partner_id, lead_partner_name) = match &content.lead_partner {
            None => (String::new(), String::new()),
            Some(PartyRef::Registered { organisation_id }) => {
                (organisation_id.clone(), String::new())
            }
            Some(PartyRef::Named { name }) => (NAMED.to_string(), name.clone()),
        };
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        PlanFormInput {
            csrf: None,
            version: version.to_string(),
            title: content.title.clone(),
            description: content.description.clone(),
            summary: content.summary.clone(),
            goals: content.goals.clone(),
            budget_line: content.budget_line.clone().unwrap_or_default(),
            lead_partner_id,
            lead_partner_name,
            co_lead_ids: content
                .co_leads
                .iter()
                .filter_map(|p| p.organisation_id().map(str::to_string))
                .collect(),
            co_lead_names: content
                .co_leads
                .iter()
                .filter_map(|p| match p {
                    PartyRef::Named { name } => Some(name.clone()),
                    PartyRef::Registered { .. } => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
            partner_ids: content
                .partners
                .iter()
                .filter_map(|p| p.organisation_id().map(str::to_string))
                .collect(),
            partner_names: content
                .partners
                .iter()
                .filter_map(|p| match p {
                    PartyRef::Named { name } => Some(name.clone()),
                    PartyRef::Registered { .. } => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
            payee_id: content.payee_id.clone().unwrap_or_default(),
            funding: content.funding.as_str().to_string(),
            link_plan_ids: content.links.iter().map(|l| l.plan_id.clone()).collect(),
            link_relations: content
                .links
                .iter()
                .map(|l| l.relation.as_str().to_string())
                .collect(),
            requested_eur: num(content.requested_eur),
            funding_source: content
                .other_funding
                .iter()
                .map(|f| f.source.clone())
                .collect(),
            funding_amount: content
                .other_funding
                .iter()
                .map(|f| f.amount_eur.to_string())
                .collect(),
            start_year: content
                .start_year
                .map(|y| y.to_string())
                .unwrap_or_default(),
            end_year: content.end_year.map(|y| y.to_string()).unwrap_or_default(),
            continuing: content.continuing.then(|| "ja".to_string()),
            expected_reach: num(content.expected_reach),
            resident_involvement: content.resident_involvement.clone(),
            gap_in_offer: content.gap_in_offer.clone(),
            action: String::new(),
            ..Default::default()
        }
    }

    /// The plan's content as typed, and what could not be read as it stands (a number that is
    /// no number, a row half filled in): the domain then checks the rest.
    pub fn content(&self) -> (PlanContent, Problems) {
        let p = std::cell::RefCell::new(Problems::new());
        let number = |id: &str, label: &str, raw: &str, kind: Number| -> Option<i64> {
            let t = raw.trim().replace(['.', ' ', '€'], "");
            if t.is_empty() {
                return None;
            }
            match t.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.borrow_mut().add(id, label, kind.unreadable(&t));
                    None
                }
            }
        };
        let requested = number(
            "requested_eur",
            "Gevraagde bijdrage (€)",
            &self.requested_eur,
            Number::Euros,
        );
        let start = number("start_year", "Startjaar", &self.start_year, Number::Year);
        let end = number("end_year", "Eindjaar", &self.end_year, Number::Year);
        let reach = number(
            "expected_reach",
            "Aantal inwoners dat u bereikt",
            &self.expected_reach,
            Number::Count,
        );
        let year = |y: Option<i64>| y.and_then(|y| i32::try_from(y).ok());
        let mut other_funding = Vec::new();
        for (i, row) in self.funding_rows().iter().enumerate() {
            let amount = number(
                &format!("funding_amount_{i}"),
                &format!("Andere financiering, rij {}: bedrag", i + 1),
                &row.amount,
                Number::Euros,
            );
            if row.amount.trim().is_empty() {
                p.borrow_mut().add(
                    format!("funding_amount_{i}"),
                    format!("Andere financiering, rij {}: bedrag", i + 1),
                    "Vul het bedrag in",
                );
            }
            if row.source.trim().is_empty() {
                p.borrow_mut().add(
                    format!("funding_source_{i}"),
                    format!("Andere financiering, rij {}: bron", i + 1),
                    "Vul in waar het geld vandaan komt",
                );
            }
            other_funding.push(OtherFunding {
                source: row.source.clone(),
                amount_eur: amount.unwrap_or(0),
            });
        }
        let lead_partner = match self.lead_partner_id.as_str() {
            "" => None,
            NAMED => Some(PartyRef::Named {
                name: self.lead_partner_name.clone(),
            }),
            id => Some(PartyRef::Registered {
                organisation_id: id.to_string(),
            }),
        };
        let mut partners: Vec<PartyRef> = self
            .partner_ids
            .iter()
            .filter(|id| !id.is_empty())
            .map(|id| PartyRef::Registered {
                organisation_id: id.clone(),
            })
            .collect();
        partners.extend(
            self.partner_names
                .lines()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| PartyRef::Named { name: n.into() }),
        );
        let mut co_leads: Vec<PartyRef> = self
            .co_lead_ids
            .iter()
            .filter(|id| !id.is_empty())
            .map(|id| PartyRef::Registered {
                organisation_id: id.clone(),
            })
            .collect();
        co_leads.extend(
            self.co_lead_names
                .lines()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| PartyRef::Named { name: n.into() }),
        );
        let funding = match self.funding.as_str() {
            "base_funding" => Funding::BaseFunding,
            "none" => Funding::None,
            _ => Funding::Programme,
        };
        let links = self
            .link_plan_ids
            .iter()
            .zip(self.link_relations.iter())
            .filter_map(|(id, r)| {
                Some(PlanLink {
                    plan_id: id.clone(),
                    relation: Relation::parse(r)?,
                })
            })
            .collect();
        let content = PlanContent {
            links,
            funding,
            co_leads,
            title: self.title.clone(),
            description: self.description.clone(),
            summary: self.summary.clone(),
            goals: self
                .goals
                .iter()
                .filter(|g| !g.is_empty())
                .cloned()
                .collect(),
            budget_line: Some(self.budget_line.clone()).filter(|b| !b.is_empty()),
            lead_partner,
            partners,
            payee_id: Some(self.payee_id.clone()).filter(|p| !p.is_empty()),
            continuing: self.continuing.is_some(),
            requested_eur: requested,
            other_funding,
            start_year: year(start),
            end_year: year(end),
            expected_reach: reach,
            resident_involvement: self.resident_involvement.clone(),
            gap_in_offer: self.gap_in_offer.clone(),
        };
        (content, p.into_inner())
    }
}

impl PlanFormInput {
    /// For whom the programme team files, as chosen; a missing choice is named.
    pub fn filed_for(&self) -> Result<crate::app::plans::FiledFor, Problems> {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        match self.voor.as_str() {
            "organisatie" => Ok(crate::app::plans::FiledFor::Organisation {
                organisation_id: given(&self.voor_organisatie_id),
            }),
            "persoon" => Ok(crate::app::plans::FiledFor::Person {
                email: given(&self.voor_email),
                name: given(&self.voor_naam),
                kind: given(&self.voor_soort),
                organisation_id: given(&self.voor_organisatie_id),
            }),
            _ => {
                let mut p = Problems::new();
                p.add(
                    "voor-organisatie",
                    "Indienen voor",
                    "Kies voor wie u het plan indient: een organisatie, of een bewoner of partner aan de balie.",
                );
                Err(p)
            }
        }
    }
}

/// What a number field of the form holds, so a text that is no number is told what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Euros,
    Year,
    Count,
}

impl Number {
    /// Why `typed` (the text without points and spaces) is not read, in words that fit what
    /// was typed: words, or a sum with cents.
    fn unreadable(self, typed: &str) -> &'static str {
        let cents = typed.contains(',') && typed.chars().any(|c| c.is_ascii_digit());
        match self {
            Number::Euros if cents => {
                "Vul hele euro's in, zonder komma en centen, bijvoorbeeld 1250"
            }
            Number::Euros => "Vul een bedrag in cijfers in, bijvoorbeeld 1250",
            Number::Year => "Vul een jaartal in cijfers in, bijvoorbeeld 2026",
            Number::Count if cents => "Vul een heel aantal in, zonder komma",
            Number::Count => "Vul een aantal in cijfers in, bijvoorbeeld 40",
        }
    }
}

/// The form's fields in the order the form shows them, so the summary lists the mistakes from
/// top to bottom.
const FORM_ORDER: &[&str] = &[
    "voor-organisatie",
    "voor_organisatie_id",
    "voor_email",
    "voor_naam",
    "voor_soort",
    "title",
    "description",
    "summary",
    "goals",
    "budget_line",
    "lead_partner_id",
    "lead_partner_name",
    "co_lead_names",
    "partner_ids",
    "partner_names",
    "payee_id",
    "funding",
    "requested_eur",
    "funding_",
    "start_year",
    "end_year",
    "continuing",
    "expected_reach",
    "resident_involvement",
    "gap_in_offer",
];

/// Where a field stands on the form (unknown ones last).
pub fn position(id: &str) -> usize {
    FORM_ORDER
        .iter()
        .position(|f| id == *f || (f.ends_with('_') && id.starts_with(f)))
        .unwrap_or(FORM_ORDER.len())
}

/// The form field (id, label) a domain field path names: `goals[2]` is the goals fieldset,
/// `other_funding[1].amount_eur` the amount of the second row.
pub fn field(path: &str) -> (String, String) {
    let pair = |id: &str, label: &str| (id.to_string(), label.to_string());
    let base = path.split(['[', '.']).next().unwrap_or(path);
    match base {
        "filed_for" => match path {
            "filed_for.email" => pair("voor_email", "E-mailadres"),
            "filed_for.name" => pair("voor_naam", "Naam"),
            "filed_for.kind" => pair("voor_soort", "Bewoner of partner"),
            _ => pair("voor_organisatie_id", "Organisatie"),
        },
        "title" => pair("title", "Titel"),
        "description" => pair("description", "Omschrijving"),
        "summary" => pair("summary", "Korte omschrijving"),
        "goals" => pair("goals", "Doelen"),
        "budget_line" => pair("budget_line", "Uit het budget van welke opgave"),
        "lead_partner" => pair("lead_partner_id", "Trekker"),
        "partners" => pair("partner_ids", "Samenwerkingspartners"),
        "co_leads" => pair("co_lead_names", "Andere trekkers"),
        "payee_id" => pair("payee_id", "Ontvanger van de bijdrage"),
        "requested_eur" => pair("requested_eur", "Gevraagde bijdrage (€)"),
        "funding" => pair("funding", "Financiering"),
        "start_year" => pair("start_year", "Startjaar"),
        "end_year" => pair("end_year", "Eindjaar"),
        "continuing" => pair("continuing", "Doorlopende actie"),
        "expected_reach" => pair("expected_reach", "Aantal inwoners dat u bereikt"),
        "resident_involvement" => pair("resident_involvement", "Betrokkenheid van inwoners"),
        "gap_in_offer" => pair("gap_in_offer", "Aanvulling op bestaand aanbod"),
        "other_funding" => {
            let row: Option<usize> = path
                .split_once('[')
                .and_then(|(_, r)| r.split(']').next())
                .and_then(|n| n.parse().ok());
            match row {
                Some(i) if path.ends_with(".source") => (
                    format!("funding_source_{i}"),
                    format!("Andere financiering, rij {}: bron", i + 1),
                ),
                Some(i) => (
                    format!("funding_amount_{i}"),
                    format!("Andere financiering, rij {}: bedrag", i + 1),
                ),
                None => pair("funding_source_0", "Andere financiering"),
            }
        }
        "answer" => pair("answer", "Uw antwoord"),
        _ => pair("title", "Plan"),
    }
}

/// A theme of the round as the form's goals fieldset shows it.
pub struct GoalGroup {
    pub code: String,
    pub name: String,
    pub goals: Vec<(String, String)>,
}

pub fn goal_groups(catalog: &Catalog) -> Vec<GoalGroup> {
    catalog
        .themes
        .iter()
        .map(|t| GoalGroup {
            code: t.code.clone(),
            name: t.name.clone(),
            goals: t
                .goals
                .iter()
                .map(|g| (g.code.clone(), g.text.clone()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_typed_is_read_into_a_plan_and_comes_back_the_same() {
        let form = PlanFormInput {
            title: "Huiswerkklas".into(),
            goals: vec!["B".into(), "J".into()],
            lead_partner_id: NAMED.into(),
            lead_partner_name: "Speeltuin De Heuvel".into(),
            partner_ids: vec!["org-1".into()],
            partner_names: "Bibliotheek Noord\n\n".into(),
            requested_eur: "12.500".into(),
            funding_source: vec!["Fonds 1818".into(), "".into()],
            funding_amount: vec!["2500".into(), "".into()],
            start_year: "2025".into(),
            continuing: Some("ja".into()),
            ..Default::default()
        };
        let (c, p) = form.content();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.requested_eur, Some(12_500));
        assert_eq!(c.partners.len(), 2);
        assert_eq!(c.other_funding.len(), 1, "the empty row is left out");
        assert!(c.continuing);
        let back = PlanFormInput::of(&c, 3);
        assert_eq!(back.lead_partner_name, "Speeltuin De Heuvel");
        assert_eq!(back.partner_names, "Bibliotheek Noord");
        assert_eq!(back.version, "3");
    }

    #[test]
    fn a_number_that_is_no_number_is_named_and_kept() {
        let form = PlanFormInput {
            requested_eur: "veel".into(),
            funding_source: vec!["".into()],
            funding_amount: vec!["100".into()],
            ..Default::default()
        };
        let (c, p) = form.content();
        assert_eq!(c.requested_eur, None);
        assert!(p.has("requested_eur") && p.has("funding_source_0"));
        assert_eq!(form.requested_eur, "veel");
    }

    #[test]
    fn a_number_in_words_is_asked_in_figures() {
        let form = PlanFormInput {
            requested_eur: "ongeveer 40".into(),
            start_year: "volgend jaar".into(),
            expected_reach: "40,5".into(),
            funding_source: vec!["Fonds".into()],
            funding_amount: vec!["12,50".into()],
            ..Default::default()
        };
        let (_, p) = form.content();
        assert_eq!(
            p.of("requested_eur").as_deref(),
            Some("Vul een bedrag in cijfers in, bijvoorbeeld 1250")
        );
        assert!(p.of("start_year").unwrap().contains("jaartal"));
        assert!(p.of("expected_reach").unwrap().contains("zonder komma"));
        assert!(p.of("funding_amount_0").unwrap().contains("zonder komma"));
        assert!(position("title") < position("funding_amount_1"));
        assert!(position("funding_amount_1") < position("gap_in_offer"));
    }

    #[test]
    fn domain_paths_name_their_form_fields() {
        assert_eq!(field("goals[3]").0, "goals");
        assert_eq!(field("other_funding[1].amount_eur").0, "funding_amount_1");
        assert_eq!(field("other_funding[0].source").0, "funding_source_0");
        assert_eq!(field("lead_partner").0, "lead_partner_id");
        assert_eq!(field("partners[0]").1, "Samenwerkingspartners");
    }
}
