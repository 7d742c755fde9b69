//! # folio-shop
//!
//! The reference API server of folio: the product catalogue and users' orders of the
//! source articles, served from SQLite (a file, created and seeded on first start),
//! PostgreSQL or MySQL/MariaDB, paginated in every mode folio offers. See
//! `folio-shop --help`.

pub mod api;
pub mod audit;
pub mod backend;
pub mod cli;
pub mod db;
pub mod progress;
pub mod seed;
pub mod server;
pub mod state;
pub mod web;
