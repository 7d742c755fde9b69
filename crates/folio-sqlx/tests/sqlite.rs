//! The shared suite on SQLite (an in-memory database per test).

mod common;

all_tests!(common::sqlite().await);
