//! The adoption use cases against a real database.
use super::*;
use crate::app::testing::TestApp;
use crate::domain::DomainError;

#[test]
fn placeholder() {}
