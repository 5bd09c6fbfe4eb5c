//! `cargo testrail completions SHELL`: shell completions from the clap definition.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completions of `shell` on standard output.
pub fn run(args: &CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "cargo-testrail",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}
