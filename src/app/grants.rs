//! After adoption: the grant an adopted plan becomes, the reports its applicant files, the
//! reminders, the final amount, and a round's results. (Payments: `app::payments`.)

use chrono::{NaiveDate, Utc};

use super::outbox::enqueue;
use super::plans::owner_of;
use super::{new_id, now, Error};
use crate::db::{self, Db, DbConn, Tx};
use crate::domain::calendar::amsterdam_date;
use crate::domain::grant::conditions::GrantCondition;
use crate::domain::grant::steps;
use crate::domain::grant::{
    self, check_report, reminder_due, report_dates, settle, CheckedReport, Filed, Grant,
    GrantStatus, Payment, PaymentKind, PaymentStatus, Progress, Reminder, Report, ReportInput,
    ReportKind,
};
use crate::domain::permission::{self, Permission};
use crate::domain::plan::Plan;
use crate::domain::round::Round;
use crate::domain::user::{Account, Actor};
use crate::domain::Eur;
use crate::mail::letters::grants as letters;

/// A grant with what the pages and the API show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub grant: Grant,
    pub title: String,
    pub owner_id: String,
    /// The theme it is charged to.
    pub theme: Option<String>,
    pub payee_name: Option<String>,
    pub payments: Vec<Payment>,
    pub reports: Vec<Report>,
    /// The last year the plan runs (its `end_year`).
    pub end_year: Option<i32>,
    /// The payment conditions of the pre-advice, in its order, met or not.
    pub conditions: Vec<GrantCondition>,
}

impl GrantView {
    pub fn progress(&self) -> Progress {
        grant::progress(&self.payments, &self.reports)
    }
}

/// The organisation that receives a plan's money: the payee it names, the organisation whose
/// own action it is, or the applicant's confirmed organisation.
pub(crate) fn payee_of(plan: &Plan, owner: &Account) -> Option<String> {
    plan.content
        .payee_id
        .clone()
        .or_else(|| plan.own_action_of.clone())
        .or_else(|| {
            owner
                .organisation_id
                .clone()
                .filter(|_| owner.organisation_confirmed)
        })
}

/// A grant just made, with what its decision letter tells of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub grant: Grant,
    pub advance: Eur,
    pub share: i32,
    pub reports: Vec<(ReportKind, NaiveDate)>,
}

impl Made {
    /// What the decision letter says of payment and reports, in Dutch. The money goes to the
    /// payee (`payee`: its name), never to the resident the letter is written to: the letter
    /// names who receives it.
    pub fn schedule_nl(&self, payee: Option<&str>) -> String {
        use crate::domain::calendar::dutch_date;
        let pay = if self.advance > Eur::ZERO {
            let receiver = payee.map_or_else(
                || "De organisatie die de bijdrage ontvangt,".to_string(),
                str::to_string,
            );
            format!(
                "{receiver} ontvangt een voorschot van {} ({}% van de bijdrage). De rest volgt na de vaststelling van de subsidie.",
                self.advance.format_nl(),
                self.share
            )
        } else {
            "De bijdrage wordt betaald na de vaststelling van de subsidie.".to_string()
        };
        let reports: Vec<String> = self
            .reports
            .iter()
            .map(|(k, d)| format!("een {} uiterlijk op {}", k.label_nl(), dutch_date(*d)))
            .collect();
        format!(
            "{pay} U dient {}: wat er is gedaan, hoeveel mensen u heeft bereikt en wat er is uitgegeven. U krijgt twee weken vooraf een herinnering.",
            reports.join(" en ")
        )
    }
}

/// Makes the grant of a plan the adoption just adopted, in the adoption's transaction: its
/// advance (the round's share) due now, and its reports due by the plan's years. A plan
/// funded otherwise, or granted nothing, gets none.
pub fn create_for(
    tx: &mut Tx,
    plan: &Plan,
    round: &Round,
    adopted_on: NaiveDate,
) -> Result<Option<Made>, Error> {
    let Some(amount) = plan.granted.filter(|g| *g > Eur::ZERO) else {
        return Ok(None);
    };
    if !plan.content.funding.requests_contribution() {
        return Ok(None);
    }
    let owner = owner_of(tx, plan)?;
    let at = now();
    let g = Grant {
        id: new_id(),
        plan_id: plan.id.clone(),
        round_id: round.id.clone(),
        amount,
        payee_id: payee_of(plan, &owner),
        status: GrantStatus::Running,
        final_amount: None,
        final_motivation: None,
        claim: None,
        stopped_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    db::grants::insert(tx, &g)?;
    let conditions = plan
        .pre_advice
        .as_ref()
        .map(|p| p.advice.payment_conditions.clone())
        .unwrap_or_default();
    for (position, c) in conditions.into_iter().enumerate() {
        db::conditions::insert(
            tx,
            &GrantCondition {
                id: new_id(),
                grant_id: g.id.clone(),
                position: position as i32,
                text: c.text,
                before: c.before,
                met_on: None,
                met_by: None,
                note: String::new(),
            },
        )?;
    }
    let advance = grant::advance(amount, round.spec.advance_share);
    if advance > Eur::ZERO {
        db::grants::insert_payment(
            tx,
            &Payment {
                id: new_id(),
                grant_id: g.id.clone(),
                kind: PaymentKind::Advance,
                amount: advance,
                status: PaymentStatus::Due,
                batch_id: None,
                created_at: at,
                released_at: None,
                paid_at: None,
            },
        )?;
    }
    let start = plan.content.start_year.unwrap_or(round.spec.start_year);
    let end = plan.content.end_year.unwrap_or(round.spec.end_year);
    let dates = report_dates(start, end, adopted_on);
    for &(kind, due_on) in &dates {
        db::grants::insert_report(
            tx,
            &Report {
                id: new_id(),
                grant_id: g.id.clone(),
                kind,
                due_on,
                filed: None,
                accepted_at: None,
                attachments: Vec::new(),
                reminded_soon_on: None,
                reminded_late_on: None,
            },
        )?;
    }
    Ok(Some(Made {
        grant: g,
        advance,
        share: round.spec.advance_share,
        reports: dates,
    }))
}

/// The views of these grants, with their plans' titles, payees, payments and reports, read in
/// four queries whatever their number.
fn views(c: &mut DbConn, grants: Vec<Grant>) -> Result<Vec<GrantView>, Error> {
    let ids: Vec<&str> = grants.iter().map(|g| g.id.as_str()).collect();
    let mut payments = db::grants::payments_of(c, &ids)?;
    let mut reports = db::grants::reports_of(c, &ids)?;
    let mut conditions = db::conditions::of_grants(c, &ids)?;
    let payees: Vec<&str> = grants
        .iter()
        .filter_map(|g| g.payee_id.as_deref())
        .collect();
    let names = db::organisations::names_of(c, &payees)?;
    let mut out = Vec::with_capacity(grants.len());
    for g in grants {
        let plan = db::plans::find(c, &g.plan_id)?
            .ok_or_else(|| Error::Internal(format!("grant {} without its plan", g.id)))?;
        let (mine, rest): (Vec<_>, Vec<_>) = payments.into_iter().partition(|p| p.grant_id == g.id);
        payments = rest;
        let (own_reports, rest): (Vec<_>, Vec<_>) =
            reports.into_iter().partition(|r| r.grant_id == g.id);
        reports = rest;
        let (own_conditions, rest): (Vec<_>, Vec<_>) =
            conditions.into_iter().partition(|k| k.grant_id == g.id);
        conditions = rest;
        out.push(GrantView {
            title: plan.content.title.clone(),
            owner_id: plan.owner_id.clone(),
            theme: plan.budget_line.clone(),
            payee_name: g.payee_id.as_ref().and_then(|p| names.get(p).cloned()),
            payments: mine,
            reports: own_reports,
            end_year: plan.content.end_year,
            conditions: own_conditions,
            grant: g,
        });
    }
    Ok(out)
}

fn view(c: &mut DbConn, g: Grant) -> Result<GrantView, Error> {
    views(c, vec![g])?
        .pop()
        .ok_or_else(|| Error::Internal("a grant without its view".into()))
}

/// The grants the actor may read (`round`: of that round only): staff read all of them, others
/// those of their own plans and those paid to their organisation.
pub fn list(c: &mut DbConn, actor: &Actor, round: Option<&str>) -> Result<Vec<GrantView>, Error> {
    if let Some(r) = round {
        db::rounds::find(c, r)?.ok_or(Error::NotFound("round"))?;
    }
    let all = db::grants::list(c, round)?;
    Ok(views(c, all)?
        .into_iter()
        .filter(|v| grant::sees(actor, &v.grant, &v.owner_id))
        .collect())
}

/// One grant, for those who may read it (404 to anyone else: its existence is not told).
pub fn get(c: &mut DbConn, actor: &Actor, id: &str) -> Result<GrantView, Error> {
    let g = db::grants::find(c, id)?.ok_or(Error::NotFound("grant"))?;
    let v = view(c, g)?;
    if !grant::sees(actor, &v.grant, &v.owner_id) {
        return Err(Error::NotFound("grant"));
    }
    Ok(v)
}

/// The grant of a plan, if it has one and the actor may read it.
pub fn of_plan(c: &mut DbConn, actor: &Actor, plan_id: &str) -> Result<Option<GrantView>, Error> {
    let Some(g) = db::grants::of_plan(c, plan_id)? else {
        return Ok(None);
    };
    let v = view(c, g)?;
    Ok(grant::sees(actor, &v.grant, &v.owner_id).then_some(v))
}

/// The applicant files a report: progress or final, once each. A final report with a reason
/// stops the action early: the grant stops, and the team sets the final amount as for any
/// final report.
pub fn file_report(
    tx: &mut Tx,
    actor: &Actor,
    grant_id: &str,
    input: &ReportInput,
) -> Result<GrantView, Error> {
    let (v, checked) = reviewed(tx, actor, grant_id, input)?;
    let CheckedReport {
        report_id,
        kind,
        done,
        reach,
        spent,
        stopped_reason,
        ..
    } = checked;
    let filed = Filed {
        done,
        reach,
        spent,
        stopped_reason: stopped_reason.clone(),
        filed_at: now(),
        filed_by: actor.user_id.clone(),
    };
    if !db::grants::file_report(tx, &report_id, &filed)? {
        return Err(Error::Changed("report"));
    }
    // With the final report in, a progress report not filed is no longer asked for (nor
    // reminded of).
    if kind == ReportKind::Final {
        db::grants::drop_unfiled(tx, &v.grant.id, ReportKind::Progress)?;
    }
    let g = steps::after_report(&v.grant, stopped_reason, filed.filed_at);
    // The grant's version moves with every report, so two filings race on it.
    if !db::grants::update(tx, &g, v.grant.version)? {
        return Err(Error::Changed("grant"));
    }
    view(tx, g)
}

/// The grant and the report as checked for filing: the applicant's own grant, every field
/// against the rules (`grant::check_report`).
fn reviewed(
    c: &mut DbConn,
    actor: &Actor,
    grant_id: &str,
    input: &ReportInput,
) -> Result<(GrantView, CheckedReport), Error> {
    let v = get(c, actor, grant_id)?;
    steps::check_reporter(actor, &v.owner_id)?;
    let checked = check_report(&v.grant, &v.reports, input)?;
    grant::check_final_in_time(
        &checked,
        v.end_year,
        crate::domain::calendar::amsterdam_date(chrono::Utc::now()),
    )?;
    Ok((v, checked))
}

/// Checks a report without filing it: what a form that could not be read whole (a number
/// typed as words) still says of its other fields, so every problem is named at once.
pub fn review_report(
    c: &mut DbConn,
    actor: &Actor,
    grant_id: &str,
    input: &ReportInput,
) -> Result<GrantView, Error> {
    reviewed(c, actor, grant_id, input).map(|(v, _)| v)
}

/// The grant a report belongs to, for those who may read it.
pub fn of_report(c: &mut DbConn, actor: &Actor, report_id: &str) -> Result<GrantView, Error> {
    let report = db::grants::report(c, report_id)?.ok_or(Error::NotFound("report"))?;
    get(c, actor, &report.grant_id)
}

/// The programme team sets the final amount after the final report: the reports are accepted,
/// a final payment of what is still owed becomes due or a claim for what was paid beyond it
/// is recorded, and the decision goes out as a beschikking to the applicant with a copy to
/// the payee's members.
pub fn set_final_amount(
    tx: &mut Tx,
    actor: &Actor,
    grant_id: &str,
    amount_eur: Option<i64>,
    motivation: Option<&str>,
) -> Result<GrantView, Error> {
    permission::check(actor, Permission::SettleGrants)?;
    let g = db::grants::find(tx, grant_id)?.ok_or(Error::NotFound("grant"))?;
    let v = view(tx, g)?;
    let s = settle(&v.grant, &v.reports, &v.payments, amount_eur, motivation)?;
    let at = now();
    for p in v.payments.iter().filter(|p| p.status == PaymentStatus::Due) {
        if !db::grants::drop_due(tx, &p.id)? {
            return Err(Error::Changed("payment"));
        }
    }
    if let Some(amount) = s.final_payment {
        db::grants::insert_payment(
            tx,
            &Payment {
                id: new_id(),
                grant_id: v.grant.id.clone(),
                kind: PaymentKind::Final,
                amount,
                status: PaymentStatus::Due,
                batch_id: None,
                created_at: at,
                released_at: None,
                paid_at: None,
            },
        )?;
    }
    let g = steps::after_settlement(&v.grant, &s, at);
    if !db::grants::update(tx, &g, v.grant.version)? {
        return Err(Error::Changed("grant"));
    }
    db::grants::accept_reports(tx, &g.id, at)?;
    let plan = db::plans::find(tx, &g.plan_id)?
        .ok_or_else(|| Error::Internal(format!("grant {} without its plan", g.id)))?;
    let round = db::rounds::find(tx, &g.round_id)?.ok_or(Error::NotFound("round"))?;
    let owner = owner_of(tx, &plan)?;
    let legal = &round.spec.legal;
    let programme = if round.spec.programme.is_empty() {
        round.spec.name.clone()
    } else {
        round.spec.programme.clone()
    };
    let kenmerk = crate::domain::plan::reference::final_amount(plan.kenmerk());
    let notice = |copy_of| letters::FinalNotice {
        plan_id: &plan.id,
        kenmerk: &kenmerk,
        title: &plan.content.title,
        programme: &programme,
        granted: g.amount,
        paid: grant::paid(&v.payments),
        final_amount: s.final_amount,
        final_payment: s.final_payment,
        claim: s.claim,
        motivation: &s.motivation,
        authority: &legal.authority,
        legal_basis: &legal.legal_basis,
        objection_address: &legal.objection_address,
        copy_of,
        payee: v.payee_name.as_deref(),
    };
    let today = amsterdam_date(Utc::now());
    for r in addressees(tx, &plan, &owner, g.payee_id.as_deref())? {
        let n = notice(r.copy.then_some(owner.name.as_str()));
        enqueue(tx, letters::final_amount(&r.email, &r.name, &n, today)?)?;
    }
    view(tx, g)
}

/// Someone a letter goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub name: String,
    /// A copy: not the applicant's own letter.
    pub copy: bool,
}

/// Who a letter about a grant goes to: the applicant and a copy to each co-applicant (not for
/// an organisation's own action), each confirmed, active member of the payee and the payee's contact address, once each.
pub fn addressees(
    c: &mut DbConn,
    plan: &Plan,
    owner: &Account,
    payee: Option<&str>,
) -> Result<Vec<Recipient>, Error> {
    let mut out = Vec::new();
    if plan.has_applicant() && owner.active {
        out.push(Recipient {
            email: owner.email.clone(),
            name: owner.name.clone(),
            copy: false,
        });
    }
    // The co-applicants the owner invited: a copy each.
    if plan.has_applicant() {
        for id in &plan.co_applicant_ids {
            if let Some(a) = db::users::find(c, id)?.filter(|a| a.active) {
                out.push(Recipient {
                    email: a.email,
                    name: a.name,
                    copy: true,
                });
            }
        }
    }
    if let Some(org) = payee {
        out.extend(organisation_recipients(c, org)?);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.email.clone()));
    Ok(out)
}

/// An organisation's readers: its confirmed, active members, and its contact address.
pub fn organisation_recipients(c: &mut DbConn, org: &str) -> Result<Vec<Recipient>, Error> {
    let mut out: Vec<Recipient> = db::users::members_of(c, org)?
        .into_iter()
        .filter(|m| m.active && m.organisation_confirmed)
        .map(|m| Recipient {
            email: m.email,
            name: m.name,
            copy: true,
        })
        .collect();
    if let Some(o) = db::organisations::find(c, org)? {
        if let Some(email) = o.contact_email {
            out.push(Recipient {
                email,
                name: o.name,
                copy: true,
            });
        }
    }
    Ok(out)
}

/// Sends the reminders due on `today` (a date in Amsterdam): two weeks before a report is due
/// and once when it is late, each noted so it goes once even with several instances running.
/// Answers for how many reports a reminder went out. The clock is passed in so this is tested without waiting.
pub fn remind(db: &Db, public_url: &str, today: NaiveDate) -> Result<usize, Error> {
    let open =
        db.read(|c| Ok::<_, Error>(db::grants::open_reports(c, today + grant::REMIND_BEFORE)?))?;
    let mut sent = 0;
    for report in open {
        let n = db.write(|tx| {
            let Some(g) = db::grants::find(tx, &report.grant_id)? else {
                return Ok(0);
            };
            let Some(which) = reminder_due(&g, &report, today) else {
                return Ok(0);
            };
            let late = which == Reminder::Late;
            if !db::grants::mark_reminded(tx, &report.id, late, today)? {
                return Ok(0);
            }
            let plan = db::plans::find(tx, &g.plan_id)?
                .ok_or_else(|| Error::Internal(format!("grant {} without its plan", g.id)))?;
            let owner = owner_of(tx, &plan)?;
            let link = format!("{public_url}/subsidies/{}", g.id);
            // The applicant, and the payee's members (for an organisation's own action, only
            // they: nobody applied).
            let to = addressees(tx, &plan, &owner, g.payee_id.as_deref())?;
            for r in &to {
                enqueue(
                    tx,
                    letters::report_reminder(
                        &r.email,
                        &r.name,
                        &plan.content.title,
                        (&plan.id, plan.kenmerk()),
                        report.kind.label_nl(),
                        report.due_on,
                        late,
                        &link,
                    )?,
                )?;
            }
            Ok::<_, Error>(usize::from(!to.is_empty()))
        })?;
        sent += n;
    }
    Ok(sent)
}

/// The reports not filed whose date is near or past (programme team and board), the
/// earliest first, with their grants.
pub fn due_reports(
    c: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Vec<(Report, GrantView)>, Error> {
    permission::check(actor, Permission::SeeGrants)?;
    let open = db::grants::open_reports(c, today + grant::REMIND_BEFORE)?;
    let mut out = Vec::new();
    for r in open {
        if let Some(g) = db::grants::find(c, &r.grant_id)? {
            if g.status == GrantStatus::Running {
                out.push((r, view(c, g)?));
            }
        }
    }
    Ok(out)
}

/// One action in the results: its grant as published.
pub use crate::domain::grant::published::PublishedAction;

/// A theme's results: its grants and their sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeResults {
    pub code: String,
    pub name: String,
    pub granted: Eur,
    pub paid: Eur,
    pub spent: Eur,
    pub reach: i64,
    pub actions: Vec<PublishedAction>,
}

/// A round's results per theme: what was granted, paid and spent, whom the actions reached,
/// and each action's reports (public, like the overview: the basis of the next plan's
/// "Resultaten").
pub fn results(c: &mut DbConn, round_id: &str) -> Result<(Round, Vec<ThemeResults>), Error> {
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    let grants = db::grants::list(c, Some(&round.id))?;
    let all = views(c, grants)?;
    let mut themes: Vec<ThemeResults> = round
        .spec
        .catalog
        .themes
        .iter()
        .map(|t| ThemeResults {
            code: t.code.clone(),
            name: t.name.clone(),
            granted: Eur::ZERO,
            paid: Eur::ZERO,
            spent: Eur::ZERO,
            reach: 0,
            actions: Vec::new(),
        })
        .collect();
    for v in all {
        let Some(t) = themes
            .iter_mut()
            .find(|t| Some(&t.code) == v.theme.as_ref())
        else {
            continue;
        };
        let a = grant::published::published(
            &v.grant,
            &v.title,
            v.theme.as_deref(),
            &v.payments,
            &v.reports,
        );
        t.granted = t.granted + a.granted;
        t.paid = t.paid + a.paid;
        t.spent = t.spent + a.spent;
        t.reach += a.reach;
        t.actions.push(a);
    }
    Ok((round, themes))
}

mod attachments;
pub use attachments::{attach, attachment, detach, replace_first};

#[cfg(test)]
mod tests;
