//! The error type of benchcmp and its mapping to exit codes.
//!
//! Every error carries a message that names what is wrong and where (file, line, key,
//! run, metric, query). The variant only decides the exit code CI sees (SPEC §3):
//! `2` for usage, configuration and input-file problems, `3` when a source could not be read.

/// A failure that ends the command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line, configuration, query pack, gate or snapshot file (exit code 2).
    #[error("{0}")]
    Input(String),
    /// The source could not be read: unreachable, refused, server error after retries (exit code 3).
    #[error("{0}")]
    Source(String),
}

impl Error {
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input(message.into())
    }

    pub fn source(message: impl Into<String>) -> Self {
        Error::Source(message.into())
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Source(_) => 3,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line and column of a byte offset in `text`, for messages that point into a file.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
