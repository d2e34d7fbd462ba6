//! References people can quote ("kenmerk"): `PREFIX-YYYY-NNNN`, given to a plan at its first
//! submission. A resident copies it into an objection; a payee reads it on its bank
//! statement. A UUID serves neither.

use crate::domain::round::RoundSpec;

/// The prefix of a round's references: the round's own (`reference_prefix`), else the initials of the programme's words ("Sterk voor
/// Noord" is `SVN`), or of the round's name when the programme has none; letters only, two
/// to six, `PL` when no word gives one.
pub fn prefix(spec: &RoundSpec) -> String {
    if !spec.reference_prefix.is_empty() {
        return spec.reference_prefix.clone();
    }
    let from = if spec.programme.trim().is_empty() {
        &spec.name
    } else {
        &spec.programme
    };
    let initials: String = from
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .take(6)
        .collect();
    if initials.len() < 2 {
        "PL".to_string()
    } else {
        initials
    }
}

/// The key a round's references are counted under: prefix and start year. Rounds that share
/// both share one count, so a reference is never given twice.
pub fn counter_key(spec: &RoundSpec) -> String {
    format!("{}-{}", prefix(spec), spec.start_year)
}

/// The `n`th reference under `key`: `SVN-2025-0042` (four digits at least).
pub fn format(key: &str, n: i64) -> String {
    format!("{key}-{n:04}")
}

/// The reference of the decision on a grant's final amount ("vaststelling"): the plan's with
/// `-V`, so that two decisions never share one.
pub fn final_amount(plan_reference: &str) -> String {
    format!("{plan_reference}-V")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_may_choose_its_own_prefix() {
        let mut spec = crate::domain::round::tests::programme();
        spec.start_year = 2027;
        spec.end_year = 2028;
        spec.reference_prefix = "BUURT".into();
        assert_eq!(format(&counter_key(&spec), 1), "BUURT-2027-0001");
        let mut input = spec.to_input();
        input.reference_prefix = Some(" svn ".into());
        assert_eq!(
            crate::domain::round::parse_round(&input)
                .unwrap()
                .reference_prefix,
            "SVN"
        );
        for bad in ["S", "SVNSVNS", "S-V", "ÉÉN"] {
            input.reference_prefix = Some(bad.into());
            assert!(
                matches!(
                    crate::domain::round::parse_round(&input),
                    Err(crate::domain::DomainError::Invalid(f)) if f[0].field == "reference_prefix"
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn references_read_as_the_programme_and_its_year() {
        let mut spec = crate::domain::round::tests::programme();
        spec.programme = "Sterk voor Noord".into();
        spec.start_year = 2025;
        assert_eq!(prefix(&spec), "SVN");
        assert_eq!(format(&counter_key(&spec), 42), "SVN-2025-0042");
        assert_eq!(format(&counter_key(&spec), 12345), "SVN-2025-12345");
        spec.programme = " ".into();
        spec.name = "Buurt Budget 2027".into();
        assert_eq!(prefix(&spec), "BB");
        spec.name = "2027".into();
        assert_eq!(prefix(&spec), "PL");
        assert_eq!(final_amount("SVN-2025-0042"), "SVN-2025-0042-V");
    }
}
