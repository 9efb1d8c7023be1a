//! `benchcmp init`: writes a commented starter `benchcmp.toml` (never over an existing file
//! unless `--force`).

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::output;

/// The starter configuration; `examples/benchcmp.toml` in the repository.
pub const STARTER: &str = include_str!("../../examples/benchcmp.toml");

pub fn run(args: &InitArgs) -> Result<()> {
    if output::is_stdout(&args.path) {
        return super::emit(STARTER);
    }
    if args.path.exists() && !args.force {
        return Err(Error::input(format!(
            "{} exists; use --force to replace it",
            args.path.display()
        )));
    }
    let mut staging = output::Staging::default();
    staging.text("init", &args.path, STARTER)?;
    staging.commit()?;
    super::note(&format!(
        "wrote {}: set [source] url and the runs, then `benchcmp runs` and `benchcmp queries --check --run my-baseline`",
        args.path.display()
    ));
    Ok(())
}
