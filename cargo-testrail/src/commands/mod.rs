//! One module per command; [`run`] dispatches.

pub mod accept;
pub mod cases;
pub mod check;
pub mod completions;
pub mod create;
pub mod import;
pub mod init;
pub mod push;
pub mod run;
pub mod status;
pub mod upload;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::CliError;

/// Runs the command the command line names.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let global = cli.global;
    match cli.command {
        Command::Upload(args) => upload::run(&global, args).await,
        Command::Import(command) => import::run(&global, command).await,
        Command::Create(args) => create::run(&global, args).await,
        Command::Status(args) => status::run(&global, args).await,
        Command::Accept(args) => accept::run(&global, args).await,
        Command::Check(args) => check::run(&global, args).await,
        Command::Cases(args) => cases::run(&global, args).await,
        Command::Init(args) => init::run(&global, args),
        Command::Push(args) => push::run(&global, args).await,
        Command::Run(command) => run::run(&global, command).await,
        Command::Completions(args) => completions::run(&args),
    }
}
