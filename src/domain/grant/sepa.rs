//! A batch of payments as an ISO 20022 SEPA credit transfer initiation, `pain.001.001.09`:
//! the file the finance department hands to the bank. Written by hand: the message is small
//! and fixed, and an XML library would add a dependency to write a dozen elements; the tests
//! validate the output against the official schema (shipped by the `sepaxml` package).

use chrono::{DateTime, NaiveDate, Utc};

use super::super::errors::{Bilingual, FieldErrors};
use super::super::money::Eur;
use super::iban::Iban;
use super::PaymentBatch;

/// The municipality's account the programme pays from (from the environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    pub name: String,
    pub iban: Iban,
    /// The bank's BIC; optional within SEPA (IBAN only).
    pub bic: Option<String>,
}

/// Checks the payer's account as configured; each bad setting named by its variable.
pub fn check_payer(
    name: Option<&str>,
    iban: Option<&str>,
    bic: Option<&str>,
) -> Result<Payer, Vec<String>> {
    let mut errors = FieldErrors::new();
    let name = name.map(str::trim).unwrap_or("");
    if name.is_empty() || name.chars().count() > 70 {
        errors.add(
            "PLANLOKET_PAYER_NAME",
            ("must be 1 to 70 characters", "1 tot 70 tekens"),
        );
    }
    let iban = Iban::parse(iban.unwrap_or(""))
        .map_err(|e| errors.add("PLANLOKET_PAYER_IBAN", e))
        .ok();
    let bic = bic
        .map(|b| b.trim().to_ascii_uppercase())
        .filter(|b| !b.is_empty());
    if let Some(b) = &bic {
        if !is_bic(b) {
            errors.add(
                "PLANLOKET_PAYER_BIC",
                Bilingual::new(
                    "must be a BIC of 8 or 11 characters (e.g. BNGHNL2G)",
                    "8 of 11 tekens",
                ),
            );
        }
    }
    match iban {
        Some(iban) if errors.is_empty() => Ok(Payer {
            name: name.to_string(),
            iban,
            bic,
        }),
        _ => Err(errors
            .0
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect()),
    }
}

/// `[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?`, the schema's `BICFIDec2014Identifier`.
fn is_bic(b: &str) -> bool {
    let c = b.as_bytes();
    (c.len() == 8 || c.len() == 11)
        && c.iter()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit())
        && c[4..6].iter().all(u8::is_ascii_uppercase)
}

/// One credit transfer in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The payment's id: the end-to-end reference the bank reports back.
    pub payment_id: String,
    pub amount: Eur,
    pub creditor: String,
    pub iban: Iban,
    /// What the payee reads on their statement.
    pub remittance: String,
}

/// What a character becomes in the characters every SEPA bank accepts (the EPC's Latin set:
/// `a-z A-Z 0-9 / - ? : ( ) . , \' +` and space), following the EPC's conversion of Latin
/// letters: accents dropped (`é` is `e`), ligatures spelled out (`ß` is `ss`), `&` as `+`.
/// `None` for what has no Latin form here (other scripts, symbols): no transliteration, for a
/// bank compares the name with the account holder's.
pub fn sepa_char(c: char) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    use unicode_normalization::char::{decompose_canonical, is_combining_mark};
    if c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c) {
        return Some(Cow::Owned(c.to_string()));
    }
    let spelled = match c {
        '&' => "+",
        'ß' => "ss",
        'ẞ' => "SS",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'ĳ' => "ij",
        'Ĳ' => "IJ",
        'ø' => "o",
        'Ø' => "O",
        'ł' => "l",
        'Ł' => "L",
        'đ' | 'ð' => "d",
        'Đ' | 'Ð' => "D",
        'þ' => "th",
        'Þ' => "TH",
        'ı' => "i",
        _ => "",
    };
    if !spelled.is_empty() {
        return Some(Cow::Borrowed(spelled));
    }
    // A Latin letter with accents: its canonical decomposition is the letter and marks.
    let mut base = None;
    let mut marks_only = true;
    decompose_canonical(c, |d| match base {
        None => base = Some(d),
        Some(_) => marks_only &= is_combining_mark(d),
    });
    match base {
        Some(b) if b != c && b.is_ascii_alphabetic() && marks_only => {
            Some(Cow::Owned(b.to_string()))
        }
        _ => None,
    }
}

/// Text in the SEPA characters (see `sepa_char`); anything else a space; at most `max`
/// characters. For the remittance text, which quotes a plan's title as typed.
pub fn sepa_text(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match sepa_char(c) {
            Some(t) => out.push_str(&t),
            None => out.push(' '),
        }
    }
    let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.chars().take(max).collect()
}

/// A name as the bank receives it (an account holder's): only SEPA characters, and at least
/// one letter. The service does not transliterate it, for the bank checks it against the
/// account: a name in another script is refused, saying how to write it.
pub fn check_sepa_name(name: &str) -> Result<(), Bilingual> {
    let unwritable: Vec<char> = name.chars().filter(|c| sepa_char(*c).is_none()).collect();
    if let Some(c) = unwritable.first() {
        return Err(Bilingual::new(
            format!(
                "contains '{c}', which a SEPA bank file cannot carry: write the name in Latin letters as the bank knows it (accents are fine; digits, spaces and / - ? : ( ) . , ' + & too)"
            ),
            format!(
                "bevat '{c}', dat niet in een bankbestand kan: schrijf de naam in Latijnse letters zoals de bank hem kent (letters met accenten mogen, cijfers, spaties en / - ? : ( ) . , ' + & ook)"
            ),
        ));
    }
    if !name
        .chars()
        .filter_map(sepa_char)
        .any(|t| t.chars().any(|x| x.is_ascii_alphabetic()))
    {
        return Err(Bilingual::new(
            "must contain at least one letter",
            "moet ten minste één letter bevatten",
        ));
    }
    Ok(())
}

/// An id in the 35 characters the schema allows: the UUID without its dashes.
fn ref35(id: &str) -> String {
    id.chars().filter(|c| *c != '-').take(35).collect()
}

fn amount(e: Eur) -> String {
    format!("{}.00", e.value())
}

/// The `pain.001.001.09` document for a batch: one payment information block (the payer's
/// account, the requested execution date) with one transaction per payment.
pub fn pain001(
    batch: &PaymentBatch,
    payer: &Payer,
    transfers: &[Transfer],
    created_at: DateTime<Utc>,
    execution_date: NaiveDate,
) -> String {
    let total = transfers.iter().fold(Eur::ZERO, |t, x| t + x.amount);
    let n = transfers.len();
    let payer_name = sepa_text(&payer.name, 70);
    let agent = match &payer.bic {
        Some(bic) => format!("<BICFI>{bic}</BICFI>"),
        None => "<Othr><Id>NOTPROVIDED</Id></Othr>".to_string(),
    };
    let mut x = String::with_capacity(1024 + 512 * n);
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    x.push('\n');
    x.push_str(r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">"#);
    x.push_str("<CstmrCdtTrfInitn><GrpHdr>");
    x.push_str(&format!(
        "<MsgId>{}</MsgId><CreDtTm>{}</CreDtTm><NbOfTxs>{n}</NbOfTxs><CtrlSum>{}</CtrlSum><InitgPty><Nm>{}</Nm></InitgPty>",
        ref35(&batch.id),
        created_at.format("%Y-%m-%dT%H:%M:%S"),
        amount(total),
        escape(&payer_name),
    ));
    x.push_str("</GrpHdr><PmtInf>");
    x.push_str(&format!(
        "<PmtInfId>{}</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>false</BtchBookg><NbOfTxs>{n}</NbOfTxs><CtrlSum>{}</CtrlSum>",
        ref35(&batch.id),
        amount(total),
    ));
    x.push_str("<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>");
    x.push_str(&format!(
        "<ReqdExctnDt><Dt>{execution_date}</Dt></ReqdExctnDt><Dbtr><Nm>{}</Nm></Dbtr><DbtrAcct><Id><IBAN>{}</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId>{agent}</FinInstnId></DbtrAgt><ChrgBr>SLEV</ChrgBr>",
        escape(&payer_name),
        payer.iban.as_str(),
    ));
    for t in transfers {
        x.push_str(&format!(
            "<CdtTrfTxInf><PmtId><EndToEndId>{}</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"EUR\">{}</InstdAmt></Amt><Cdtr><Nm>{}</Nm></Cdtr><CdtrAcct><Id><IBAN>{}</IBAN></Id></CdtrAcct><RmtInf><Ustrd>{}</Ustrd></RmtInf></CdtTrfTxInf>",
            ref35(&t.payment_id),
            amount(t.amount),
            escape(&sepa_text(&t.creditor, 70)),
            t.iban.as_str(),
            escape(&sepa_text(&t.remittance, 140)),
        ));
    }
    x.push_str("</PmtInf></CstmrCdtTrfInitn></Document>\n");
    x
}

/// XML's five escapes (after `sepa_text` only `'` can remain, but names are escaped anyway).
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The day the bank is asked to pay a batch made on `today`: the next working day (Saturday
/// and Sunday skipped).
pub fn execution_date(today: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::{Datelike, Duration, Weekday};
    let mut d = today + Duration::days(1);
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grant::BatchStatus;

    #[test]
    fn the_bank_pays_on_the_next_working_day() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Thursday → Friday; Friday, Saturday and Sunday → Monday.
        assert_eq!(execution_date(d(2026, 12, 3)), d(2026, 12, 4));
        assert_eq!(execution_date(d(2026, 12, 4)), d(2026, 12, 7));
        assert_eq!(execution_date(d(2026, 12, 5)), d(2026, 12, 7));
        assert_eq!(execution_date(d(2026, 12, 6)), d(2026, 12, 7));
    }

    #[test]
    fn text_is_kept_to_the_sepa_character_set() {
        assert_eq!(
            sepa_text("Stichting Wóej & Zn.", 70),
            "Stichting Woej + Zn."
        );
        assert_eq!(sepa_text("Ĳsclub <Noord>\n\"x\"", 70), "IJsclub Noord x");
        assert_eq!(sepa_text(&"a".repeat(200), 140).len(), 140);
        assert_eq!(sepa_text("Łódź Straße Ørsted", 70), "Lodz Strasse Orsted");
        assert_eq!(sepa_text("北京 Noord", 70), "Noord");
    }

    #[test]
    fn a_holder_name_is_in_latin_letters_with_at_least_one_letter() {
        for ok in [
            "Stichting Woej",
            "Café 't Hoekje",
            "Łódź & Zn.",
            "Ørsted A/S",
            "ĲSSELSTEIN",
        ] {
            assert!(check_sepa_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "北京 Организация",
            "Ελληνικά",
            "Stichting Woej ☺",
            "Woej <b>",
            "123 / 45",
            "с",
        ] {
            assert!(check_sepa_name(bad).is_err(), "{bad}");
        }
        assert!(check_sepa_name("Ελληνικά")
            .unwrap_err()
            .nl
            .contains("Latijnse letters"));
    }

    #[test]
    fn the_payer_is_checked_when_configured() {
        let p = check_payer(
            Some("Gemeente"),
            Some("NL91ABNA0417164300"),
            Some("bnghnl2g"),
        )
        .unwrap();
        assert_eq!(p.bic.as_deref(), Some("BNGHNL2G"));
        let e = check_payer(None, Some("NL00"), Some("XX")).unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn the_file_counts_and_sums_its_transfers() {
        let batch = PaymentBatch {
            id: "0190aaaa-bbbb-7ccc-dddd-eeeeffff0000".into(),
            status: BatchStatus::Exported,
            total: Eur::parse(1500).unwrap(),
            count: 2,
            execution_date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            created_by: "u".into(),
            created_at: Utc::now(),
            closed_at: None,
        };
        let payer = check_payer(Some("Gemeente L-V"), Some("NL91ABNA0417164300"), None).unwrap();
        let t = |id: &str, eur| Transfer {
            payment_id: id.into(),
            amount: Eur::parse(eur).unwrap(),
            creditor: "Woej".into(),
            iban: Iban::parse("NL91ABNA0417164300").unwrap(),
            remittance: "Voorschot".into(),
        };
        let xml = pain001(
            &batch,
            &payer,
            &[t("p-1", 1000), t("p-2", 500)],
            Utc::now(),
            batch.execution_date,
        );
        assert!(xml.contains("<NbOfTxs>2</NbOfTxs><CtrlSum>1500.00</CtrlSum>"));
        assert!(xml.contains("<MsgId>0190aaaabbbb7cccddddeeeeffff0000</MsgId>"));
        assert!(xml.contains("<EndToEndId>p1</EndToEndId>"));
        assert!(xml.contains("NOTPROVIDED"));
    }
}
