//! The conversation on the plan page (`/plannen/{id}`): the timeline of messages and the
//! formal question, and `POST /plannen/{id}/berichten` to write one.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::kit::{self, Post};
use super::{redirect, WebError};
use crate::app::conversation::Conversation;
use crate::app::App;
use crate::domain::calendar::dutch_date_time;
use crate::domain::conversation::{EntryKind, Side};

/// One entry as the page shows it.
pub struct EntryView {
    pub who: String,
    pub when: String,
    pub text: String,
    /// Written by the visitor's side (shown set apart).
    pub ours: bool,
}

/// The conversation as the plan page shows it.
pub struct ConversationView {
    pub id: String,
    pub heading: &'static str,
    pub entries: Vec<EntryView>,
    pub open: bool,
    /// The hint under the message box: who reads it.
    pub readers: &'static str,
}

pub fn shown(c: &Conversation, plan_id: &str) -> ConversationView {
    let team = c.side == Side::Team;
    ConversationView {
        id: plan_id.to_string(),
        heading: if team {
            "Gesprek met de indieners"
        } else {
            "Gesprek met het programmateam"
        },
        readers: if team {
            "De indieners lezen uw bericht en krijgen er een e-mail over. Een vraag waarop het plan moet wachten, stelt u met \u{201c}Vraag stellen aan de indiener\u{201d}."
        } else {
            "Het programmateam leest uw bericht en krijgt er een e-mail over. Het bestuur leest het niet."
        },
        open: c.open,
        entries: c
            .entries
            .iter()
            .map(|e| {
                let (who, side) = match (&e.kind, &e.author) {
                    (EntryKind::Question, _) => {
                        ("Vraag van het programmateam".to_string(), Side::Team)
                    }
                    (EntryKind::Answer, _) => {
                        ("Antwoord van de indiener".to_string(), Side::Applicants)
                    }
                    (EntryKind::Message(s), author) => (
                        format!(
                            "{} ({})",
                            author.as_deref().unwrap_or("Onbekend"),
                            match s {
                                Side::Team => "programmateam",
                                Side::Applicants => "indiener",
                            }
                        ),
                        *s,
                    ),
                };
                EntryView {
                    who,
                    when: dutch_date_time(e.at),
                    text: e.text.clone(),
                    ours: side == c.side,
                }
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    bericht: String,
}

/// `POST /plannen/{id}/berichten`: writes the message and goes back to the conversation.
pub async fn post_message(
    state: web::Data<App>,
    path: web::Path<String>,
    post: Post<MessageForm>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let actor = post.signed_in(&format!("/plannen/{id}"))?;
    let Post { v, form: f, .. } = post;
    let (pid, site) = (id.clone(), state.public_url.clone());
    match kit::write(&state, move |tx| {
        crate::app::conversation::post(tx, &actor, &pid, Some(&f.bericht), &site)
    })
    .await?
    {
        Ok(_) => Ok(redirect(
            &v,
            &format!("/plannen/{id}?bericht=bericht-verstuurd#gesprek"),
        )),
        Err(errors) => Err(WebError::Refused(
            errors
                .iter()
                .map(|e| format!("Uw bericht: {}", e.message_nl))
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}
