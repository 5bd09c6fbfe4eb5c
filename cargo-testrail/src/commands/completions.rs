//! `cargo testrail completions SHELL`: shell completions from the clap definition.

use std::io::Write as _;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::CliError;

/// Prints the completions of `shell` on standard output.
///
/// The script is rendered into memory first: clap_complete panics when its writer fails. A
/// reader that stops early (`| head`, a closed pipe) is not an error; any other failure to
/// write (a full disk) is.
pub fn run(args: &CompletionsArgs) -> Result<ExitCode, CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cargo-testrail", &mut script);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::io(
            "write the completions to",
            "standard output",
            error,
        )),
        _ => Ok(ExitCode::SUCCESS),
    }
}
