//! Nothing: the scenario is the test target in `tests/plain.rs`.
