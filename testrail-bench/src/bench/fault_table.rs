//! The fault-injection report: N = 5,000 results through every fault of the catalogue,
//! ours (resuming while the export fails, with the real retry waits) next to trcli (run
//! again once when it fails, as a user would).

use super::{Options, Report, secs};
use crate::faults::{self, FaultCase};
use crate::sim::{self, Stored};
use crate::trcli;

/// Results per fault.
pub const N: u64 = 5_000;

fn stored_text(stored: &Stored, cases: &[u64]) -> String {
    format!(
        "{}/{} ({} run{})",
        cases.len() - stored.missing(cases),
        cases.len(),
        stored.runs,
        if stored.runs == 1 { "" } else { "s" }
    )
}

struct TrcliRow {
    did: String,
    stored: String,
    duplicates: usize,
    after_rerun: String,
}

fn trcli_through(case: &FaultCase, trcli: &std::path::Path, cases: &[u64]) -> TrcliRow {
    let work = crate::work_dir().join("faults");
    std::fs::create_dir_all(&work).expect("a work directory");
    let home = trcli::home(&work);
    let junit = work.join(format!("faults-{N}.xml"));
    if !junit.exists() {
        crate::data::write_junit(&junit, cases);
    }
    let sim = sim::spawn(sim::fixture(N), case.rules.clone());
    let first = trcli::parse_junit(trcli, &home, &sim, &junit, &case.trcli_global, &work);
    faults::wait_out_hangs(case);
    faults::settle(&sim);
    let after_first = Stored::of(&sim);
    let counters = sim.counters();
    let statuses: Vec<String> = counters
        .per_status
        .iter()
        .filter(|(status, _)| status.as_str() != "200")
        .map(|(status, n)| {
            if status == "0" {
                format!("{n} dropped")
            } else {
                format!("{n}×{status}")
            }
        })
        .collect();
    let deleted = counters
        .per_endpoint
        .get("delete_run")
        .copied()
        .unwrap_or(0);
    let did = format!(
        "exit {} in {}{}; {} requests{}",
        first.measured.code,
        secs(first.measured.wall),
        if first.measured.code == 0 {
            String::new()
        } else {
            format!(" ({})", faults::short(&first.last_line()))
        },
        counters.requests,
        {
            let mut extra = statuses.clone();
            if deleted > 0 {
                extra.push(format!("deleted its run ×{deleted}"));
            }
            if extra.is_empty() {
                String::new()
            } else {
                format!(" ({})", extra.join(", "))
            }
        }
    );
    let after_rerun = if first.measured.code != 0 {
        let again = trcli::parse_junit(trcli, &home, &sim, &junit, &case.trcli_global, &work);
        faults::settle(&sim);
        let stored = Stored::of(&sim);
        format!(
            "rerun exit {}: {}, {} duplicates",
            again.measured.code,
            stored_text(&stored, cases),
            stored.duplicates()
        )
    } else {
        "–".into()
    };
    TrcliRow {
        did,
        stored: stored_text(&after_first, cases),
        duplicates: after_first.duplicates(),
        after_rerun,
    }
}

/// Runs the benchmark and adds its section to the report; returns whether every fault
/// ended with every result stored exactly once on our side.
pub fn run(report: &mut Report, opts: &Options) -> bool {
    let trcli = if opts.no_trcli {
        None
    } else {
        trcli::ensure().ok()
    };
    let cases: Vec<u64> = (1..=N).collect();
    let mut rows = Vec::new();
    let mut all_once = true;
    for case in faults::catalogue() {
        if !opts.selected(case.key) {
            continue;
        }
        eprintln!("  fault {}: ours", case.key);
        let ours = faults::export_through(&case, N, false, 4);
        all_once &= ours.exactly_once();
        let theirs = trcli.as_ref().map(|trcli| {
            eprintln!("  fault {}: trcli", case.key);
            trcli_through(&case, trcli, &cases)
        });
        rows.push(vec![
            case.title.to_owned(),
            format!("{} (in {})", ours.what_we_did(), secs(ours.wall)),
            stored_text(&ours.stored, &ours.cases),
            ours.stored.duplicates().to_string(),
            theirs.as_ref().map(|t| t.did.clone()).unwrap_or_default(),
            theirs
                .as_ref()
                .map(|t| t.stored.clone())
                .unwrap_or_default(),
            theirs
                .as_ref()
                .map(|t| t.duplicates.to_string())
                .unwrap_or_default(),
            theirs
                .as_ref()
                .map(|t| t.after_rerun.clone())
                .unwrap_or_default(),
        ]);
    }
    report.add(&format!(
        "## 5. Faults\n\n{N} results (every 10th failed) into a fresh simulator per fault, batches of 250 (trcli: 50). Ours: the export in the bench process with the real retry waits (backoff from 1 s, Retry-After honoured up to 60 s, 5 s without one); a failed export is resumed by running the same export again on the same session directory (what `cargo testrail upload` does). trcli: run once, and once more when it failed. \"stored\" counts cases with at least one result; \"duplicates\" counts extra results. The same faults, asserted exactly-once, are `cargo test -p testrail-bench --release --test faults`.\n"
    ));
    report.table(
        &[
            "fault",
            "what we did",
            "stored",
            "duplicates",
            "what trcli did",
            "trcli stored",
            "trcli duplicates",
            "trcli run again",
        ],
        &rows,
    );
    all_once
}
