//! The board's page: the plans open for a vote, each with its pre-advice, the member's own
//! vote or recusal, a vote and a declared conflict; the chair sees the count against quorum
//! and closes the vote.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::form::Problems;
use super::kit::{self, Post};
use super::team::{advice_of, tally_line_of, AdviceView, TallyLine};
use super::{redirect, render, with_visitor, Layout, Pending, Visitor, WebError};
use crate::app::board;
use crate::app::App;
use crate::domain::permission;
use crate::domain::permission::Permission;

pub struct AgendaLine {
    pub id: String,
    pub title: String,
    pub round_name: String,
    /// The plan's reference.
    pub kenmerk: String,
    /// What the board weighs beside the advice: the amount asked (or how the plan is funded),
    /// the theme that pays, who carries it out and with whom.
    pub asked: String,
    pub theme: String,
    pub lead: String,
    pub partners: String,
    pub version: i64,
    pub advice: Option<AdviceView>,
    pub t: TallyLine,
    pub my_vote: String,
    pub my_comment: String,
    pub recusal: Option<&'static str>,
    pub conflict_declared: bool,
}

#[derive(Template)]
#[template(path = "web/board.html")]
struct BoardPage {
    l: Layout,
    p: Problems,
    chair: bool,
    items: Vec<AgendaLine>,
    /// Plans open for a vote in all, and this page of them.
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Debug, Deserialize)]
pub struct AgendaQuery {
    bericht: Option<String>,
    pagina: Option<i64>,
}

async fn board_page(
    state: &web::Data<App>,
    v: &Visitor,
    p: Problems,
    flash: Option<&str>,
) -> Result<BoardPage, WebError> {
    let actor = v.may(Permission::Vote, "/bestuur")?;
    let st = state.clone();
    let agenda = web::block(move || st.read(|c| board::agenda(c, &actor, 1))).await??;
    board_view(v, agenda, p, flash)
}

fn board_view(
    v: &Visitor,
    agenda: board::Agenda,
    p: Problems,
    flash: Option<&str>,
) -> Result<BoardPage, WebError> {
    let actor = v.may(Permission::Vote, "/bestuur")?;
    let board::Agenda {
        items,
        names,
        organisations,
        total,
        page,
    } = agenda;
    let party = |p: &crate::domain::plan::PartyRef| match p {
        crate::domain::plan::PartyRef::Registered { organisation_id } => organisations
            .get(organisation_id)
            .cloned()
            .unwrap_or_else(|| organisation_id.clone()),
        crate::domain::plan::PartyRef::Named { name } => name.clone(),
    };
    let pages = ((total + board::AGENDA_PAGE - 1) / board::AGENDA_PAGE).max(1);
    let lines = items
        .into_iter()
        .map(|item| {
            let plan = &item.plan;
            let t = &item.tally;
            AgendaLine {
                id: plan.id.clone(),
                title: plan.content.title.clone(),
                round_name: item.round.spec.name.clone(),
                kenmerk: plan.kenmerk().to_string(),
                asked: plan.content.funding.amount_nl(
                    plan.content
                        .requested_eur
                        .and_then(|e| crate::domain::Eur::parse(e).ok())
                        .unwrap_or_default(),
                ),
                theme: plan
                    .budget_line
                    .as_deref()
                    .and_then(|b| item.round.spec.catalog.theme(b))
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| "—".into()),
                lead: match plan.content.lead_partner {
                    Some(_) => plan
                        .content
                        .lead_partner
                        .iter()
                        .chain(plan.content.co_leads.iter())
                        .map(party)
                        .collect::<Vec<_>>()
                        .join(", "),
                    None => crate::domain::overview::RESIDENT_LEAD.to_string(),
                },
                partners: plan
                    .content
                    .partners
                    .iter()
                    .map(party)
                    .collect::<Vec<_>>()
                    .join(", "),
                version: plan.version,
                advice: plan
                    .pre_advice
                    .as_ref()
                    .map(|r| advice_of(&r.advice, &item.round, plan.content.funding)),
                t: tally_line_of(t, &names),
                my_vote: item
                    .my_vote
                    .as_ref()
                    .map(|v| v.choice.as_str().to_string())
                    .unwrap_or_default(),
                my_comment: item
                    .my_vote
                    .as_ref()
                    .map(|v| v.comment.clone())
                    .unwrap_or_default(),
                recusal: item.my_recusal.map(|r| r.message_nl()),
                conflict_declared: item.my_recusal
                    == Some(crate::domain::conflict::Recusal::Declared),
            }
        })
        .collect();
    Ok(BoardPage {
        l: Layout::new(
            if p.is_empty() {
                "Bestuur"
            } else {
                "Fout: Bestuur"
            },
            v,
        )
        .with_flash(super::flash(flash)),
        p,
        chair: permission::allows(&actor, Permission::CloseVotes),
        items: lines,
        total,
        page,
        pages,
    })
}

/// `GET /bestuur`.
pub async fn agenda(
    state: web::Data<App>,
    pending: Pending,
    q: web::Query<AgendaQuery>,
) -> Result<HttpResponse, WebError> {
    let page = q.pagina.unwrap_or(1).clamp(1, 100_000);
    // The visitor and the agenda in one blocking call.
    let (v, agenda) = with_visitor(&state, pending, move |c, v| {
        let actor = v.may(Permission::Vote, "/bestuur")?;
        Ok(board::agenda(c, &actor, page)?)
    })
    .await?;
    let page = board_view(&v, agenda, Problems::new(), q.bericht.as_deref())?;
    render(&v, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct VoteForm {
    vote: Option<String>,
    #[serde(default)]
    comment: String,
}

/// `POST /plannen/{id}/stem`: casts or changes the member's vote.
pub async fn vote(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<VoteForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::Vote, "/bestuur")?;
    let Post { v, form: f, .. } = post;
    let pid = id.clone();
    let (choice, comment) = (f.vote.clone(), f.comment.clone());
    match kit::write_on_plan(&state, &id, move |tx| {
        board::vote(
            tx,
            &actor,
            &pid,
            choice.as_deref().filter(|c| !c.is_empty()),
            Some(&comment),
        )
    })
    .await?
    {
        Ok(_) => Ok(redirect(&v, &format!("/bestuur?bericht=gestemd#plan-{id}"))),
        Err(errors) => {
            let p = Problems::from_fields(&errors, |f| {
                if f == "comment" {
                    (format!("comment-{id}"), "Toelichting".into())
                } else {
                    (format!("vote-{id}-for"), "Uw stem".into())
                }
            });
            let page = board_page(&state, &v, p, None).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    reason: String,
}

/// `POST /plannen/{id}/belangenconflict`: the member declares a conflict of interest and is
/// recused from then on.
pub async fn declare_conflict(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<ConflictForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.may(Permission::Vote, "/bestuur")?;
    let Post { v, form: f, .. } = post;
    let pid = id.clone();
    let reason = f.reason.clone();
    match kit::write(&state, move |tx| {
        board::declare_conflict(tx, &actor, &pid, Some(&reason))
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/bestuur?bericht=belangenconflict#plan-{id}"),
        )),
        Err(errors) => {
            let p = Problems::from_fields(&errors, |_| {
                (format!("reason-{id}"), "Belangenconflict".into())
            });
            let page = board_page(&state, &v, p, None).await?;
            render(&v, StatusCode::BAD_REQUEST, &page)
        }
    }
}
