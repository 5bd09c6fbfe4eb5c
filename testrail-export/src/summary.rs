//! The lines printed after an export: where the results went and what was skipped.

use std::fmt::Write as _;

use crate::ExportSummary;

/// Renders an export summary.
pub fn render(summary: &ExportSummary) -> String {
    let mut text = String::new();
    let runs: Vec<String> = summary
        .runs
        .iter()
        .map(|(id, url)| format!("R{id} {url}"))
        .collect();
    let plan = summary
        .plan_id
        .map(|id| format!(" in plan {id}"))
        .unwrap_or_default();
    if runs.is_empty() && summary.already_stored == 0 {
        let _ = writeln!(
            text,
            "testrail: nothing to send: no test has a result to report, so no run was made or changed"
        );
    } else if runs.is_empty() {
        let _ = writeln!(
            text,
            "testrail: nothing new to send ({} result(s) already stored)",
            summary.already_stored
        );
    } else {
        let _ = writeln!(
            text,
            "testrail: sent {} result(s) in {} request(s) to {}{plan}",
            summary.sent,
            summary.batches,
            runs.join(", ")
        );
        if summary.already_stored > 0 {
            let _ = writeln!(text, "  already stored before: {}", summary.already_stored);
        }
        if summary.kept_worse > 0 {
            let _ = writeln!(
                text,
                "  worst wins: {} result(s) sent with the worse status an earlier test binary of this session reported (their comments name both)",
                summary.kept_worse
            );
        }
    }
    if summary.attachments_sent > 0 {
        let _ = writeln!(text, "  attachments sent: {}", summary.attachments_sent);
    }
    if summary.attachments_stored > 0 {
        let _ = writeln!(
            text,
            "  attachments already stored before: {}",
            summary.attachments_stored
        );
    }
    for line in &summary.attachments_skipped {
        let _ = writeln!(text, "  warning: {line}");
    }
    let list = |ids: &[u64]| {
        ids.iter()
            .map(|id| format!("C{id}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !summary.unconfigured.is_empty() {
        let _ = writeln!(
            text,
            "  warning: skipped (suite not configured): {}",
            list(&summary.unconfigured)
        );
    }
    if !summary.missing.is_empty() {
        let _ = writeln!(
            text,
            "  warning: skipped (no longer in TestRail): {}",
            list(&summary.missing)
        );
    }
    for (case_id, reason) in &summary.refused {
        let _ = writeln!(
            text,
            "  warning: not delivered, TestRail refused C{case_id} (deleted or no longer in the run): {reason}"
        );
    }
    for (case_id, reason) in &summary.not_reported {
        let _ = writeln!(text, "  not reported: C{case_id}: {reason}");
    }
    text
}
