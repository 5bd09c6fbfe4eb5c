//! The benchmarks and their report. Every figure is printed next to its target and ratio;
//! the whole report is also written as Markdown to `target/bench-work/report-<what>.md`.

pub mod compile;
pub mod crash;
pub mod e2e;
pub mod export;
pub mod fault_table;
pub mod harness;
pub mod reliability;
pub mod validation;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Options shared by the benchmarks.
#[derive(Clone, Debug)]
pub struct Options {
    /// Rounds per side (harness and compile benchmarks).
    pub runs: usize,
    /// Tests in the large crate of the compile benchmark.
    pub compile_tests: u32,
    /// Result counts of the export benchmark.
    pub sizes: Vec<u64>,
    /// Skip trcli (e.g. without Python).
    pub no_trcli: bool,
    /// Only these faults / scenarios (keys), when not empty.
    pub only: Vec<String>,
    /// Seeds of the crash test (1..=seeds).
    pub seeds: u64,
    /// One seed of the crash test only (replaying a failure).
    pub seed: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 5,
            compile_tests: 1_000,
            sizes: vec![5_000, 50_000],
            no_trcli: false,
            only: Vec::new(),
            seeds: 200,
            seed: None,
        }
    }
}

impl Options {
    /// Whether `key` is selected by `--only`.
    pub fn selected(&self, key: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|only| key == only)
    }
}

/// The Markdown report, printed as it grows.
#[derive(Default)]
pub struct Report {
    text: String,
}

impl Report {
    /// Adds (and prints) a block of Markdown.
    pub fn add(&mut self, block: &str) {
        println!("{block}");
        self.text.push_str(block);
        self.text.push('\n');
    }

    /// Adds (and prints) a table.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(
            out,
            "|{}|",
            header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
        );
        for row in rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        self.add(&out);
    }

    /// Writes the report to `target/bench-work/report-<name>.md` and returns the path.
    pub fn save(&self, name: &str) -> PathBuf {
        let path = crate::work_dir().join(format!("report-{name}.md"));
        let _ = std::fs::create_dir_all(crate::work_dir());
        std::fs::write(&path, &self.text).expect("the report can be written");
        path
    }
}

/// Seconds with sensible precision.
pub fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 100.0 {
        format!("{s:.0} s")
    } else if s >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.2} s")
    }
}

/// MiB from KiB.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// `a / b` as `1.23×`.
pub fn ratio(a: f64, b: f64) -> String {
    if b <= 0.0 {
        "–".to_owned()
    } else {
        format!("{:.2}×", a / b)
    }
}

/// "met" or "**missed**".
pub fn met(ok: bool) -> String {
    if ok {
        "met".into()
    } else {
        "**missed**".into()
    }
}

fn command_text(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The load average now (1, 5, 15 minutes).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".into())
}

/// The machine, as a Markdown block.
pub fn machine() -> String {
    let lscpu = command_text("lscpu", &[]);
    let pick = |key: &str| {
        lscpu
            .lines()
            .find_map(|line| line.strip_prefix(key).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| "?".into())
    };
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        })
        .unwrap_or_else(|| "?".into());
    format!(
        "- CPU: {} ({} CPUs, {} threads per core; hypervisor: {})\n- Memory: {}\n- Kernel: {}\n- Rust: {}\n- Python: {}\n- Load average when this section started: {}\n",
        pick("Model name:"),
        pick("CPU(s):"),
        pick("Thread(s) per core:"),
        pick("Hypervisor vendor:"),
        memory,
        command_text("uname", &["-sr"]),
        command_text("rustc", &["-V"]),
        command_text("python3", &["-V"]),
        load_average(),
    )
}
