//! Budget reserved for a purpose before a plan exists ("Regie op taalaanbod"): it counts
//! against its theme's cap while it stands, and is released when no longer needed.

use chrono::{DateTime, Utc};

use super::errors::REQUIRED;
use super::round::Catalog;
use super::text::Bounded;
use super::{DomainError, Eur, FieldErrors};

/// A reservation as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: String,
    pub round_id: String,
    pub theme: String,
    pub amount: Eur,
    pub purpose: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    /// The plan it was turned into; it holds its money for that plan until the grant.
    pub plan_id: Option<String>,
}

/// What a reservation asks for, checked: a theme of the round, an amount above zero, a
/// purpose. Every bad field is reported at once.
pub fn parse_reservation(
    theme: Option<&str>,
    amount_eur: Option<i64>,
    purpose: Option<&str>,
    catalog: &Catalog,
) -> Result<(String, Eur, String), DomainError> {
    let mut e = FieldErrors::new();
    let theme = match theme.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            e.add("theme", REQUIRED);
            None
        }
        Some(t) if catalog.theme(t).is_none() => {
            let codes: Vec<_> = catalog.themes.iter().map(|t| t.code.as_str()).collect();
            e.add(
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
            );
            None
        }
        Some(t) => Some(t.to_string()),
    };
    let amount = match amount_eur {
        None => {
            e.add("amount_eur", REQUIRED);
            None
        }
        Some(a) if a <= 0 => {
            e.add(
                "amount_eur",
                ("must be more than 0", "moet meer dan 0 zijn"),
            );
            None
        }
        Some(a) => match Eur::parse(a) {
            Ok(a) => Some(a),
            Err(m) => {
                e.add("amount_eur", m);
                None
            }
        },
    };
    let purpose = match Bounded::NAME.required(purpose) {
        Ok(p) => Some(p),
        Err(m) => {
            e.add("purpose", m);
            None
        }
    };
    e.finish(())?;
    match (theme, amount, purpose) {
        (Some(t), Some(a), Some(p)) => Ok((t, a, p)),
        // Each missing part added its field error above, so `finish` refused already.
        _ => Err(DomainError::Invalid(Vec::new())),
    }
}

/// A plan made from a reservation: charged to the reservation's theme (another budget line
/// is refused), titled by its purpose and asking its amount unless the plan says otherwise.
pub fn plan_from(
    r: &Reservation,
    mut content: crate::domain::plan::PlanContent,
) -> Result<crate::domain::plan::PlanContent, DomainError> {
    if let Some(line) = content.budget_line.as_deref().filter(|l| *l != r.theme) {
        return Err(DomainError::Invalid(vec![crate::domain::FieldError::new(
            "budget_line",
            (
                format!("the reservation is on {}, not {line}", r.theme),
                format!(
                    "de reservering hoort bij opgave {}, niet bij {line}",
                    r.theme
                ),
            ),
        )]));
    }
    content.budget_line = Some(r.theme.clone());
    if content.title.trim().is_empty() {
        content.title = r.purpose.clone();
    }
    if content.requested_eur.is_none() && content.funding.requests_contribution() {
        content.requested_eur = Some(r.amount.value());
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::round::tests::programme;

    #[test]
    fn a_reservation_names_a_theme_an_amount_and_a_purpose() {
        let c = programme().catalog;
        let (t, a, p) =
            parse_reservation(Some("JJO"), Some(15_000), Some("Regie op taalaanbod"), &c).unwrap();
        assert_eq!(
            (t.as_str(), a.value(), p.as_str()),
            ("JJO", 15_000, "Regie op taalaanbod")
        );
        let Err(DomainError::Invalid(errors)) =
            parse_reservation(Some("XYZ"), Some(0), Some("  "), &c)
        else {
            panic!("three bad fields")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["theme", "amount_eur", "purpose"]);
    }

    #[test]
    fn a_plan_from_a_reservation_takes_its_theme_purpose_and_amount() {
        let r = Reservation {
            id: "r".into(),
            round_id: "x".into(),
            theme: "FZT".into(),
            amount: Eur::parse(35_000).unwrap(),
            purpose: "Regie op taalaanbod".into(),
            created_by: "t".into(),
            created_at: Utc::now(),
            released_at: None,
            plan_id: None,
        };
        let c = plan_from(&r, Default::default()).unwrap();
        assert_eq!(c.budget_line.as_deref(), Some("FZT"));
        assert_eq!(c.title, "Regie op taalaanbod");
        assert_eq!(c.requested_eur, Some(35_000));
        let own = crate::domain::plan::PlanContent {
            title: "Taalcoördinatie Noord".into(),
            requested_eur: Some(20_000),
            ..Default::default()
        };
        let c = plan_from(&r, own).unwrap();
        assert_eq!(
            (c.title.as_str(), c.requested_eur),
            ("Taalcoördinatie Noord", Some(20_000))
        );
        let elsewhere = crate::domain::plan::PlanContent {
            budget_line: Some("JJO".into()),
            ..Default::default()
        };
        match plan_from(&r, elsewhere) {
            Err(DomainError::Invalid(f)) => assert_eq!(f[0].field, "budget_line"),
            other => panic!("{other:?}"),
        }
    }
}
