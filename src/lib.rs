//! planloket: the REST API behind a municipal programme's call for project plans.

pub mod domain;
