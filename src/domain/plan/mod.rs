//! A plan: what the applicant writes, the rules any saved plan keeps, and the plan as stored
//! with what the assessment added to it.

mod submission;

pub use submission::{check_answer, parse_submission, Submission, SubmissionKind};

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::conflict::PlanParties;
use super::decision::{Decision, InfoRequest, RecordedPreAdvice};
use super::errors::{Bilingual, DomainError, FieldErrors};
use super::money::Eur;
use super::round::Catalog;
use super::state::{Action, PlanRef, PlanStatus};
use super::text::Bounded;
use super::user::ApplicantKind;

/// Most goals, partners or funding sources on one plan.
pub const LIST_MAX: usize = 50;

/// A plan as stored: the applicant's content, where it stands, and what the assessment added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub round_id: String,
    pub owner_id: String,
    pub applicant_kind: ApplicantKind,
    pub status: PlanStatus,
    /// Raised by every change; the guard against concurrent changes, and staff's `ETag`.
    pub version: i64,
    /// Raised only when what the applicant sees changes (`visibility::applicant_sees_change`):
    /// the applicant's `version` and `ETag`, so staff work inside the assessment shows
    /// nowhere to them.
    pub shown_version: i64,
    pub shown_updated_at: DateTime<Utc>,
    pub content: PlanContent,
    /// The theme it is charged to, derived from the content on every save (`set_content`).
    pub budget_line: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub pre_advice: Option<RecordedPreAdvice>,
    pub proposed: Option<Eur>,
    pub total_score: Option<i32>,
    pub granted: Option<Eur>,
    pub decision: Option<Decision>,
    pub merged_into: Option<String>,
    pub info_request: Option<InfoRequest>,
    /// The adoption that covers the plan's decision: from then on it is published.
    pub adoption_id: Option<String>,
    /// The organisation whose own action this is, filed by the programme team for it (the
    /// municipality's own actions): no applicant is written to.
    pub own_action_of: Option<String>,
}

impl Plan {
    /// Whether letters go to the plan's owner (not for an organisation's own action).
    pub fn has_applicant(&self) -> bool {
        self.own_action_of.is_none()
    }
}

impl Plan {
    /// A new draft of `owner` in `round_id`.
    pub fn draft(
        id: String,
        round_id: String,
        owner_id: String,
        applicant_kind: ApplicantKind,
        now: DateTime<Utc>,
    ) -> Plan {
        Plan {
            id,
            round_id,
            owner_id,
            applicant_kind,
            status: PlanStatus::Draft,
            version: 1,
            shown_version: 1,
            shown_updated_at: now,
            content: PlanContent::default(),
            budget_line: None,
            created_at: now,
            updated_at: now,
            submitted_at: None,
            pre_advice: None,
            proposed: None,
            total_score: None,
            granted: None,
            decision: None,
            merged_into: None,
            info_request: None,
            adoption_id: None,
            own_action_of: None,
        }
    }

    /// Whether the plan's decision is published: an adoption covers it.
    pub fn is_published(&self) -> bool {
        self.adoption_id.is_some()
    }

    /// The facts the state table decides on.
    pub fn state(&self) -> PlanRef<'_> {
        PlanRef {
            status: self.status,
            owner_id: &self.owner_id,
            published: self.is_published(),
        }
    }

    /// Sets the content (its title trimmed) and the budget line that follows from it.
    pub fn set_content(&mut self, mut content: PlanContent, catalog: &Catalog) {
        content.title = content.title.trim().to_string();
        self.budget_line = budget_line(&content, catalog);
        self.content = content;
    }

    /// The organisation a grant on this plan is paid to: its payee, or else the applicant's
    /// own (confirmed) organisation; `None` pays the applicant (a partner acting alone).
    pub fn receiver_id<'a>(&'a self, applicant_organisation: Option<&'a str>) -> Option<&'a str> {
        self.content.payee_id.as_deref().or(applicant_organisation)
    }

    /// The parties a board member can be tied to (for recusal).
    pub fn parties(&self) -> PlanParties<'_> {
        PlanParties {
            owner_id: &self.owner_id,
            lead_ids: self
                .content
                .lead_partner
                .iter()
                .chain(self.content.co_leads.iter())
                .filter_map(|p| p.organisation_id())
                .collect(),
            partner_ids: self
                .content
                .partners
                .iter()
                .filter_map(|p| p.organisation_id())
                .collect(),
            payee_id: self.content.payee_id.as_deref(),
        }
    }
}

/// The merge rules: a plan joins another plan of the same round that can still take it. The
/// target is `None` when the caller cannot see a plan with that id.
pub fn check_merge_target(
    plan: &Plan,
    target_id: &str,
    target: Option<&Plan>,
) -> Result<(), DomainError> {
    let field = |m: Bilingual| DomainError::Invalid(vec![super::FieldError::new("target_id", m)]);
    if target_id == plan.id {
        return Err(field(Bilingual::new(
            "a plan cannot be merged into itself",
            "een plan kan niet met zichzelf worden samengevoegd",
        )));
    }
    let Some(target) = target else {
        return Err(field(Bilingual::new(
            format!("unknown plan '{target_id}'"),
            format!("plan '{target_id}' bestaat niet"),
        )));
    };
    if target.round_id != plan.round_id {
        return Err(field(Bilingual::new(
            "the target plan belongs to another round",
            "het andere plan hoort bij een andere ronde",
        )));
    }
    if target.status.is_terminal() {
        return Err(DomainError::Conflict(Bilingual::new(
            format!(
                "the target plan is {} and can take nothing more",
                target.status.as_str()
            ),
            format!(
                "het andere plan is {} en kan niets meer opnemen",
                target.status.label_nl()
            ),
        )));
    }
    Ok(())
}

/// One step in a plan's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEvent {
    pub id: String,
    pub plan_id: String,
    pub actor_id: String,
    pub action: Action,
    pub from: Option<PlanStatus>,
    pub to: PlanStatus,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// A plan as it was submitted, kept for the record.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    pub version: i32,
    pub submitted_at: DateTime<Utc>,
    pub snapshot: serde_json::Value,
}

impl PlanVersion {
    /// The fields of the plan that differ from the version before (`None` for the first):
    /// what a reviewer reads again after a resubmission. Field names as the API names them, in
    /// the order of their names, then those the later version dropped.
    pub fn changed_since(&self, previous: Option<&PlanVersion>) -> Vec<String> {
        let Some(previous) = previous else {
            return Vec::new();
        };
        let empty = serde_json::Map::new();
        let before = previous.snapshot.as_object().unwrap_or(&empty);
        let after = self.snapshot.as_object().unwrap_or(&empty);
        let mut changed: Vec<String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect();
        changed.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
        changed
    }
}

/// An organisation on a plan: a registered one by id, or one not registered yet by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum PartyRef {
    Registered { organisation_id: String },
    Named { name: String },
}

impl PartyRef {
    pub fn organisation_id(&self) -> Option<&str> {
        match self {
            PartyRef::Registered { organisation_id } => Some(organisation_id),
            PartyRef::Named { .. } => None,
        }
    }
}

/// How one plan relates to another: it is part of it (a plan "gekoppeld aan project
/// Proeftuin"), it continues it (the same action in a next period), or they are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    PartOf,
    Continues,
    Related,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::PartOf => "part_of",
            Relation::Continues => "continues",
            Relation::Related => "related",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        [Relation::PartOf, Relation::Continues, Relation::Related]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The relation as the plan that has the link says it ("hoort bij …").
    pub fn label_nl(self) -> &'static str {
        match self {
            Relation::PartOf => "hoort bij",
            Relation::Continues => "is het vervolg op",
            Relation::Related => "hangt samen met",
        }
    }

    /// The same relation seen from the other plan ("… hoort hierbij").
    pub fn inverse_label_nl(self) -> &'static str {
        match self {
            Relation::PartOf => "heeft als onderdeel",
            Relation::Continues => "wordt voortgezet in",
            Relation::Related => "hangt samen met",
        }
    }
}

/// A link from a plan to another plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanLink {
    pub plan_id: String,
    pub relation: Relation,
}

/// The links of a plan: to plans that exist (`existing`), never to itself, each plan once.
pub fn check_links(
    links: &[PlanLink],
    own_id: Option<&str>,
    existing: &HashSet<String>,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    if links.len() > LIST_MAX {
        e.add(
            "links",
            (
                format!("must list at most {LIST_MAX} links"),
                format!("noem hoogstens {LIST_MAX} koppelingen"),
            ),
        );
        return e;
    }
    let mut seen = HashSet::new();
    for (i, l) in links.iter().enumerate() {
        let field = format!("links[{i}].plan_id");
        if Some(l.plan_id.as_str()) == own_id {
            e.add(
                field,
                (
                    "a plan cannot link to itself",
                    "een plan kan niet naar zichzelf verwijzen",
                ),
            );
        } else if !existing.contains(&l.plan_id) {
            e.add(
                field,
                (
                    format!("unknown plan '{}'", l.plan_id),
                    format!("plan '{}' bestaat niet", l.plan_id),
                ),
            );
        } else if !seen.insert(l.plan_id.as_str()) {
            e.add(field, ("names a plan twice", "noemt een plan twee keer"));
        }
    }
    e
}

/// How an action is paid for: a contribution from the programme (the default), a regular
/// budget ("Zit in basis financiering"), or nothing at all ("Geen"). Only a `programme` plan
/// requests an amount and counts against its theme's budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funding {
    #[default]
    Programme,
    BaseFunding,
    None,
}

impl Funding {
    pub fn as_str(self) -> &'static str {
        match self {
            Funding::Programme => "programme",
            Funding::BaseFunding => "base_funding",
            Funding::None => "none",
        }
    }

    /// Whether the plan asks the programme for money.
    pub fn requests_contribution(self) -> bool {
        self == Funding::Programme
    }

    /// What the overview, the letters and the pages say instead of an amount, in Dutch;
    /// `None` for a programme contribution (its amount is shown).
    pub fn without_amount_nl(self) -> Option<&'static str> {
        match self {
            Funding::Programme => None,
            Funding::BaseFunding => Some("Zit in basis financiering"),
            Funding::None => Some("Geen bijdrage"),
        }
    }

    /// The kind as the plan form names it.
    pub fn label_nl(self) -> &'static str {
        match self {
            Funding::Programme => "Bijdrage uit het programma",
            Funding::BaseFunding => "Zit in basis financiering",
            Funding::None => "Geen bijdrage",
        }
    }
}

/// Funding from elsewhere: `{source, amount_eur}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherFunding {
    pub source: String,
    pub amount_eur: i64,
}

/// What the applicant writes; any field may still be missing while the plan is a draft.
/// Unknown fields are refused, so nobody sets `status` or an assessment field through it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub budget_line: Option<String>,
    #[serde(default)]
    pub lead_partner: Option<PartyRef>,
    /// Further lead partners beside `lead_partner` ("Woej, SJD").
    #[serde(default)]
    pub co_leads: Vec<PartyRef>,
    #[serde(default)]
    pub partners: Vec<PartyRef>,
    #[serde(default)]
    pub payee_id: Option<String>,
    #[serde(default)]
    pub continuing: bool,
    #[serde(default)]
    pub funding: Funding,
    /// Ties to other plans (`part_of`, `continues`, `related`); shown both ways.
    #[serde(default)]
    pub links: Vec<PlanLink>,
    #[serde(default)]
    pub requested_eur: Option<i64>,
    #[serde(default)]
    pub other_funding: Vec<OtherFunding>,
    #[serde(default)]
    pub start_year: Option<i32>,
    #[serde(default)]
    pub end_year: Option<i32>,
    #[serde(default)]
    pub expected_reach: Option<i64>,
    #[serde(default)]
    pub resident_involvement: String,
    #[serde(default)]
    pub gap_in_offer: String,
}

impl PlanContent {
    /// Every registered organisation the plan refers to (lead, partners, payee).
    pub fn organisation_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .lead_partner
            .iter()
            .chain(self.co_leads.iter())
            .chain(self.partners.iter())
            .filter_map(|p| p.organisation_id())
            .collect();
        if let Some(p) = &self.payee_id {
            ids.push(p);
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl PlanContent {
    /// The keys (`organisation_key`) of the organisations this plan names by name.
    pub fn named_keys(&self) -> Vec<String> {
        self.lead_partner
            .iter()
            .chain(self.co_leads.iter())
            .chain(self.partners.iter())
            .filter_map(|p| match p {
                PartyRef::Named { name } => Some(super::organisation::organisation_key(name)),
                PartyRef::Registered { .. } => None,
            })
            .collect()
    }

    /// The content with every organisation named by the name of a registered one (case and
    /// spacing aside) taken as that organisation: `ids_by_key` maps a name's key to its id.
    /// So a board member's organisation is recognised however its name is typed.
    pub fn with_registered_names(
        mut self,
        ids_by_key: &std::collections::HashMap<String, String>,
    ) -> PlanContent {
        let resolve = |p: &mut PartyRef| {
            if let PartyRef::Named { name } = p {
                if let Some(id) = ids_by_key.get(&super::organisation::organisation_key(name)) {
                    *p = PartyRef::Registered {
                        organisation_id: id.clone(),
                    };
                }
            }
        };
        if let Some(lead) = self.lead_partner.as_mut() {
            resolve(lead);
        }
        self.co_leads.iter_mut().for_each(resolve);
        self.partners.iter_mut().for_each(resolve);
        self
    }

    /// Reads content from a JSON object, naming the field that does not fit.
    pub fn from_json(
        object: serde_json::Map<String, serde_json::Value>,
    ) -> Result<PlanContent, DomainError> {
        serde_path_to_error::deserialize(serde_json::Value::Object(object)).map_err(|err| {
            let path = err.path().to_string();
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            DomainError::Invalid(vec![super::FieldError::from_parser(
                field,
                &err.into_inner().to_string(),
            )])
        })
    }

    /// This content with a JSON merge patch (RFC 7396) laid over it: a member set to null is
    /// removed (and so takes its default), any other member replaces the one stored.
    pub fn patched(
        &self,
        patch: serde_json::Map<String, serde_json::Value>,
    ) -> Result<PlanContent, DomainError> {
        let mut base = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        for (k, v) in patch {
            if v.is_null() {
                base.remove(&k);
            } else {
                base.insert(k, v);
            }
        }
        PlanContent::from_json(base)
    }
}

/// What a plan becomes when another is merged into it: the union of both plans' goals,
/// partners and co-leads (the merged plan's lead joins as a co-lead unless already named),
/// and, when the programme team sets it, the combined amount requested. The rest stays the
/// target's.
pub fn combine(
    target: &PlanContent,
    merged: &PlanContent,
    requested_eur: Option<i64>,
) -> PlanContent {
    let mut c = target.clone();
    for g in &merged.goals {
        if !c.goals.contains(g) {
            c.goals.push(g.clone());
        }
    }
    let named = |c: &PlanContent, p: &PartyRef| {
        c.lead_partner.as_ref() == Some(p) || c.co_leads.contains(p) || c.partners.contains(p)
    };
    for p in merged.lead_partner.iter().chain(merged.co_leads.iter()) {
        if !named(&c, p) {
            c.co_leads.push(p.clone());
        }
    }
    for p in &merged.partners {
        if !named(&c, p) {
            c.partners.push(p.clone());
        }
    }
    if requested_eur.is_some() {
        c.requested_eur = requested_eur;
    }
    c
}

/// The theme a plan is charged to: the explicit one, else the theme of its first known goal.
pub fn budget_line(content: &PlanContent, catalog: &Catalog) -> Option<String> {
    match &content.budget_line {
        Some(explicit) => Some(explicit.clone()),
        None => content
            .goals
            .iter()
            .find_map(|g| catalog.theme_of_goal(g))
            .map(|t| t.code.clone()),
    }
}

/// Rules that hold for any saved plan, draft or not: well-formed values, known references.
/// Completeness is only demanded at submission (`parse_submission`).
pub fn check_content(
    content: &PlanContent,
    catalog: &Catalog,
    known_organisations: &HashSet<String>,
) -> FieldErrors {
    let mut e = FieldErrors::new();
    if let Err(m) = Bounded::TITLE.required(Some(&content.title)) {
        e.add("title", m);
    }
    for (field, text) in [
        ("description", &content.description),
        ("resident_involvement", &content.resident_involvement),
        ("gap_in_offer", &content.gap_in_offer),
    ] {
        if let Err(m) = Bounded::LONG.check(text) {
            e.add(field, m);
        }
    }

    if content.goals.len() > LIST_MAX {
        e.add(
            "goals",
            (
                format!("must list at most {LIST_MAX} goals"),
                format!("kies hoogstens {LIST_MAX} doelen"),
            ),
        );
    } else {
        let known = catalog.goal_codes();
        let mut seen = HashSet::new();
        for (i, g) in content.goals.iter().enumerate() {
            if !known.contains(&g.as_str()) {
                e.add(
                    format!("goals[{i}]"),
                    (
                        format!(
                            "unknown goal code '{}'; this round's goals are {}",
                            g,
                            known.join(", ")
                        ),
                        format!(
                            "doel '{}' bestaat niet; de doelen van deze ronde zijn {}",
                            g,
                            known.join(", ")
                        ),
                    ),
                );
            } else if !seen.insert(g.as_str()) {
                e.add(
                    format!("goals[{i}]"),
                    (
                        format!("goal '{g}' is listed twice"),
                        format!("doel '{g}' staat er twee keer in"),
                    ),
                );
            }
        }
    }

    if let Some(line) = &content.budget_line {
        if catalog.theme(line).is_none() {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            e.add(
                "budget_line",
                (
                    format!(
                        "unknown theme '{}'; this round's themes are {}",
                        line,
                        codes.join(", ")
                    ),
                    format!(
                        "opgave '{}' bestaat niet; de opgaven van deze ronde zijn {}",
                        line,
                        codes.join(", ")
                    ),
                ),
            );
        }
    }

    let mut check_party = |field: String, party: &PartyRef| match party {
        PartyRef::Registered { organisation_id } => {
            if !known_organisations.contains(organisation_id) {
                e.add(
                    field,
                    (
                        format!("unknown organisation '{organisation_id}'"),
                        format!("organisatie '{organisation_id}' bestaat niet"),
                    ),
                );
            }
        }
        PartyRef::Named { name } => {
            if let Err(m) = Bounded::NAME.required(Some(name)) {
                e.add(
                    field,
                    (
                        format!("an organisation's name {}", m.en),
                        format!("de naam van een organisatie {}", m.nl),
                    ),
                );
            }
        }
    };
    if let Some(lead) = &content.lead_partner {
        check_party("lead_partner".into(), lead);
    }
    let too_many_co_leads = content.co_leads.len() > LIST_MAX;
    if !too_many_co_leads {
        for (i, p) in content.co_leads.iter().enumerate() {
            check_party(format!("co_leads[{i}]"), p);
        }
    }
    if content.partners.len() > LIST_MAX {
        e.add(
            "partners",
            (
                format!("must list at most {LIST_MAX} partners"),
                format!("noem hoogstens {LIST_MAX} partners"),
            ),
        );
    } else {
        for (i, p) in content.partners.iter().enumerate() {
            check_party(format!("partners[{i}]"), p);
        }
    }
    if too_many_co_leads {
        e.add(
            "co_leads",
            (
                format!("must list at most {LIST_MAX} co-leads"),
                format!("noem hoogstens {LIST_MAX} medetrekkers"),
            ),
        );
    }
    if let Some(payee) = &content.payee_id {
        if !known_organisations.contains(payee) {
            e.add(
                "payee_id",
                (
                    format!("unknown organisation '{payee}'"),
                    format!("organisatie '{payee}' bestaat niet"),
                ),
            );
        }
    }

    if let Some(r) = content.requested_eur {
        if let Err(m) = Eur::parse(r) {
            e.add("requested_eur", m);
        }
    }
    if content.other_funding.len() > LIST_MAX {
        e.add(
            "other_funding",
            (
                format!("must list at most {LIST_MAX} sources"),
                format!("noem hoogstens {LIST_MAX} andere bronnen"),
            ),
        );
    } else {
        for (i, f) in content.other_funding.iter().enumerate() {
            if let Err(m) = Bounded::NAME.required(Some(&f.source)) {
                e.add(format!("other_funding[{i}].source"), m);
            }
            if let Err(m) = Eur::parse(f.amount_eur) {
                e.add(format!("other_funding[{i}].amount_eur"), m);
            }
        }
    }
    if let Some(r) = content.expected_reach {
        if !(0..=10_000_000).contains(&r) {
            e.add(
                "expected_reach",
                (
                    "must be a number of people from 0 to 10000000",
                    "vul een aantal mensen in van 0 tot en met 10.000.000",
                ),
            );
        }
    }
    if let (Some(s), Some(end)) = (content.start_year, content.end_year) {
        if s > end {
            e.add(
                "end_year",
                (
                    format!("must not be before start_year ({s})"),
                    format!("mag niet voor het beginjaar ({s}) liggen"),
                ),
            );
        }
    }
    e
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_go_to_other_plans_that_exist_once_each() {
        use super::{check_links, PlanLink, Relation};
        let existing: std::collections::HashSet<String> =
            ["p2".to_string(), "p3".to_string()].into();
        let link = |id: &str| PlanLink {
            plan_id: id.into(),
            relation: Relation::PartOf,
        };
        assert!(check_links(&[link("p2"), link("p3")], Some("p1"), &existing).is_empty());
        let e = check_links(
            &[link("p1"), link("nope"), link("p2"), link("p2")],
            Some("p1"),
            &existing,
        );
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["links[0].plan_id", "links[1].plan_id", "links[3].plan_id"]
        );
        assert_eq!(
            Relation::Continues.inverse_label_nl(),
            "wordt voortgezet in"
        );
    }

    #[test]
    fn a_merge_takes_the_union_of_goals_and_parties() {
        let org = |id: &str| PartyRef::Registered {
            organisation_id: id.into(),
        };
        let target = super::PlanContent {
            goals: vec!["A".into(), "B".into()],
            lead_partner: Some(org("woej")),
            partners: vec![org("school")],
            requested_eur: Some(10_000),
            ..Default::default()
        };
        let merged = super::PlanContent {
            goals: vec!["B".into(), "J".into()],
            lead_partner: Some(org("sjd")),
            partners: vec![org("school"), org("bieb")],
            requested_eur: Some(5_000),
            ..Default::default()
        };
        let c = super::combine(&target, &merged, None);
        assert_eq!(c.goals, vec!["A", "B", "J"]);
        assert_eq!(c.co_leads, vec![org("sjd")]);
        assert_eq!(c.partners, vec![org("school"), org("bieb")]);
        assert_eq!(c.requested_eur, Some(10_000), "the amount stays unless set");
        assert_eq!(
            super::combine(&target, &merged, Some(14_000)).requested_eur,
            Some(14_000)
        );
        // The same lead is not named twice.
        let same = super::PlanContent {
            lead_partner: Some(org("woej")),
            ..Default::default()
        };
        assert!(super::combine(&target, &same, None).co_leads.is_empty());
    }

    #[test]
    fn a_version_names_what_changed_since_the_one_before() {
        let at = chrono::Utc::now();
        let v = |version, snapshot| super::PlanVersion {
            version,
            submitted_at: at,
            snapshot,
        };
        let first = v(
            1,
            serde_json::json!({"title": "A", "requested_eur": 100, "goals": ["B"]}),
        );
        let second = v(
            2,
            serde_json::json!({"title": "A", "requested_eur": 90, "goals": ["B", "J"]}),
        );
        assert!(first.changed_since(None).is_empty());
        assert_eq!(
            second.changed_since(Some(&first)),
            vec!["goals".to_string(), "requested_eur".to_string()]
        );
        let third = v(3, serde_json::json!({"title": "A", "goals": ["B", "J"]}));
        assert_eq!(
            third.changed_since(Some(&second)),
            vec!["requested_eur".to_string()]
        );
    }

    use super::*;

    fn plan(id: &str, round: &str, status: PlanStatus) -> Plan {
        let mut p = Plan::draft(
            id.into(),
            round.into(),
            "owner".into(),
            ApplicantKind::Partner,
            Utc::now(),
        );
        p.status = status;
        p
    }

    #[test]
    fn a_plan_merges_into_another_open_plan_of_its_round() {
        let p = plan("a", "r1", PlanStatus::InReview);
        let ok = plan("b", "r1", PlanStatus::Submitted);
        assert!(check_merge_target(&p, "b", Some(&ok)).is_ok());
        let field = |e: DomainError| match e {
            DomainError::Invalid(f) => f[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(check_merge_target(&p, "a", Some(&p)).unwrap_err()),
            "target_id"
        );
        assert_eq!(
            field(check_merge_target(&p, "x", None).unwrap_err()),
            "target_id"
        );
        let elsewhere = plan("c", "r2", PlanStatus::Submitted);
        assert_eq!(
            field(check_merge_target(&p, "c", Some(&elsewhere)).unwrap_err()),
            "target_id"
        );
        let done = plan("d", "r1", PlanStatus::Withdrawn);
        assert!(matches!(
            check_merge_target(&p, "d", Some(&done)),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn an_organisation_named_by_its_registered_name_is_that_organisation() {
        let c = PlanContent {
            lead_partner: Some(PartyRef::Named {
                name: "  bibliotheek   NOORD ".into(),
            }),
            partners: vec![
                PartyRef::Named {
                    name: "Buurthuis".into(),
                },
                PartyRef::Registered {
                    organisation_id: "org-2".into(),
                },
            ],
            ..Default::default()
        };
        assert_eq!(c.named_keys(), vec!["bibliotheek noord", "buurthuis"]);
        let ids = [("bibliotheek noord".to_string(), "org-1".to_string())]
            .into_iter()
            .collect();
        let r = c.with_registered_names(&ids);
        assert_eq!(
            r.lead_partner,
            Some(PartyRef::Registered {
                organisation_id: "org-1".into()
            })
        );
        assert_eq!(
            r.partners[0],
            PartyRef::Named {
                name: "Buurthuis".into()
            },
            "not registered: kept by name"
        );
    }

    #[test]
    fn a_merge_patch_replaces_what_it_names_and_null_clears() {
        let c = PlanContent {
            title: "Huiswerkklas".into(),
            description: "Na school".into(),
            requested_eur: Some(500),
            ..Default::default()
        };
        let patch = serde_json::json!({"description": "Na schooltijd", "requested_eur": null});
        let serde_json::Value::Object(patch) = patch else {
            unreachable!()
        };
        let p = c.patched(patch).unwrap();
        assert_eq!(p.title, "Huiswerkklas");
        assert_eq!(p.description, "Na schooltijd");
        assert_eq!(p.requested_eur, None);
        let serde_json::Value::Object(bad) = serde_json::json!({"start_year": "volgend jaar"})
        else {
            unreachable!()
        };
        match c.patched(bad) {
            Err(DomainError::Invalid(f)) => assert_eq!(f[0].field, "start_year"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_title_is_trimmed_and_the_budget_line_follows_the_goals() {
        let catalog = crate::domain::round::tests::programme().catalog;
        let mut p = plan("a", "r1", PlanStatus::Draft);
        p.set_content(
            PlanContent {
                title: "  Huiswerkklas ".into(),
                goals: vec!["R".into()],
                ..Default::default()
            },
            &catalog,
        );
        assert_eq!(p.content.title, "Huiswerkklas");
        assert_eq!(p.budget_line.as_deref(), Some("FVW"));
    }
}
