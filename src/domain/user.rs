//! Users, roles and the credentials they sign in with.

use serde::{Deserialize, Serialize};

/// What a user may do; a user holds one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    ProgrammeTeam,
    BoardMember,
    BoardChair,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Applicant,
        Role::ProgrammeTeam,
        Role::BoardMember,
        Role::BoardChair,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::ProgrammeTeam => "programme_team",
            Role::BoardMember => "board_member",
            Role::BoardChair => "board_chair",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether an applicant files as a resident or for a partner organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Resident,
    Partner,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Resident => "resident",
            ApplicantKind::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicantKind> {
        match s {
            "resident" => Some(ApplicantKind::Resident),
            "partner" => Some(ApplicantKind::Partner),
            _ => None,
        }
    }
}

/// The signed-in user as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub roles: Vec<Role>,
    pub organisation_id: Option<String>,
}

impl Actor {
    /// Whether the actor holds `role`; the chair holds every right of a board member.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
            || (role == Role::BoardMember && self.roles.contains(&Role::BoardChair))
    }

    /// Staff see every non-draft plan: the programme team and the board.
    pub fn is_staff(&self) -> bool {
        self.has(Role::ProgrammeTeam) || self.has(Role::BoardMember)
    }
}

/// A lower-cased e-mail address that has a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        use validator::ValidateEmail;
        let s = raw.trim().to_lowercase();
        // validator checks the address as HTML forms do; we also demand a dotted domain,
        // since mail must reach the applicant outside the municipality's network.
        let valid = s.len() <= 254
            && s.validate_email()
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid {
            Ok(Email(s))
        } else {
            Err("must be an e-mail address such as naam@example.nl".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Minimum and maximum password length in characters.
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 1024;

/// Checks a new password's length (the only rule PRODUCT.md sets).
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Err(format!("must be at least {PASSWORD_MIN} characters"))
    } else if n > PASSWORD_MAX {
        Err(format!("must be at most {PASSWORD_MAX} characters"))
    } else {
        Ok(())
    }
}

/// Checks a display name: 1..200 characters after trimming, no control characters.
pub fn parse_name(raw: &str, max: usize) -> Result<String, String> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        Err("must not be empty".into())
    } else if n > max {
        Err(format!("must be at most {max} characters"))
    } else if s.chars().any(|c| c.is_control()) {
        Err("must not contain control characters".into())
    } else {
        Ok(s.to_string())
    }
}

/// Checks a role list: at least one role, each known, no repeats.
pub fn parse_roles(raw: &[String]) -> Result<Vec<Role>, String> {
    if raw.is_empty() {
        return Err("must name at least one role".into());
    }
    let mut roles = Vec::new();
    for r in raw {
        match Role::parse(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => return Err(format!("role '{r}' is listed twice")),
            None => {
                let known: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                return Err(format!(
                    "unknown role '{r}'; roles are: {}",
                    known.join(", ")
                ));
            }
        }
    }
    roles.sort();
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Anna@Example.NL ").unwrap().as_str(),
            "anna@example.nl"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.nl",
            "anna@example",
            "a b@example.nl",
            "a@b@c.nl",
            "a@.nl",
            "a@example..nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("1234567890").is_ok());
        assert!(check_password("ëëëëëëëëëë").is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn the_chair_has_board_member_rights_but_not_the_reverse() {
        let chair = Actor {
            user_id: "c".into(),
            roles: vec![Role::BoardChair],
            organisation_id: None,
        };
        assert!(chair.has(Role::BoardMember));
        let member = Actor {
            user_id: "m".into(),
            roles: vec![Role::BoardMember],
            organisation_id: None,
        };
        assert!(!member.has(Role::BoardChair));
        assert!(member.is_staff());
    }

    #[test]
    fn roles_parse_known_names_once() {
        assert_eq!(
            parse_roles(&["admin".into(), "applicant".into()]).unwrap(),
            vec![Role::Applicant, Role::Admin]
        );
        assert!(parse_roles(&[]).is_err());
        assert!(parse_roles(&["root".into()])
            .unwrap_err()
            .contains("programme_team"));
        assert!(parse_roles(&["admin".into(), "admin".into()]).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Anna ", 200).unwrap(), "Anna");
        assert!(parse_name("   ", 200).is_err());
        assert!(parse_name(&"x".repeat(201), 200).is_err());
        assert!(parse_name("a\u{0}b", 200).is_err());
    }
}

/// What an organisation is; the published overview groups partners by nothing more.
pub const ORGANISATION_KINDS: [&str; 6] = [
    "partner",
    "school",
    "municipality",
    "welfare",
    "housing",
    "other",
];

/// Checks an organisation kind against `ORGANISATION_KINDS`.
pub fn parse_organisation_kind(raw: &str) -> Result<String, String> {
    if ORGANISATION_KINDS.contains(&raw) {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "unknown kind '{raw}'; kinds are: {}",
            ORGANISATION_KINDS.join(", ")
        ))
    }
}

/// The key that makes organisation names unique regardless of case and spacing.
pub fn organisation_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod organisation_tests {
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
        assert!(parse_organisation_kind("school").is_ok());
        assert!(parse_organisation_kind("bank")
            .unwrap_err()
            .contains("municipality"));
    }
}
