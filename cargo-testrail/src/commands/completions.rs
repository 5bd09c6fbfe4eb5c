//! `cargo testrail completions SHELL`: shell completions from the clap definition.

use std::io::Write as _;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completions of `shell` on standard output.
///
/// The script is rendered into memory first: clap_complete panics when its writer fails,
/// and a reader that stops early (`| head`) is not an error, as for every other line printed.
pub fn run(args: &CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cargo-testrail", &mut script);
    let _ = std::io::stdout().lock().write_all(&script);
    ExitCode::SUCCESS
}
