//! The college's adoptions of a round: record one (the first, or a supplementary one for the
//! plans decided since), list them, correct one while its letters are unsent. An adoption
//! publishes the decisions it covers and sends their letters ("beschikkingen").

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};

use super::outbox::enqueue;
use super::plans::{act, merged_owners, owner_of, Effect};
use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::adoption::{check_correctable, check_record, cover, Adoption, Standing};
use crate::domain::calendar::amsterdam_date;
use crate::domain::permission::{self, Permission};
use crate::domain::plan::Plan;
use crate::domain::round::Round;
use crate::domain::state::{Action, PlanStatus};
use crate::domain::user::Actor;
use crate::mail::letters::{self, Addressee, DecisionLetter};

/// An adoption with the plans it covers and whether its letters went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionView {
    pub adoption: Adoption,
    /// The plans it covers, in filing order.
    pub covered: Vec<String>,
    /// Whether any of its letters is sent (or being sent): it can no longer be corrected.
    pub letters_sent: bool,
}

/// What recording an adoption did: the adoption, and which covered plans it adopted
/// (approved ones) and which rejections it published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    pub view: AdoptionView,
    pub adopted: Vec<String>,
    pub rejected: Vec<String>,
}

/// What an adoption is recorded with.
#[derive(Debug, Clone, Default)]
pub struct AdoptionInput {
    pub adopted_on: Option<NaiveDate>,
    pub reference: Option<String>,
    pub deferred: Vec<String>,
}

/// The programme team records the college's adoption. The first covers every plan decided so
/// far; a later one the plans decided since. In one transaction each approved plan it covers
/// becomes adopted, each covered decision is published, and its letters are written: to the
/// applicant, to each co-applicant (the owners of plans merged into it) and, for a grant, a
/// copy to the members of the organisation that receives it.
pub fn adopt(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    input: AdoptionInput,
) -> Result<Adopted, Error> {
    permission::check(actor, Permission::RecordAdoption)?;
    let mut round = db::rounds::find(tx, round_id)?.ok_or(Error::NotFound("round"))?;
    let earlier = db::adoptions::of_round(tx, &round.id)?;
    let today = amsterdam_date(Utc::now());
    let (adopted_on, reference) = check_record(
        input.adopted_on,
        input.reference.as_deref(),
        today,
        earlier.last().map(|a| a.adopted_on),
        None,
    )?;
    round.check_adoptable()?;
    if earlier.is_empty() {
        round.check_call_closed(Utc::now())?;
    }
    let plans = db::plans::of_round(tx, &round.id)?;
    let standings: Vec<Standing<'_>> = plans
        .iter()
        .map(|p| Standing {
            id: &p.id,
            status: p.status,
            covered: p.is_published(),
        })
        .collect();
    let coverage = cover(&standings, &input.deferred, earlier.is_empty())?;
    let at = now();
    let adoption = Adoption {
        id: new_id(),
        round_id: round.id.clone(),
        seq: earlier.len() as i32 + 1,
        adopted_on,
        reference: reference.clone(),
        deferred: coverage.deferred.clone(),
        recorded_by: actor.user_id.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    db::adoptions::insert(tx, &adoption)?;
    // The round's row is the lock that keeps two adoptions of one round apart.
    if earlier.is_empty() {
        round.adopted_on = Some(adopted_on);
        round.adoption_reference = Some(reference.clone());
    }
    round.version += 1;
    round.updated_at = at;
    if !db::rounds::update(tx, &round)? {
        return Err(Error::Changed("round"));
    }
    let names = db::organisations::names(tx)?;
    let (mut adopted, mut rejected) = (Vec::new(), Vec::new());
    for plan in plans.iter().filter(|p| coverage.covered.contains(&p.id)) {
        let published = publish(tx, actor, plan, &adoption)?;
        let made = if published.status == PlanStatus::Adopted {
            super::grants::create_for(tx, &published, &round, adoption.adopted_on)?
        } else {
            None
        };
        let schedule = made.as_ref().map(|m| {
            m.schedule_nl(
                m.grant
                    .payee_id
                    .as_ref()
                    .and_then(|p| names.get(p))
                    .map(String::as_str),
            )
        });
        for (to, mut letter) in decision_letters(tx, &published, &round, &adoption, &names)? {
            letter.schedule = schedule.clone();
            enqueue(tx, letters::decision(&to, &adoption.id, letter, today)?)?;
        }
        if plan.status == PlanStatus::Approved {
            adopted.push(plan.id.clone());
        } else {
            rejected.push(plan.id.clone());
        }
    }
    Ok(Adopted {
        view: AdoptionView {
            adoption,
            covered: coverage.covered,
            letters_sent: false,
        },
        adopted,
        rejected,
    })
}

/// Covers one decided plan by the adoption, through the state table: an approved plan becomes
/// adopted (a step in its history); a rejection is published as it stands. Either way the
/// applicant now sees it.
fn publish(tx: &mut Tx, actor: &Actor, plan: &Plan, adoption: &Adoption) -> Result<Plan, Error> {
    let reason = (plan.status == PlanStatus::Approved).then(|| {
        format!(
            "vastgesteld door het college op {} ({})",
            crate::domain::calendar::dutch_date(adoption.adopted_on),
            adoption.reference
        )
    });
    let id = adoption.id.clone();
    let view = act(tx, actor, &plan.id, Action::Adopt, None, |_, p, _, _| {
        p.adoption_id = Some(id);
        Ok(match reason {
            Some(reason) => Effect::because(reason),
            None => Effect::default(),
        })
    })?;
    Ok(view.plan)
}

/// Every decision letter of a covered plan, with its address: the applicant's, each
/// co-applicant's and, for a grant, a copy to each confirmed, active member of the
/// organisation that receives the money. One letter per address.
fn decision_letters(
    tx: &mut Tx,
    plan: &Plan,
    round: &Round,
    adoption: &Adoption,
    names: &HashMap<String, String>,
) -> Result<Vec<(String, DecisionLetter)>, Error> {
    let decision = plan
        .decision
        .as_ref()
        .ok_or_else(|| Error::Internal(format!("decided plan {} without its decision", plan.id)))?;
    // An organisation's own action: nobody applied, nobody is written to.
    if !plan.has_applicant() {
        return Ok(Vec::new());
    }
    let owner = owner_of(tx, plan)?;
    let granted = plan.status == PlanStatus::Adopted;
    let receiver = plan.receiver_id(
        owner
            .organisation_id
            .as_deref()
            .filter(|_| owner.organisation_confirmed),
    );
    // The grant's own conditions, one per line as the pre-advice wrote them. (The round's
    // conditions are the frame plans were filed under, not conditions of a grant.)
    let conditions: Vec<String> = decision
        .conditions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .chain(
            // The conditions a payment waits for, saying which.
            plan.pre_advice
                .iter()
                .flat_map(|p| &p.advice.payment_conditions)
                .map(|c| {
                    format!(
                        "{} (voorwaarde {})",
                        c.text,
                        crate::domain::grant::conditions::before_nl(c.before)
                    )
                }),
        )
        .collect();
    let legal = &round.spec.legal;
    let base = DecisionLetter {
        addressee: Addressee::Applicant,
        name: owner.name.clone(),
        applicant: owner.name.clone(),
        plan_id: plan.id.clone(),
        kenmerk: plan.kenmerk().to_string(),
        title: plan.content.title.clone(),
        merged_title: None,
        granted_eur: if granted {
            Some(plan.granted.ok_or_else(|| {
                Error::Internal(format!("adopted plan {} without its grant", plan.id))
            })?)
        } else {
            None
        },
        funding: plan.content.funding,
        payee: receiver.and_then(|id| names.get(id).cloned()),
        motivation: decision.motivation.clone(),
        conditions,
        schedule: None,
        programme: if round.spec.programme.is_empty() {
            round.spec.name.clone()
        } else {
            round.spec.programme.clone()
        },
        adopted_on: adoption.adopted_on,
        reference: adoption.reference.clone(),
        authority: legal.authority.clone(),
        legal_basis: legal.legal_basis.clone(),
        objection_address: legal.objection_address.clone(),
    };
    let mut out = vec![(owner.email.clone(), base.clone())];
    let mut seen = vec![owner.id.clone()];
    for id in &plan.co_applicant_ids {
        let Some(account) = db::users::find(tx, id)?.filter(|a| a.active) else {
            continue;
        };
        seen.push(account.id.clone());
        out.push((
            account.email.clone(),
            DecisionLetter {
                addressee: Addressee::Copy,
                name: account.name.clone(),
                ..base.clone()
            },
        ));
    }
    for (id, merged_title) in merged_owners(tx, plan)? {
        let Some(account) = db::users::find(tx, &id)? else {
            continue;
        };
        if !account.active || seen.contains(&account.id) {
            continue;
        }
        seen.push(account.id.clone());
        out.push((
            account.email.clone(),
            DecisionLetter {
                addressee: Addressee::CoApplicant,
                name: account.name.clone(),
                merged_title: Some(merged_title),
                ..base.clone()
            },
        ));
    }
    if let (true, Some(receiver)) = (granted, receiver) {
        // The payee's confirmed members and its contact address, each address once.
        for r in super::grants::organisation_recipients(tx, receiver)? {
            if out.iter().any(|(to, _)| *to == r.email) {
                continue;
            }
            out.push((
                r.email,
                DecisionLetter {
                    addressee: Addressee::Payee,
                    name: r.name,
                    ..base.clone()
                },
            ));
        }
    }
    Ok(out)
}

/// The round's plans as the adoption page weighs them: decided ones waiting for an adoption,
/// ones still being assessed, and what an adoption would leave out (programme team).
pub fn standing(c: &mut DbConn, actor: &Actor, round_id: &str) -> Result<RoundStanding, Error> {
    permission::check(actor, Permission::RecordAdoption)?;
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    let plans = db::plans::of_round(c, &round.id)?;
    // The organisations the granted plans pay that nobody reads letters for.
    let mut no_copy: Vec<String> = Vec::new();
    for p in plans.iter().filter(|p| {
        p.status == PlanStatus::Approved
            && !p.is_published()
            && p.content.funding.requests_contribution()
    }) {
        let owner = owner_of(c, p)?;
        let Some(org) = super::grants::payee_of(p, &owner) else {
            continue;
        };
        if super::grants::organisation_recipients(c, &org)?.is_empty() {
            if let Some(o) = db::organisations::find(c, &org)? {
                if !no_copy.contains(&o.name) {
                    no_copy.push(o.name);
                }
            }
        }
    }
    no_copy.sort();
    Ok(RoundStanding {
        plans,
        no_copy,
        drafts: db::plans::drafts_in_round(c, &round.id)?,
        call_open: round.adopted_on.is_none() && round.check_call_closed(now()).is_err(),
        round,
    })
}

/// Where a round stands before an adoption: its submitted plans, how many drafts an adoption
/// would leave unsubmitted for good, and whether its call for plans is still open (the first
/// adoption waits until it closes).
#[derive(Debug, Clone)]
pub struct RoundStanding {
    pub round: crate::domain::round::Round,
    pub plans: Vec<crate::domain::plan::Plan>,
    pub drafts: i64,
    pub call_open: bool,
    /// The names of the organisations the adoption's grants pay that would get no copy of
    /// their letters: no confirmed member, no contact address.
    pub no_copy: Vec<String>,
}

/// A round's adoptions, the first first, each with the plans it covers and whether its
/// letters went out (programme team and board; the published overview names the adoptions
/// to everyone).
pub fn list(c: &mut DbConn, actor: &Actor, round_id: &str) -> Result<Vec<AdoptionView>, Error> {
    permission::check(actor, Permission::SeeAssessment)?;
    views(c, round_id)
}

/// One adoption of a round (programme team and board).
pub fn get(
    c: &mut DbConn,
    actor: &Actor,
    round_id: &str,
    adoption_id: &str,
) -> Result<AdoptionView, Error> {
    permission::check(actor, Permission::SeeAssessment)?;
    view(c, round_id, adoption_id)
}

fn view(c: &mut DbConn, round_id: &str, adoption_id: &str) -> Result<AdoptionView, Error> {
    views(c, round_id)?
        .into_iter()
        .find(|a| a.adoption.id == adoption_id)
        .ok_or(Error::NotFound("adoption"))
}

fn views(c: &mut DbConn, round_id: &str) -> Result<Vec<AdoptionView>, Error> {
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    let adoptions = db::adoptions::of_round(c, &round.id)?;
    let covered = db::adoptions::covered(c, &round.id)?;
    let sent = db::adoptions::letters_sent(c, &round.id)?;
    Ok(adoptions
        .into_iter()
        .map(|a| AdoptionView {
            covered: covered
                .iter()
                .filter(|(by, _)| by == &a.id)
                .map(|(_, p)| p.clone())
                .collect(),
            letters_sent: sent.contains(&a.id),
            adoption: a,
        })
        .collect())
}

/// The programme team corrects an adoption's date or reference, while none of its letters is
/// sent; the letters waiting are written again with the correction. After that only a new
/// college decision can change it.
pub fn correct(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    adoption_id: &str,
    adopted_on: Option<NaiveDate>,
    reference: Option<&str>,
) -> Result<AdoptionView, Error> {
    permission::check(actor, Permission::RecordAdoption)?;
    let mut round = db::rounds::find(tx, round_id)?.ok_or(Error::NotFound("round"))?;
    let all = db::adoptions::of_round(tx, &round.id)?;
    let i = all
        .iter()
        .position(|a| a.id == adoption_id)
        .ok_or(Error::NotFound("adoption"))?;
    let mut adoption = all[i].clone();
    let (on, reference) = check_record(
        Some(adopted_on.unwrap_or(adoption.adopted_on)),
        Some(reference.unwrap_or(&adoption.reference)),
        amsterdam_date(Utc::now()),
        i.checked_sub(1).map(|p| all[p].adopted_on),
        all.get(i + 1).map(|n| n.adopted_on),
    )?;
    check_correctable(db::adoptions::lock_letters_and_check_sent(
        tx,
        &adoption.id,
    )?)?;
    adoption.adopted_on = on;
    adoption.reference = reference;
    adoption.version += 1;
    adoption.updated_at = now();
    if !db::adoptions::update(tx, &adoption)? {
        return Err(Error::Changed("adoption"));
    }
    if adoption.seq == 1 {
        round.adopted_on = Some(adoption.adopted_on);
        round.adoption_reference = Some(adoption.reference.clone());
        round.version += 1;
        round.updated_at = adoption.updated_at;
        if !db::rounds::update(tx, &round)? {
            return Err(Error::Changed("round"));
        }
    }
    let today = amsterdam_date(Utc::now());
    for mut mail in db::outbox::letters_of(tx, &adoption.id)? {
        let Some(kept) = &mail.letter else { continue };
        let mut d: DecisionLetter = serde_json::from_str(kept).map_err(|e| {
            Error::from(crate::db::DbError::corrupt("outbox", &mail.id, "letter", e))
        })?;
        d.adopted_on = adoption.adopted_on;
        d.reference = adoption.reference.clone();
        let l = d.write(&mail.to, today)?;
        mail.subject = l.subject;
        mail.text = l.text;
        mail.html = l.html;
        mail.letter = Some(serde_json::to_string(&d).map_err(|e| Error::Internal(e.to_string()))?);
        db::outbox::rewrite(tx, &mail)?;
    }
    // Reading what this transaction wrote gives the answer exactly as a later GET would.
    view(tx, round_id, adoption_id)
}

#[cfg(test)]
mod tests;
