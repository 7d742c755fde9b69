//! Test support: a throwaway PostgreSQL cluster per test binary (in progress).
