//! The portable schema shared by both backends (kept by hand: see diesel.toml).

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        created_at -> Timestamp,
        contact_email -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        roles -> Text,
        kind -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        session_epoch -> BigInt,
        organisation_confirmed -> Bool,
        last_seen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rounds (id) {
        id -> Text,
        name -> Text,
        programme -> Text,
        start_year -> Integer,
        end_year -> Integer,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        catalog -> Text,
        adopted_on -> Nullable<Date>,
        adoption_reference -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        authority -> Text,
        legal_basis -> Text,
        objection_address -> Text,
        advance_share -> Integer,
        reference_prefix -> Text,
    }
}

diesel::table! {
    reference_counters (key) {
        key -> Text,
        last -> BigInt,
    }
}

diesel::table! {
    adoptions (id) {
        id -> Text,
        round_id -> Text,
        seq -> Integer,
        adopted_on -> Date,
        reference -> Text,
        deferred -> Text,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    plans (id) {
        id -> Text,
        round_id -> Text,
        owner_id -> Text,
        applicant_kind -> Text,
        status -> Text,
        version -> BigInt,
        title -> Text,
        budget_line -> Nullable<Text>,
        goals_index -> Text,
        search_text -> Text,
        requested_eur -> Nullable<BigInt>,
        content -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        pre_advice -> Nullable<Text>,
        proposed_eur -> Nullable<BigInt>,
        total_score -> Nullable<Integer>,
        granted_eur -> Nullable<BigInt>,
        decision -> Nullable<Text>,
        merged_into -> Nullable<Text>,
        info_request -> Nullable<Text>,
        shown_version -> BigInt,
        shown_updated_at -> Timestamp,
        adoption_id -> Nullable<Text>,
        own_action_of -> Nullable<Text>,
        reference -> Nullable<Text>,
    }
}

diesel::table! {
    evaluations (plan_id, reviewer_id) {
        plan_id -> Text,
        reviewer_id -> Text,
        scores -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    votes (plan_id, member_id) {
        plan_id -> Text,
        member_id -> Text,
        vote -> Text,
        comment -> Text,
        cast_at -> Timestamp,
    }
}

diesel::table! {
    conflicts (plan_id, member_id) {
        plan_id -> Text,
        member_id -> Text,
        reason -> Text,
        declared_at -> Timestamp,
    }
}

diesel::table! {
    budget_lines (round_id, theme) {
        round_id -> Text,
        theme -> Text,
        budget_eur -> BigInt,
    }
}

diesel::table! {
    plan_events (id) {
        id -> Text,
        plan_id -> Text,
        actor_id -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        at -> Timestamp,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    plan_versions (plan_id, version) {
        plan_id -> Text,
        version -> Integer,
        submitted_at -> Timestamp,
        snapshot -> Text,
        submitted_by -> Nullable<Text>,
    }
}

diesel::table! {
    plan_co_applicants (plan_id, user_id) {
        plan_id -> Text,
        user_id -> Text,
        invited_by -> Text,
        invited_at -> Timestamp,
    }
}

diesel::table! {
    processing_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_role -> Text,
        activity -> Text,
        record_kind -> Text,
        record_id -> Text,
        subject_id -> Nullable<Text>,
    }
}

diesel::table! {
    retention_warnings (kind, record_id) {
        kind -> Text,
        record_id -> Text,
        warned_at -> Timestamp,
    }
}

diesel::table! {
    plan_assignees (plan_id, user_id) {
        plan_id -> Text,
        user_id -> Text,
        assigned_by -> Text,
        assigned_at -> Timestamp,
        due_on -> Nullable<Date>,
        reminded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_edits (plan_id, user_id, at) {
        plan_id -> Text,
        user_id -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(plans -> rounds (round_id));
diesel::joinable!(adoptions -> rounds (round_id));
diesel::joinable!(plan_events -> plans (plan_id));
diesel::joinable!(plan_versions -> plans (plan_id));
diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        plan_id -> Nullable<Text>,
        created_at -> Timestamp,
        adoption_id -> Nullable<Text>,
        letter -> Nullable<Text>,
    }
}

diesel::table! {
    magic_links (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        session_epoch -> BigInt,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        session_epoch -> BigInt,
        csrf -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        second_factor -> Bool,
        awaiting_code -> Bool,
    }
}

diesel::table! {
    plan_messages (id) {
        id -> Text,
        plan_id -> Text,
        author_id -> Text,
        author_role -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plan_attachments (id) {
        id -> Text,
        plan_id -> Text,
        position -> Integer,
        uploader_id -> Text,
        name -> Text,
        media_type -> Text,
        size -> BigInt,
        added_at -> Timestamp,
    }
}

diesel::table! {
    message_notices (plan_id, user_id) {
        plan_id -> Text,
        user_id -> Text,
        mailed_at -> Nullable<Timestamp>,
        waiting_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oidc_links (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    oidc_requests (state_hash) {
        state_hash -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    totp_factors (user_id) {
        user_id -> Text,
        secret -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (code_hash) {
        code_hash -> Text,
        user_id -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attempts (key) {
        key -> Text,
        window_start -> Timestamp,
        count -> Integer,
    }
}

diesel::table! {
    plan_changes (round_id) {
        round_id -> Text,
        changes -> BigInt,
    }
}

diesel::table! {
    plan_links (plan_id, target_id) {
        plan_id -> Text,
        target_id -> Text,
        relation -> Text,
    }
}

diesel::joinable!(plan_links -> plans (plan_id));

diesel::table! {
    reservations (id) {
        id -> Text,
        round_id -> Text,
        theme -> Text,
        amount_eur -> BigInt,
        purpose -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
        plan_id -> Nullable<Text>,
    }
}

diesel::joinable!(reservations -> rounds (round_id));

diesel::table! {
    bank_accounts (organisation_id) {
        organisation_id -> Text,
        iban -> Text,
        holder -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_notes (plan_id) {
        plan_id -> Text,
        note -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grant_conditions (id) {
        id -> Text,
        grant_id -> Text,
        position -> Integer,
        text -> Text,
        before_payment -> Text,
        met_on -> Nullable<Date>,
        met_by -> Nullable<Text>,
        note -> Text,
    }
}

diesel::table! {
    bank_account_changes (id) {
        id -> Text,
        organisation_id -> Text,
        iban -> Text,
        holder -> Text,
        previous_iban -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        plan_id -> Text,
        round_id -> Text,
        amount_eur -> BigInt,
        payee_id -> Nullable<Text>,
        status -> Text,
        final_eur -> Nullable<BigInt>,
        final_motivation -> Nullable<Text>,
        claim_eur -> Nullable<BigInt>,
        stopped_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_batches (id) {
        id -> Text,
        status -> Text,
        total_eur -> BigInt,
        payment_count -> BigInt,
        execution_date -> Date,
        created_by -> Text,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        sepa_file -> Nullable<Text>,
    }
}

diesel::table! {
    batch_transfers (batch_id, payment_id) {
        batch_id -> Text,
        payment_id -> Text,
        iban -> Text,
        holder -> Text,
        remittance -> Text,
    }
}

diesel::table! {
    payments (id) {
        id -> Text,
        grant_id -> Text,
        kind -> Text,
        amount_eur -> BigInt,
        status -> Text,
        batch_id -> Nullable<Text>,
        created_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    grant_reports (id) {
        id -> Text,
        grant_id -> Text,
        kind -> Text,
        due_on -> Date,
        done -> Nullable<Text>,
        reach -> Nullable<BigInt>,
        spent -> Nullable<Text>,
        stopped_reason -> Nullable<Text>,
        filed_at -> Nullable<Timestamp>,
        filed_by -> Nullable<Text>,
        accepted_at -> Nullable<Timestamp>,
        reminded_soon_on -> Nullable<Date>,
        reminded_late_on -> Nullable<Date>,
    }
}

diesel::table! {
    email_changes (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        new_email -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        session_epoch -> BigInt,
    }
}

diesel::table! {
    answer_drafts (plan_id) {
        plan_id -> Text,
        text -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    report_attachments (id) {
        id -> Text,
        report_id -> Text,
        position -> Integer,
        name -> Text,
        media_type -> Text,
        size -> BigInt,
        added_at -> Timestamp,
    }
}

diesel::joinable!(report_attachments -> grant_reports (report_id));
diesel::joinable!(payments -> grants (grant_id));
diesel::joinable!(grant_reports -> grants (grant_id));
diesel::joinable!(grants -> plans (plan_id));

diesel::allow_tables_to_appear_in_same_query!(
    oidc_links,
    oidc_requests,
    plan_messages,
    message_notices,
    plan_attachments,
    plan_co_applicants,
    plan_assignees,
    retention_warnings,
    processing_log,
    plan_edits,
    totp_factors,
    recovery_codes,
    email_changes,
    answer_drafts,
    report_attachments,
    reference_counters,
    batch_transfers,
    bank_accounts,
    bank_account_changes,
    grant_conditions,
    plan_notes,
    grants,
    payment_batches,
    payments,
    grant_reports,
    plan_links,
    reservations,
    outbox,
    adoptions,
    sessions,
    magic_links,
    plans,
    rounds,
    users,
    organisations,
    plan_events,
    plan_versions
);
