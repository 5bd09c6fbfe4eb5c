//! `cargo testrail`: the command-line front end of testrail-rs.
//!
//! A thin layer over `testrail-harness`: every command reads the same configuration as the
//! test harness (`testrail.toml`, `TESTRAIL_*` variables, and here command-line flags), and
//! results go through the same export path as the export at the end of `cargo test`.

mod cache;
mod case_ids;
mod cli;
mod commands;
mod context;
mod dropped;
mod error;
mod junit;
mod linked;
mod lockfile;
mod matching;
mod output;
mod progress;
mod sessions;
mod settings;
mod sync;
mod write_back;

use std::process::ExitCode;

use clap::Parser;

use cli::Cli;
use error::CliError;

fn main() -> ExitCode {
    // `cargo testrail status` runs `cargo-testrail testrail status`: drop the repeated name.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "testrail") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    output::init_color(cli.global.color);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output::print_error(&CliError::Runtime(error.to_string()));
            return ExitCode::from(error::EXIT_ERROR);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            output::print_error(&error);
            ExitCode::from(error::EXIT_ERROR)
        }
    }
}
