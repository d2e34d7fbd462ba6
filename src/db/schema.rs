//! The portable schema shared by both backends (kept by hand: see diesel.toml).

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        kind -> Text,
        created_at -> Timestamp,
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
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::allow_tables_to_appear_in_same_query!(organisations, users, rounds);
