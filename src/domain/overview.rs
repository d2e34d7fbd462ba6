//! The published "Overzicht acties": per theme, the adopted actions and their money.

use serde::Serialize;

use super::money::Eur;
use super::plan::OtherFunding;
use super::round::Catalog;

/// The "Overzicht acties" is public once the round is adopted; before that it is the team's
/// draft of what the first adoption would adopt (not found to anyone else).
pub fn visible(adopted: bool, actor: Option<&super::user::Actor>) -> bool {
    adopted
        || actor.is_some_and(|a| {
            super::permission::allows(a, super::permission::Permission::RecordAdoption)
        })
}

/// Whether a plan is a row of the overview: once the round is adopted, the plans its
/// adoptions adopted; before, the plans the first adoption would adopt.
pub fn lists(round_adopted: bool, status: super::state::PlanStatus, published: bool) -> bool {
    if round_adopted {
        status == super::state::PlanStatus::Adopted && published
    } else {
        super::budget::counts_as_granted(status)
    }
}

/// One action (a granted plan) as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub plan_id: String,
    /// The plan's reference (`SVN-2025-0042`); `None` only for plans from before references.
    pub reference: Option<String>,
    pub title: String,
    /// The short description the table prints (the plan's `summary`, or the start of its
    /// description for a plan without one).
    pub summary: String,
    pub goals: Vec<String>,
    /// The lead (and co-leads) as the table prints them; "Inwoner(s)" for a resident's row
    /// that names no lead (`RESIDENT_LEAD`).
    pub lead_partner: Option<String>,
    pub partners: Vec<String>,
    pub continuing: bool,
    /// How it is paid for: only a `programme` action shows an amount from the programme.
    pub funding: super::plan::Funding,
    pub programme_funding_eur: Eur,
    pub other_funding: Vec<OtherFunding>,
    pub other_funding_eur: Eur,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    /// The theme whose budget pays for it.
    #[serde(skip)]
    pub budget_line: String,
    /// Where the action stands: its grant's status (`running` for an action without a grant:
    /// one paid for otherwise).
    pub progress: super::grant::GrantStatus,
    /// What the bank paid on its grant, and what its latest report says was spent from the
    /// programme's contribution.
    pub paid_eur: Eur,
    pub spent_eur: Eur,
    /// The team's note on the row, as the printed table has them ("Gaat ten laste budget
    /// financiële zelfredzaamheid").
    pub note: Option<String>,
}

/// What the table prints as the lead of a resident's row without a lead partner.
pub const RESIDENT_LEAD: &str = "Inwoner(s)";

/// The most a short description holds.
pub const SUMMARY_MAX: usize = 400;

/// The short description of a plan: its summary, or, for a plan without one, its
/// description cut at a word before `SUMMARY_MAX` characters with "…".
pub fn short_description(summary: &str, description: &str) -> String {
    if !summary.trim().is_empty() {
        return summary.trim().to_string();
    }
    let d = description.trim();
    if d.chars().count() <= SUMMARY_MAX {
        return d.to_string();
    }
    let cut: String = d.chars().take(SUMMARY_MAX - 1).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > SUMMARY_MAX / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

/// Checks the team's note on a row: at most `SUMMARY_MAX` characters; empty removes it.
pub fn check_note(raw: &str) -> Result<String, super::errors::DomainError> {
    super::text::Bounded::SUMMARY.check(raw).map_err(|m| {
        super::errors::DomainError::Invalid(vec![super::errors::FieldError::new("note", m)])
    })
}

/// Money a theme holds for a purpose, not yet a plan: a row of its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReservedRow {
    pub purpose: String,
    pub amount_eur: Eur,
}

impl Action {
    /// The duration as the published tables write it: "2025-2026", or "2025".
    pub fn duration(&self) -> String {
        match (self.start_year, self.end_year) {
            (Some(s), Some(e)) if s != e => format!("{s}-{e}"),
            (Some(s), _) => s.to_string(),
            (None, Some(e)) => e.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// One theme's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeTable {
    pub code: String,
    pub name: String,
    pub budget_eur: Eur,
    pub granted_eur: Eur,
    /// Held for a purpose by the theme's standing reservations (rows of the table too).
    pub reserved_eur: Eur,
    /// What the table totals: granted and reserved.
    pub total_eur: Eur,
    pub paid_eur: Eur,
    pub spent_eur: Eur,
    pub plans: Vec<Action>,
    pub reservations: Vec<ReservedRow>,
}

/// One college decision adopting (part of) the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdoptionLine {
    pub adopted_on: chrono::NaiveDate,
    pub reference: String,
}

/// The whole overview of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    pub round_id: String,
    pub name: String,
    /// The round's (first) adoption.
    pub adopted_on: Option<chrono::NaiveDate>,
    pub reference: Option<String>,
    /// Every adoption, the first first: the round's and the supplementary ones.
    pub adoptions: Vec<AdoptionLine>,
    pub total_granted_eur: Eur,
    pub total_reserved_eur: Eur,
    pub total_budget_eur: Eur,
    pub total_paid_eur: Eur,
    pub total_spent_eur: Eur,
    pub themes: Vec<ThemeTable>,
}

/// Groups actions by the theme that pays for them (a plan charged to another theme's budget
/// appears in that theme's table), in catalog order, titles alphabetical within a theme, with
/// per-theme and grand totals.
pub fn build(
    round_id: &str,
    name: &str,
    adoptions: Vec<AdoptionLine>,
    catalog: &Catalog,
    actions: Vec<Action>,
    reservations: Vec<(String, ReservedRow)>,
) -> Overview {
    let mut themes: Vec<ThemeTable> = catalog
        .themes
        .iter()
        .map(|t| ThemeTable {
            code: t.code.clone(),
            name: t.name.clone(),
            budget_eur: t.budget_eur,
            granted_eur: Eur::ZERO,
            reserved_eur: Eur::ZERO,
            total_eur: Eur::ZERO,
            paid_eur: Eur::ZERO,
            spent_eur: Eur::ZERO,
            plans: Vec::new(),
            reservations: Vec::new(),
        })
        .collect();
    for (theme, r) in reservations {
        if let Some(t) = themes.iter_mut().find(|t| t.code == theme) {
            t.reserved_eur = t.reserved_eur + r.amount_eur;
            t.reservations.push(r);
        }
    }
    for a in actions {
        if let Some(t) = themes.iter_mut().find(|t| t.code == a.budget_line) {
            t.granted_eur = t.granted_eur + a.programme_funding_eur;
            t.paid_eur = t.paid_eur + a.paid_eur;
            t.spent_eur = t.spent_eur + a.spent_eur;
            t.plans.push(a);
        }
    }
    for t in &mut themes {
        t.total_eur = t.granted_eur + t.reserved_eur;
        t.plans.sort_by(|a, b| {
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(a.plan_id.cmp(&b.plan_id))
        });
    }
    Overview {
        round_id: round_id.to_string(),
        name: name.to_string(),
        adopted_on: adoptions.first().map(|a| a.adopted_on),
        reference: adoptions.first().map(|a| a.reference.clone()),
        adoptions,
        total_granted_eur: themes.iter().map(|t| t.granted_eur).sum(),
        total_reserved_eur: themes.iter().map(|t| t.reserved_eur).sum(),
        total_budget_eur: themes.iter().map(|t| t.budget_eur).sum(),
        total_paid_eur: themes.iter().map(|t| t.paid_eur).sum(),
        total_spent_eur: themes.iter().map(|t| t.spent_eur).sum(),
        themes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overview_is_public_once_adopted_and_a_draft_for_the_team_before() {
        use crate::domain::state::PlanStatus as S;
        use crate::domain::user::{Actor, Role};
        let who = |r: Role| Actor {
            user_id: "u".into(),
            roles: vec![r],
            organisation_id: None,
        };
        assert!(visible(true, None));
        assert!(!visible(false, None));
        assert!(!visible(false, Some(&who(Role::BoardChair))));
        assert!(visible(false, Some(&who(Role::ProgrammeTeam))));
        // Adopted: only what the adoptions published; before: what the first would adopt.
        assert!(lists(true, S::Adopted, true));
        assert!(!lists(true, S::Approved, false));
        assert!(lists(false, S::Approved, false));
        assert!(!lists(false, S::Rejected, false));
    }
    use crate::domain::money::eur;
    use crate::domain::round::tests::programme;

    fn action(id: &str, title: &str, line: &str, amount: i64) -> Action {
        Action {
            plan_id: id.into(),
            reference: None,
            title: title.into(),
            summary: String::new(),
            goals: vec![],
            lead_partner: None,
            partners: vec![],
            continuing: false,
            funding: crate::domain::plan::Funding::Programme,
            programme_funding_eur: eur(amount),
            other_funding: vec![],
            other_funding_eur: Eur::ZERO,
            start_year: Some(2025),
            end_year: Some(2026),
            budget_line: line.into(),
            progress: crate::domain::grant::GrantStatus::Running,
            paid_eur: eur(amount / 2),
            spent_eur: eur(amount / 4),
            note: None,
        }
    }

    #[test]
    fn actions_are_grouped_by_the_theme_that_pays_with_totals() {
        let o = build(
            "r",
            "Ronde",
            Vec::new(),
            &programme().catalog,
            vec![
                action("1", "Zwemles", "JJO", 30_000),
                action("2", "Jongerenwerk", "FZT", 20_000),
                action("3", "Atelier", "JJO", 5_000),
            ],
            vec![(
                "JJO".into(),
                ReservedRow {
                    purpose: "Jeugd, jongeren en onderwijs".into(),
                    amount_eur: eur(30_000),
                },
            )],
        );
        assert_eq!(
            o.themes[0]
                .plans
                .iter()
                .map(|p| p.title.as_str())
                .collect::<Vec<_>>(),
            vec!["Atelier", "Zwemles"]
        );
        assert_eq!(o.themes[0].granted_eur, eur(35_000));
        assert_eq!(o.themes[0].reserved_eur, eur(30_000));
        assert_eq!(o.themes[0].total_eur, eur(65_000), "the table totals both");
        assert_eq!(
            o.themes[0].reservations[0].purpose,
            "Jeugd, jongeren en onderwijs"
        );
        assert_eq!(o.themes[1].total_eur, eur(20_000));
        assert_eq!(o.total_reserved_eur, eur(30_000));
        assert_eq!(
            o.themes[1].plans[0].title, "Jongerenwerk",
            "a youth plan charged to FZT's budget sits in FZT's table"
        );
        assert_eq!(o.total_granted_eur, eur(55_000));
        assert_eq!(o.themes[0].paid_eur, eur(17_500));
        assert_eq!(o.themes[0].spent_eur, eur(7_500 + 1_250));
        assert_eq!(o.total_paid_eur, eur(27_500));
        assert_eq!(o.total_budget_eur, eur(146_000 + 75_000 + 98_000));
    }

    #[test]
    fn a_short_description_is_the_summary_or_the_start_of_the_description() {
        assert_eq!(short_description(" Kort. ", "Lang verhaal"), "Kort.");
        assert_eq!(short_description("", "Lang verhaal"), "Lang verhaal");
        let long = "woord ".repeat(200);
        let s = short_description("", &long);
        assert!(s.chars().count() <= SUMMARY_MAX, "{}", s.chars().count());
        assert!(s.ends_with("woord…"), "{s}");
    }

    #[test]
    fn a_note_is_short_and_empty_removes_it() {
        assert_eq!(
            check_note("  Gaat ten laste budget FZT ").unwrap(),
            "Gaat ten laste budget FZT"
        );
        assert_eq!(check_note("").unwrap(), "");
        assert!(check_note(&"x".repeat(SUMMARY_MAX + 1)).is_err());
    }

    #[test]
    fn durations_read_as_in_the_published_tables() {
        let mut a = action("1", "x", "JJO", 0);
        assert_eq!(a.duration(), "2025-2026");
        a.end_year = Some(2025);
        assert_eq!(a.duration(), "2025");
    }
}
