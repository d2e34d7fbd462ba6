//! Accounts, roles and the credentials they sign in with; the rules of account management.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::errors::{Bilingual, DomainError, FieldErrors};
use super::text::Bounded;

/// What a user may do; a user holds one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Applicant,
    ProgrammeTeam,
    BoardMember,
    BoardChair,
    Admin,
    /// The financial administration: confirms bank accounts and sends payments to the bank
    /// (the second pair of eyes on money the programme team releases).
    Finance,
    /// An external reviewer (from a partner organisation, say): evaluates the plans the
    /// programme team assigns to them, and sees no other plan.
    Reviewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Applicant,
        Role::ProgrammeTeam,
        Role::BoardMember,
        Role::BoardChair,
        Role::Admin,
        Role::Finance,
        Role::Reviewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::ProgrammeTeam => "programme_team",
            Role::BoardMember => "board_member",
            Role::BoardChair => "board_chair",
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role as pages name it.
    pub fn label_nl(self) -> &'static str {
        match self {
            Role::Applicant => "indiener",
            Role::ProgrammeTeam => "programmateam",
            Role::BoardMember => "bestuurslid",
            Role::BoardChair => "voorzitter van het bestuur",
            Role::Admin => "beheerder",
            Role::Finance => "financiële administratie",
            Role::Reviewer => "externe beoordelaar",
        }
    }

    /// Every set of roles (sorted, as accounts keep them) whose holder sits on the board: the
    /// board member rule applied to each possible set, so storage can find the board by exact
    /// role sets instead of matching text.
    pub fn board_sets() -> Vec<Vec<Role>> {
        (1u32..1 << Role::ALL.len())
            .map(|bits| {
                Role::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, r)| r)
                    .collect::<Vec<Role>>()
            })
            .filter(|roles| {
                Actor {
                    user_id: String::new(),
                    roles: roles.clone(),
                    organisation_id: None,
                }
                .has(Role::BoardMember)
            })
            .collect()
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

    /// Whether the actor sees a plan as its assessment does (its actual status, the
    /// evaluations, the pre-advice): staff, and reviewers (of the plans assigned to them,
    /// `sees_only_assigned`).
    pub fn assesses(&self) -> bool {
        self.is_staff() || self.has(Role::Reviewer)
    }

    /// A reviewer who is not staff besides: sees only the plans assigned to them.
    pub fn sees_only_assigned(&self) -> bool {
        self.has(Role::Reviewer) && !self.is_staff()
    }
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    /// Sorted, without repeats.
    pub roles: Vec<Role>,
    pub kind: Option<ApplicantKind>,
    /// The organisation the account claims to belong to.
    pub organisation_id: Option<String>,
    /// Whether the programme team or an admin confirmed that claim; a pending claim grants
    /// nothing (it still recuses, see `conflict`).
    pub organisation_confirmed: bool,
    pub active: bool,
    /// Carried by every token, session and sign-in link; raised by a change of password,
    /// e-mail address, roles or activation, which ends them all.
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// A new, active account without roles or credentials, to be filled by `apply_change`.
    pub fn empty(id: String, now: DateTime<Utc>) -> Account {
        Account {
            id,
            email: String::new(),
            name: String::new(),
            password_hash: None,
            roles: Vec::new(),
            kind: None,
            organisation_id: None,
            organisation_confirmed: true,
            active: true,
            session_epoch: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The account as the rules see its holder: an organisation only once confirmed.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id.clone(),
            roles: self.roles.clone(),
            organisation_id: self
                .organisation_id
                .clone()
                .filter(|_| self.organisation_confirmed),
        }
    }

    /// Whether going from `before` to this ends every token, session and sign-in link: a
    /// new password, e-mail address or set of roles, or a deactivation or reactivation.
    pub fn ends_sessions_from(&self, before: &Account) -> bool {
        self.password_hash != before.password_hash
            || self.email != before.email
            || self.roles != before.roles
            || self.active != before.active
    }
}

/// A change to an account as an admin sends it: absent fields stay as they are;
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub roles: Option<Vec<String>>,
    pub organisation_id: Option<Option<String>>,
    pub kind: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Lays a change over an account (a new one starts empty, and then needs an e-mail address,
/// a name and roles), checking every field and reporting all errors at once. An applicant
/// needs a kind. Answers the new password, if any, still to be hashed.
pub fn apply_change(
    account: &mut Account,
    change: &AccountChange,
    creating: bool,
) -> Result<Option<String>, DomainError> {
    let mut e = FieldErrors::new();
    match &change.email {
        Some(v) => match Email::parse(v) {
            Ok(v) => account.email = v.into_inner(),
            Err(m) => e.add("email", m),
        },
        None if creating => e.add("email", REQUIRED),
        None => {}
    }
    match &change.name {
        Some(v) => match Bounded::NAME.required(Some(v)) {
            Ok(v) => account.name = v,
            Err(m) => e.add("name", m),
        },
        None if creating => e.add("name", REQUIRED),
        None => {}
    }
    if let Some(p) = &change.password {
        if let Err(m) = check_password(p) {
            e.add("password", m);
        }
    }
    match &change.roles {
        Some(r) => match parse_roles(r) {
            Ok(roles) => account.roles = roles,
            Err(m) => e.add("roles", m),
        },
        None if creating => e.add("roles", REQUIRED),
        None => {}
    }
    if let Some(kind) = &change.kind {
        match kind.as_deref() {
            None => account.kind = None,
            Some(k) => match ApplicantKind::parse(k) {
                Some(k) => account.kind = Some(k),
                None => e.add("kind", unknown_kind(k)),
            },
        }
    }
    if let Some(org) = &change.organisation_id {
        // An admin sets the organisation: that is its confirmation.
        account.organisation_id = org.clone();
        account.organisation_confirmed = true;
    }
    if let Some(active) = change.active {
        account.active = active;
    }
    if e.is_empty() && account.roles.contains(&Role::Applicant) && account.kind.is_none() {
        e.add(
            "kind",
            (
                "an applicant needs a kind: resident or partner",
                "een aanvrager is bewoner of partner: kies er een",
            ),
        );
    }
    e.finish(change.password.clone())
}

/// An admin cannot take away their own admin role or deactivate themselves, so the service
/// always keeps someone who can manage accounts.
pub fn check_own_change(actor: &Actor, account: &Account) -> Result<(), DomainError> {
    if account.id == actor.user_id && (!account.active || !account.roles.contains(&Role::Admin)) {
        Err(DomainError::Conflict(Bilingual::new(
            "you cannot remove your own admin role or deactivate yourself",
            "u kunt uw eigen beheerdersrol niet afnemen en uzelf niet deactiveren",
        )))
    } else {
        Ok(())
    }
}

/// A resident's or partner's own registration, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub email: Email,
    pub password: String,
    pub name: String,
    pub kind: ApplicantKind,
    pub organisation_id: Option<String>,
}

/// Checks a registration, every field at once.
pub fn parse_registration(
    email: Option<&str>,
    password: Option<&str>,
    name: Option<&str>,
    kind: Option<&str>,
    organisation_id: Option<String>,
) -> Result<Registration, DomainError> {
    let mut e = FieldErrors::new();
    let email = match email.map(Email::parse) {
        None => {
            e.add("email", REQUIRED);
            None
        }
        Some(Err(m)) => {
            e.add("email", m);
            None
        }
        Some(Ok(v)) => Some(v),
    };
    match password {
        None => e.add("password", REQUIRED),
        Some(p) => {
            if let Err(m) = check_password(p) {
                e.add("password", m)
            }
        }
    }
    let name = match Bounded::NAME.required(name) {
        Ok(n) => Some(n),
        Err(m) => {
            e.add("name", m);
            None
        }
    };
    let kind = match kind {
        None => {
            e.add(
                "kind",
                (
                    "is required: resident or partner",
                    "is verplicht: kies bewoner of partner",
                ),
            );
            None
        }
        Some(k) => {
            let kind = ApplicantKind::parse(k);
            if kind.is_none() {
                e.add("kind", unknown_kind(k));
            }
            kind
        }
    };
    match (e.finish(()), email, name, kind, password) {
        (Ok(()), Some(email), Some(name), Some(kind), Some(password)) => Ok(Registration {
            email,
            password: password.to_string(),
            name,
            kind,
            organisation_id,
        }),
        (Err(err), ..) => Err(err),
        (Ok(()), ..) => Err(DomainError::Invalid(vec![super::FieldError::new(
            "body",
            ("is incomplete", "is niet volledig"),
        )])),
    }
}

const REQUIRED: (&str, &str) = ("is required", "is verplicht");

fn unknown_kind(k: &str) -> Bilingual {
    Bilingual::new(
        format!("unknown kind '{k}'; use resident or partner"),
        format!("'{k}' bestaat niet; kies bewoner of partner"),
    )
}

/// A lower-cased e-mail address that has a local part and a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Bilingual> {
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
            Err(Bilingual::new(
                "must be an e-mail address such as naam@example.nl",
                "vul een e-mailadres in, zoals naam@voorbeeld.nl",
            ))
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

/// Common passwords, lower case, most common first (see `passwords/README.md`).
const COMMON_PASSWORDS: &str = include_str!("../passwords/common.txt");

/// The common passwords as a set, built once.
fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().collect())
}

/// Whether a password is too easy to guess: on the list of common passwords (case aside),
/// one of them with at most five digits or signs added (`welkom2024!`), one character
/// repeated, or only spaces.
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    let common = common_passwords();
    if lower.trim().is_empty() || common.contains(lower.as_str()) {
        return true;
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return true;
        }
    }
    let base = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    let added = lower.chars().count() - base.chars().count();
    (1..=5).contains(&added) && base.chars().count() >= 6 && common.contains(base)
}

/// Checks a new password: 10 to 1024 characters, and not a common one.
pub fn check_password(password: &str) -> Result<(), Bilingual> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        Err(Bilingual::new(
            format!("must be at least {PASSWORD_MIN} characters"),
            format!("moet ten minste {PASSWORD_MIN} tekens lang zijn"),
        ))
    } else if n > PASSWORD_MAX {
        Err(Bilingual::new(
            format!("must be at most {PASSWORD_MAX} characters"),
            format!("mag hoogstens {PASSWORD_MAX} tekens lang zijn"),
        ))
    } else if is_common_password(password) {
        Err(Bilingual::new(
            "is one of the most common passwords: choose one that is harder to guess",
            "is een van de meest gebruikte wachtwoorden: kies er een dat moeilijker te raden is",
        ))
    } else {
        Ok(())
    }
}

/// Checks a role list: at least one role, each known, no repeats.
pub fn parse_roles(raw: &[String]) -> Result<Vec<Role>, Bilingual> {
    if raw.is_empty() {
        return Err(Bilingual::new(
            "must name at least one role",
            "kies ten minste één rol",
        ));
    }
    let mut roles = Vec::new();
    for r in raw {
        match Role::parse(r) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {
                return Err(Bilingual::new(
                    format!("role '{r}' is listed twice"),
                    format!("de rol '{r}' staat er twee keer in"),
                ))
            }
            None => {
                let known: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                return Err(Bilingual::new(
                    format!("unknown role '{r}'; roles are: {}", known.join(", ")),
                    format!("de rol '{r}' bestaat niet; kies uit: {}", known.join(", ")),
                ));
            }
        }
    }
    if roles.contains(&Role::ProgrammeTeam) && roles.contains(&Role::Finance) {
        // Four eyes: the team releases payments and finance sends them to the bank; one
        // person holding both would be both pairs of eyes.
        return Err(Bilingual::new(
            "programme_team and finance are not held by one account: the one releases payments, the other pays them (four eyes)",
            "programmateam en financiële administratie gaan niet samen in één account: het ene geeft betalingen vrij, het andere betaalt ze (vier ogen)",
        ));
    }
    roles.sort();
    Ok(roles)
}

#[cfg(test)]
mod tests;
