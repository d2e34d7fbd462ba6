//! Text: the one rule for every piece of free text a person types (bounded length, no control
//! characters), and text as Dutch readers compare it (lower case, accents folded).

use super::errors::Bilingual;

/// For optional input fields that may be left out but not sent as `null`: absent is `None`,
/// `null` is refused (serde names the field) instead of being taken for "absent".
pub fn no_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The Unicode controls that override or isolate the direction of the text after them
/// (U+202A–U+202E, U+2066–U+2069).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode's default-ignorable code points (`Default_Ignorable_Code_Point` in
/// DerivedCoreProperties.txt, Unicode 16): characters drawn as nothing, such as the zero-width
/// space, the soft hyphen, the word joiner and the bidi marks. Written out here: the set is
/// small and fixed, and no well-kept crate exposes it.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// What a name is compared by, so that the same name typed otherwise is the same name: its
/// invisible characters removed, compatibility forms unified (NFKC: a fullwidth `Ｗ` is `W`),
/// lower case, and each character replaced by its prototype among the characters it is
/// confused with (the skeleton of Unicode TS #39: a Cyrillic `с` is a Latin `c`), spacing
/// collapsed. The result is a key, never shown: it over-matches look-alikes on purpose, for a
/// board member must not vote on a plan of their organisation under a disguised name.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let visible: String = name.chars().filter(|c| !is_default_ignorable(*c)).collect();
    let lower = visible.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = unicode_security::confusable_detection::skeleton(&lower).collect();
    skeleton
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bounds of one kind of text. Every text field of the service is checked by one of these
/// constants, so a limit is written once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded {
    /// Most characters (after trimming).
    pub max: usize,
    /// Whether line breaks and tabs are allowed (free text) or not (names, titles).
    pub multiline: bool,
}

impl Bounded {
    /// A person's or an organisation's name, a code's label, a reference.
    pub const NAME: Bounded = Bounded {
        max: 200,
        multiline: false,
    };
    /// A plan's title.
    pub const TITLE: Bounded = Bounded {
        max: 200,
        multiline: false,
    };
    /// A reason or a message: why a plan is withdrawn, the team's question.
    pub const REASON: Bounded = Bounded {
        max: 5_000,
        multiline: true,
    };
    /// A board member's comment on a vote, or the reason for a declared conflict.
    pub const COMMENT: Bounded = Bounded {
        max: 2_000,
        multiline: true,
    };
    /// A goal's text: one line, as the frame prints it.
    pub const GOAL: Bounded = Bounded {
        max: 2_000,
        multiline: false,
    };
    /// A criterion's description, a condition of a round, a score's motivation.
    pub const NOTE: Bounded = Bounded {
        max: 5_000,
        multiline: true,
    };
    /// A postal address, over a few lines.
    pub const ADDRESS: Bounded = Bounded {
        max: 500,
        multiline: true,
    };
    /// A plan's short description, as the published table prints it.
    pub const SUMMARY: Bounded = Bounded {
        max: 400,
        multiline: true,
    };
    /// A plan's long texts and a pre-advice's motivation.
    pub const LONG: Bounded = Bounded {
        max: 20_000,
        multiline: true,
    };

    /// The text trimmed, or why it breaks the bounds; empty text is allowed here.
    pub fn check(self, raw: &str) -> Result<String, Bilingual> {
        // A name or title is one line a person reads: characters drawn as nothing (a
        // zero-width space, a soft hyphen) only disguise it, so they are taken out. The bidi
        // controls are refused below instead, saying why.
        let visible: String;
        let s = if !self.multiline
            && raw
                .chars()
                .any(|c| is_default_ignorable(c) && !is_bidi_control(c))
        {
            visible = raw
                .chars()
                .filter(|c| !is_default_ignorable(*c) || is_bidi_control(*c))
                .collect();
            visible.trim()
        } else {
            raw.trim()
        };
        if s.chars().count() > self.max {
            return Err(Bilingual::new(
                format!("must be at most {} characters", self.max),
                format!("mag hoogstens {} tekens lang zijn", self.max),
            ));
        }
        if self.multiline {
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(Bilingual::new(
                    "must not contain control characters other than line breaks and tabs",
                    "mag geen stuurtekens bevatten (regeleinden en tabs mogen wel)",
                ));
            }
        } else if s.chars().any(char::is_control) {
            return Err(Bilingual::new(
                "must not contain control characters",
                "mag geen stuurtekens of regeleinden bevatten",
            ));
        } else if s.chars().any(is_bidi_control) {
            // A name or title that reverses the text after it can make "Plan A" read as
            // another plan's name in a list, a letter or a CSV.
            return Err(Bilingual::new(
                "must not contain characters that change the direction of text",
                "mag geen tekens bevatten die de schrijfrichting omdraaien",
            ));
        }
        Ok(s.to_string())
    }

    /// As `check`, and the text must not be empty (absent counts as empty).
    pub fn required(self, raw: Option<&str>) -> Result<String, Bilingual> {
        let s = raw.unwrap_or("");
        if s.trim().is_empty() {
            return Err(Bilingual::new("is required", "is verplicht"));
        }
        self.check(s)
    }
}

/// Lower-cases and removes diacritics from Latin letters; other characters pass unchanged.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        for lower in ch.to_lowercase() {
            match lower {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => out.push('a'),
                'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' => out.push('e'),
                'ì' | 'í' | 'î' | 'ï' | 'ī' => out.push('i'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => out.push('o'),
                'ù' | 'ú' | 'û' | 'ü' | 'ū' => out.push('u'),
                'ý' | 'ÿ' => out.push('y'),
                'ç' | 'č' | 'ć' => out.push('c'),
                'ñ' | 'ń' => out.push('n'),
                'š' | 'ś' => out.push('s'),
                'ž' | 'ź' | 'ż' => out.push('z'),
                'ĳ' => out.push_str("ij"),
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(Bounded::NAME.check("  Anna ").unwrap(), "Anna");
        assert!(Bounded::NAME.check(&"é".repeat(200)).is_ok());
        assert!(Bounded::NAME.check(&"é".repeat(201)).is_err());
        assert!(Bounded::NAME.check("a\nb").is_err());
        assert!(Bounded::REASON.check("a\nb\tc").is_ok());
        assert!(Bounded::REASON.check("a\u{7}b").is_err());
        assert_eq!(
            Bounded::REASON.required(Some("  ")).unwrap_err(),
            Bilingual::new("is required", "is verplicht")
        );
        assert_eq!(
            Bounded::REASON.required(None).unwrap_err().en,
            "is required"
        );
        assert!(Bounded::COMMENT.check("").is_ok());
        assert!(Bounded::TITLE.check("Plan \u{202E}A").is_err());
        assert!(Bounded::NAME.check("De \u{2066}Heuvel\u{2069}").is_err());
        assert!(Bounded::NAME.check("Café «Noord» — één").is_ok());
        // Invisible characters are taken out of a name, kept in free text.
        assert_eq!(
            Bounded::NAME
                .check("Leid\u{200B}schen\u{AD}dam\u{2060}")
                .unwrap(),
            "Leidschendam"
        );
        assert_eq!(Bounded::REASON.check("a\u{AD}b").unwrap(), "a\u{AD}b");
    }

    #[test]
    fn a_name_disguised_by_invisible_look_alike_or_wide_characters_has_the_same_key() {
        let plain = name_key("Woningcorporatie Leidschendam");
        for disguised in [
            "Woningcorporatie Leid\u{200B}schendam",
            "Woningcorporatie Leid\u{AD}schendam",
            "Woningcorporatie Leid\u{2060}schendam",
            "Woningcorporatie Leid\u{200E}schendam",
            "Woningcorporatie Leids\u{0441}hendam",
            "\u{FF37}oningcorporatie Leidschendam",
            "  WONINGCORPORATIE   leidschendam ",
            "Woningcorporatie\u{00A0}Leidschendam",
        ] {
            assert_eq!(name_key(disguised), plain, "{disguised:?}");
        }
        assert_ne!(name_key("Woningcorporatie Voorburg"), plain);
    }

    #[test]
    fn accents_and_case_are_folded() {
        assert_eq!(
            fold("Financiële Zelfredzaamheid"),
            "financiele zelfredzaamheid"
        );
        assert_eq!(fold("CAFÉ ÇA VA"), "cafe ca va");
        assert_eq!(fold("Ĳsselstein"), "ijsselstein");
        assert_eq!(fold("recreëren"), "recreeren");
    }
}
