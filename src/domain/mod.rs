//! The rules of planloket as plain Rust: no web framework, no database, no mail.
//!
//! The use cases (`crate::app`) load these types, call a decision function and store what it
//! returns. Every rule of PRODUCT.md (domain rules, plan states, visibility) lives here once.

pub mod adoption;
pub mod assignment;
pub mod budget;
pub mod calendar;
pub mod client;
pub mod conflict;
pub mod conversation;
pub mod decision;
pub mod erasure;
pub mod errors;
pub mod evaluation;
pub mod grant;
pub mod money;
pub mod notice;
pub mod organisation;
pub mod overview;
pub mod permission;
pub mod plan;
pub mod plenary;
pub mod pre_advice;
pub mod processing;
pub mod reservation;
pub mod retention;
pub mod round;
pub mod second_factor;
pub mod session;
pub mod similarity;
pub mod single_sign_on;
pub mod state;
pub mod tally;
pub mod text;
pub mod throttle;
pub mod user;
pub mod visibility;

pub use errors::{Bilingual, DomainError, FieldError, FieldErrors};
pub use money::Eur;
