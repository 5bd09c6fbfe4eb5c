//! TestRail simulator.
