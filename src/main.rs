//! Entry point: parse the command line, run the subcommand, map errors to exit codes.

use clap::Parser;

use benchcmp::cli::{Cli, Command};
use benchcmp::commands;
use benchcmp::error::Result;

fn main() {
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::Compare(_))) && cli.compare != Default::default()
    {
        eprintln!("error: comparison options (--baseline, --candidate, --gate, ...) belong to compare, not to this subcommand");
        std::process::exit(2);
    }
    let outcome: Result<i32> = match &cli.command {
        Some(Command::Record(args)) => commands::record::run(&cli.global, args).map(|_| 0),
        Some(Command::Runs) => commands::runs::run(&cli.global).map(|_| 0),
        Some(Command::Queries(args)) => commands::queries::run(&cli.global, args).map(|_| 0),
        Some(Command::Compare(args)) => commands::compare::run(&cli.global, args),
        None => commands::compare::run(&cli.global, &cli.compare),
    };
    match outcome {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {}", benchcmp::redact::redact(&e.to_string()));
            std::process::exit(e.exit_code());
        }
    }
}
