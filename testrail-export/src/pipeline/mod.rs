//! The export as five stages, each one pass over the previous stage's data:
//!
//! | stage | takes | gives |
//! |---|---|---|
//! | [`plan`] | [`plan::Facts`] (case reports, case states, statuses, step results, naming) and the journal | [`plan::Plan`]: per suite, the result items and the [`Step`](crate::target::Step) that gives them a run; what is skipped and why |
//! | [`prepare`] | [`plan::Plan`] | [`prepare::Prepared`]: per suite, the run and the items it still lacks |
//! | [`deliver`] | [`prepare::Prepared`] | [`deliver::Delivered`]: what was sent, found stored or refused |
//! | [`attach`] | the outcomes' attachments and the journal | the files uploaded to their results, once |
//! | [`close`] | [`deliver::Delivered`] | the [`ExportSummary`](crate::ExportSummary), the runs or plan closed when asked |
//!
//! The facts come from the spool ([`crate::report`]) and from TestRail's catalog
//! ([`crate::catalog`]); the dry run ([`crate::dry_run`]) prints the [`plan::Plan`] the same
//! planning computes, with placeholders for what only TestRail can tell.

pub mod attach;
pub mod close;
pub mod deliver;
pub mod plan;
pub mod prepare;
