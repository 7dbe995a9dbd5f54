//! The `beltwatch` command: turns what the user typed into settings (configuration file,
//! environment, flags), opens the store and runs one command.
//!
//! Exit status: 0 when everything went through, 1 when some input was rejected (the rest
//! was still processed), 2 when the command could not run (bad configuration, store
//! unavailable).

mod cli;
mod commands;
mod config;
mod output;
mod synth;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    match commands::run(cli) {
        Ok(commands::Status::Clean) => ExitCode::SUCCESS,
        Ok(commands::Status::SomeRejected) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to standard error; `RUST_LOG` picks what is logged (default: warnings, or
/// information with `-v`).
fn init_tracing(verbose: bool) {
    let default = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

/// Extraction allocates many small, short-lived vectors and strings per report; mimalloc
/// serves them faster than the system allocator (`beltwatch bench extract` shows both).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
