//! The retention policy: how long planloket keeps what it holds about people, why, and what
//! happens after. One table (`Policy::terms`) feeds the daily run (`planloket retention`, the
//! worker), its dry run, and the privacy page, so what the page promises is what is done.

use chrono::{DateTime, Duration, Months, Utc};

/// The terms, each configurable (`PLANLOKET_RETENTION_<NAME>`, a whole number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A draft untouched this long is deleted (`DRAFT_MONTHS`).
    pub draft_months: u32,
    /// Its owner is mailed this long before (`DRAFT_WARNING_DAYS`); a draft whose owner was
    /// not warned yet is deleted no sooner than this long after the warning.
    pub draft_warning_days: u32,
    /// An applicant's account without any plan, unused this long, is deleted
    /// (`IDLE_ACCOUNT_MONTHS`).
    pub idle_account_months: u32,
    /// Sign-in attempts, ended sessions and sign-in links are deleted after this
    /// (`SIGN_IN_DAYS`).
    pub sign_in_days: u32,
    /// A mail's subject and text are removed this long after it was sent or given up; the
    /// date, the kind and the masked address stay (`MAIL_DAYS`).
    pub mail_days: u32,
    /// A subsidy file (a decided plan, its grant, reports and payments) is kept this long
    /// after the final amount or, without a grant, after the decision (`SUBSIDY_FILE_YEARS`).
    pub subsidy_file_years: u32,
    /// An entry of the processing log is kept this long (`PROCESSING_LOG_YEARS`): as long as
    /// the file it is about, so a person can be told who processed it while it exists.
    pub processing_log_years: u32,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            draft_months: 12,
            draft_warning_days: 30,
            idle_account_months: 24,
            sign_in_days: 90,
            mail_days: 90,
            subsidy_file_years: 10,
            processing_log_years: 10,
        }
    }
}

/// The settings, by the name after `PLANLOKET_RETENTION_`, with their bounds.
const SETTINGS: [(&str, u32, u32); 7] = [
    ("DRAFT_MONTHS", 1, 120),
    ("DRAFT_WARNING_DAYS", 1, 90),
    ("IDLE_ACCOUNT_MONTHS", 1, 240),
    ("SIGN_IN_DAYS", 1, 3650),
    ("MAIL_DAYS", 1, 3650),
    ("SUBSIDY_FILE_YEARS", 1, 100),
    ("PROCESSING_LOG_YEARS", 1, 100),
];

fn field<'a>(p: &'a mut Policy, name: &str) -> &'a mut u32 {
    match name {
        "DRAFT_MONTHS" => &mut p.draft_months,
        "DRAFT_WARNING_DAYS" => &mut p.draft_warning_days,
        "IDLE_ACCOUNT_MONTHS" => &mut p.idle_account_months,
        "SIGN_IN_DAYS" => &mut p.sign_in_days,
        "MAIL_DAYS" => &mut p.mail_days,
        "PROCESSING_LOG_YEARS" => &mut p.processing_log_years,
        _ => &mut p.subsidy_file_years,
    }
}

/// The policy with the terms the environment sets (`var` reads one), or each bad one named.
pub fn policy_from(var: impl Fn(&str) -> Option<String>) -> Result<Policy, String> {
    let mut p = Policy::default();
    let mut errors = Vec::new();
    for (name, min, max) in SETTINGS {
        let key = format!("PLANLOKET_RETENTION_{name}");
        if let Some(raw) = var(&key) {
            match raw.trim().parse::<u32>() {
                Ok(n) if (min..=max).contains(&n) => *field(&mut p, name) = n,
                _ => errors.push(format!(
                    "{key}: '{raw}' is not a whole number from {min} to {max}"
                )),
            }
        }
    }
    if p.draft_warning_days >= p.draft_months * 28 {
        errors.push(
            "PLANLOKET_RETENTION_DRAFT_WARNING_DAYS must be shorter than PLANLOKET_RETENTION_DRAFT_MONTHS"
                .into(),
        );
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors.join("; "))
    }
}

fn months_before(now: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(months)).unwrap_or(now)
}

fn months_after(at: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(months)).unwrap_or(at)
}

/// What to do with a draft now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftStep {
    /// Nothing yet.
    Keep,
    /// Mail its owner that it is deleted on that day unless they change it.
    Warn { delete_at: DateTime<Utc> },
    /// Delete it.
    Delete,
}

impl Policy {
    /// A draft last changed at `updated_at`, its owner warned at `warned_at` (a warning given
    /// before the last change no longer counts: the owner acted on it).
    pub fn draft_step(
        &self,
        updated_at: DateTime<Utc>,
        warned_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> DraftStep {
        let warning = Duration::days(i64::from(self.draft_warning_days));
        let due = months_after(updated_at, self.draft_months);
        match warned_at.filter(|w| *w >= updated_at) {
            Some(w) if now >= due && now >= w + warning => DraftStep::Delete,
            Some(_) => DraftStep::Keep,
            None if now >= due - warning => DraftStep::Warn {
                delete_at: due.max(now + warning),
            },
            None => DraftStep::Keep,
        }
    }

    /// Drafts changed before this may be due for a warning or deletion (the query's bound).
    pub fn drafts_changed_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        months_before(now, self.draft_months) + Duration::days(i64::from(self.draft_warning_days))
    }

    /// An applicant's account last used before this, holding no plan, is deleted.
    pub fn idle_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        months_before(now, self.idle_account_months)
    }

    /// Sign-in records from before this are deleted.
    pub fn sign_in_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.sign_in_days))
    }

    /// Mails sent or given up before this lose their subject and text.
    pub fn mail_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.mail_days))
    }

    /// Entries of the processing log from before this are deleted.
    pub fn log_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        months_before(now, self.processing_log_years * 12)
    }

    /// When a subsidy file closed at `closed_at` (the final amount, or the decision) is due.
    pub fn subsidy_file_due(&self, closed_at: DateTime<Utc>) -> DateTime<Utc> {
        months_after(closed_at, self.subsidy_file_years * 12)
    }

    /// The terms in Dutch, for the privacy page and the letter of an account's closing: what,
    /// how long, what happens after, and why.
    pub fn terms(&self) -> Vec<Term> {
        vec![
            Term {
                what: "Concepten van plannen die nooit zijn ingediend",
                how_long: format!(
                    "{} maanden na de laatste wijziging; {} dagen vooraf krijgt u een e-mail",
                    self.draft_months, self.draft_warning_days
                ),
                then: "verwijderd, met de bijlagen",
                why: "Een concept is nog geen aanvraag; wie er niet meer aan werkt, heeft het niet meer nodig (AVG art. 5 lid 1 onder e).",
            },
            Term {
                what: "Accounts van indieners zonder plan",
                how_long: format!(
                    "{} maanden nadat het account voor het laatst is gebruikt",
                    self.idle_account_months
                ),
                then: "verwijderd",
                why: "Zonder plan is er geen reden om uw gegevens te bewaren (AVG art. 5 lid 1 onder e).",
            },
            Term {
                what: "Inlogpogingen, sessies en inloglinks",
                how_long: format!("{} dagen", self.sign_in_days),
                then: "verwijderd",
                why: "Nodig om misbruik te zien en te onderzoeken, niet langer (beveiliging, AVG art. 32).",
            },
            Term {
                what: "E-mails die planloket u stuurde",
                how_long: format!("{} dagen na verzending", self.mail_days),
                then: "onderwerp en tekst verwijderd; datum, soort bericht en een afgeschermd adres blijven",
                why: "Om te kunnen nagaan of een bericht is verstuurd; de inhoud staat in het dossier zelf.",
            },
            Term {
                what: "Het subsidiedossier: ingediende plannen, besluiten, subsidies, verslagen en betalingen",
                how_long: format!(
                    "{} jaar na de vaststelling van de subsidie, of zonder subsidie na het besluit",
                    self.subsidy_file_years
                ),
                then: "het gesprek, de bijlagen, de mede-indieners en wie wat wijzigde worden verwijderd; het besluit en de betalingen blijven voor de verantwoording",
                why: "De Archiefwet 1995 en de Selectielijst gemeenten en intergemeentelijke organen 2020 (procestype 7, verstrekken van subsidies) schrijven voor hoe lang de gemeente dit bewaart.",
            },
            Term {
                what: "Wie uw gegevens bekeek of wijzigde (het verwerkingslogboek)",
                how_long: format!("{} jaar", self.processing_log_years),
                then: "verwijderd",
                why: "Zo lang als het dossier waar het over gaat: zolang kunt u nagaan wie uw gegevens verwerkte (AVG art. 5 lid 2, verantwoording).",
            },
        ]
    }
}

/// One row of the retention table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub what: &'static str,
    pub how_long: String,
    pub then: &'static str,
    pub why: &'static str,
}

/// One record the policy acts on: printed by the dry run, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: &'static str,
    pub id: String,
    pub action: Step,
    pub reason: String,
    pub due_at: DateTime<Utc>,
}

/// What happens to a record that is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Warn,
    Delete,
    Anonymise,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Warn => "warn",
            Step::Delete => "delete",
            Step::Anonymise => "anonymise",
        }
    }
}

impl Due {
    /// The dry run's line: kind, id, action, reason, due date.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.kind,
            self.id,
            self.action.as_str(),
            self.reason,
            self.due_at.format("%Y-%m-%d")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_draft_is_warned_a_month_ahead_and_deleted_no_sooner_than_a_month_after_the_warning() {
        let p = Policy::default();
        let changed = at(2025, 1, 10);
        assert_eq!(
            p.draft_step(changed, None, at(2025, 12, 1)),
            DraftStep::Keep
        );
        // Eleven months on: warned, to be deleted a year after the change.
        assert_eq!(
            p.draft_step(changed, None, at(2025, 12, 11)),
            DraftStep::Warn {
                delete_at: at(2026, 1, 10)
            }
        );
        let warned = at(2025, 12, 11);
        assert_eq!(
            p.draft_step(changed, Some(warned), at(2026, 1, 9)),
            DraftStep::Keep
        );
        assert_eq!(
            p.draft_step(changed, Some(warned), at(2026, 1, 10)),
            DraftStep::Delete
        );
        // Found late (13 months on, never warned): warned now, deleted 30 days later.
        let late = at(2026, 2, 10);
        assert_eq!(
            p.draft_step(changed, None, late),
            DraftStep::Warn {
                delete_at: late + Duration::days(30)
            }
        );
        assert_eq!(
            p.draft_step(changed, Some(late), late + Duration::days(29)),
            DraftStep::Keep
        );
        assert_eq!(
            p.draft_step(changed, Some(late), late + Duration::days(30)),
            DraftStep::Delete
        );
        // Changed after the warning: the warning no longer counts.
        let changed_again = at(2026, 1, 5);
        assert_eq!(
            p.draft_step(changed_again, Some(warned), at(2026, 1, 20)),
            DraftStep::Keep
        );
    }

    #[test]
    fn the_terms_come_from_the_environment_each_bad_one_named() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(policy_from(env(&[])).unwrap(), Policy::default());
        let p = policy_from(env(&[
            ("PLANLOKET_RETENTION_DRAFT_MONTHS", "6"),
            ("PLANLOKET_RETENTION_SUBSIDY_FILE_YEARS", "7"),
        ]))
        .unwrap();
        assert_eq!((p.draft_months, p.subsidy_file_years), (6, 7));
        let e = policy_from(env(&[
            ("PLANLOKET_RETENTION_MAIL_DAYS", "nooit"),
            ("PLANLOKET_RETENTION_SIGN_IN_DAYS", "0"),
        ]))
        .unwrap_err();
        assert!(
            e.contains("PLANLOKET_RETENTION_MAIL_DAYS") && e.contains("SIGN_IN_DAYS"),
            "{e}"
        );
        assert!(policy_from(env(&[
            ("PLANLOKET_RETENTION_DRAFT_MONTHS", "1"),
            ("PLANLOKET_RETENTION_DRAFT_WARNING_DAYS", "30")
        ]))
        .is_err());
    }

    #[test]
    fn the_bounds_and_the_terms_follow_the_policy() {
        let p = Policy {
            sign_in_days: 90,
            subsidy_file_years: 10,
            ..Policy::default()
        };
        let now = at(2026, 6, 1);
        assert_eq!(p.sign_in_before(now), now - Duration::days(90));
        assert_eq!(p.idle_since(now), at(2024, 6, 1));
        assert_eq!(p.subsidy_file_due(at(2026, 3, 1)), at(2036, 3, 1));
        let terms = p.terms();
        assert_eq!(terms.len(), 6);
        assert!(terms[4].how_long.starts_with("10 jaar"));
        assert!(terms[0].how_long.contains("12 maanden") && terms[0].how_long.contains("30 dagen"));
        let line = Due {
            kind: "draft",
            id: "p1".into(),
            action: Step::Delete,
            reason: "untouched since 2025-01-10".into(),
            due_at: at(2026, 1, 10),
        }
        .line();
        assert_eq!(
            line,
            "draft\tp1\tdelete\tuntouched since 2025-01-10\t2026-01-10"
        );
    }
}
