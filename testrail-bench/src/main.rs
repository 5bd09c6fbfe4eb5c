//! `cargo run --release -p testrail-bench -- [harness|isolation|compile|export|validation|faults|e2e|all]`,
//! and `crash` (the randomized crash test) and `reliability` (the table of
//! `RELIABILITY.md`), which `all` leaves out.
//!
//! `testrail-bench --help` lists the options. The report is printed and written to
//! `target/bench-work/report-<what>.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use testrail_bench::bench::{self, Options, Report};

/// The benchmarks of testrail-rs. The report is printed and written to
/// `target/bench-work/report-<what>.md`.
#[derive(Parser)]
#[command(name = "testrail-bench", version)]
struct Cli {
    /// Which benchmark (`all` when none is named).
    #[command(subcommand)]
    what: Option<What>,
    /// Rounds of each measurement; each round runs every side once, in a rotating order
    /// (harness, compile and end-to-end benchmarks).
    #[arg(long, alias = "runs", global = true, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    rounds: u64,
    /// Tests in the large crate of the compile benchmark (the small one has one).
    #[arg(long, global = true, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(2..))]
    tests: u32,
    /// Result counts of the export benchmark.
    #[arg(long, global = true, value_delimiter = ',', default_values_t = [5_000u64, 50_000])]
    sizes: Vec<u64>,
    /// Only these export scenarios (`0ms`, `50ms`, `180/min`), fault or reliability keys,
    /// end-to-end ways (`a`, `b`, `c`); `alone` runs the compile benchmark without its
    /// builds from scratch.
    #[arg(long, global = true, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave trcli out (e.g. without Python).
    #[arg(long, global = true)]
    no_trcli: bool,
    /// Seeds of the crash test, 1..=N (default 200; 20 for `reliability`).
    #[arg(long, global = true)]
    seeds: Option<u64>,
    /// One crash seed only (replaying a failure).
    #[arg(long, global = true)]
    seed: Option<u64>,
}

#[derive(Subcommand, Clone, PartialEq, Eq)]
enum What {
    /// Run time of 10,000 tests: our harness against libtest; then what isolation costs.
    Harness,
    /// What isolation costs: trivial tests in-process, isolated, and by cargo-nextest.
    Isolation,
    /// Build cost: clean build time and debug binary size of a one-test and a large crate,
    /// plain `#[test]` against `testrail` with and without its default features.
    Compile,
    /// Export throughput against the simulator (and trcli).
    Export,
    /// Validation of the export's results.
    Validation,
    /// The fault table.
    Faults,
    /// End to end, from `cargo` start to results in the simulator: nextest + JUnit + trcli
    /// against `cargo test` with our export and nextest + `cargo testrail upload`
    /// (`--only a,b,c` picks ways).
    E2e,
    /// The randomized crash test (not part of `all`).
    Crash,
    /// The table of RELIABILITY.md (not part of `all`).
    Reliability,
    /// Everything but `crash` and `reliability`.
    All,
    /// A session directory with a spool file of N outcomes (cases 1..N), for profiling an
    /// export by hand; prints the spool file's path.
    Spool {
        /// The session directory.
        dir: PathBuf,
        /// The session key.
        session: String,
        /// Outcomes.
        n: u64,
    },
    /// The child process of the export benchmark.
    #[command(hide = true)]
    ExportChild {
        /// The session directory.
        dir: PathBuf,
        /// The session key.
        session: String,
    },
}

impl What {
    fn name(&self) -> &'static str {
        match self {
            What::Harness => "harness",
            What::Isolation => "isolation",
            What::Compile => "compile",
            What::Export => "export",
            What::Validation => "validation",
            What::Faults => "faults",
            What::E2e => "e2e",
            What::Crash => "crash",
            What::Reliability => "reliability",
            What::All | What::Spool { .. } | What::ExportChild { .. } => "all",
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__measure") {
        // The measuring wrapper: its arguments are a command line, not options.
        return testrail_bench::measure::wrapper_main(&args[1..]);
    }
    let cli = Cli::parse();
    let what = match cli.what.clone().unwrap_or(What::All) {
        What::Spool { dir, session, n } => {
            let cases: Vec<u64> = (1..=n).collect();
            let path = testrail_bench::data::write_spool(&dir, &session, &cases);
            println!("{}", path.display());
            return ExitCode::SUCCESS;
        }
        What::ExportChild { dir, session } => return bench::export::child(&dir, &session),
        what => what.name().to_owned(),
    };
    let opts = Options {
        runs: usize::try_from(cli.rounds).unwrap_or(usize::MAX),
        compile_tests: cli.tests,
        sizes: cli.sizes,
        no_trcli: cli.no_trcli,
        only: cli.only,
        seeds: cli
            .seeds
            .unwrap_or(if what == "reliability" { 20 } else { 200 }),
        seed: cli.seed,
    };
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
    if all || what == "harness" || what == "isolation" {
        bench::harness::isolation(&mut report, &opts);
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
    if all || what == "e2e" {
        bench::e2e::run(&mut report, &opts);
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
