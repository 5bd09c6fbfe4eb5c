//! `cargo run --release -p testrail-bench -- [harness|compile|export|validation|faults|all]`,
//! and `crash` (the randomized crash test) and `reliability` (the table of
//! `RELIABILITY.md`), which `all` leaves out.
//!
//! Options: `--runs R` (alternating runs per side, default 5), `--sizes 5000,50000`
//! (export), `--only KEY,...` (export scenarios `0ms`, `50ms`, `180/min`, fault or
//! reliability keys), `--no-trcli`, `--seeds N` (crash seeds 1..=N, default 200; 20 for
//! `reliability`), `--seed S` (one crash seed). The report is printed and written to `target/bench-work/report-<what>.md`.

use std::process::ExitCode;

use testrail_bench::bench::{self, Options, Report};

const USAGE: &str = "usage: testrail-bench [harness|compile|export|validation|faults|crash|reliability|all] [--runs R] [--sizes N,N] [--only KEY,..] [--no-trcli] [--seeds N] [--seed S]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__measure") {
        return testrail_bench::measure::wrapper_main(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("spool") {
        // `testrail-bench spool DIR SESSION N`: a session directory with a spool file of
        // N outcomes (cases 1..N), for profiling an export by hand.
        let (Some(dir), Some(session), Some(n)) = (
            args.get(1),
            args.get(2),
            args.get(3).and_then(|n| n.parse::<u64>().ok()),
        ) else {
            eprintln!("usage: testrail-bench spool SESSION_DIR SESSION N");
            return ExitCode::from(2);
        };
        let cases: Vec<u64> = (1..=n).collect();
        let path = testrail_bench::data::write_spool(std::path::Path::new(dir), session, &cases);
        println!("{}", path.display());
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("export-child") {
        let (Some(dir), Some(session)) = (args.get(1), args.get(2)) else {
            eprintln!("usage: testrail-bench export-child SESSION_DIR SESSION");
            return ExitCode::from(2);
        };
        return bench::export::child(std::path::Path::new(dir), session);
    }
    let mut what = None;
    let mut opts = Options::default();
    let mut seeds = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| {
            iter.next().cloned().unwrap_or_else(|| {
                eprintln!("{name} needs a value\n{USAGE}");
                std::process::exit(2)
            })
        };
        match arg.as_str() {
            "--runs" => opts.runs = value("--runs").parse().unwrap_or(5).max(1),
            "--sizes" => {
                opts.sizes = value("--sizes")
                    .split(',')
                    .filter_map(|n| n.trim().replace('_', "").parse().ok())
                    .collect()
            }
            "--only" => {
                opts.only = value("--only")
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .collect()
            }
            "--no-trcli" => opts.no_trcli = true,
            "--seeds" => {
                seeds = Some(value("--seeds").parse().unwrap_or_else(|_| {
                    eprintln!("--seeds needs a number\n{USAGE}");
                    std::process::exit(2)
                }))
            }
            "--seed" => {
                opts.seed = Some(value("--seed").parse().unwrap_or_else(|_| {
                    eprintln!("--seed needs a number\n{USAGE}");
                    std::process::exit(2)
                }))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "harness" | "compile" | "export" | "validation" | "faults" | "crash"
            | "reliability" | "all"
                if what.is_none() =>
            {
                what = Some(arg.clone())
            }
            other => {
                eprintln!("unknown argument {other:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let what = what.unwrap_or_else(|| "all".into());
    opts.seeds = seeds.unwrap_or(if what == "reliability" { 20 } else { 200 });
    let mut report = Report::default();
    report.add(&format!(
        "# testrail-rs benchmarks (`{what}`)\n\nReproduce: `cargo run --release -p testrail-bench -- {what}`\n\n### Machine\n\n{}",
        bench::machine()
    ));
    let all = what == "all";
    let mut ok = true;
    if all || what == "harness" {
        bench::harness::run(&mut report, &opts);
    }
    if all || what == "compile" {
        bench::compile::run(&mut report, &opts);
    }
    if all || what == "export" {
        bench::export::run(&mut report, &opts);
    }
    if all || what == "validation" {
        bench::validation::run(&mut report, &opts);
    }
    if all || what == "faults" {
        ok &= bench::fault_table::run(&mut report, &opts);
    }
    if what == "crash" {
        ok &= bench::crash::run(&mut report, &opts);
    }
    if what == "reliability" {
        ok &= bench::reliability::run(&mut report, &opts);
    }
    report.add(&format!(
        "Load average at the end: {}\n",
        bench::load_average()
    ));
    let path = report.save(&what);
    eprintln!("report written to {}", path.display());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
