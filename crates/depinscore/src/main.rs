//! `depinscore`: the Nosana indexer and builder-score backend, one binary with subcommands.

mod cli;
mod commands;
mod logging;
mod settings;

use clap::Parser;

/// jemalloc rather than glibc's malloc: see BENCHMARKS.md for what it changed.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
