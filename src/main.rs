//! Entry point: parse the command line, run the subcommand, map errors to exit codes.

use clap::{CommandFactory, Parser};

use benchcmp::cli::{Cli, Command, MAIN_EXAMPLES};
use benchcmp::commands;
use benchcmp::error::Result;

fn main() {
    benchcmp::memory::tune();
    // No arguments: what the tool is and how to start, not an error about --baseline.
    if std::env::args_os().len() == 1 {
        let about = Cli::command()
            .get_about()
            .map(|a| a.to_string())
            .unwrap_or_default();
        commands::note(&format!("benchcmp {}: {about}\n\nUsage: benchcmp [COMMAND] [OPTIONS]\n\n{MAIN_EXAMPLES}\n\nMore: benchcmp --help, benchcmp <command> --help", env!("CARGO_PKG_VERSION")));
        std::process::exit(2);
    }
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::Compare(_))) && cli.compare != Default::default()
    {
        commands::note("error: comparison options (--baseline, --candidate, --gate, ...) belong to compare, not to this subcommand");
        std::process::exit(2);
    }
    // Ctrl-C ends a command (watch has its own: it writes the reports of what it saw) with
    // 130, removing what was staged and not yet in place: nothing lands half-written.
    if !matches!(cli.command, Some(Command::Watch(_))) {
        commands::exit_on_interrupt();
    }
    let outcome: Result<i32> = match &cli.command {
        Some(Command::Record(args)) => commands::record::run(&cli.global, args).map(|_| 0),
        Some(Command::Runs(args)) => commands::runs::run(&cli.global, args).map(|_| 0),
        Some(Command::Queries(args)) => commands::queries::run(&cli.global, args).map(|_| 0),
        Some(Command::Init(args)) => commands::init::run(args).map(|_| 0),
        Some(Command::History(args)) => commands::history::run(&cli.global, args).map(|_| 0),
        Some(Command::Completions { shell }) => commands::docs::completions(*shell).map(|_| 0),
        Some(Command::Man) => commands::docs::man().map(|_| 0),
        Some(Command::Schema { document }) => commands::docs::schema(*document).map(|_| 0),
        Some(Command::Compare(args)) => commands::compare::run(&cli.global, args),
        Some(Command::Watch(args)) => commands::watch::run(&cli.global, args),
        None => commands::compare::run(&cli.global, &cli.compare),
    };
    match outcome {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            commands::note(&format!("error: {e}"));
            std::process::exit(e.exit_code());
        }
    }
}
