//! Bank accounts: an IBAN checked by its check digits (ISO 13616, mod 97) and its holder.

use serde::Serialize;

use chrono::{DateTime, Utc};

use super::super::errors::{Bilingual, DomainError, FieldErrors};
use super::super::text::Bounded;

/// An IBAN in its electronic form (no spaces, capitals) that passed `Iban::parse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Iban(String);

/// The countries of the SEPA schemes (the EPC's list: the EU, the EEA, Switzerland, the UK,
/// Monaco, San Marino, Vatican City, Andorra, Gibraltar, and since 2025 Albania, Moldova,
/// Montenegro and North Macedonia) with the length of their IBANs. A payment leaves as a SEPA
/// credit transfer, so an IBAN of another country cannot be paid into.
const SEPA: &[(&str, usize)] = &[
    ("AD", 24),
    ("AL", 28),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

impl Iban {
    /// An IBAN as a person types it (spaces allowed, any case), or why it is not one.
    pub fn parse(raw: &str) -> Result<Iban, Bilingual> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let wrong = || {
            Bilingual::new(
                "is not a valid IBAN: check the number (e.g. NL91 ABNA 0417 1643 00)",
                "is geen geldig IBAN: controleer het rekeningnummer (bijvoorbeeld NL91 ABNA 0417 1643 00)",
            )
        };
        if s.is_empty() {
            return Err(Bilingual::new("is required", "is verplicht"));
        }
        let b = s.as_bytes();
        if !(15..=34).contains(&b.len())
            || !b[..2].iter().all(u8::is_ascii_uppercase)
            || !b[2..4].iter().all(u8::is_ascii_digit)
            || !b.iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(wrong());
        }
        match SEPA.iter().find(|(c, _)| *c == &s[..2]) {
            None => {
                return Err(Bilingual::new(
                    format!("is an IBAN of {}, outside the SEPA area: the programme pays only into SEPA accounts", &s[..2]),
                    format!("is een IBAN uit {}, buiten het SEPA-gebied: het programma betaalt alleen op rekeningen in het SEPA-gebied", &s[..2]),
                ))
            }
            Some((_, len)) if b.len() != *len => return Err(wrong()),
            Some(_) => {}
        }
        // Move the first four characters to the end, letters become 10..35, and the whole
        // number modulo 97 must be 1; computed digit by digit so no big integers are needed.
        let mut rem: u32 = 0;
        for &c in b[4..].iter().chain(&b[..4]) {
            let v = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c - b'A') + 10
            };
            rem = if v >= 10 {
                (rem * 100 + v) % 97
            } else {
                (rem * 10 + v) % 97
            };
        }
        if rem != 1 {
            return Err(wrong());
        }
        Ok(Iban(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed on a page or a letter: `NL91 ABNA 0417 1643 00`.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The IBAN as stored, trusted (it passed `parse` when it was stored).
    pub fn stored(s: String) -> Iban {
        Iban(s)
    }

    /// Only the last four characters shown, for pages read by people who may not change it.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        format!("{}… {}", &self.0[..4], &self.0[n.saturating_sub(4)..])
    }
}

/// An organisation's bank account: where its grants are paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankAccount {
    pub iban: Iban,
    pub holder: String,
}

/// A recorded bank account with who recorded it and who confirmed it. Four eyes: payments go
/// into a batch only to an account a second person, with the finance role, confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAccount {
    pub account: BankAccount,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl RecordedAccount {
    pub fn confirmed(&self) -> bool {
        self.confirmed_by.is_some()
    }
}

/// Whether `by` may confirm this account: never the one who recorded it (or its last change).
/// Confirming a confirmed account again changes nothing and is fine.
pub fn check_confirm(recorded: &RecordedAccount, by: &str) -> Result<(), DomainError> {
    if !recorded.confirmed() && recorded.recorded_by == by {
        return Err(DomainError::Conflict(Bilingual::new(
            "you recorded this bank account yourself: a second person with the finance role confirms it (four eyes)",
            "u heeft deze bankrekening zelf vastgelegd: een tweede persoon van de financiële administratie bevestigt haar (vier ogen)",
        )));
    }
    Ok(())
}

/// Checks `{iban, holder}` as given, naming each bad field. The holder's name goes into the
/// SEPA file, where a name is at most 70 characters (`CashAccount38/Nm`, `Max70Text`).
pub fn check_bank_account(
    iban: Option<&str>,
    holder: Option<&str>,
) -> Result<BankAccount, super::super::DomainError> {
    let mut errors = FieldErrors::new();
    let iban = match Iban::parse(iban.unwrap_or("")) {
        Ok(i) => Some(i),
        Err(said) => {
            errors.add("iban", said);
            None
        }
    };
    const HOLDER: Bounded = Bounded {
        max: 70,
        multiline: false,
    };
    let holder = match HOLDER
        .required(holder)
        .and_then(|h| super::sepa::check_sepa_name(&h).map(|()| h))
    {
        Ok(h) => Some(h),
        Err(said) => {
            errors.add("holder", said);
            None
        }
    };
    match (iban, holder) {
        (Some(iban), Some(holder)) => errors.finish(BankAccount { iban, holder }),
        _ => Err(super::super::DomainError::Invalid(errors.0)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nobody_confirms_their_own_bank_account() {
        use super::*;
        let mut r = RecordedAccount {
            account: check_bank_account(Some("NL91ABNA0417164300"), Some("Woej")).unwrap(),
            recorded_by: "team".into(),
            recorded_at: Utc::now(),
            confirmed_by: None,
            confirmed_at: None,
        };
        assert!(!r.confirmed());
        assert!(matches!(
            check_confirm(&r, "team"),
            Err(DomainError::Conflict(s)) if s.nl.contains("vier ogen")
        ));
        assert!(check_confirm(&r, "finance").is_ok());
        r.confirmed_by = Some("finance".into());
        assert!(r.confirmed());
        assert!(check_confirm(&r, "finance").is_ok());
    }

    use super::*;

    #[test]
    fn an_iban_is_checked_by_its_check_digits() {
        let i = Iban::parse("nl91 abna 0417 1643 00").unwrap();
        assert_eq!(i.as_str(), "NL91ABNA0417164300");
        assert_eq!(i.grouped(), "NL91 ABNA 0417 1643 00");
        assert_eq!(i.masked(), "NL91… 4300");
        // One digit off, two digits swapped: both caught by mod 97.
        assert!(Iban::parse("NL91ABNA0417164301").is_err());
        assert!(Iban::parse("NL91ABNA0417163400").is_err());
        // Wrong length for the Netherlands, letters in the check digits, other characters.
        assert!(Iban::parse("NL91ABNA041716430").is_err());
        assert!(Iban::parse("NLX1ABNA0417164300").is_err());
        assert!(Iban::parse("NL91-ABNA-0417-1643-00").is_err());
        assert_eq!(Iban::parse("  ").unwrap_err().en, "is required");
        // Other countries: Belgium and Germany's examples.
        assert!(Iban::parse("BE68 5390 0754 7034").is_ok());
        assert!(Iban::parse("DE89 3704 0044 0532 0130 00").is_ok());
        // Kosovo's IBAN is valid, but Kosovo is outside the SEPA area.
        let kosovo = Iban::parse("XK051212012345678906").unwrap_err();
        assert!(kosovo.nl.contains("SEPA"), "{kosovo:?}");
    }

    #[test]
    fn a_bank_account_names_each_bad_field() {
        let e = check_bank_account(Some("NL00ABNA0417164300"), Some("")).unwrap_err();
        let super::super::super::DomainError::Invalid(fields) = e else {
            panic!("invalid")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, vec!["iban", "holder"]);
        assert!(fields[0].message_nl.contains("IBAN"));
        let ok = check_bank_account(Some("NL91ABNA0417164300"), Some(" Stichting Woej ")).unwrap();
        assert_eq!(ok.holder, "Stichting Woej");
        assert!(check_bank_account(Some("NL91ABNA0417164300"), Some(&"x".repeat(71))).is_err());
        let e =
            check_bank_account(Some("NL91ABNA0417164300"), Some("北京 Организация")).unwrap_err();
        let super::super::super::DomainError::Invalid(fields) = e else {
            panic!("invalid")
        };
        assert_eq!(fields[0].field, "holder");
    }
}
