//! The subcommands: each turns checked settings into work and output. Shared set-up
//! (config, pack, source client, runtime) lives here.

pub mod compare;
pub mod docs;
pub mod history;
pub mod init;
pub mod outputs;
pub mod queries;
pub mod record;
pub mod runs;
pub mod watch;

use std::path::Path;

use crate::cli::GlobalArgs;
use crate::config::{self, Config, SourceConfig};
use crate::error::{Error, Result};
use crate::pack::{self, Pack};
use crate::source::prometheus::PrometheusClient;
use crate::source::Endpoint;
use std::sync::Arc;

/// Loads `--config`, else `benchcmp.toml` if present, else an empty configuration.
pub fn load_config(global: &GlobalArgs) -> Result<Config> {
    match &global.config {
        Some(path) => {
            if path.is_dir() {
                return Err(Error::input(format!(
                    "--config {} is a directory; name the file (e.g. {}/benchcmp.toml)",
                    path.display(),
                    path.display()
                )));
            }
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

/// The query pack: `--queries DIR`, else `./queries` when it exists, else the pack built
/// into the binary (so an installed binary works from any directory).
pub fn load_pack(global: &GlobalArgs) -> Result<Pack> {
    match &global.queries {
        Some(dir) => pack::load_dir(dir),
        None if Path::new("queries").is_dir() => pack::load_dir(Path::new("queries")),
        None => pack::built_in(),
    }
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
    let Some(mut source) = source.filter(|s| !s.url.is_empty()) else {
        return Ok(None);
    };
    source.take_url_credentials().map_err(Error::input)?;
    source.register_secrets();
    Ok(Some(source))
}

/// The configured source's endpoint, if there is one.
pub fn endpoint(config: &Config, global: &GlobalArgs) -> Result<Option<Arc<dyn Endpoint>>> {
    match source_config(config, global)? {
        None => Ok(None),
        Some(s) => PrometheusClient::new(&s)
            .map(|c| Some(Arc::new(c) as Arc<dyn Endpoint>))
            .map_err(Error::input),
    }
}

/// The configured source's endpoint, which reading `what` live needs: the one place that
/// says how to configure it when there is none.
pub fn require_endpoint(
    config: &Config,
    global: &GlobalArgs,
    what: &str,
) -> Result<Arc<dyn Endpoint>> {
    endpoint(config, global)?.ok_or_else(|| crate::source::endpoint::missing(what))
}

/// A small multi-threaded runtime for the HTTP work (two workers: this is I/O bound).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the async runtime: {e}")))
}

/// Progress while queries are in flight: a bar on a terminal (queries done of the
/// total, retries); without a terminal a line every 15 s once the wait passes 5 s, so a CI
/// log shows why nothing happens. Nothing with `--quiet`.
pub struct Progress {
    bar: indicatif::ProgressBar,
    answered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    finished: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Progress {
    pub fn new(
        global: &GlobalArgs,
        total: u64,
        what: &str,
        client: Option<&Arc<dyn Endpoint>>,
    ) -> Self {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let answered = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let terminal = std::io::stderr().is_terminal();
        let bar = if global.quiet || !terminal || total == 0 {
            indicatif::ProgressBar::hidden()
        } else {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {pos}/{len} queries ({elapsed})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(what.to_string());
            bar
        };
        if !global.quiet && !terminal && total > 0 {
            let (answered, finished) = (answered.clone(), finished.clone());
            let what = what.to_string();
            let client = client.cloned();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut next = std::time::Duration::from_secs(5);
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    if finished.load(Ordering::Relaxed) {
                        return;
                    }
                    if started.elapsed() >= next {
                        let retries = client.as_ref().map_or(0, |c| c.retries_made());
                        note(&format!(
                            "{what}: {}/{total} queries done after {}s{}",
                            answered.load(Ordering::Relaxed),
                            started.elapsed().as_secs(),
                            match (&client, retries) {
                                (Some(c), 0) => format!(", waiting for {}", c.base_url()),
                                (Some(c), r) =>
                                    format!(", {r} retries, waiting for {}", c.base_url()),
                                _ => String::new(),
                            }
                        ));
                        next += std::time::Duration::from_secs(15);
                    }
                }
            });
        }
        Progress {
            bar,
            answered,
            finished,
        }
    }

    /// A callback for each answered query.
    pub fn ticker(&self, client: Option<&Arc<dyn Endpoint>>) -> crate::source::Tick {
        let (bar, answered) = (self.bar.clone(), self.answered.clone());
        let client = client.cloned();
        std::sync::Arc::new(move || {
            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            bar.inc(1);
            if let Some(c) = &client {
                let r = c.retries_made();
                if r > 0 {
                    bar.set_message(format!("{r} retries"));
                }
            }
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finished
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.bar.finish_and_clear();
    }
}

/// Writes to stdout, secrets redacted. A closed pipe (`benchcmp ... | head`) ends the
/// output quietly; any other write error (a full disk) is an error, so a report is never
/// lost without a word.
pub fn emit(text: &str) -> Result<()> {
    emit_open(text).map(|_| ())
}

/// [`emit`], telling whether stdout is still open: `false` once the reader has gone.
pub fn emit_open(text: &str) -> Result<bool> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(crate::redact::redact(text).as_bytes())
        .and_then(|_| out.flush())
    {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Error::input(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Waits for Ctrl-C on a thread of its own; then removes every staged output that was not
/// committed, says so and exits 130.
pub fn exit_on_interrupt() {
    std::thread::spawn(|| {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
            crate::output::remove_staged();
            note("stopped by Ctrl-C: what was not yet written is removed, nothing is left half-written");
            std::process::exit(130);
        }
    });
}

/// Writes a diagnostic line on stderr, secrets redacted. Nothing is lost when stderr is
/// closed (`2>&1 | head`): the data went to stdout or a file, and the exit code says the
/// rest — so a write error here is not one (`eprintln!` would panic on it).
pub fn note(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", crate::redact::redact(text)).and_then(|_| err.flush());
}

/// Pretty JSON of a listing.
pub fn to_json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::input(format!("cannot render JSON: {e}")))
}

/// Prints a warning on stderr, secrets redacted.
pub fn warn(text: &str) {
    note(&format!("warning: {text}"));
}
