//! Nothing here: the scenarios are the test targets in `tests/`.
