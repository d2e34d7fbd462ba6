-- Accounts, organisations and rounds. Portable types: TEXT ids (UUID v7), BIGINT money,
-- TIMESTAMP in UTC, JSON as TEXT, so one schema.rs serves SQLite and PostgreSQL.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    roles TEXT NOT NULL,
    kind TEXT,
    organisation_id TEXT REFERENCES organisations (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE rounds (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    programme TEXT NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    catalog TEXT NOT NULL,
    adopted_on DATE,
    adoption_reference TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
