//! A plan: what the applicant writes, the rules any saved plan keeps, and the plan as stored
//! with what the assessment added to it.

pub mod attachments;
pub mod co_applicants;
mod content;
pub mod reference;
mod submission;

pub use content::check_content;

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
    /// The reference people quote (`SVN-2025-0042`), given at the first submission
    /// (`reference`); `None` for a draft.
    pub reference: Option<String>,
    /// The people the owner invited to file the plan with them (`co_applicants`), by user id;
    /// storage loads them with every plan it reads.
    pub co_applicant_ids: Vec<String>,
}

impl Plan {
    /// What letters and pages quote for the plan: its reference, or its id before it has one.
    pub fn kenmerk(&self) -> &str {
        self.reference.as_deref().unwrap_or(&self.id)
    }

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
            reference: None,
            own_action_of: None,
            co_applicant_ids: Vec::new(),
        }
    }

    /// Whether `user_id` holds the plan as an applicant: its owner or an invited co-applicant
    /// (the owners of plans merged into it are told of it, but do not hold it).
    pub fn is_held_by(&self, user_id: &str) -> bool {
        self.owner_id == user_id || self.co_applicant_ids.iter().any(|c| c == user_id)
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
            co_applicant_ids: &self.co_applicant_ids,
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
            co_applicant_ids: self.co_applicant_ids.iter().map(String::as_str).collect(),
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
    /// Who submitted it, by user id (`None` for versions kept before this was recorded).
    pub submitted_by: Option<String>,
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
    /// An amount as a person reads it for a plan funded this way: `€ 4.000` from the
    /// programme, else how it is funded, never "€ 0".
    pub fn amount_nl(self, amount: crate::domain::Eur) -> String {
        match self.without_amount_nl() {
            Some(how) => how.to_string(),
            None => amount.format_nl(),
        }
    }

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
    /// A short description, what the published table prints (at most
    /// `overview::SUMMARY_MAX` characters).
    #[serde(default)]
    pub summary: String,
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

/// The theme a plan is charged to: the one it names, else the theme of its goals when they
/// all belong to one. Goals of several themes name no theme by themselves: which one pays is
/// the applicant's choice (`budget_line`), never the alphabet's.
pub fn budget_line(content: &PlanContent, catalog: &Catalog) -> Option<String> {
    match &content.budget_line {
        Some(explicit) => Some(explicit.clone()),
        None => match themes_of_goals(content, catalog).as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        },
    }
}

/// The themes of the plan's known goals, each once, in the catalog's order.
pub fn themes_of_goals(content: &PlanContent, catalog: &Catalog) -> Vec<String> {
    catalog
        .themes
        .iter()
        .filter(|t| {
            content
                .goals
                .iter()
                .any(|g| catalog.theme_of_goal(g).is_some_and(|of| of.code == t.code))
        })
        .map(|t| t.code.clone())
        .collect()
}

#[cfg(test)]
mod tests;
