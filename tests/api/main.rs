//! Black-box tests over HTTP against a spawned app. Run on SQLite by default and on
//! PostgreSQL when `PLANLOKET_TEST_POSTGRES_URL` is set (see README → Tests).

mod helpers;

mod hostile;
mod letters;
mod listing;

mod accounts;
mod action_table;
mod adoptions;
mod assessment;
mod binary;
mod board;
mod co_applicants;
mod confidentiality;
mod conventions;
mod conversation;
mod erasure;
mod faults;
mod filed_for;
mod funding;
mod grants;
mod mail;
mod merging;
mod metrics;
mod my_data;
mod openapi;
mod operations;
mod organisations;
mod overview;
mod payments;
mod plan_attachments;
mod plans;
mod plenary;
mod processing;
mod readiness;
mod reservations;
mod retention;
mod reviewers;
mod rounds;
mod second_factor;
mod smtp;
mod tokens;
