//! Who may do what, once. Every right that is not a step of a plan's state table (that table
//! is `super::state`) is a `Permission` here, with the roles that hold it and the refusal in
//! both languages. The use cases check it (the API answers 403 with the English sentence), the
//! pages ask the same function to decide whether to show a page, a menu item or a button (and
//! show the Dutch sentence): a rule written a second time in a handler would one day differ.

use super::errors::{Bilingual, DomainError};
use super::user::{Actor, Role};

/// A right of a signed-in account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// File plans of one's own, and keep one's drafts (residents and partners).
    FilePlans,
    /// Hold a plan to edit and submit: an applicant's own, or an organisation's own action
    /// the programme team filed (whose plan it is, the use case checks).
    HoldPlans,
    /// File a plan for someone else: an organisation's own action, or at the desk.
    FileForOthers,
    /// See every submitted plan with its assessment, the round's budget and ranking, and the
    /// adoptions (the programme team and the board).
    SeeAssessment,
    /// The team's work: evaluating, pre-advice, questions, merging, assigning reviewers.
    ReviewPlans,
    /// The work list and one's own evaluation: the programme team, and external reviewers
    /// (who see only the plans assigned to them).
    EvaluatePlans,
    /// A plan's page as its assessment sees it (the dossier): staff, and reviewers of the
    /// plans assigned to them.
    ReadDossiers,
    /// Create, change and copy rounds.
    ManageRounds,
    /// Reserve part of a theme's budget, and release a reservation.
    ManageReservations,
    /// Record the college's adoption, or correct one.
    RecordAdoption,
    /// Vote on plans, and declare a conflict of interest.
    Vote,
    /// Close a vote.
    CloseVotes,
    /// Create organisations and confirm their members.
    ManageOrganisations,
    /// Create accounts and change their roles.
    ManageUsers,
    /// Read the mail outbox (the team with the addresses masked).
    ReadOutbox,
    /// Send a given-up mail again.
    RetryMail,
    /// See every grant, payment and batch (the programme team, the board, finance).
    SeeGrants,
    /// Release payments and record payment conditions as met (the team).
    ManagePayments,
    /// Make batches, download their bank file, mark them paid or cancelled (finance only: the
    /// second pair of eyes after the team's release).
    PayBatches,
    /// Confirm a bank account someone else recorded (finance).
    ConfirmBankAccounts,
    /// Read and record organisations' bank accounts and their changes (the team and finance;
    /// what one records, another confirms).
    KeepBankAccounts,
    /// Set a grant's final amount.
    SettleGrants,
}

/// The programme team and the board: who sees the assessment.
const STAFF: &[Role] = &[Role::ProgrammeTeam, Role::BoardMember];
const TEAM: &[Role] = &[Role::ProgrammeTeam];
const FINANCE: &[Role] = &[Role::Finance];

impl Permission {
    /// The roles that hold this right (a chair holds every right of a board member).
    pub fn roles(self) -> &'static [Role] {
        use Permission as P;
        match self {
            P::FilePlans => &[Role::Applicant],
            P::HoldPlans => &[Role::Applicant, Role::ProgrammeTeam],
            P::SeeAssessment => STAFF,
            P::EvaluatePlans => &[Role::ProgrammeTeam, Role::Reviewer],
            P::ReadDossiers => &[Role::ProgrammeTeam, Role::BoardMember, Role::Reviewer],
            P::SeeGrants => &[Role::ProgrammeTeam, Role::BoardMember, Role::Finance],
            P::PayBatches | P::ConfirmBankAccounts => FINANCE,
            P::KeepBankAccounts => &[Role::ProgrammeTeam, Role::Finance],
            P::Vote => &[Role::BoardMember],
            P::CloseVotes => &[Role::BoardChair],
            P::ManageUsers | P::RetryMail => &[Role::Admin],
            P::ManageOrganisations | P::ReadOutbox => &[Role::Admin, Role::ProgrammeTeam],
            P::FileForOthers
            | P::ReviewPlans
            | P::ManageRounds
            | P::ManageReservations
            | P::RecordAdoption
            | P::ManagePayments
            | P::SettleGrants => TEAM,
        }
    }

    /// Why someone without the right is refused, in English and in Dutch.
    pub fn refusal(self) -> Bilingual {
        let roles = self.roles();
        if roles == STAFF {
            return Bilingual::new(
                "this is for the programme team and the board",
                "Dit is voor het programmateam en het bestuur.",
            );
        }
        let en = if roles.len() == 1 {
            format!("this needs the role {}", roles[0].as_str())
        } else {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            format!("this needs one of the roles {}", names.join(", "))
        };
        let nl = match roles {
            [Role::Applicant] => "Dit is voor bewoners en partners die een plan indienen.",
            [Role::Applicant, Role::ProgrammeTeam] => {
                "Dit is voor wie een plan indient: bewoners, partners en het programmateam."
            }
            [Role::BoardMember] => "Dit is voor de leden van het bestuur.",
            [Role::BoardChair] => "Dit is voor de voorzitter van het bestuur.",
            [Role::Admin] => "Dit is voor beheerders.",
            [Role::Admin, Role::ProgrammeTeam] => "Dit is voor beheerders en het programmateam.",
            [Role::Finance] => "Dit is voor de financiële administratie.",
            [Role::ProgrammeTeam, Role::Finance] => {
                "Dit is voor het programmateam en de financiële administratie."
            }
            [Role::ProgrammeTeam, Role::BoardMember, Role::Finance] => {
                "Dit is voor het programmateam, het bestuur en de financiële administratie."
            }
            [Role::ProgrammeTeam, Role::Reviewer] => {
                "Dit is voor het programmateam en de beoordelaars."
            }
            [Role::ProgrammeTeam, Role::BoardMember, Role::Reviewer] => {
                "Dit is voor het programmateam, het bestuur en de beoordelaars."
            }
            _ => "Dit is voor het programmateam.",
        };
        Bilingual::new(en, nl)
    }
}

/// Whether `actor` holds `permission`.
pub fn allows(actor: &Actor, permission: Permission) -> bool {
    permission.roles().iter().any(|r| actor.has(*r))
}

/// `Ok` when `actor` holds `permission`; otherwise its refusal (403).
pub fn check(actor: &Actor, permission: Permission) -> Result<(), DomainError> {
    if allows(actor, permission) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(permission.refusal()))
    }
}

/// An organisation's bank account is read by the programme team, finance and the
/// organisation's own members (it is theirs); others are refused.
pub fn check_bank_account_reader(actor: &Actor, organisation_id: &str) -> Result<(), DomainError> {
    if allows(actor, Permission::KeepBankAccounts)
        || actor.organisation_id.as_deref() == Some(organisation_id)
    {
        Ok(())
    } else {
        Err(DomainError::Forbidden(Bilingual::new(
            "an organisation's bank account is for the programme team, finance and its members",
            "De bankrekening van een organisatie is voor het programmateam, de financiële administratie en de leden van de organisatie.",
        )))
    }
}

/// Where a person's own work is, where they land after signing in: the team its work list,
/// the board its agenda, finance the payments, the admin the accounts, an applicant their
/// plans (a person with several roles: the first of these they hold).
pub fn home(actor: &Actor) -> &'static str {
    [
        (Permission::EvaluatePlans, "/beoordelen"),
        (Permission::Vote, "/bestuur"),
        (Permission::PayBatches, "/betalingen"),
        (Permission::ManageUsers, "/beheer/gebruikers"),
        (Permission::FilePlans, "/mijn-plannen"),
    ]
    .into_iter()
    .find(|(p, _)| allows(actor, *p))
    .map_or("/", |(_, path)| path)
}

/// What a signed-in person's menu offers: each item shown exactly when its right is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Menu {
    /// "Mijn plannen".
    pub own_plans: bool,
    /// "Beoordelen": the work list (for reviewers, their assigned plans).
    pub review: bool,
    /// "Bestuur".
    pub board: bool,
    /// "Betalingen".
    pub payments: bool,
    /// "Beheer": accounts, organisations and the outbox.
    pub users: bool,
    /// "Organisaties", for who manages organisations but not accounts.
    pub organisations: bool,
}

impl Menu {
    pub fn of(actor: &Actor) -> Menu {
        Menu {
            own_plans: allows(actor, Permission::FilePlans),
            review: allows(actor, Permission::EvaluatePlans),
            board: allows(actor, Permission::Vote),
            payments: allows(actor, Permission::ManagePayments)
                || allows(actor, Permission::PayBatches),
            users: allows(actor, Permission::ManageUsers),
            organisations: allows(actor, Permission::ManageOrganisations),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: "u1".into(),
            roles: roles.to_vec(),
            organisation_id: Some("o1".into()),
        }
    }

    #[test]
    fn each_right_is_held_by_its_roles_only() {
        use Permission as P;
        let all = [
            P::FilePlans,
            P::HoldPlans,
            P::FileForOthers,
            P::SeeAssessment,
            P::ReviewPlans,
            P::ManageRounds,
            P::ManageReservations,
            P::RecordAdoption,
            P::Vote,
            P::CloseVotes,
            P::ManageOrganisations,
            P::ManageUsers,
            P::ReadOutbox,
            P::RetryMail,
            P::SeeGrants,
            P::ManagePayments,
            P::PayBatches,
            P::ConfirmBankAccounts,
            P::KeepBankAccounts,
            P::SettleGrants,
            P::EvaluatePlans,
            P::ReadDossiers,
        ];
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL
                .into_iter()
                .filter(|r| allows(&actor(&[*r]), p))
                .collect()
        };
        for p in all {
            let expected: Vec<Role> = match p {
                P::FilePlans => vec![Role::Applicant],
                P::HoldPlans => vec![Role::Applicant, Role::ProgrammeTeam],
                P::SeeAssessment => {
                    vec![Role::ProgrammeTeam, Role::BoardMember, Role::BoardChair]
                }
                P::SeeGrants => vec![
                    Role::ProgrammeTeam,
                    Role::BoardMember,
                    Role::BoardChair,
                    Role::Finance,
                ],
                P::PayBatches | P::ConfirmBankAccounts => vec![Role::Finance],
                P::KeepBankAccounts => vec![Role::ProgrammeTeam, Role::Finance],
                P::Vote => vec![Role::BoardMember, Role::BoardChair],
                P::CloseVotes => vec![Role::BoardChair],
                P::ManageUsers | P::RetryMail => vec![Role::Admin],
                P::ManageOrganisations | P::ReadOutbox => vec![Role::ProgrammeTeam, Role::Admin],
                P::EvaluatePlans => vec![Role::ProgrammeTeam, Role::Reviewer],
                P::ReadDossiers => vec![
                    Role::ProgrammeTeam,
                    Role::BoardMember,
                    Role::BoardChair,
                    Role::Reviewer,
                ],
                _ => vec![Role::ProgrammeTeam],
            };
            assert_eq!(holders(p), expected, "{p:?}");
        }
    }

    #[test]
    fn a_refusal_says_who_may_in_both_languages() {
        let team_only = Permission::ManageRounds.refusal();
        assert_eq!(team_only.en, "this needs the role programme_team");
        assert_eq!(team_only.nl, "Dit is voor het programmateam.");
        let staff = Permission::SeeAssessment.refusal();
        assert_eq!(staff.en, "this is for the programme team and the board");
        assert!(staff.nl.contains("bestuur"));
        let two = Permission::ReadOutbox.refusal();
        assert_eq!(two.en, "this needs one of the roles admin, programme_team");
        assert!(matches!(
            check(&actor(&[Role::Applicant]), Permission::ManageUsers),
            Err(DomainError::Forbidden(s)) if s.nl == "Dit is voor beheerders."
        ));
        assert!(check(&actor(&[Role::Admin]), Permission::ManageUsers).is_ok());
    }

    #[test]
    fn a_bank_account_is_read_by_the_team_and_its_own_members() {
        assert!(check_bank_account_reader(&actor(&[Role::ProgrammeTeam]), "o9").is_ok());
        assert!(check_bank_account_reader(&actor(&[Role::Finance]), "o9").is_ok());
        assert!(check_bank_account_reader(&actor(&[Role::Applicant]), "o1").is_ok());
        assert!(check_bank_account_reader(&actor(&[Role::Applicant]), "o9").is_err());
        assert!(check_bank_account_reader(&actor(&[Role::BoardMember]), "o9").is_err());
    }

    #[test]
    fn each_lands_on_their_own_work() {
        assert_eq!(home(&actor(&[Role::ProgrammeTeam])), "/beoordelen");
        assert_eq!(home(&actor(&[Role::BoardChair])), "/bestuur");
        assert_eq!(home(&actor(&[Role::BoardMember])), "/bestuur");
        assert_eq!(home(&actor(&[Role::Finance])), "/betalingen");
        assert_eq!(home(&actor(&[Role::Admin])), "/beheer/gebruikers");
        assert_eq!(home(&actor(&[Role::Applicant])), "/mijn-plannen");
        assert_eq!(home(&actor(&[Role::Reviewer])), "/beoordelen");
        assert_eq!(
            home(&actor(&[Role::Applicant, Role::Admin])),
            "/beheer/gebruikers"
        );
        assert_eq!(home(&actor(&[])), "/");
    }

    #[test]
    fn the_menu_follows_the_rights() {
        let m = Menu::of(&actor(&[Role::BoardChair]));
        assert!(m.board && !m.review && !m.own_plans && !m.users && !m.payments);
        let m = Menu::of(&actor(&[Role::ProgrammeTeam]));
        assert!(m.review && m.payments && m.organisations && !m.users && !m.board);
        let m = Menu::of(&actor(&[Role::Applicant]));
        assert!(m.own_plans && !m.review && !m.organisations);
        let m = Menu::of(&actor(&[Role::Admin]));
        assert!(m.users && m.organisations && !m.review);
        let m = Menu::of(&actor(&[Role::Finance]));
        assert!(m.payments && !m.review && !m.board && !m.users && !m.own_plans);
        let refusal = Permission::PayBatches.refusal();
        assert_eq!(refusal.en, "this needs the role finance");
        assert_eq!(refusal.nl, "Dit is voor de financiële administratie.");
    }
}
