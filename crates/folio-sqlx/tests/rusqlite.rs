//! The shared suite on SQLite through folio's own executor (`Rusqlite`, an
//! in-memory database per test).

mod common;

all_tests!(common::rusqlite());
