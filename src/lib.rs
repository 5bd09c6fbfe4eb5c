//! placeholder; the facade is written by the lead.
