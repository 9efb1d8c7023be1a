//! `benchcmp completions`, `man` and `schema`: shell completions, the man page and the JSON
//! Schemas, generated from the command-line definitions and the document types so they
//! never drift from them.

use clap::CommandFactory;

use crate::cli::{Cli, SchemaDocument};
use crate::error::{Error, Result};

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "benchcmp", &mut out);
    super::emit(&String::from_utf8_lossy(&out))
}

/// The JSON Schema of a document benchcmp writes, as kept in `schemas/`.
pub fn schema_text(document: SchemaDocument) -> String {
    let schema = match document {
        SchemaDocument::Report => crate::report::json::schema(),
        SchemaDocument::Snapshot => crate::source::snapshot::schema(),
        SchemaDocument::Watch => crate::watch::schema(),
    };
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

pub fn schema(document: SchemaDocument) -> Result<()> {
    super::emit(&schema_text(document))
}

pub fn man() -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::input(format!("cannot render the man page: {e}")))?;
    super::emit(&String::from_utf8_lossy(&out))
}
