//! The second factor: who must have one, and the codes that prove it. A time-based one-time
//! password (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step either side accepted)
//! from an authenticator app, or one of ten single-use recovery codes.
//!
//! Staff (any role besides applicant) decide about and pay out public money and read
//! residents' personal data: the BIO asks a second factor for such access from the internet.
//! A staff account signed in without one may do nothing but enrol (`check_signed_in`).

use chrono::{DateTime, Duration, Utc};
use totp_rs::{Builder, Secret, Totp};

use super::errors::{Bilingual, DomainError};
use super::user::{Account, Role};

/// Whether staff must sign in with a second factor (`PLANLOKET_STAFF_MFA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffMfa {
    /// The default: a staff account signed in without a second factor can only enrol.
    #[default]
    Required,
    /// For tests and the demo only (the service warns at start).
    Off,
}

impl StaffMfa {
    pub fn parse(raw: &str) -> Result<StaffMfa, String> {
        match raw.trim() {
            "required" => Ok(StaffMfa::Required),
            "off" => Ok(StaffMfa::Off),
            other => Err(format!(
                "PLANLOKET_STAFF_MFA must be 'required' or 'off', not '{other}'"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StaffMfa::Required => "required",
            StaffMfa::Off => "off",
        }
    }
}

/// A staff account: one that holds any role besides applicant (the programme team, the board
/// and its chair, finance, the admin).
pub fn is_staff_account(account: &Account) -> bool {
    account.roles.iter().any(|r| *r != Role::Applicant)
}

/// Whether this sign-in must enrol a second factor before anything else: a staff account,
/// signed in without a second factor, while the policy requires one.
pub fn needs_enrolment(account: &Account, policy: StaffMfa, second_factor: bool) -> bool {
    policy == StaffMfa::Required && !second_factor && is_staff_account(account)
}

/// `Ok` unless the sign-in must enrol first (`needs_enrolment`): then the refusal every staff
/// operation answers (403) until it has.
pub fn check_signed_in(
    account: &Account,
    policy: StaffMfa,
    second_factor: bool,
) -> Result<(), DomainError> {
    if needs_enrolment(account, policy, second_factor) {
        Err(DomainError::EnrolmentRequired(Bilingual::new(
            "staff accounts sign in with a second factor: enrol one (POST /me/totp, then POST /me/totp/confirm) and sign in again with its code",
            "Medewerkers loggen in met een tweede stap. Stel die eerst in op Mijn account, Tweestapsverificatie.",
        )))
    } else {
        Ok(())
    }
}

/// The length of a step, in seconds.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of now: a phone's clock a little off still signs in.
pub const SKEW: u16 = 1;
/// The secret's length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// The number of recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;
/// How long a sign-in whose password (or link) was right waits for its code.
pub const CODE_WAIT: Duration = Duration::minutes(10);
/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "planloket";

fn totp(secret: Vec<u8>, label: &str) -> Result<Totp, String> {
    Builder::new()
        .with_secret(secret)
        .with_digits(6)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECONDS)
        .with_issuer(Some(ISSUER))
        // A colon separates issuer and account in the label: none may be in the name.
        .with_account_name(label.replace(':', " "))
        .build()
        .map_err(|e| format!("cannot make a TOTP: {e}"))
}

/// A secret as the authenticator app takes it: base32 without padding.
pub fn encode_secret(bytes: &[u8]) -> String {
    Secret::from(bytes.to_vec()).to_base32()
}

fn decode_secret(base32: &str) -> Result<Vec<u8>, String> {
    Secret::try_from_base32(base32)
        .map(|s| s.as_bytes().to_vec())
        .map_err(|_| "a stored TOTP secret is not base32".to_string())
}

/// The `otpauth://totp/…` URI an authenticator app reads from the QR code, for the account
/// with this e-mail address.
pub fn otpauth_uri(secret_base32: &str, email: &str) -> Result<String, String> {
    totp(decode_secret(secret_base32)?, email)?
        .to_url()
        .map_err(|e| format!("cannot make an otpauth URI: {e}"))
}

/// The secret as a person types it: groups of four characters.
pub fn grouped(secret_base32: &str) -> String {
    secret_base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The code of a step (what the app shows during it).
pub fn code_at(secret_base32: &str, step: u64) -> Result<String, String> {
    Ok(totp(decode_secret(secret_base32)?, ISSUER)?
        .generate(step * STEP_SECONDS)
        .to_string())
}

/// The step of a moment.
pub fn step_of(at: DateTime<Utc>) -> u64 {
    at.timestamp().max(0) as u64 / STEP_SECONDS
}

/// What was typed in place of a code: a code from the app or a recovery code, read leniently
/// (spaces and a hyphen in the middle of a code, capitals in a recovery code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    Code(String),
    Recovery(String),
}

/// Reads what was typed; `None` when it is neither a 6-digit code nor a recovery code.
pub fn read_proof(raw: &str) -> Option<Proof> {
    let kept: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = kept.chars().filter(|c| *c != '-').collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Proof::Code(digits));
    }
    let lower = kept.to_ascii_lowercase();
    is_recovery_code(&lower).then_some(Proof::Recovery(lower))
}

/// The letters and digits of recovery codes: 32 of them (no l and o, no 0 and 1, which are
/// mistaken for each other), so each takes five bits of a random byte, evenly.
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A recovery code from ten random bytes: five letters or digits, a hyphen, five more (50 bits).
pub fn recovery_code(random: [u8; 10]) -> String {
    let chars: Vec<char> = random
        .iter()
        .map(|b| RECOVERY_ALPHABET[(b & 31) as usize] as char)
        .collect();
    format!(
        "{}-{}",
        chars[..5].iter().collect::<String>(),
        chars[5..].iter().collect::<String>()
    )
}

/// Whether `s` has the shape of a recovery code ("k7m2q-9xw4p").
pub fn is_recovery_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[5] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 5 || c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Not the code of a step within the window.
    Wrong,
    /// The code of a step already used: a code works once.
    Used,
}

/// The step a code from the app proves at `now`, if it is the code of a step within one step
/// of now, later than `last_step` (the last step a code was accepted for: each code once).
pub fn accept_code(
    secret_base32: &str,
    code: &str,
    now: DateTime<Utc>,
    last_step: u64,
) -> Result<u64, CodeRefusal> {
    let secret = decode_secret(secret_base32).map_err(|_| CodeRefusal::Wrong)?;
    let totp = totp(secret, ISSUER).map_err(|_| CodeRefusal::Wrong)?;
    let origin = step_of(now);
    let window = origin.saturating_sub(SKEW as u64)..=origin + SKEW as u64;
    // Every step of the window is tried: a code of a used step must not hide a later one.
    let matched: Vec<u64> = window
        .filter(|step| totp.generate(step * STEP_SECONDS).to_string() == code)
        .collect();
    match matched.iter().find(|s| **s > last_step) {
        Some(step) => Ok(*step),
        None if matched.is_empty() => Err(CodeRefusal::Wrong),
        None => Err(CodeRefusal::Used),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's test secret (ASCII "12345678901234567890") and its SHA-1 values.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn at(unix: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(unix, 0).unwrap()
    }

    #[test]
    fn codes_are_those_of_rfc_6238() {
        // Appendix B, SHA-1, the last six digits of the eight.
        for (unix, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, step_of(at(unix))).unwrap(), code);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_once() {
        let now = at(1_234_567_890);
        let step = step_of(now);
        let this = code_at(RFC_SECRET, step).unwrap();
        assert_eq!(accept_code(RFC_SECRET, &this, now, 0), Ok(step));
        assert_eq!(
            accept_code(RFC_SECRET, &this, now, step),
            Err(CodeRefusal::Used),
            "the same code again in its window"
        );
        let before = code_at(RFC_SECRET, step - 1).unwrap();
        let after = code_at(RFC_SECRET, step + 1).unwrap();
        assert_eq!(accept_code(RFC_SECRET, &before, now, 0), Ok(step - 1));
        assert_eq!(accept_code(RFC_SECRET, &after, now, step), Ok(step + 1));
        let far = code_at(RFC_SECRET, step + 2).unwrap();
        assert_eq!(
            accept_code(RFC_SECRET, &far, now, 0),
            Err(CodeRefusal::Wrong)
        );
        assert_eq!(
            accept_code(RFC_SECRET, "000000", now, 0),
            Err(CodeRefusal::Wrong)
        );
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri(RFC_SECRET, "anna@example.nl").unwrap();
        assert!(uri.starts_with("otpauth://totp/planloket:anna%40example.nl?"));
        assert!(uri.contains(&format!("secret={RFC_SECRET}")));
        assert!(uri.contains("issuer=planloket"));
        assert_eq!(
            grouped(RFC_SECRET),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        assert_eq!(encode_secret(b"12345678901234567890"), RFC_SECRET);
    }

    #[test]
    fn recovery_codes_have_their_shape_and_are_read_leniently() {
        let code = recovery_code([0, 1, 2, 3, 31, 32, 63, 200, 7, 9]);
        assert_eq!(code, "abcd9-a9ihj");
        assert!(is_recovery_code(&code));
        assert!(!is_recovery_code("abcd9a9jhk"));
        assert!(!is_recovery_code("ABCD9-A9JHK"));
        assert_eq!(
            read_proof(" ABCD9-A9IHJ "),
            Some(Proof::Recovery(code.clone()))
        );
        assert_eq!(read_proof("123 456"), Some(Proof::Code("123456".into())));
        assert_eq!(read_proof("123-456"), Some(Proof::Code("123456".into())));
        assert_eq!(read_proof("12345"), None);
        assert_eq!(read_proof("abcdefg"), None);
    }

    #[test]
    fn staff_signed_in_without_a_second_factor_must_enrol_first() {
        let mut a = Account::empty("u".into(), Utc::now());
        a.roles = vec![Role::Applicant];
        assert!(!needs_enrolment(&a, StaffMfa::Required, false));
        for role in [
            Role::ProgrammeTeam,
            Role::BoardMember,
            Role::BoardChair,
            Role::Finance,
            Role::Admin,
        ] {
            a.roles = vec![role];
            assert!(needs_enrolment(&a, StaffMfa::Required, false), "{role:?}");
            assert!(!needs_enrolment(&a, StaffMfa::Required, true));
            assert!(!needs_enrolment(&a, StaffMfa::Off, false));
        }
        let refused = check_signed_in(&a, StaffMfa::Required, false).unwrap_err();
        assert_eq!(refused.code(), "mfa-enrolment-required");
        assert_eq!(StaffMfa::parse("off"), Ok(StaffMfa::Off));
        assert!(StaffMfa::parse("nee").is_err());
    }
}
