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
    /// Where the organisation's letters and copies go besides its confirmed members (an
    /// organisation may have no accounts in the service at all).
    pub contact_email: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Organisation {
    /// The key that makes its name unique (see `organisation_key`).
    pub fn key(&self) -> String {
        organisation_key(&self.name)
    }
}

/// Whether the organisation's letters reach anyone: its contact address, or a confirmed
/// member. One that nobody reads gets no copy, and the team is told before it adopts.
pub fn receives_copies(o: &Organisation, confirmed_members: usize) -> bool {
    o.contact_email.is_some() || confirmed_members > 0
}

/// A contact address as given: empty (or none) is none; else a valid address or the field's
/// error.
fn contact_email(raw: Option<&str>, e: &mut FieldErrors) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    super::user::Email::parse(raw)
        .map(|a| a.as_str().to_string())
        .map_err(|m| e.add("contact_email", m))
        .ok()
}

/// What a change of an organisation may set; `contact_email: Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationChange {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub contact_email: Option<Option<String>>,
}

/// The organisation after a change, every bad field named at once.
pub fn change_organisation(
    o: &Organisation,
    change: &OrganisationChange,
) -> Result<Organisation, DomainError> {
    let mut e = FieldErrors::new();
    let mut out = o.clone();
    if let Some(name) = &change.name {
        if let Ok(n) = Bounded::NAME
            .required(Some(name))
            .map_err(|m| e.add("name", m))
        {
            out.name = n;
        }
    }
    if let Some(kind) = &change.kind {
        if let Ok(k) = OrganisationKind::parse(kind).map_err(|m| e.add("kind", m)) {
            out.kind = k;
        }
    }
    if let Some(address) = &change.contact_email {
        out.contact_email = contact_email(address.as_deref(), &mut e);
    }
    e.finish(out)
}

/// Checks a new organisation's name, kind and contact address, all at once.
pub fn parse_organisation(
    id: String,
    name: Option<&str>,
    kind: Option<&str>,
    contact: Option<&str>,
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
    let contact_email = contact_email(contact, &mut e);
    match (e.finish(()), name, kind) {
        (Ok(()), Some(name), Some(kind)) => Ok(Organisation {
            id,
            name,
            kind,
            contact_email,
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
        let err = parse_organisation(
            "o".into(),
            Some(" "),
            Some("bank"),
            Some("woej"),
            Utc::now(),
        )
        .unwrap_err();
        match err {
            DomainError::Invalid(f) => assert_eq!(f.len(), 3),
            other => panic!("{other:?}"),
        }
        let o = parse_organisation(
            "o".into(),
            Some(" De Heuvel "),
            Some("partner"),
            Some(" "),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(
            (o.name.as_str(), o.kind, o.contact_email.as_deref()),
            ("De Heuvel", OrganisationKind::Partner, None)
        );
        let o = change_organisation(
            &o,
            &OrganisationChange {
                contact_email: Some(Some(" Info@Woej.NL ".into())),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(o.contact_email.as_deref(), Some("info@woej.nl"));
        let cleared = change_organisation(
            &o,
            &OrganisationChange {
                contact_email: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(cleared.contact_email, None);
        match change_organisation(
            &o,
            &OrganisationChange {
                name: Some(String::new()),
                kind: Some("bank".into()),
                contact_email: Some(Some("geen adres".into())),
            },
        ) {
            Err(DomainError::Invalid(f)) => {
                let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, vec!["name", "kind", "contact_email"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
