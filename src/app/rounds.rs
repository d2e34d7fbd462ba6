//! Rounds: the call for plans with its frame; and a round's money and decisions: the budget
//! per theme, the ranking, the college's adoption, the published overview.

use super::{new_id, now, Error};
use crate::db::{self, DbConn, DbError, Tx};
use crate::domain::budget::{check_budget_change, rank, ranks, remaining, RankInput};
use crate::domain::overview::{
    self, build, Action as OverviewAction, AdoptionLine, Overview, ReservedRow,
};
use crate::domain::permission::{self, Permission};
use crate::domain::plan::{PartyRef, Plan, PlanLink, Relation};
use crate::domain::round::{frozen_change, parse_round, Round, RoundInput};
use crate::domain::state::PlanStatus;
use crate::domain::user::{Actor, ApplicantKind};
use crate::domain::{DomainError, Eur, FieldError};

/// The programme team opens a new round; every rule of the frame is checked at once.
pub fn create(tx: &mut Tx, actor: &Actor, input: RoundInput) -> Result<Round, Error> {
    permission::check(actor, Permission::ManageRounds)?;
    let spec = stored_times(parse_round(&input)?);
    let at = now();
    let round = Round {
        id: new_id(),
        spec,
        adopted_on: None,
        adoption_reference: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    db::rounds::insert(tx, &round)?;
    Ok(round)
}

/// The frame with its times as they are stored (to the microsecond), so a round answered
/// now reads the same as later.
fn stored_times(mut spec: crate::domain::round::RoundSpec) -> crate::domain::round::RoundSpec {
    spec.opens_at = crate::db::micros(spec.opens_at);
    spec.closes_at = crate::db::micros(spec.closes_at);
    spec
}

/// What the next period's round is made with: the fields given replace the earlier round's.
#[derive(Debug, Clone, Default)]
pub struct CopyInput {
    pub name: Option<String>,
    pub start_year: Option<i64>,
    pub end_year: Option<i64>,
    pub opens_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The programme team makes the next period's round from an earlier one: the same themes,
/// goals, budgets (to be changed after as needed), criteria, conditions, legal frame and
/// texts, under a new name, period and window; and every adopted continuing action of the
/// earlier round as a draft for its owner, linked to the action it `continues` (without
/// years: the owner gives them for the new period). Answers the round and the drafts' ids.
pub fn copy(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    input: CopyInput,
) -> Result<(Round, Vec<String>), Error> {
    permission::check(actor, Permission::ManageRounds)?;
    let earlier = db::rounds::find(tx, id)?.ok_or(Error::NotFound("round"))?;
    let mut next = earlier.spec.to_input();
    next.name = input.name.or(next.name);
    next.start_year = input.start_year.or(next.start_year);
    next.end_year = input.end_year.or(next.end_year);
    next.opens_at = input.opens_at.or(next.opens_at);
    next.closes_at = input.closes_at.or(next.closes_at);
    let round = create(tx, actor, next)?;
    let mut drafts = Vec::new();
    for p in db::plans::of_round(tx, &earlier.id)?
        .into_iter()
        .filter(|p| p.status == PlanStatus::Adopted && p.content.continuing)
    {
        let mut content = p.content.clone();
        content.start_year = None;
        content.end_year = None;
        content.links = vec![PlanLink {
            plan_id: p.id.clone(),
            relation: Relation::Continues,
        }];
        let mut plan = Plan::draft(
            new_id(),
            round.id.clone(),
            p.owner_id.clone(),
            p.applicant_kind,
            now(),
        );
        // An organisation's own action stays its own: no applicant, no letters.
        plan.own_action_of = p.own_action_of.clone();
        plan.set_content(content, &round.spec.catalog);
        db::plans::insert(tx, &plan)?;
        drafts.push(plan.id);
    }
    Ok((round, drafts))
}

/// Every round, the latest to open first (public, as a call for plans is).
pub fn list(c: &mut DbConn) -> Result<Vec<Round>, Error> {
    Ok(db::rounds::list(c)?)
}

/// What moves with every change to the rounds (`db::rounds::change_stamp`): their number and
/// the sum of their versions.
pub type RoundsStamp = (i64, i64);

/// Every round, as `list`, kept between requests until a round changes or is added: most
/// pages show the rounds, which change a few times a year, and reading them parses every
/// round's frame. Checked on each use against the rounds' stamp, so a change made by
/// another instance is seen at once.
#[derive(Default)]
pub struct RoundsCache(std::sync::Mutex<Option<(RoundsStamp, std::sync::Arc<Vec<Round>>)>>);

/// Every round, from the cache while the rounds' stamp holds.
pub fn list_cached(
    c: &mut DbConn,
    cache: &RoundsCache,
) -> Result<std::sync::Arc<Vec<Round>>, Error> {
    Ok(list_cached_stamped(c, cache)?.1)
}

/// As `list_cached`, with the stamp the rounds were read at (for a cache of pages that show
/// them).
pub fn list_cached_stamped(
    c: &mut DbConn,
    cache: &RoundsCache,
) -> Result<(RoundsStamp, std::sync::Arc<Vec<Round>>), Error> {
    // The stamp is read first: the rounds read after it are at least as new.
    let stamp = db::rounds::change_stamp(c)?;
    if let Some((at, rounds)) = &*cache.0.lock().unwrap_or_else(|p| p.into_inner()) {
        if *at == stamp {
            return Ok((stamp, rounds.clone()));
        }
    }
    let rounds = std::sync::Arc::new(db::rounds::list(c)?);
    *cache.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((stamp, rounds.clone()));
    Ok((stamp, rounds))
}

/// One round (public).
pub fn get(c: &mut DbConn, id: &str) -> Result<Round, Error> {
    db::rounds::find(c, id)?.ok_or(Error::NotFound("round"))
}

/// The programme team changes any part of a round's frame; the result is checked whole. Once
/// plans are submitted, codes and scales are fixed; a budget never drops below what is
/// granted on it; an adopted round is final.
pub fn update(tx: &mut Tx, actor: &Actor, id: &str, change: RoundInput) -> Result<Round, Error> {
    permission::check(actor, Permission::ManageRounds)?;
    let mut round = db::rounds::find(tx, id)?.ok_or(Error::NotFound("round"))?;
    round.check_changeable()?;
    let spec = stored_times(parse_round(&change.over(round.spec.to_input()))?);
    if db::rounds::has_submissions(tx, &round.id)? {
        if let Some(message) = frozen_change(&round.spec.catalog, &spec.catalog) {
            return Err(DomainError::Conflict(message).into());
        }
    }
    for theme in &spec.catalog.themes {
        let granted = db::plans::granted_on_line(tx, &round.id, &theme.code)?;
        check_budget_change(&theme.code, theme.budget_eur, granted)?;
    }
    round.spec = spec;
    round.version += 1;
    round.updated_at = now();
    if !db::rounds::update(tx, &round)? {
        return Err(Error::Changed("round"));
    }
    Ok(round)
}

/// A value a plan in its status always has; its absence is a stored inconsistency.
fn kept<T>(value: Option<T>, plan: &Plan, column: &'static str) -> Result<T, Error> {
    value.ok_or_else(|| {
        DbError::corrupt(
            "plans",
            &plan.id,
            column,
            format!("missing while {}", plan.status.as_str()),
        )
        .into()
    })
}

pub use crate::domain::budget::BudgetLine;

/// Per theme: the budget, what standing plans request, what standing pre-advice proposes,
/// what is granted, and what remains (programme team and board).
pub fn budget(c: &mut DbConn, actor: &Actor, id: &str) -> Result<Vec<BudgetLine>, Error> {
    permission::check(actor, Permission::SeeAssessment)?;
    let round = get(c, id)?;
    let plans = db::plans::of_round(c, &round.id)?;
    let reservations = db::reservations::standing(c, &round.id)?;
    crate::domain::budget::lines(&round, &plans, &reservations).map_err(Error::Internal)
}

/// A plan's place in its theme's ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedPlan {
    pub plan_id: String,
    pub title: String,
    pub theme: String,
    pub status: PlanStatus,
    pub total_score: i32,
    pub proposed: Eur,
    /// How the plan is paid for: one funded otherwise proposes no amount ("€ 0" is never
    /// shown for it).
    pub funding: crate::domain::plan::Funding,
    pub running_total: Eur,
    pub budget: Eur,
    /// Held on the theme by standing reservations: the plans fit in what is left of it.
    pub reserved: Eur,
    pub fits: bool,
}

/// Pre-advised and decided plans per theme by total score, with the running total against
/// the theme's budget (programme team and board).
pub fn ranking(
    c: &mut DbConn,
    actor: &Actor,
    id: &str,
    theme: Option<&str>,
) -> Result<Vec<RankedPlan>, Error> {
    permission::check(actor, Permission::SeeAssessment)?;
    let round = get(c, id)?;
    let catalog = &round.spec.catalog;
    if let Some(t) = theme {
        if catalog.theme(t).is_none() {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            return Err(DomainError::Invalid(vec![FieldError::new(
                "theme",
                (
                    format!(
                        "unknown theme '{t}'; this round's themes are {}",
                        codes.join(", ")
                    ),
                    format!(
                        "opgave '{t}' bestaat niet; de opgaven van deze ronde zijn {}",
                        codes.join(", ")
                    ),
                ),
            )])
            .into());
        }
    }
    let plans = db::plans::of_round(c, &round.id)?;
    let reservations = db::reservations::standing(c, &round.id)?;
    let mut ranked = Vec::new();
    for t in catalog
        .themes
        .iter()
        .filter(|t| theme.is_none_or(|f| f == t.code))
    {
        let mut inputs = Vec::new();
        for p in plans
            .iter()
            .filter(|p| p.budget_line.as_deref() == Some(t.code.as_str()) && ranks(p.status))
        {
            inputs.push(RankInput {
                plan_id: p.id.clone(),
                title: p.content.title.clone(),
                status: p.status,
                total_score: kept(p.total_score, p, "total_score")?,
                proposed: kept(p.proposed, p, "proposed_eur")?,
            });
        }
        // What stands reserved on the line is not there for these plans.
        let reserved = reservations
            .iter()
            .filter(|r| r.theme == t.code)
            .fold(Eur::ZERO, |sum, r| sum + r.amount);
        for r in rank(inputs, remaining(t.budget_eur, reserved)) {
            let funding = plans
                .iter()
                .find(|p| p.id == r.input.plan_id)
                .map(|p| p.content.funding)
                .unwrap_or_default();
            ranked.push(RankedPlan {
                funding,
                plan_id: r.input.plan_id,
                title: r.input.title,
                theme: t.code.clone(),
                status: r.input.status,
                total_score: r.input.total_score,
                proposed: r.input.proposed,
                running_total: r.running_total,
                budget: t.budget_eur,
                reserved,
                fits: r.fits,
            });
        }
    }
    Ok(ranked)
}

fn party_name(p: &PartyRef, names: &std::collections::HashMap<String, String>) -> String {
    match p {
        PartyRef::Registered { organisation_id } => names
            .get(organisation_id)
            .cloned()
            .unwrap_or_else(|| organisation_id.clone()),
        PartyRef::Named { name } => name.trim().to_string(),
    }
}

/// The programme team sets the note a plan's row of the overview carries ("Gaat ten laste
/// budget …"); an empty note removes it. Answers the note as kept.
pub fn set_note(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    note: &str,
) -> Result<Option<String>, Error> {
    permission::check(actor, Permission::ReviewPlans)?;
    super::plans::load_visible(tx, actor, plan_id)?;
    let note = overview::check_note(note)?;
    db::notes::set(tx, plan_id, &note, &actor.user_id, now())?;
    Ok(Some(note).filter(|n| !n.is_empty()))
}

/// A plan's note in the overview (the programme team).
pub fn note_of(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Option<String>, Error> {
    permission::check(actor, Permission::ReviewPlans)?;
    super::plans::load_visible(c, actor, plan_id)?;
    Ok(db::notes::of_plan(c, plan_id)?)
}

/// The "Overzicht acties": public once the round is adopted, listing the actions its
/// adoptions cover and the adoptions themselves; before that a draft for the programme team
/// only (not found to anyone else), listing what the first adoption would adopt.
pub fn overview(
    c: &mut DbConn,
    actor: Option<&Actor>,
    id: &str,
) -> Result<(Round, Overview), Error> {
    let round = get(c, id)?;
    if !overview::visible(round.is_adopted(), actor) {
        return Err(Error::NotFound("round overview"));
    }
    let names = db::organisations::names(c)?;
    let adoptions: Vec<AdoptionLine> = db::adoptions::of_round(c, &round.id)?
        .into_iter()
        .map(|a| AdoptionLine {
            adopted_on: a.adopted_on,
            reference: a.reference,
        })
        .collect();
    let progress = super::shared::progress_by_plan(c, &round.id)?;
    let listed: Vec<Plan> = db::plans::of_round(c, &round.id)?
        .into_iter()
        .filter(|p| overview::lists(round.is_adopted(), p.status, p.is_published()))
        .collect();
    let ids: Vec<&str> = listed.iter().map(|p| p.id.as_str()).collect();
    let mut notes = db::notes::of_plans(c, &ids)?;
    // Money held for a purpose is a row of its theme's table, until a listed plan takes it.
    let reservations: Vec<(String, ReservedRow)> = db::reservations::standing(c, &round.id)?
        .into_iter()
        .filter(|r| r.plan_id.as_deref().is_none_or(|p| !ids.contains(&p)))
        .map(|r| {
            (
                r.theme,
                ReservedRow {
                    purpose: r.purpose,
                    amount_eur: r.amount,
                },
            )
        })
        .collect();
    let mut actions = Vec::new();
    for p in listed {
        let content = &p.content;
        let mut other = Eur::ZERO;
        for f in &content.other_funding {
            other = other
                + Eur::parse(f.amount_eur)
                    .map_err(|m| DbError::corrupt("plans", &p.id, "content", m))?;
        }
        actions.push(OverviewAction {
            plan_id: p.id.clone(),
            reference: p.reference.clone(),
            title: content.title.clone(),
            summary: overview::short_description(&content.summary, &content.description),
            goals: content.goals.clone(),
            // The lead and the co-leads, as the printed table writes them ("Woej, SJD");
            // a resident's row without one reads "Inwoner(s)".
            lead_partner: match &content.lead_partner {
                Some(l) => Some(
                    std::iter::once(l)
                        .chain(content.co_leads.iter())
                        .map(|x| party_name(x, &names))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                None if p.applicant_kind == ApplicantKind::Resident => {
                    Some(overview::RESIDENT_LEAD.to_string())
                }
                None => None,
            },
            note: notes.remove(&p.id),
            partners: content
                .partners
                .iter()
                .map(|x| party_name(x, &names))
                .collect(),
            continuing: content.continuing,
            funding: content.funding,
            programme_funding_eur: kept(p.granted, &p, "granted_eur")?,
            other_funding_eur: other,
            other_funding: content.other_funding.clone(),
            start_year: content.start_year,
            end_year: content.end_year,
            budget_line: kept(p.budget_line.clone(), &p, "budget_line")?,
            progress: progress
                .get(&p.id)
                .map(|(s, _)| *s)
                .unwrap_or(crate::domain::grant::GrantStatus::Running),
            paid_eur: progress
                .get(&p.id)
                .map(|(_, g)| g.paid)
                .unwrap_or(Eur::ZERO),
            spent_eur: progress
                .get(&p.id)
                .map(|(_, g)| g.spent)
                .unwrap_or(Eur::ZERO),
        });
    }
    let o = build(
        &round.id,
        &round.spec.name,
        adoptions,
        &round.spec.catalog,
        actions,
        reservations,
    );
    Ok((round, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::TestApp;
    use crate::domain::user::Role;

    /// The kept rounds are the same list until a round is added or changed, by anyone: a
    /// second cache (another instance) sees the change at once.
    #[test]
    fn kept_rounds_follow_every_change() {
        let t = TestApp::new();
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let (here, elsewhere) = (RoundsCache::default(), RoundsCache::default());
        let kept = |k: &RoundsCache| t.app.read(|c| list_cached(c, k)).unwrap();
        assert!(kept(&here).is_empty());
        let round = t.open_round();
        let first = kept(&here);
        assert_eq!(first.len(), 1);
        assert!(
            std::sync::Arc::ptr_eq(&first, &kept(&here)),
            "kept, not read again"
        );
        kept(&elsewhere);
        let change = RoundInput {
            name: Some("Sterk voor Noord — herzien".into()),
            ..Default::default()
        };
        t.app
            .write(|tx| update(tx, &team, &round.id, change))
            .unwrap();
        assert_eq!(kept(&here)[0].spec.name, "Sterk voor Noord — herzien");
        assert_eq!(kept(&elsewhere)[0].spec.name, "Sterk voor Noord — herzien");
        t.closed_round();
        assert_eq!(kept(&here).len(), 2);
    }

    #[test]
    fn the_team_opens_changes_and_fixes_a_round() {
        let t = TestApp::new();
        let team = t.account(&[Role::ProgrammeTeam]).actor();
        let round = t.open_round();
        let change = RoundInput {
            name: Some("Sterk voor Noord — herzien".into()),
            ..Default::default()
        };
        let r = t
            .app
            .write(|tx| update(tx, &team, &round.id, change))
            .unwrap();
        assert_eq!(
            (r.spec.name.as_str(), r.version),
            ("Sterk voor Noord — herzien", 2)
        );
        assert_eq!(
            r.spec.catalog, round.spec.catalog,
            "what the patch leaves out stays"
        );
        let anna = t.resident();
        t.submitted(&anna, &round);
        let mut themes = r.spec.to_input().themes.unwrap();
        themes[0].code = Some("JEUGD".into());
        let change = RoundInput {
            themes: Some(themes),
            ..Default::default()
        };
        assert!(matches!(
            t.app.write(|tx| update(tx, &team, &round.id, change)),
            Err(Error::Domain(DomainError::Conflict(_)))
        ));
        let member = t.account(&[Role::BoardMember]).actor();
        assert!(matches!(
            t.app.write(|tx| create(tx, &member, round.spec.to_input())),
            Err(Error::Domain(crate::domain::DomainError::Forbidden(_)))
        ));
        assert_eq!(t.app.read(list).unwrap().len(), 1);
        assert_eq!(
            t.app.read(|c| get(c, &round.id)).unwrap().spec.name,
            "Sterk voor Noord — herzien"
        );
        assert!(matches!(
            t.app.read(|c| get(c, "nope")),
            Err(Error::NotFound("round"))
        ));
    }

    #[test]
    fn a_decided_round_is_adopted_once_with_letters_and_its_overview_published() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let plan = t.submitted(&anna, &round);
        let team = t.account(&[Role::ProgrammeTeam]);
        t.approved(&plan.id, &team);
        assert!(matches!(
            t.app.read(|c| overview(c, Some(&anna.actor()), &round.id)),
            Err(Error::NotFound(_))
        ));
        let lines = t.app.read(|c| budget(c, &team.actor(), &round.id)).unwrap();
        let jjo = lines.iter().find(|l| l.theme == "JJO").unwrap();
        assert_eq!(
            (jjo.granted.value(), jjo.remaining.value()),
            (5_000, 141_000)
        );
        let ranked = t
            .app
            .read(|c| ranking(c, &team.actor(), &round.id, Some("JJO")))
            .unwrap();
        assert_eq!(ranked.len(), 1);
        assert!(ranked[0].fits);
        assert!(t
            .app
            .read(|c| ranking(c, &team.actor(), &round.id, Some("XX")))
            .is_err());
        let a = t.adopt(&team, &round, &[]);
        assert_eq!(a.adopted, vec![plan.id.clone()]);
        let (_, o) = t.app.read(|c| overview(c, None, &round.id)).unwrap();
        assert_eq!(o.total_granted_eur.value(), 5_000);
        assert!(matches!(
            t.app
                .write(|tx| update(tx, &team.actor(), &round.id, RoundInput::default())),
            Err(Error::Domain(DomainError::RoundAdopted))
        ));
    }
}
