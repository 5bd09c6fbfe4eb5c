//! Files of retried and isolated tests: a test that fails its first attempt attaches a log
//! on each attempt (both are sent); two tests attach bytes under one name (each result gets
//! its own). `SCENARIO_FILES` names a directory for the attempt marker.

use std::path::PathBuf;

use testrail::case;

fn files() -> PathBuf {
    let dir = std::env::var_os("SCENARIO_FILES")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("testrail-scenario-attachments-more"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fails its first attempt (the marker is a file, so that it also counts attempts that run
/// in their own processes), passes its second; each attempt attaches its log.
#[case(C20, retries = 1)]
fn retried_with_a_log() {
    let marker = files().join("retried-once");
    let first = !marker.exists();
    let attempt = if first { 1 } else { 2 };
    testrail::attach_bytes("attempt.log", format!("attempt {attempt}"));
    if first {
        std::fs::write(&marker, "").unwrap();
        panic!("the first attempt fails");
    }
}

#[case(C21)]
fn same_name_a() {
    testrail::attach_bytes("same.log", "from a");
}

#[case(C22)]
fn same_name_b() {
    testrail::attach_bytes("same.log", "from b");
}

testrail::main!();
