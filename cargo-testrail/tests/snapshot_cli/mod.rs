//! Snapshots of `cargo testrail` runs: the command line, the exit code and both streams,
//! with the world's temporary directory, the workspace and what varies between runs
//! redacted (see `tests/support/snapshot.rs` at the workspace root).
#![allow(dead_code)] // each test target uses its own part of this module

use crate::common::{Ran, World, workspace_root};
use crate::snapshot;

/// Pins what `cargo testrail <args>` showed as snapshot `name`, after checking that the API
/// key of the simulator and `secrets` appear nowhere in it.
pub fn assert_cli(world: &World, name: &str, args: &[&str], ran: &Ran, secrets: &[&str]) {
    for secret in std::iter::once(&world.sim.api_key()).chain(secrets) {
        assert!(
            !ran.both().contains(secret),
            "{name}: the key {secret:?} is printed\n{}",
            ran.both()
        );
    }
    let text = snapshot::shown(
        &format!("cargo testrail {}", args.join(" ")),
        ran.code,
        &ran.stdout,
        &ran.stderr,
    );
    let dir = world.dir.path().display().to_string();
    let root = workspace_root().display().to_string();
    let mut settings = snapshot::settings(&[(&dir, "[TMP]"), (&root, "[WORKSPACE]")]);
    // Next to the test files, not next to this module.
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.bind(|| {
        insta::assert_snapshot!(name, text);
    });
}

/// Runs `cargo testrail <args>` in `world` and pins what it showed as snapshot `name`.
pub fn run(world: &World, name: &str, args: &[&str]) -> Ran {
    let ran = world.run(args);
    assert_cli(world, name, args, &ran, &[]);
    ran
}
