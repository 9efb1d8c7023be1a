//! The subcommands: each turns checked settings into work and output. Shared set-up
//! (config, pack, source client, runtime) lives here.

pub mod compare;
pub mod queries;
pub mod record;
pub mod runs;

use std::path::Path;

use crate::cli::GlobalArgs;
use crate::config::{self, Config, SourceConfig};
use crate::error::{Error, Result};
use crate::pack::{self, Pack};
use crate::source::prometheus::PrometheusClient;

/// Loads `--config`, else `benchcmp.toml` if present, else an empty configuration.
pub fn load_config(global: &GlobalArgs) -> Result<Config> {
    match &global.config {
        Some(path) => {
            if !path.is_file() {
                return Err(Error::input(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            config::load(path)
        }
        None => {
            let default = Path::new("benchcmp.toml");
            if default.is_file() {
                config::load(default)
            } else {
                Ok(Config::default())
            }
        }
    }
}

/// The query pack from `--queries`.
pub fn load_pack(global: &GlobalArgs) -> Result<Pack> {
    pack::load_dir(&global.queries)
}

/// The source settings: `[source]` with the URL overridden by `--prometheus` /
/// `BENCHCMP_PROMETHEUS_URL`. `None` when no URL is known.
pub fn source_config(config: &Config, global: &GlobalArgs) -> Result<Option<SourceConfig>> {
    let mut source = config.source.clone();
    if let Some(url) = &global.prometheus {
        config::check_url(url)
            .map_err(|e| Error::input(format!("--prometheus / {}: {e}", config::URL_ENV)))?;
        match source.as_mut() {
            Some(s) => s.url = url.trim_end_matches('/').to_string(),
            None => source = Some(SourceConfig::with_url(url)),
        }
    }
    Ok(source.filter(|s| !s.url.is_empty()))
}

/// A client for the configured source, if there is one.
pub fn client(config: &Config, global: &GlobalArgs) -> Result<Option<PrometheusClient>> {
    match source_config(config, global)? {
        None => Ok(None),
        Some(s) => PrometheusClient::new(&s).map(Some).map_err(Error::input),
    }
}

/// A small multi-threaded runtime for the HTTP work (two workers: this is I/O bound).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))
}

/// A plain table for listings.
pub fn listing_table(header: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    table.set_header(header.to_vec());
    table
}

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
pub fn progress_bar(global: &GlobalArgs, total: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if global.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} queries ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// Writes to stdout. A closed pipe (`benchcmp ... | head`) ends the output quietly instead
/// of panicking; the exit code still tells the verdict.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
