//! Organisations that plans refer to: partners, schools, the municipality…

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{Bilingual, DomainError, FieldErrors};
use super::text::Bounded;

/// What an organisation is; the published overview groups partners by nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Partner,
    School,
    Municipality,
    Welfare,
    Housing,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 6] = [
        OrganisationKind::Partner,
        OrganisationKind::School,
        OrganisationKind::Municipality,
        OrganisationKind::Welfare,
        OrganisationKind::Housing,
        OrganisationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Partner => "partner",
            OrganisationKind::School => "school",
            OrganisationKind::Municipality => "municipality",
            OrganisationKind::Welfare => "welfare",
            OrganisationKind::Housing => "housing",
            OrganisationKind::Other => "other",
        }
    }

    /// The kind as pages name it.
    pub fn label_nl(self) -> &'static str {
        match self {
            OrganisationKind::Partner => "partnerorganisatie",
            OrganisationKind::School => "school",
            OrganisationKind::Municipality => "gemeente",
            OrganisationKind::Welfare => "welzijn",
            OrganisationKind::Housing => "woningcorporatie",
            OrganisationKind::Other => "anders",
        }
    }

    pub fn parse(raw: &str) -> Result<OrganisationKind, Bilingual> {
        OrganisationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                let kinds: Vec<_> = OrganisationKind::ALL.iter().map(|k| k.as_str()).collect();
                Bilingual::new(
                    format!("unknown kind '{raw}'; kinds are: {}", kinds.join(", ")),
                    format!(
                        "het soort '{raw}' bestaat niet; kies uit: {}",
                        kinds.join(", ")
                    ),
                )
            })
    }
}

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub created_at: DateTime<Utc>,
}

impl Organisation {
    /// The key that makes its name unique (see `organisation_key`).
    pub fn key(&self) -> String {
        organisation_key(&self.name)
    }
}

/// Checks a new organisation's name and kind, both at once.
pub fn parse_organisation(
    id: String,
    name: Option<&str>,
    kind: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Organisation, DomainError> {
    let mut e = FieldErrors::new();
    let name = Bounded::NAME
        .required(name)
        .map_err(|m| e.add("name", m))
        .ok();
    let kind = match kind.map(OrganisationKind::parse) {
        None => {
            e.add("kind", ("is required", "is verplicht"));
            None
        }
        Some(Err(m)) => {
            e.add("kind", m);
            None
        }
        Some(Ok(k)) => Some(k),
    };
    match (e.finish(()), name, kind) {
        (Ok(()), Some(name), Some(kind)) => Ok(Organisation {
            id,
            name,
            kind,
            created_at: now,
        }),
        (Err(err), ..) => Err(err),
        (Ok(()), ..) => Err(DomainError::Invalid(vec![super::FieldError::new(
            "body",
            ("is incomplete", "is niet volledig"),
        )])),
    }
}

/// The key that makes organisation names unique regardless of case, spacing, invisible and
/// look-alike characters (`text::name_key`): a plan that names an organisation in any disguise
/// names that organisation, for recusal as for everything else.
pub fn organisation_key(name: &str) -> String {
    super::text::name_key(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_has_a_dutch_name_of_its_own() {
        let mut names: Vec<_> = OrganisationKind::ALL.iter().map(|k| k.label_nl()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), OrganisationKind::ALL.len());
    }

    use super::*;

    #[test]
    fn organisation_names_are_unique_regardless_of_case_and_spacing() {
        assert_eq!(
            organisation_key("  Bibliotheek   Noord "),
            organisation_key("bibliotheek noord")
        );
    }

    #[test]
    fn organisation_kinds_are_a_fixed_list() {
        assert_eq!(
            OrganisationKind::parse("school"),
            Ok(OrganisationKind::School)
        );
        assert!(OrganisationKind::parse("bank")
            .unwrap_err()
            .en
            .contains("municipality"));
    }

    #[test]
    fn a_new_organisation_names_every_bad_field() {
        let err = parse_organisation("o".into(), Some(" "), Some("bank"), Utc::now()).unwrap_err();
        match err {
            DomainError::Invalid(f) => assert_eq!(f.len(), 2),
            other => panic!("{other:?}"),
        }
        let o = parse_organisation("o".into(), Some(" De Heuvel "), Some("partner"), Utc::now())
            .unwrap();
        assert_eq!(
            (o.name.as_str(), o.kind),
            ("De Heuvel", OrganisationKind::Partner)
        );
    }
}
