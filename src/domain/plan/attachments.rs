//! A plan's attachments (issue 32): a cost sheet, a letter of support, a photo. What is
//! accepted, how many, and who adds and removes them when.

use super::super::errors::{Bilingual, DomainError, FieldError};
use super::super::state::PlanStatus;

/// The most attachments a plan holds.
pub const MAX_PER_PLAN: usize = 10;
/// The largest attachment, in bytes (10 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

pub const ODT: &str = "application/vnd.oasis.opendocument.text";
pub const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What the accepted types are, for refusals and hints.
pub const ACCEPTED_NL: &str =
    "PDF, foto (JPEG of PNG), OpenDocument (ODT, ODS) of Word en Excel (DOCX, XLSX)";

/// A file's type by its bytes, never by its name or what the sender says: a PDF, JPEG or PNG
/// by its signature; the zip-based office formats by their manifest: OpenDocument by the
/// `mimetype` entry its standard stores first and uncompressed, Office Open XML by
/// `[Content_Types].xml` and its main part (`word/document.xml`, `xl/workbook.xml`).
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some(t) = crate::domain::grant::sniff_attachment(bytes) {
        return Some(t);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let has = |zip: &zip::ZipArchive<_>, name: &str| zip.index_for_name(name).is_some();
    if has(&zip, "[Content_Types].xml") {
        if has(&zip, "word/document.xml") {
            return Some(DOCX);
        }
        if has(&zip, "xl/workbook.xml") {
            return Some(XLSX);
        }
        return None;
    }
    if !has(&zip, "META-INF/manifest.xml") {
        return None;
    }
    let mut mimetype = String::new();
    {
        use std::io::Read;
        let entry = zip.by_name("mimetype").ok()?;
        // Stored, and short: a larger one is not an OpenDocument's.
        if entry.size() > 100 {
            return None;
        }
        entry.take(100).read_to_string(&mut mimetype).ok()?;
    }
    match mimetype.trim() {
        m if m == ODT => Some(ODT),
        m if m == ODS => Some(ODS),
        _ => None,
    }
}

/// Checks a file's size (empty or over `MAX_BYTES`: invalid, naming `file`) and type (not
/// one of the accepted: `UnsupportedType`, a 415); its media type when it is taken.
pub fn check(bytes: &[u8]) -> Result<&'static str, DomainError> {
    let size = |said: Bilingual| DomainError::Invalid(vec![FieldError::new("file", said)]);
    if bytes.is_empty() {
        return Err(size(Bilingual::new(
            "the file is empty",
            "het bestand is leeg",
        )));
    }
    if bytes.len() > MAX_BYTES {
        return Err(size(Bilingual::new(
            "the file must be at most 10 MB",
            "het bestand mag hoogstens 10 MB groot zijn",
        )));
    }
    sniff(bytes).ok_or_else(|| {
        DomainError::UnsupportedType(Bilingual::new(
            "send a PDF, a JPEG or PNG photo, an OpenDocument text or spreadsheet (ODT, ODS) or a Word or Excel file (DOCX, XLSX)",
            format!("Dit soort bestand kan niet: voeg een {ACCEPTED_NL} toe."),
        ))
    })
}

/// Whether the plan takes (or lets go of) attachments now: while its applicants may change
/// it, as a draft or when the team asked for more.
pub fn check_changeable(status: PlanStatus) -> Result<(), DomainError> {
    if matches!(status, PlanStatus::Draft | PlanStatus::NeedsInfo) {
        Ok(())
    } else {
        Err(DomainError::Conflict(Bilingual::new(
            "attachments are added and removed while the plan is a draft or the team asked for more information",
            "Bijlagen voegt u toe of haalt u weg zolang het plan een concept is of het programmateam om een aanvulling vroeg.",
        )))
    }
}

/// Whether another attachment fits (`held` are there already).
pub fn check_room(held: usize) -> Result<(), DomainError> {
    if held < MAX_PER_PLAN {
        Ok(())
    } else {
        Err(DomainError::Conflict(Bilingual::new(
            "a plan holds at most 10 attachments: remove one first",
            "Een plan heeft hoogstens 10 bijlagen. Haal er eerst een weg.",
        )))
    }
}

/// Who adds attachments: the plan's applicants. Who removes one: the one who added it.
pub fn check_adder(is_applicant: bool) -> Result<(), DomainError> {
    if is_applicant {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "attachments are added by the plan's applicants",
            "Bijlagen worden toegevoegd door de indieners van het plan.",
        )))
    }
}

pub fn check_remover(is_uploader: bool) -> Result<(), DomainError> {
    if is_uploader {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "an attachment is removed by whoever added it",
            "Een bijlage haalt alleen weg wie hem heeft toegevoegd.",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut out);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            for (name, data) in entries {
                z.start_file(*name, stored).unwrap();
                z.write_all(data).unwrap();
            }
            z.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn office_files_are_known_by_their_manifest() {
        let odt = zip_of(&[
            ("mimetype", ODT.as_bytes()),
            ("META-INF/manifest.xml", b"<manifest/>"),
            ("content.xml", b"<x/>"),
        ]);
        assert_eq!(sniff(&odt), Some(ODT));
        let ods = zip_of(&[
            ("mimetype", ODS.as_bytes()),
            ("META-INF/manifest.xml", b"<manifest/>"),
        ]);
        assert_eq!(sniff(&ods), Some(ODS));
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert_eq!(sniff(&docx), Some(DOCX));
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<w/>"),
        ]);
        assert_eq!(sniff(&xlsx), Some(XLSX));
        // A zip named .docx but holding something else; a presentation; a broken zip.
        assert_eq!(sniff(&zip_of(&[("evil.exe", b"MZ")])), None);
        let odp = zip_of(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.presentation",
            ),
            ("META-INF/manifest.xml", b"<manifest/>"),
        ]);
        assert_eq!(sniff(&odp), None);
        assert_eq!(sniff(b"PK\x03\x04 not really a zip"), None);
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"<html>"), None);
    }

    #[test]
    fn size_type_room_and_who() {
        assert!(matches!(check(b""), Err(DomainError::Invalid(_))));
        assert!(matches!(
            check(&vec![b'%'; MAX_BYTES + 1]),
            Err(DomainError::Invalid(_))
        ));
        assert!(matches!(
            check(b"MZ\x90\x00"),
            Err(DomainError::UnsupportedType(_))
        ));
        assert_eq!(check(b"\x89PNG\r\n\x1a\nrest").unwrap(), "image/png");
        assert!(check_room(9).is_ok());
        assert!(check_room(10).is_err());
        assert!(check_changeable(PlanStatus::Draft).is_ok());
        assert!(check_changeable(PlanStatus::NeedsInfo).is_ok());
        assert!(check_changeable(PlanStatus::Submitted).is_err());
        assert!(check_adder(false).is_err() && check_adder(true).is_ok());
        assert!(check_remover(false).is_err() && check_remover(true).is_ok());
    }
}
