//! An applicant's own work on a plan: start a draft, edit it, delete it, submit it, withdraw.

use chrono::Utc;

use super::{
    act, addressees, check_expected, known_organisations, load_visible, registered_names, Effect,
    Expected, PlanView,
};
use crate::app::outbox::enqueue;
use crate::app::shared::board_for;
use crate::app::{new_id, now, Error};
use crate::db::{self, Tx};
use crate::domain::calendar::amsterdam_date;
use crate::domain::permission::{self, Permission};
use crate::domain::plan::{
    check_answer, check_content, check_links, parse_submission, reference, Plan, PlanContent,
    SubmissionKind,
};
use crate::domain::round::Round;
use crate::domain::state::{decide_as_seen, Action, PlanStatus};
use crate::domain::text::Bounded;
use crate::domain::user::{Account, Actor, Role};
use crate::domain::{Bilingual, DomainError, FieldError};
use crate::mail::letters;

/// Rules any saved plan keeps: well-formed values and known references.
fn check(
    tx: &mut Tx,
    content: &PlanContent,
    round: &Round,
    own_id: Option<&str>,
) -> Result<(), Error> {
    let known = known_organisations(tx, content)?;
    let mut e = check_content(content, &round.spec.catalog, &known);
    let ids: Vec<&str> = content.links.iter().map(|l| l.plan_id.as_str()).collect();
    let existing = db::plans::existing(tx, &ids)?;
    e.0.extend(check_links(&content.links, own_id, &existing).0);
    Ok(e.finish(())?)
}

/// Whom the programme team files a plan for (`filed_for`).
#[derive(Debug, Clone)]
pub enum FiledFor {
    /// An organisation's own action (the municipality's): the filing team member holds it,
    /// nobody applies and no letters are written.
    Organisation { organisation_id: Option<String> },
    /// A resident or partner who came to the desk: they own the plan (an account is made
    /// for an address that has none, and they are told by mail) and get its letters.
    Person {
        email: Option<String>,
        name: Option<String>,
        kind: Option<String>,
        organisation_id: Option<String>,
    },
}

/// Prefixes the fields of a refusal (`email` becomes `filed_for.email`).
fn under_filed_for(e: Error) -> Error {
    match e {
        Error::Domain(DomainError::Invalid(errors)) => DomainError::Invalid(
            errors
                .into_iter()
                .map(|mut f| {
                    f.field = format!("filed_for.{}", f.field);
                    f
                })
                .collect(),
        )
        .into(),
        other => other,
    }
}

/// The programme team files a plan for an organisation or for a person (see `FiledFor`).
/// The plan starts as a draft, checked as any draft; a person's plan is theirs to read and
/// submit (applying is their act), an organisation's own action is submitted by the team.
/// `public_url` is the site the invitation points to: a new account holder gets a one-time
/// sign-in link, valid `INVITATION_DAYS`; someone with an account the sign-in page.
pub fn file_for(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    filed_for: FiledFor,
    content: PlanContent,
    public_url: &str,
) -> Result<PlanView, Error> {
    permission::check(actor, Permission::FileForOthers)?;
    let round = db::rounds::find(tx, round_id)?.ok_or(Error::NotFound("round"))?;
    round.check_accepts_drafts(Utc::now())?;
    check(tx, &content, &round, None)?;
    let content = registered_names(tx, content)?;
    let at = now();
    let (mut plan, invite) = match filed_for {
        FiledFor::Organisation { organisation_id } => {
            let org = organisation_id
                .filter(|o| !o.trim().is_empty())
                .ok_or_else(|| {
                    DomainError::Invalid(vec![FieldError::new(
                        "filed_for.organisation_id",
                        crate::domain::errors::REQUIRED,
                    )])
                })?;
            crate::app::accounts::check_organisation(tx, Some(&org)).map_err(under_filed_for)?;
            let mut plan = Plan::draft(
                new_id(),
                round.id.clone(),
                actor.user_id.clone(),
                crate::domain::user::ApplicantKind::Partner,
                at,
            );
            plan.own_action_of = Some(org);
            (plan, None)
        }
        FiledFor::Person {
            email,
            name,
            kind,
            organisation_id,
        } => {
            // What the desk typed is checked whole even when the address has an account
            // already (whose own name and kind are then kept): a wrong kind or an empty name
            // is refused either way, not only for a new address.
            let change = crate::domain::user::AccountChange {
                email,
                name,
                password: None,
                roles: Some(vec![Role::Applicant.as_str().to_string()]),
                organisation_id: Some(organisation_id.clone()),
                kind: Some(kind),
                active: Some(true),
            };
            let mut a = Account::empty(new_id(), at);
            crate::domain::user::apply_change(&mut a, &change, true)
                .map_err(|e| under_filed_for(e.into()))?;
            let existing = db::users::find_by_email(tx, &a.email)?;
            let (owner, new) = match existing {
                Some(a) if a.active && a.roles.contains(&Role::Applicant) && a.kind.is_some() => {
                    (a, false)
                }
                Some(_) => {
                    return Err(DomainError::Conflict(Bilingual::new(
                        "this address belongs to an account that files no plans",
                        "dit e-mailadres hoort bij een account dat geen plannen indient",
                    ))
                    .into())
                }
                None => {
                    crate::app::accounts::check_organisation(tx, organisation_id.as_deref())
                        .map_err(under_filed_for)?;
                    db::users::insert(tx, &a)?;
                    (a, true)
                }
            };
            let kind = owner
                .kind
                .ok_or_else(|| Error::Internal("an applicant without a kind".into()))?;
            let plan = Plan::draft(new_id(), round.id.clone(), owner.id.clone(), kind, at);
            (plan, Some((owner, new)))
        }
    };
    plan.set_content(content, &round.spec.catalog);
    db::plans::insert(tx, &plan)?;
    db::co_applicants::record_edit(tx, &plan.id, &actor.user_id, at)?;
    if let Some((owner, new)) = invite {
        let sign_in = format!("{}/inloggen", public_url.trim_end_matches('/'));
        // A new account has no password: its invitation signs it in once, for a while longer
        // than a requested link, since an invitation is read when it suits.
        let link = if new {
            let token = crate::config::random_token();
            db::users::insert_magic_link(
                tx,
                &crate::app::accounts::token_hash(&token),
                &owner,
                at,
                at + chrono::Duration::days(INVITATION_DAYS),
            )?;
            Some(format!(
                "{}/aanmelden?token={token}",
                public_url.trim_end_matches('/')
            ))
        } else {
            None
        };
        enqueue(
            tx,
            letters::invited(
                &owner.email,
                &owner.name,
                &plan.content.title,
                (&plan.id, plan.kenmerk()),
                link.as_deref(),
                &sign_in,
            )?,
        )?;
    }
    Ok(PlanView::new(plan))
}

/// How long the sign-in link in an invitation holds (once used, it is spent).
pub const INVITATION_DAYS: i64 = 7;

/// Most drafts one applicant may keep at once (a draft is a plan not yet filed; more than
/// this is a script, not a person).
pub const DRAFTS_MAX: i64 = 25;

/// An applicant starts a draft in a round that takes new plans. Only what is given is checked;
/// completeness is demanded at submission.
pub fn create_draft(
    tx: &mut Tx,
    account: &Account,
    round_id: &str,
    content: PlanContent,
) -> Result<PlanView, Error> {
    permission::check(&account.actor(), Permission::FilePlans)?;
    let kind = account.kind.ok_or_else(|| {
        DomainError::Conflict(Bilingual::new(
            "your account has no applicant kind (resident or partner); ask an admin",
            "uw account is niet als bewoner of partner ingesteld; vraag het de beheerder",
        ))
    })?;
    let round = db::rounds::find(tx, round_id)?.ok_or(Error::NotFound("round"))?;
    round.check_accepts_drafts(Utc::now())?;
    check(tx, &content, &round, None)?;
    let drafts = db::plans::count(
        tx,
        &db::plans::PlanFilter {
            owner_id: Some(account.id.clone()),
            statuses: Some(vec![PlanStatus::Draft]),
            ..Default::default()
        },
    )?;
    if drafts >= DRAFTS_MAX {
        return Err(DomainError::Conflict(Bilingual::new(
            format!(
                "you have {DRAFTS_MAX} drafts already: submit or delete one before you start another"
            ),
            format!(
                "u heeft al {DRAFTS_MAX} concepten: dien er een in of verwijder er een voordat u een nieuw plan begint"
            ),
        ))
        .into());
    }
    let content = registered_names(tx, content)?;
    let mut plan = Plan::draft(new_id(), round.id.clone(), account.id.clone(), kind, now());
    plan.set_content(content, &round.spec.catalog);
    db::plans::insert(tx, &plan)?;
    db::co_applicants::record_edit(tx, &plan.id, &account.id, plan.created_at)?;
    Ok(PlanView::new(plan))
}

/// How an edit changes the content: a JSON merge patch (the API) or the whole content (a form).
#[derive(Debug, Clone)]
pub enum ContentChange {
    MergePatch(serde_json::Map<String, serde_json::Value>),
    Whole(Box<PlanContent>),
}

/// The owner edits a draft, or a plan the team asked a question about.
pub fn edit(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    change: ContentChange,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        plan_id,
        Action::Edit,
        expected,
        |tx, plan, round, _| {
            let content = match change {
                ContentChange::MergePatch(patch) => plan.content.patched(patch)?,
                ContentChange::Whole(content) => *content,
            };
            check(tx, &content, round, Some(&plan.id))?;
            let content = registered_names(tx, content)?;
            plan.set_content(content, &round.spec.catalog);
            db::co_applicants::record_edit(tx, &plan.id, &actor.user_id, now())?;
            Ok(Effect::none())
        },
    )
}

/// The owner deletes a draft, with its attachments: their rows go with the plan's, their
/// files (under `attachments`) once the rows are gone (as removing one attachment does).
pub fn delete(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    expected: Option<&Expected>,
    attachments: &std::path::Path,
) -> Result<(), Error> {
    let (plan, _) = load_visible(tx, actor, plan_id)?;
    let view = PlanView::new(plan);
    check_expected(view.version_for(actor), expected)?;
    let plan = view.plan;
    decide_as_seen(plan.state(), Action::Delete, actor)?;
    let files = db::retention::drop_attachments(tx, &plan.id)?;
    if !db::plans::delete(tx, &plan)? {
        return Err(Error::Changed("plan"));
    }
    for f in files {
        let _ = std::fs::remove_file(attachments.join(f));
    }
    Ok(())
}

/// The owner submits: every submission rule, every error at once; a first submission only
/// while the round is open, and nothing after the round's first adoption. A resubmission may
/// carry an answer to the team's question, kept with the question and in the history. Each
/// submission keeps a version of the plan and mails a receipt.
pub fn submit(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    answer: Option<&str>,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    act(
        tx,
        actor,
        plan_id,
        Action::Submit,
        expected,
        |tx, plan, round, t| {
            let known = known_organisations(tx, &plan.content)?;
            let kind = if t.from == PlanStatus::Draft {
                SubmissionKind::First
            } else {
                SubmissionKind::Resubmission
            };
            // Without an answer given now, the one kept while the plan was changed is sent.
            let kept = match kind {
                SubmissionKind::Resubmission if answer.is_none() => {
                    db::notes::kept_answer(tx, &plan.id)?
                }
                _ => None,
            };
            let answer = check_answer(kind, answer.or(kept.as_deref()))?;
            round.check_accepts_submissions()?;
            let submission = parse_submission(
                &plan.content,
                plan.applicant_kind,
                &round.spec,
                &known,
                Utc::now(),
                kind,
            )?;
            plan.set_content(submission.content.clone(), &round.spec.catalog);
            // The reference people quote, given once, at the first submission.
            if plan.reference.is_none() {
                let key = reference::counter_key(&round.spec);
                let n = db::plans::next_reference_number(tx, &key)?;
                plan.reference = Some(reference::format(&key, n));
            }
            // An organisation's own action has no applicant to write to.
            for to in addressees(tx, plan)? {
                enqueue(
                    tx,
                    letters::receipt(
                        &to.email,
                        &to.name,
                        &plan.content.title,
                        (&plan.id, plan.kenmerk()),
                        &round.spec.name,
                        amsterdam_date(Utc::now()),
                    )?,
                )?;
            }
            let at = now();
            plan.submitted_at = Some(at);
            if let (Some(answer), Some(question)) = (&answer, plan.info_request.as_mut()) {
                question.answer = Some(answer.clone());
                question.answered_at = Some(at);
            }
            let mut snapshot = serde_json::to_value(&submission.content)
                .map_err(|e| Error::Internal(e.to_string()))?;
            snapshot["budget_line"] = submission.budget_line.as_str().into();
            snapshot["applicant_kind"] = plan.applicant_kind.as_str().into();
            db::plans::insert_version(tx, &plan.id, at, &snapshot, &actor.user_id)?;
            // The answer kept while the plan was changed is sent now (or left behind).
            db::notes::drop_answer(tx, &plan.id)?;
            Ok(Effect {
                reason: answer,
                tally: None,
            })
        },
    )
}

/// What stands in the way of submitting a plan now, for the owner's check before the button.
#[derive(Debug, Clone)]
pub struct SubmissionCheck {
    pub plan: PlanView,
    pub round: Round,
    /// Every field still missing or wrong; empty when the plan may be submitted.
    pub problems: Vec<FieldError>,
    /// A reason no field can fix (the round is closed, the plan is not in a state to submit).
    pub blocked: Option<DomainError>,
}

/// The owner's check before submitting: the same rules `submit` applies, every field at once,
/// and nothing stored.
pub fn submission_check(
    c: &mut crate::db::DbConn,
    actor: &Actor,
    plan_id: &str,
) -> Result<SubmissionCheck, Error> {
    let (plan, round) = load_visible(c, actor, plan_id)?;
    let view = super::view(c, plan)?;
    let plan = &view.plan;
    let mut blocked = None;
    let kind = match decide_as_seen(plan.state(), Action::Submit, actor) {
        Ok(t) if t.from == PlanStatus::Draft => SubmissionKind::First,
        Ok(_) => SubmissionKind::Resubmission,
        Err(e @ DomainError::Forbidden(_)) => return Err(e.into()),
        Err(e) => {
            blocked = Some(e);
            SubmissionKind::Resubmission
        }
    };
    if blocked.is_none() {
        blocked = round.check_accepts_submissions().err();
    }
    let known = known_organisations(c, &plan.content)?;
    let problems = match parse_submission(
        &plan.content,
        plan.applicant_kind,
        &round.spec,
        &known,
        Utc::now(),
        kind,
    ) {
        Ok(_) => Vec::new(),
        Err(DomainError::Invalid(e)) => e,
        Err(DomainError::RoundNotOpen { message, errors }) => {
            blocked = blocked.or(Some(DomainError::RoundNotOpen {
                message,
                errors: Vec::new(),
            }));
            errors
        }
        Err(other) => {
            blocked = blocked.or(Some(other));
            Vec::new()
        }
    };
    Ok(SubmissionCheck {
        plan: view,
        round,
        problems,
        blocked,
    })
}

/// The owner withdraws a plan, with a reason.
pub fn withdraw(
    tx: &mut Tx,
    actor: &Actor,
    plan_id: &str,
    reason: Option<&str>,
    expected: Option<&Expected>,
) -> Result<PlanView, Error> {
    let reason = Bounded::REASON
        .required(reason)
        .map_err(|m| DomainError::Invalid(vec![FieldError::new("reason", m)]))?;
    act(
        tx,
        actor,
        plan_id,
        Action::Withdraw,
        expected,
        |tx, plan, _, t| {
            if t.from == PlanStatus::Voting {
                // The vote falls with the plan: whoever was asked to vote hears it is off.
                for (member, recusal) in board_for(tx, plan)?.members {
                    if recusal.is_none() {
                        enqueue(
                            tx,
                            letters::vote_withdrawn(
                                &member.email,
                                &member.name,
                                &plan.content.title,
                                (&plan.id, plan.kenmerk()),
                            )?,
                        )?;
                    }
                }
            }
            // An answer kept for the question goes with the plan's withdrawal.
            db::notes::drop_answer(tx, &plan.id)?;
            Ok(Effect::because(reason))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::{complete_content, TestApp};

    #[test]
    fn a_resident_files_edits_and_submits_a_plan_and_gets_a_receipt() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let draft = t
            .app
            .write(|tx| {
                create_draft(
                    tx,
                    &anna,
                    &round.id,
                    PlanContent {
                        title: " Huiswerkklas ".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        assert_eq!(draft.plan.content.title, "Huiswerkklas");
        assert_eq!(draft.plan.status, PlanStatus::Draft);
        let payee = t.organisation("Bibliotheek");
        let content = complete_content(&payee);
        let edited = t
            .app
            .write(|tx| {
                edit(
                    tx,
                    &anna.actor(),
                    &draft.plan.id,
                    ContentChange::Whole(Box::new(content.clone())),
                    Some(&Expected::Versions(vec!["1".into()])),
                )
            })
            .unwrap();
        assert_eq!(edited.plan.version, 2);
        assert!(matches!(
            t.app.write(|tx| submit(
                tx,
                &anna.actor(),
                &draft.plan.id,
                None,
                Some(&Expected::Versions(vec!["1".into()]))
            )),
            Err(Error::Stale { version: 2 })
        ));
        let submitted = t
            .app
            .write(|tx| submit(tx, &anna.actor(), &draft.plan.id, None, None))
            .unwrap();
        assert_eq!(submitted.plan.status, PlanStatus::Submitted);
        assert!(submitted.plan.submitted_at.is_some());
        let mails = t.outbox();
        assert_eq!(mails.len(), 1);
        assert!(mails[0].subject.starts_with("Ontvangstbevestiging"));
        // The receipt quotes the reference the submission gave, not the id.
        let reference = submitted.plan.reference.clone().expect("a reference");
        assert!(reference.ends_with("-0001"), "{reference}");
        assert!(mails[0].text.contains(&reference), "{}", mails[0].text);
        assert!(!mails[0].text.contains(&draft.plan.id), "{}", mails[0].text);
        let versions = t
            .app
            .read(|c| super::super::versions(c, &anna.actor(), &draft.plan.id))
            .unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].version.snapshot["budget_line"], "JJO");
    }

    #[test]
    fn a_submission_names_every_missing_field_and_changes_nothing() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let draft = t.draft(
            &anna,
            &round,
            PlanContent {
                title: "Leeg".into(),
                ..Default::default()
            },
        );
        match t
            .app
            .write(|tx| submit(tx, &anna.actor(), &draft.id, None, None))
        {
            Err(Error::Domain(DomainError::Invalid(f))) => {
                let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
                for field in [
                    "description",
                    "goals",
                    "requested_eur",
                    "start_year",
                    "payee_id",
                ] {
                    assert!(fields.contains(&field), "{field} in {fields:?}");
                }
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(t.plan(&draft.id).status, PlanStatus::Draft);
        assert!(t.outbox().is_empty());
    }

    #[test]
    fn only_the_owner_deletes_a_draft_and_withdraws_with_a_reason() {
        let t = TestApp::new();
        let round = t.open_round();
        let anna = t.resident();
        let other = t.resident();
        let draft = t.draft(
            &anna,
            &round,
            PlanContent {
                title: "Weg".into(),
                ..Default::default()
            },
        );
        assert!(matches!(
            t.app
                .write(|tx| delete(tx, &other.actor(), &draft.id, None, &t.app.attachments)),
            Err(Error::NotFound("plan"))
        ));
        t.app
            .write(|tx| delete(tx, &anna.actor(), &draft.id, None, &t.app.attachments))
            .unwrap();
        assert!(t
            .app
            .read(|c| Ok(db::plans::find(c, &draft.id)?))
            .unwrap()
            .is_none());

        let plan = t.submitted(&anna, &round);
        assert!(matches!(
            t.app
                .write(|tx| withdraw(tx, &anna.actor(), &plan.id, Some("  "), None)),
            Err(Error::Domain(DomainError::Invalid(_)))
        ));
        let w = t
            .app
            .write(|tx| withdraw(tx, &anna.actor(), &plan.id, Some("Geen tijd meer"), None))
            .unwrap();
        assert_eq!(w.plan.status, PlanStatus::Withdrawn);
    }

    #[test]
    fn no_new_draft_in_a_closed_round() {
        let t = TestApp::new();
        let round = t.closed_round();
        let anna = t.resident();
        assert!(matches!(
            t.app.write(|tx| create_draft(
                tx,
                &anna,
                &round.id,
                PlanContent {
                    title: "Laat".into(),
                    ..Default::default()
                }
            )),
            Err(Error::Domain(DomainError::RoundNotOpen { .. }))
        ));
    }
}
