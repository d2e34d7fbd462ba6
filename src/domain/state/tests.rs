use super::*;
use proptest::prelude::*;

const OWNER: &str = "owner";

#[test]
fn only_a_plan_that_fell_through_frees_what_was_held_for_it() {
    let fell_through: Vec<_> = PlanStatus::ALL
        .into_iter()
        .filter(|s| s.is_final_without_grant())
        .collect();
    assert_eq!(
        fell_through,
        [
            PlanStatus::Rejected,
            PlanStatus::Withdrawn,
            PlanStatus::Merged
        ]
    );
}

/// The callers a plan can meet: its owner, another applicant, and each staff role.
fn actors() -> Vec<(&'static str, Actor)> {
    let mk = |id: &str, roles: Vec<Role>| Actor {
        user_id: id.into(),
        roles,
        organisation_id: None,
    };
    vec![
        ("owner", mk(OWNER, vec![Role::Applicant])),
        ("other_applicant", mk("other", vec![Role::Applicant])),
        ("programme_team", mk("team", vec![Role::ProgrammeTeam])),
        ("board_member", mk("member", vec![Role::BoardMember])),
        ("board_chair", mk("chair", vec![Role::BoardChair])),
        ("admin", mk("admin", vec![Role::Admin])),
        ("reviewer", mk("reviewer", vec![Role::Reviewer])),
    ]
}

/// PRODUCT.md's table written out a second time, independently of `RULES`, as
/// (state, action, caller, expected target). Every pair not listed must be refused.
fn expected() -> Vec<(PlanStatus, Action, &'static str, Target)> {
    use Action as A;
    use Target::*;
    let mut v = vec![
        (S::Draft, A::Submit, "owner", State(S::Submitted)),
        (S::NeedsInfo, A::Submit, "owner", State(S::Submitted)),
        (S::Draft, A::Edit, "owner", State(S::Draft)),
        (S::NeedsInfo, A::Edit, "owner", State(S::NeedsInfo)),
        (S::Draft, A::Delete, "owner", Deleted),
        (S::Submitted, A::Withdraw, "owner", State(S::Withdrawn)),
        (S::InReview, A::Withdraw, "owner", State(S::Withdrawn)),
        (S::NeedsInfo, A::Withdraw, "owner", State(S::Withdrawn)),
        (S::PreAdvised, A::Withdraw, "owner", State(S::Withdrawn)),
        (S::Voting, A::Withdraw, "owner", State(S::Withdrawn)),
        // Decided but not yet published (the plans here are uncovered).
        (S::Approved, A::Withdraw, "owner", State(S::Withdrawn)),
        (S::Rejected, A::Withdraw, "owner", State(S::Withdrawn)),
        (
            S::Submitted,
            A::StartReview,
            "programme_team",
            State(S::InReview),
        ),
        (
            S::InReview,
            A::RequestInfo,
            "programme_team",
            State(S::NeedsInfo),
        ),
        (
            S::InReview,
            A::Evaluate,
            "programme_team",
            State(S::InReview),
        ),
        (S::InReview, A::Evaluate, "reviewer", State(S::InReview)),
        (
            S::InReview,
            A::RecordPreAdvice,
            "programme_team",
            State(S::PreAdvised),
        ),
        (
            S::PreAdvised,
            A::RevisePreAdvice,
            "programme_team",
            State(S::InReview),
        ),
        (
            S::PreAdvised,
            A::OpenVote,
            "programme_team",
            State(S::Voting),
        ),
        (S::PreAdvised, A::OpenVote, "board_chair", State(S::Voting)),
        (S::Voting, A::Vote, "board_member", State(S::Voting)),
        (S::Voting, A::Vote, "board_chair", State(S::Voting)),
        (
            S::Voting,
            A::CancelVote,
            "programme_team",
            State(S::InReview),
        ),
        (S::Voting, A::CloseVote, "board_chair", ByTally),
        (
            S::Submitted,
            A::MergeInto,
            "programme_team",
            State(S::Merged),
        ),
        (
            S::InReview,
            A::MergeInto,
            "programme_team",
            State(S::Merged),
        ),
        (S::Approved, A::Adopt, "programme_team", State(S::Adopted)),
        // The adoption publishes a rejection as it stands (until it is published).
        (S::Rejected, A::Adopt, "programme_team", State(S::Rejected)),
    ];
    for s in [
        S::Submitted,
        S::InReview,
        S::NeedsInfo,
        S::PreAdvised,
        S::Voting,
    ] {
        v.push((s, A::DeclareConflict, "board_member", State(s)));
        v.push((s, A::DeclareConflict, "board_chair", State(s)));
    }
    v.sort_by_key(|(s, a, w, _)| (s.as_str(), a.as_str(), *w));
    v
}

#[test]
fn every_state_action_and_role_is_decided_as_the_table_says() {
    let expected = expected();
    let mut checked = 0;
    for status in PlanStatus::ALL {
        for action in Action::ALL {
            for (who, actor) in actors() {
                let plan = PlanRef {
                    status,
                    owner_id: OWNER,
                    co_applicant_ids: &[],
                    published: false,
                };
                let got = decide(plan, action, &actor);
                let want = expected
                    .iter()
                    .find(|(s, a, w, _)| *s == status && *a == action && *w == who)
                    .map(|(_, _, _, t)| *t);
                match (want, got) {
                    (Some(t), Ok(tr)) => {
                        assert_eq!(tr.to, t, "{status:?} {action:?} {who}");
                        assert_eq!(tr.from, status);
                    }
                    (None, Err(DomainError::Forbidden(_)))
                    | (None, Err(DomainError::NotAllowed { .. })) => {}
                    (want, got) => {
                        panic!("{status:?} × {action:?} × {who}: expected {want:?}, got {got:?}")
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 11 * 16 * 7);
}

#[test]
fn a_wrong_state_names_the_state_and_its_actions() {
    let owner = &actors()[0].1;
    let err = decide(
        PlanRef {
            status: S::InReview,
            owner_id: OWNER,
            co_applicant_ids: &[],
            published: false,
        },
        Action::Submit,
        owner,
    )
    .unwrap_err();
    match &err {
        DomainError::NotAllowed { state, allowed, .. } => {
            assert_eq!(*state, ShownStatus::Actual(S::InReview));
            assert_eq!(
                allowed,
                &vec![
                    Action::Withdraw,
                    Action::RequestInfo,
                    Action::Evaluate,
                    Action::RecordPreAdvice,
                    Action::MergeInto,
                    Action::DeclareConflict
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let msg = err.message();
    assert!(
        msg.contains("in_review") && msg.contains("request_info"),
        "{msg}"
    );
}

#[test]
fn a_role_that_can_never_act_is_forbidden_not_conflicted() {
    let member = &actors()[3].1;
    assert_eq!(
        decide(
            PlanRef {
                status: S::Submitted,
                owner_id: OWNER,
                co_applicant_ids: &[],
                published: false,
            },
            Action::StartReview,
            member
        ),
        Err(forbidden(Action::StartReview))
    );
    // The team could start a review, just not from in_review: a conflict.
    let team = &actors()[2].1;
    assert!(matches!(
        decide(
            PlanRef {
                status: S::InReview,
                owner_id: OWNER,
                co_applicant_ids: &[],
                published: false,
            },
            Action::StartReview,
            team
        ),
        Err(DomainError::NotAllowed { .. })
    ));
}

#[test]
fn allowed_actions_follow_the_caller() {
    let all = actors();
    let plan = PlanRef {
        status: S::PreAdvised,
        owner_id: OWNER,
        co_applicant_ids: &[],
        published: false,
    };
    assert_eq!(
        allowed_actions(plan, &all[2].1),
        vec![Action::RevisePreAdvice, Action::OpenVote]
    );
    assert_eq!(
        allowed_actions(plan, &all[4].1),
        vec![Action::OpenVote, Action::DeclareConflict]
    );
    assert_eq!(allowed_actions(plan, &all[0].1), vec![Action::Withdraw]);
    let draft = PlanRef {
        status: S::Draft,
        owner_id: OWNER,
        co_applicant_ids: &[],
        published: false,
    };
    assert_eq!(
        allowed_actions(draft, &all[0].1),
        vec![Action::Edit, Action::Delete, Action::Submit]
    );
    assert!(allowed_actions(draft, &all[1].1).is_empty());
}

#[test]
fn a_closed_vote_goes_where_the_tally_leads_and_nowhere_else() {
    let chair = &actors()[4].1;
    let t = decide(
        PlanRef {
            status: S::Voting,
            owner_id: OWNER,
            co_applicant_ids: &[],
            published: false,
        },
        Action::CloseVote,
        chair,
    )
    .unwrap();
    let granted = crate::domain::Eur::parse(5).unwrap();
    assert_eq!(
        t.target(Some(Outcome::Approved { granted })),
        Some(S::Approved)
    );
    assert_eq!(t.target(Some(Outcome::Rejected)), Some(S::Rejected));
    assert_eq!(t.target(Some(Outcome::BackToReview)), Some(S::InReview));
    assert_eq!(t.target(None), None);
    assert!(t.is_recorded(S::InReview));
    let team = &actors()[2].1;
    let review = decide(
        PlanRef {
            status: S::Submitted,
            owner_id: OWNER,
            co_applicant_ids: &[],
            published: false,
        },
        Action::StartReview,
        team,
    )
    .unwrap();
    assert_eq!(review.target(None), Some(S::InReview));
    let evaluate = decide(
        PlanRef {
            status: S::InReview,
            owner_id: OWNER,
            co_applicant_ids: &[],
            published: false,
        },
        Action::Evaluate,
        team,
    )
    .unwrap();
    assert!(!evaluate.is_recorded(evaluate.target(None).unwrap()));
}

#[test]
fn an_applicant_is_refused_as_they_see_the_plan() {
    let owner = &actors()[0].1;
    let approved = PlanRef {
        status: S::Approved,
        owner_id: OWNER,
        co_applicant_ids: &[],
        published: false,
    };
    match decide_as_seen(approved, Action::Edit, owner) {
        Err(DomainError::NotAllowed { state, allowed, .. }) => {
            assert_eq!(state, ShownStatus::InAssessment);
            assert_eq!(allowed, vec![Action::Withdraw], "no staff action");
        }
        other => panic!("{other:?}"),
    }
    let msg = decide_as_seen(approved, Action::Edit, owner)
        .unwrap_err()
        .message();
    assert!(!msg.contains("approved") && !msg.contains("adopt"), "{msg}");
    // Staff hear the real state and everything it allows.
    let team = &actors()[2].1;
    match decide_as_seen(approved, Action::StartReview, team) {
        Err(DomainError::NotAllowed { state, allowed, .. }) => {
            assert_eq!(state, ShownStatus::Actual(S::Approved));
            assert_eq!(allowed, vec![Action::Withdraw, Action::Adopt]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_decided_plan_may_be_withdrawn_until_an_adoption_publishes_it() {
    let owner = &actors()[0].1;
    for status in [S::Approved, S::Rejected] {
        let mut plan = PlanRef {
            status,
            owner_id: OWNER,
            co_applicant_ids: &[],
            published: false,
        };
        assert!(decide(plan, Action::Withdraw, owner).is_ok());
        plan.published = true;
        assert!(matches!(
            decide(plan, Action::Withdraw, owner),
            Err(DomainError::NotAllowed { .. })
        ));
    }
}

proptest! {
    #[test]
    fn terminal_states_accept_no_action(
        s in prop::sample::select(PlanStatus::ALL.to_vec()),
        a in prop::sample::select(Action::ALL.to_vec()),
        who in 0usize..6,
    ) {
        let actor = &actors()[who].1;
        let plan = PlanRef { status: s, owner_id: OWNER,
            co_applicant_ids: &[], published: true };
        let result = decide(plan, a, actor);
        if s.is_terminal() {
            prop_assert!(result.is_err());
            let allowed = actions_in(plan);
            prop_assert!(allowed.is_empty());
        }
    }
}

#[test]
fn an_answer_is_kept_only_while_the_plan_waits_for_one() {
    assert!(check_keeps_answer(PlanStatus::NeedsInfo).is_ok());
    for s in [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::InReview,
    ] {
        assert!(matches!(
            check_keeps_answer(s),
            Err(DomainError::Conflict(_))
        ));
    }
}

#[test]
fn a_co_applicant_edits_and_the_owner_alone_submits_withdraws_and_deletes() {
    let co_ids = ["u-co".to_string()];
    let co = Actor {
        user_id: "u-co".into(),
        roles: vec![Role::Applicant],
        organisation_id: None,
    };
    for status in PlanStatus::ALL {
        let plan = PlanRef {
            status,
            owner_id: OWNER,
            co_applicant_ids: &co_ids,
            published: false,
        };
        let allowed = allowed_actions(plan, &co);
        let want: Vec<Action> = if matches!(status, S::Draft | S::NeedsInfo) {
            vec![Action::Edit]
        } else {
            vec![]
        };
        assert_eq!(allowed, want, "{status:?}");
        for action in [Action::Submit, Action::Withdraw, Action::Delete] {
            assert!(decide(plan, action, &co).is_err(), "{status:?} {action:?}");
        }
    }
}
