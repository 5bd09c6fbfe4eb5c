//! Harness runtime.
