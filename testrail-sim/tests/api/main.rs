//! The simulator's endpoints, rules and faults, driven over real HTTP.
//! One test binary, one module per topic.

mod common;

mod cases;
mod control;
mod faults;
mod meta;
mod pagination;
mod plans;
mod projects;
mod results;
mod runs;
mod sections;
mod transport;
