//! Erasure of one's own account (AVG art. 17) where the law allows it: what happens when a
//! person asks planloket to delete their account.

use super::errors::{Bilingual, DomainError};
use super::state::PlanStatus;

/// A plan the person holds (owns), as erasure weighs it.
#[derive(Debug, Clone)]
pub struct Holding<'a> {
    pub title: &'a str,
    pub status: PlanStatus,
    /// An adoption covers its decision.
    pub published: bool,
    /// Its grant is still running (not finished or stopped).
    pub grant_running: bool,
}

/// What erasure does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// Nothing but drafts (or nothing at all): the account goes with its drafts, sessions and
    /// links; the address can register again.
    Erase,
    /// A subsidy file remains (a decided, withdrawn or merged plan, or work on others'
    /// plans): the account is closed, sign-in impossible; what the law keeps stays for its term.
    Close,
}

/// Whether and how the account may be erased. Refused (409, saying why and what one can do)
/// while a plan is being assessed or a grant runs: the file is kept by law then, and the
/// person is still a party to it. Staff accounts are closed by an admin.
pub fn decide(
    is_staff: bool,
    holdings: &[Holding<'_>],
    touches_others: bool,
) -> Result<Erasure, DomainError> {
    if is_staff {
        return Err(DomainError::Conflict(Bilingual::new(
            "a staff account is closed by an admin",
            "Een account van een medewerker wordt gesloten door de beheerder. Vraag het de beheerder.",
        )));
    }
    if let Some(h) = holdings.iter().find(|h| h.grant_running) {
        return Err(DomainError::Conflict(Bilingual::new(
            format!(
                "a grant runs for your plan '{}': the file is kept by law; you can delete your account once the grant is settled",
                h.title
            ),
            format!(
                "Voor uw plan \u{201c}{}\u{201d} loopt een subsidie. De gemeente moet het dossier dan bewaren (Archiefwet). U kunt uw account verwijderen als de subsidie is vastgesteld, na uw eindverslag.",
                h.title
            ),
        )));
    }
    let assessed = |h: &&Holding<'_>| {
        matches!(
            h.status,
            PlanStatus::Submitted
                | PlanStatus::InReview
                | PlanStatus::NeedsInfo
                | PlanStatus::PreAdvised
                | PlanStatus::Voting
        ) || (h.status.is_decided() && !h.published)
    };
    if let Some(h) = holdings.iter().find(assessed) {
        return Err(DomainError::Conflict(Bilingual::new(
            format!(
                "your plan '{}' is being assessed: the file is kept by law; withdraw the plan first, or wait for the decision",
                h.title
            ),
            format!(
                "Uw plan \u{201c}{}\u{201d} wordt nog beoordeeld. De gemeente moet het dossier dan bewaren (Archiefwet). Trek het plan eerst in, of wacht op het besluit; daarna kunt u uw account verwijderen.",
                h.title
            ),
        )));
    }
    if !touches_others && holdings.iter().all(|h| h.status == PlanStatus::Draft) {
        Ok(Erasure::Erase)
    } else {
        Ok(Erasure::Close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(status: PlanStatus) -> Holding<'static> {
        Holding {
            title: "Moestuin",
            status,
            published: false,
            grant_running: false,
        }
    }

    #[test]
    fn drafts_only_are_erased_a_file_closes_the_account() {
        assert_eq!(decide(false, &[], false), Ok(Erasure::Erase));
        assert_eq!(
            decide(false, &[h(PlanStatus::Draft), h(PlanStatus::Draft)], false),
            Ok(Erasure::Erase)
        );
        assert_eq!(
            decide(false, &[h(PlanStatus::Draft)], true),
            Ok(Erasure::Close)
        );
        for s in [
            PlanStatus::Withdrawn,
            PlanStatus::Merged,
            PlanStatus::Adopted,
        ] {
            assert_eq!(decide(false, &[h(s)], false), Ok(Erasure::Close), "{s:?}");
        }
        let published = Holding {
            published: true,
            ..h(PlanStatus::Rejected)
        };
        assert_eq!(decide(false, &[published], false), Ok(Erasure::Close));
    }

    #[test]
    fn an_assessed_plan_or_a_running_grant_refuses_saying_what_to_do() {
        for s in [
            PlanStatus::Submitted,
            PlanStatus::InReview,
            PlanStatus::NeedsInfo,
            PlanStatus::PreAdvised,
            PlanStatus::Voting,
            PlanStatus::Approved,
            PlanStatus::Rejected,
        ] {
            let Err(DomainError::Conflict(m)) = decide(false, &[h(s)], false) else {
                panic!("{s:?} refused");
            };
            assert!(m.nl.contains("Trek het plan eerst in"), "{}", m.nl);
        }
        let running = Holding {
            grant_running: true,
            published: true,
            ..h(PlanStatus::Adopted)
        };
        let Err(DomainError::Conflict(m)) = decide(false, &[running], false) else {
            panic!("refused");
        };
        assert!(m.nl.contains("als de subsidie is vastgesteld"), "{}", m.nl);
        assert!(matches!(
            decide(true, &[], false),
            Err(DomainError::Conflict(_))
        ));
    }
}
