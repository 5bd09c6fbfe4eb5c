//! `testrail-sim`: run the simulator, or generate a large fixture.
//!
//! ```text
//! testrail-sim --port 8080 --seed testrail-sim/fixtures/demo.json [--persist state.json] [--fault RULE]...
//! testrail-sim generate --cases 50000 > big.json
//! ```

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use testrail_sim::{FaultRule, Fixture, GenOptions, SimConfig, Simulator, WebLogin, generate};

/// A local, stateful TestRail API v2 server with fault injection.
#[derive(Parser, Debug)]
#[command(name = "testrail-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Seed fixture (.json or .toml); default: the shipped demo fixture.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Keep the state in this file (loaded at start when present).
    #[arg(long)]
    persist: Option<PathBuf>,
    /// A fault rule, in JSON or the short form `kind[:arg][@endpoint][*count][+after]`
    /// (e.g. `status:502@add_results_for_cases*3`, `rate_limit:180`, `latency:50`).
    /// Repeatable.
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// Who must log in to see the web pages (`index.php?/runs/view/N`, ...): `remote`
    /// (clients on the loopback interface need no login) or `always`.
    #[arg(long, default_value = "remote")]
    web_login: WebLogin,
    /// Print only the machine-readable lines.
    #[arg(long)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a large generated fixture (JSON) to stdout.
    Generate {
        /// Number of cases.
        #[arg(long, default_value_t = 50_000)]
        cases: u64,
        /// Number of suites in project 1.
        #[arg(long, default_value_t = 1)]
        suites: u64,
        /// Cases per leaf section.
        #[arg(long, default_value_t = 100)]
        cases_per_section: u64,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Generate {
        cases,
        suites,
        cases_per_section,
    }) = cli.command
    {
        let fixture = generate(&GenOptions {
            cases,
            suites,
            cases_per_section,
        });
        let mut out = std::io::stdout().lock();
        let written = serde_json::to_writer(&mut out, &fixture)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out));
        if let Err(e) = written {
            eprintln!("testrail-sim: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(e) = serve(cli.serve) {
        eprintln!("testrail-sim: {e}");
        std::process::exit(1);
    }
}

fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    let fixture = match &args.seed {
        Some(p) => Fixture::from_path(p)?,
        None => Fixture::demo(),
    };
    let faults = args
        .faults
        .iter()
        .map(|f| FaultRule::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let config = SimConfig {
        host: args.host,
        port: args.port,
        persist: args.persist.clone(),
        faults,
        web_login: args.web_login,
        ..SimConfig::new(fixture)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let sim = Simulator::start_with(config).await?;
        let u = sim.user();
        let mut out = std::io::stdout().lock();
        if !args.quiet {
            writeln!(out, "testrail-sim listening on {}", sim.base_url())?;
            writeln!(out, "  user:     {}", u.email)?;
            writeln!(out, "  password: {}", u.password)?;
            writeln!(out, "  api key:  {}", u.api_key)?;
            writeln!(out, "  control:  {}", sim.control_url())?;
            writeln!(out, "  pages:    {}", sim.page_url("dashboard"))?;
        }
        writeln!(out, "TESTRAIL_URL={}", sim.base_url())?;
        writeln!(out, "TESTRAIL_USER={}", u.email)?;
        writeln!(out, "TESTRAIL_PASSWORD={}", u.password)?;
        writeln!(out, "TESTRAIL_API_KEY={}", u.api_key)?;
        writeln!(out, "TESTRAIL_SIM_PORT={}", sim.addr().port())?;
        writeln!(out, "TESTRAIL_SIM_CONTROL={}", sim.control_url())?;
        out.flush()?;
        drop(out);
        shutdown_signal().await;
        if let Err(e) = sim.persist() {
            eprintln!("testrail-sim: cannot persist state: {e}");
        }
        drop(sim);
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
