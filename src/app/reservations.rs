//! Reservations: the programme team holds part of a theme's budget for a purpose before a
//! plan exists; it counts against the cap until released.

use super::{new_id, now, Error};
use crate::db::{self, DbConn, Tx};
use crate::domain::budget::check_grant;
use crate::domain::permission::{self, Permission};
use crate::domain::reservation::{parse_reservation, Reservation};
use crate::domain::user::Actor;
use crate::domain::{Bilingual, DomainError, Eur};

/// What is committed on a theme's line: granted plus reserved.
pub fn committed(c: &mut DbConn, round_id: &str, theme: &str) -> Result<Eur, Error> {
    Ok(db::plans::granted_on_line(c, round_id, theme)?
        + db::reservations::reserved_on_line(c, round_id, theme)?)
}

/// The programme team reserves part of a theme's budget. The line is locked first, so two
/// reservations (or a reservation and a grant) racing for the last of it cannot both win.
pub fn create(
    tx: &mut Tx,
    actor: &Actor,
    round_id: &str,
    theme: Option<&str>,
    amount_eur: Option<i64>,
    purpose: Option<&str>,
) -> Result<Reservation, Error> {
    permission::check(actor, Permission::ManageReservations)?;
    let round = db::rounds::find(tx, round_id)?.ok_or(Error::NotFound("round"))?;
    let (theme, amount, purpose) =
        parse_reservation(theme, amount_eur, purpose, &round.spec.catalog)?;
    let budget = db::rounds::lock_budget_line(tx, &round.id, &theme)?.ok_or_else(|| {
        DomainError::Conflict(Bilingual::new(
            format!("the round has no budget line {theme}"),
            format!("de ronde heeft geen budget voor opgave {theme}"),
        ))
    })?;
    check_grant(&theme, budget, committed(tx, &round.id, &theme)?, amount)?;
    let r = Reservation {
        id: new_id(),
        round_id: round.id.clone(),
        theme,
        amount,
        purpose,
        created_by: actor.user_id.clone(),
        created_at: now(),
        released_at: None,
        plan_id: None,
    };
    db::reservations::insert(tx, &r)?;
    Ok(r)
}

/// The reservations of a round that stand (programme team and board).
pub fn list(c: &mut DbConn, actor: &Actor, round_id: &str) -> Result<Vec<Reservation>, Error> {
    permission::check(actor, Permission::SeeAssessment)?;
    let round = db::rounds::find(c, round_id)?.ok_or(Error::NotFound("round"))?;
    Ok(db::reservations::standing(c, &round.id)?)
}

/// The programme team releases a reservation: its money is free again.
pub fn release(tx: &mut Tx, actor: &Actor, id: &str) -> Result<(), Error> {
    permission::check(actor, Permission::ManageReservations)?;
    let r = db::reservations::find(tx, id)?.ok_or(Error::NotFound("reservation"))?;
    if !db::reservations::release(tx, &r.id, now())? {
        return Err(DomainError::Conflict(Bilingual::new(
            "this reservation was released already",
            "deze reservering is al vrijgegeven",
        ))
        .into());
    }
    Ok(())
}

/// The programme team turns a standing reservation into a plan, in one step: the plan is
/// filed for an organisation or a person as `plans::file_for` does, charged to the
/// reservation's theme, and the reservation keeps holding its money for that plan until the
/// plan is granted (the grant then takes its place) or the team releases it. A reservation
/// whose plan is still under way is not turned again; one whose plan fell through (rejected,
/// withdrawn, merged) may be.
pub fn turn_into_plan(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    filed_for: crate::app::plans::FiledFor,
    content: crate::domain::plan::PlanContent,
    public_url: &str,
) -> Result<crate::app::plans::PlanView, Error> {
    permission::check(actor, Permission::FileForOthers)?;
    let r = db::reservations::find(tx, id)?.ok_or(Error::NotFound("reservation"))?;
    if r.released_at.is_some() {
        return Err(DomainError::Conflict(Bilingual::new(
            "this reservation was released: its money is no longer held",
            "deze reservering is vrijgegeven: het geld wordt niet meer vastgehouden",
        ))
        .into());
    }
    if let Some(plan_id) = &r.plan_id {
        let earlier = db::plans::find(tx, plan_id)?;
        if earlier.is_some_and(|p| !p.status.is_final_without_grant()) {
            return Err(DomainError::Conflict(Bilingual::new(
                "this reservation holds money for a plan already",
                "deze reservering houdt al geld vast voor een plan",
            ))
            .into());
        }
    }
    let content = crate::domain::reservation::plan_from(&r, content)?;
    let view = crate::app::plans::file_for(tx, actor, &r.round_id, filed_for, content, public_url)?;
    if !db::reservations::set_plan(tx, &r.id, &view.plan.id)? {
        return Err(Error::Changed("reservation"));
    }
    Ok(view)
}
