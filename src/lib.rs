//! planloket: the REST API behind a municipal programme's call for project plans.

pub mod app;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod front;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod publish;
pub mod server;
pub mod sso;
pub mod startup;
pub mod web;
pub mod worker;
