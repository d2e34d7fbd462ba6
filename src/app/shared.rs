//! Reads several use cases share. Nothing here is a use case or calls one, so use cases
//! depend on this module, never on each other in a circle.

use std::collections::HashMap;

use super::Error;
use crate::db::{self, DbConn};
use crate::domain::conflict::{seats, DeclaredConflict, Member, Recusal};
use crate::domain::grant::{self, GrantStatus, Payment, Progress, Report};
use crate::domain::plan::Plan;
use crate::domain::tally::Seat;
use crate::domain::user::Account;

/// Who sits on the board for a plan, and who of them is recused and why.
pub struct Board {
    pub seats: Vec<Seat>,
    pub members: Vec<(Account, Option<Recusal>)>,
}

impl Board {
    pub fn recusal_of(&self, member_id: &str) -> Option<Recusal> {
        self.members
            .iter()
            .find(|(m, _)| m.id == member_id)
            .and_then(|(_, r)| *r)
    }
}

/// The board as it sits for a plan: every active board member, with their recusal if any. A
/// member's organisation counts whether their claim to it is confirmed or pending (recusal
/// errs on the side of caution); a party named by a registered organisation's name is that
/// organisation.
pub fn board_for(c: &mut DbConn, plan: &Plan) -> Result<Board, Error> {
    let accounts = db::users::board(c)?;
    board_among(c, plan, accounts)
}

/// As `board_for`, with the board's accounts read already (for several plans at once).
fn board_among(c: &mut DbConn, plan: &Plan, accounts: Vec<Account>) -> Result<Board, Error> {
    let declared = db::assessment::conflicts(c, &plan.id)?;
    let ids = db::organisations::ids_by_key(c, &plan.content.named_keys())?;
    Ok(seated_with(plan, accounts, &declared, &ids))
}

/// The board for a plan from what was read: the board's accounts, the conflicts
/// declared on the plan, and the registered organisations by name key.
pub(super) fn seated_with(
    plan: &Plan,
    accounts: Vec<Account>,
    declared: &[DeclaredConflict],
    ids: &std::collections::HashMap<String, String>,
) -> Board {
    let mut resolved = plan.clone();
    resolved.content = resolved.content.with_registered_names(ids);
    let plan = &resolved;
    let members: Vec<Member> = accounts
        .iter()
        .map(|a| Member {
            user_id: &a.id,
            organisation_id: a.organisation_id.as_deref(),
        })
        .collect();
    let seated = seats(&members, &plan.parties(), declared);
    let mut board = Board {
        seats: Vec::with_capacity(seated.len()),
        members: Vec::with_capacity(seated.len()),
    };
    for ((seat, recusal), account) in seated.into_iter().zip(accounts) {
        board.seats.push(seat);
        board.members.push((account, recusal));
    }
    board
}

/// Each grant's status and figures of a round, by its plan (for the overview).
pub fn progress_by_plan(
    c: &mut DbConn,
    round_id: &str,
) -> Result<HashMap<String, (GrantStatus, Progress)>, Error> {
    let grants = db::grants::list(c, Some(round_id))?;
    if grants.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<&str> = grants.iter().map(|g| g.id.as_str()).collect();
    let payments = db::grants::payments_of(c, &ids)?;
    let reports = db::grants::reports_of(c, &ids)?;
    Ok(grants
        .iter()
        .map(|g| {
            let p: Vec<Payment> = payments
                .iter()
                .filter(|p| p.grant_id == g.id)
                .cloned()
                .collect();
            let r: Vec<Report> = reports
                .iter()
                .filter(|r| r.grant_id == g.id)
                .cloned()
                .collect();
            (g.plan_id.clone(), (g.status, grant::progress(&p, &r)))
        })
        .collect())
}
