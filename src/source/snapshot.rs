//! Snapshots (`baselines/*.json`, SPEC §6): a run's series frozen in Prometheus's own
//! matrix format, so a baseline outlives retention and comparisons run offline.
//!
//! Owns the file format, atomic writing (temp file + rename, never overwriting unless
//! asked) and strict loading with messages that say what is wrong and where.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::matrix_json::MatrixData;
use crate::config::{format_time, parse_time};
use crate::duration;
use crate::error::{Error, Result};
use crate::series::Matrix;

pub const FORMAT: &str = "benchcmp.snapshot.v1";

/// A loaded snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub run: SnapshotRun,
    pub source: Option<String>,
    pub recorded_at: Option<String>,
    pub metrics: BTreeMap<String, RecordedMetric>,
}

/// The run a snapshot froze.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRun {
    pub name: String,
    pub vars: crate::template::Vars,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
}

/// One metric: the exact PromQL that was sent and what came back.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedMetric {
    pub query: String,
    pub matrix: Arc<Matrix>,
    /// Warnings the server sent with the data when it was recorded.
    pub warnings: Vec<String>,
}

/// A snapshot file: one run's series for every metric of a pack, as Prometheus returned them.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a snapshot: an object with \"format\", \"run\" and \"metrics\""
)]
#[schemars(title = "benchcmp snapshot (benchcmp.snapshot.v1)")]
struct FileJson {
    /// Always `benchcmp.snapshot.v1`.
    format: String,
    run: RunJson,
    /// The server the data came from (credentials masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recorded_at: Option<String>,
    /// Per metric id: the query sent and the answer.
    metrics: BTreeMap<String, MetricJson>,
}

/// The recorded run.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "the run: an object with \"name\", \"start\", \"end\" and \"step\""
)]
struct RunJson {
    name: String,
    /// The template variables the queries were expanded with.
    #[serde(default)]
    vars: crate::template::Vars,
    /// RFC 3339.
    start: String,
    /// RFC 3339.
    end: String,
    /// PromQL duration (`30s`).
    step: String,
}

/// One metric's query and answer.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a metric: an object with \"query\" and \"data\""
)]
struct MetricJson {
    /// The PromQL sent, variables expanded.
    query: String,
    /// Prometheus's `data` of the range query, as returned.
    data: MatrixData,
    /// Warnings the server sent with the data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

/// The JSON Schema of snapshot files, generated from these types.
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(FileJson).to_value()
}

/// Reads and checks a snapshot file. A regular file is mapped into memory, anything else
/// (a pipe: `--baseline <(zcat weekly.json.gz)`) read whole into a buffer. Its metrics are
/// decoded on every core. Snapshots are read one at a time, so that only one file's text (a
/// week of samples is 20 MB of JSON) is held beside the parsed samples; the buffer goes from
/// one reading to the next (its pages are not faulted in again) and back to the system after
/// the last.
pub fn load(path: &Path) -> Result<Snapshot> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static TEXT: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());
    static WAITING: AtomicUsize = AtomicUsize::new(0);
    WAITING.fetch_add(1, Ordering::SeqCst);
    let mut text = TEXT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    WAITING.fetch_sub(1, Ordering::SeqCst);
    // Opened once: a pipe's text can be read only once.
    let read = |bytes: &mut Vec<u8>| -> std::io::Result<Option<memmap2::Mmap>> {
        use std::io::Read as _;
        let mut file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if let Some(map) = mapped(&file, &meta)? {
            return Ok(Some(map));
        }
        let size = meta.len() as usize;
        bytes.clear();
        // Mapped on its own, so that it goes back to the system when freed.
        bytes.reserve((size + 1).max(crate::memory::OWN_MAPPING));
        // A file that does not start as a JSON object (a log or a binary named by mistake)
        // is not read further: its start is enough to say what is wrong.
        (&mut file).take(1 << 16).read_to_end(bytes)?;
        if bytes.starts_with(&GZIP_MAGIC) {
            // A compressed snapshot (`weekly.json.gz`): its text, inflated here.
            file.read_to_end(bytes)?;
            let compressed = std::mem::take(bytes);
            let mut inflated =
                flate2::read::MultiGzDecoder::new(&compressed[..]).take(MAX_INFLATED + 1);
            inflated.read_to_end(bytes)?;
            if bytes.len() as u64 > MAX_INFLATED {
                return Err(std::io::Error::other(format!(
                    "it inflates to more than {} GiB",
                    MAX_INFLATED >> 30
                )));
            }
            return Ok(None);
        }
        if matches!(
            without_bom(bytes).iter().find(|c| !c.is_ascii_whitespace()),
            Some(b'{') | None
        ) {
            file.read_to_end(bytes)?;
        }
        Ok(None)
    };
    let parsed = match read(&mut text) {
        Ok(Some(map)) => parse(&map, path),
        Ok(None) => parse(&text, path),
        Err(e) => Err(Error::input(format!(
            "cannot read snapshot {}: {e}",
            path.display()
        ))),
    };
    if WAITING.load(Ordering::SeqCst) == 0 {
        *text = Vec::new();
    }
    parsed
}

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The largest snapshot text a compressed snapshot may inflate to.
const MAX_INFLATED: u64 = 4 << 30;

/// A regular file's bytes mapped into memory; `None` for what is read instead: a pipe, an
/// empty file, and one that does not start as a JSON object (whose start is enough to say
/// what is wrong). Mapping spares copying a week's 20 MB of text into a buffer whose pages
/// are first zeroed: the file's cached pages are the text.
fn mapped(
    file: &std::fs::File,
    meta: &std::fs::Metadata,
) -> std::io::Result<Option<memmap2::Mmap>> {
    if !meta.is_file() || meta.len() == 0 {
        return Ok(None);
    }
    // SAFETY: the map is read only, and benchcmp changes no file it reads: outputs are
    // written beside their place and renamed over it (the mapped file stays as it was), and
    // an output over an input is refused. Another process truncating or rewriting the file
    // in place while it is read would end benchcmp with SIGBUS or change the text under the
    // parser, as for any program that maps what it reads (ripgrep, git); tools that write
    // snapshots (`benchcmp record`, editors) replace the file instead.
    let map = unsafe { memmap2::Mmap::map(file)? };
    let object = without_bom(&map)
        .iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| *c == b'{');
    Ok(object.then_some(map))
}

/// Parses snapshot bytes; `path` names the file in messages.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Snapshot> {
    check(decode(without_bom(bytes), path)?, path)
}

/// An editor's byte-order mark is not part of the JSON.
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn json_problem(e: &serde_json::Error) -> &'static str {
    if e.is_eof() {
        "truncated or incomplete JSON"
    } else {
        "not a valid snapshot"
    }
}

/// Decodes a snapshot's JSON. One thread reads through the file and hands each metric on
/// as its text; every core decodes them meanwhile (a long run's metrics are most of the
/// file). Neither tracks where it is: the path tracker wraps every one of a long run's
/// values and cost a third of the analysis. Only JSON that fails is decoded again, whole
/// and with it, to say where.
fn decode(bytes: &[u8], path: &Path) -> Result<FileJson> {
    if let Some(file) = decode_by_metric(bytes) {
        return Ok(file);
    }
    let p = path.display();
    let bad = |msg: String| Error::input(format!("snapshot {p}: {msg}"));
    // serde reads a struct from an array too, and would then speak of its first field.
    match bytes.iter().find(|c| !c.is_ascii_whitespace()) {
        None => return Err(bad("the file is empty".to_string())),
        Some(b'[') => {
            return Err(bad(
                "not a valid snapshot: the file holds a JSON array; a snapshot is an object \
                 with \"format\", \"run\" and \"metrics\" (`benchcmp record` writes one)"
                    .to_string(),
            ))
        }
        _ => {}
    }
    let mut decoder = serde_json::Deserializer::from_slice(bytes);
    let file: FileJson = serde_path_to_error::deserialize(&mut decoder).map_err(|e| {
        // A key cut off before it was read is shown as `?`: the path up to it says where.
        let path = e.path().to_string();
        let at = path.trim_end_matches('?').trim_end_matches('.');
        let at = if at.is_empty() || at == "." {
            String::new()
        } else {
            format!(" (at {at})")
        };
        bad(format!("{}{at}: {}", json_problem(e.inner()), e.inner()))
    })?;
    decoder
        .end()
        .map_err(|e| bad(format!("{}: {e}", json_problem(&e))))?;
    Ok(file)
}

/// A metric's text, in file order, for [`decode_by_metric`].
type MetricText<'de> = (usize, String, &'de str);

/// [`decode`] without messages: `None` for anything it does not decode as the derived
/// `FileJson` would (the caller then decodes it that way).
fn decode_by_metric(bytes: &[u8]) -> Option<FileJson> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (sink, texts) = std::sync::mpsc::channel::<MetricText>();
    let texts = std::sync::Mutex::new(texts);
    let decoded = std::sync::Mutex::new(Vec::new());
    let decode_texts = || loop {
        let next = texts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .recv();
        let Ok((i, id, text)) = next else { return };
        let metric = read_metric(text).or_else(|| serde_json::from_str::<MetricJson>(text).ok());
        decoded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((i, id, metric));
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let head = std::thread::scope(|scope| {
        for _ in 1..cores {
            scope.spawn(decode_texts);
        }
        let head = read_head(text, &sink);
        drop(sink);
        decode_texts();
        head
    });
    let mut file = head?;
    let mut decoded = decoded
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    decoded.sort_by_key(|(i, _, _)| *i);
    for (_, id, metric) in decoded {
        // a repeated id: the last one counts, as when the map is decoded at once
        file.metrics.insert(id, metric?);
    }
    Some(file)
}

/// A snapshot file without its metrics, which go to `sink` as soon as each one's text has
/// been found. Unknown, repeated and missing fields give `None`, as they are errors for
/// `FileJson`; the small fields are decoded by serde.
fn read_head<'de>(
    text: &'de str,
    sink: &std::sync::mpsc::Sender<MetricText<'de>>,
) -> Option<FileJson> {
    fn decoded<'de, T: Deserialize<'de>>(r: &mut super::plain_json::Reader<'de>) -> Option<T> {
        serde_json::from_str(r.raw()?).ok()
    }
    let mut r = super::plain_json::Reader::new(text);
    let (mut format, mut run, mut source, mut recorded_at) = (None, None, None, None);
    let mut metrics = false;
    r.object(|r, key| {
        match key.as_ref() {
            "format" if format.is_none() => format = Some(r.string()?.into_owned()),
            "run" if run.is_none() => run = Some(decoded::<RunJson>(r)?),
            "source" if source.is_none() => source = Some(decoded::<Option<String>>(r)?),
            "recorded_at" if recorded_at.is_none() => {
                recorded_at = Some(decoded::<Option<String>>(r)?)
            }
            "metrics" if !metrics => {
                let mut i = 0;
                r.object(|r, id| {
                    // The decoding threads outlive the sending; a send cannot fail before
                    // the end.
                    let _ = sink.send((i, id.into_owned(), r.raw()?));
                    i += 1;
                    Some(())
                })?;
                metrics = true;
            }
            _ => return None,
        }
        Some(())
    })?;
    r.end()?;
    Some(FileJson {
        format: format?,
        run: run?,
        source: source.flatten(),
        recorded_at: recorded_at.flatten(),
        metrics: metrics.then(BTreeMap::new)?,
    })
}

/// A metric's text as [`plain_json`](super::plain_json) reads it; `None` where only serde
/// can decode it.
fn read_metric(text: &str) -> Option<MetricJson> {
    let mut r = super::plain_json::Reader::new(text);
    let (mut query, mut data, mut warnings) = (None, None, None);
    r.object(|r, key| {
        match key.as_ref() {
            "query" if query.is_none() => query = Some(r.string()?.into_owned()),
            "data" if data.is_none() => data = Some(super::plain_json::matrix(r)?),
            "warnings" if warnings.is_none() => warnings = Some(r.strings()?),
            _ => return None,
        }
        Some(())
    })?;
    r.end()?;
    Some(MetricJson {
        query: query?,
        data: data?,
        warnings: warnings.unwrap_or_default(),
    })
}

/// Checks a decoded snapshot and builds its matrices.
fn check(file: FileJson, path: &Path) -> Result<Snapshot> {
    let p = path.display();
    let bad = |msg: String| Error::input(format!("snapshot {p}: {msg}"));
    if file.format != FORMAT {
        return Err(bad(format!(
            "format is \"{}\", expected \"{FORMAT}\"",
            file.format
        )));
    }
    let start_ms = parse_time(&file.run.start, None).map_err(|e| bad(format!("run.start: {e}")))?;
    let end_ms = parse_time(&file.run.end, None).map_err(|e| bad(format!("run.end: {e}")))?;
    if end_ms <= start_ms {
        return Err(bad("run.end is not after run.start".into()));
    }
    let step_ms = duration::parse(&file.run.step).map_err(|e| bad(format!("run.step: {e}")))?;
    if step_ms <= 0 {
        return Err(bad("run.step must be positive".into()));
    }
    crate::config::check_run_name(&file.run.name).map_err(|e| bad(format!("run.name: {e}")))?;
    let mut metrics = BTreeMap::new();
    for (id, m) in file.metrics {
        let matrix = m
            .data
            .into_matrix(&format!("snapshot {p}: metric \"{id}\""))
            .map_err(Error::input)?;
        metrics.insert(
            id,
            RecordedMetric {
                query: m.query,
                matrix: Arc::new(matrix),
                warnings: m.warnings,
            },
        );
    }
    Ok(Snapshot {
        path: path.to_path_buf(),
        run: SnapshotRun {
            name: file.run.name,
            vars: file.run.vars,
            start_ms,
            end_ms,
            step_ms,
        },
        source: file.source,
        recorded_at: file.recorded_at,
        metrics,
    })
}

/// Serializes a snapshot: objects indented for reading and diffing, each series' samples
/// on one line (a 4 h run at 30 s is ~500 samples per series).
pub fn to_json(s: &Snapshot) -> Result<String> {
    let file = FileJson {
        format: FORMAT.to_string(),
        run: RunJson {
            name: s.run.name.clone(),
            vars: s.run.vars.clone(),
            start: format_time(s.run.start_ms),
            end: format_time(s.run.end_ms),
            step: duration::promql(s.run.step_ms),
        },
        source: s.source.clone(),
        recorded_at: s.recorded_at.clone(),
        metrics: s
            .metrics
            .iter()
            .map(|(id, m)| {
                (
                    id.clone(),
                    MetricJson {
                        query: m.query.clone(),
                        data: MatrixData::from_matrix(&m.matrix),
                        warnings: m.warnings.clone(),
                    },
                )
            })
            .collect(),
    };
    let value = serde_json::to_value(&file)
        .map_err(|e| Error::input(format!("cannot serialize snapshot: {e}")))?;
    let mut out = String::new();
    write_pretty(&value, 0, &mut out);
    Ok(out)
}

/// Indented JSON where arrays of scalars (or of arrays of scalars) stay on one line.
fn write_pretty(value: &serde_json::Value, depth: usize, out: &mut String) {
    use serde_json::Value;
    let flat = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_pretty(v, depth + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(items)
            if !items.is_empty()
                && !items
                    .iter()
                    .all(|v| flat(v) || matches!(v, Value::Array(a) if a.iter().all(flat))) =>
        {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_pretty(v, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Writes a snapshot atomically (staged beside the target, then renamed into place). An
/// existing file is only replaced with `force`.
pub fn write(s: &Snapshot, path: &Path, force: bool) -> Result<()> {
    check_writable(path, force)?;
    let mut json = to_json(s)?;
    json.push('\n');
    let mut staging = crate::output::Staging::default();
    staging.text("snapshot", path, &json)?;
    staging.commit()
}

/// An existing snapshot is only replaced with `force` (callers check before long work).
pub fn check_writable(path: &Path, force: bool) -> Result<()> {
    if crate::output::is_stdout(path) {
        return Ok(());
    }
    if path.exists() && !force {
        return Err(Error::input(format!(
            "{} already exists; pass --force to replace it or --output to write elsewhere",
            path.display()
        )));
    }
    Ok(())
}

/// Names of the snapshots in a directory (`<name>.json`), sorted.
pub fn list_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::LabeledSeries;

    fn sample() -> Snapshot {
        Snapshot {
            path: PathBuf::from("x.json"),
            run: SnapshotRun {
                name: "weekly".into(),
                vars: [("namespace".to_string(), "ns \"quoted\"".into())].into(),
                start_ms: 1_751_011_200_000,
                end_ms: 1_751_025_600_000,
                step_ms: 30_000,
            },
            source: Some("http://127.0.0.1:9090".into()),
            recorded_at: Some("2026-11-27T00:00:00Z".into()),
            metrics: [(
                "throughput".to_string(),
                RecordedMetric {
                    query: "sum(rate(x[2m]))".into(),
                    matrix: Arc::new(vec![LabeledSeries {
                        labels: BTreeMap::new(),
                        points: vec![
                            (1_751_011_200_000, 150.25),
                            (1_751_011_230_000, f64::NAN),
                            (1_751_011_260_500, 1.0 / 3.0),
                        ]
                        .into(),
                    }]),
                    warnings: vec!["PromQL info: partial response from one store".into()],
                },
            )]
            .into(),
        }
    }

    fn same(a: &Snapshot, b: &Snapshot) -> bool {
        // NaN != NaN, so compare bit patterns of values
        type Bits = Vec<(String, String, Vec<(i64, u64)>)>;
        let bits = |s: &Snapshot| -> Bits {
            s.metrics
                .iter()
                .flat_map(|(id, m)| {
                    m.matrix.iter().map(move |ls| {
                        (
                            id.clone(),
                            m.query.clone(),
                            ls.points.iter().map(|p| (p.0, p.1.to_bits())).collect(),
                        )
                    })
                })
                .collect()
        };
        a.run == b.run
            && a.source == b.source
            && a.recorded_at == b.recorded_at
            && bits(a) == bits(b)
    }

    #[test]
    fn round_trips_exactly_through_a_file() {
        let dir = std::env::temp_dir().join(format!("benchcmp-snap-{}", std::process::id()));
        let path = dir.join("weekly.json");
        let _ = std::fs::remove_file(&path);
        let s = sample();
        write(&s, &path, false).unwrap();
        let back = load(&path).unwrap();
        assert!(same(&s, &back));
        // never overwrite silently
        let e = write(&s, &path, false).unwrap_err().to_string();
        assert!(e.contains("already exists") && e.contains("--force"), "{e}");
        write(&s, &path, true).unwrap();
        assert_eq!(list_names(&dir), vec!["weekly"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn decoding_by_metric_agrees_with_decoding_at_once() {
        let run = r#""run": {"name": "w", "start": "2025-01-01T00:00:00Z", "end": "2025-01-01T01:00:00Z", "step": "30s"}"#;
        let metric = |v: &str| {
            format!(
                r#"{{"query": "q", "data": {{"resultType": "matrix", "result": [{{"metric": {{}}, "values": [[1735689600, "{v}"]]}}]}}}}"#
            )
        };
        let (a, b) = (metric("1.5"), metric("2"));
        let path = Path::new("s.json");
        let at_once = |text: &str| {
            let file: FileJson = serde_json::from_str(text).unwrap();
            check(file, path).unwrap()
        };
        for text in [
            format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{"x": {a}, "y": {b}}}}}"#),
            // fields in another order, nulls for the optional ones
            format!(
                r#"{{"metrics": {{"y": {b}, "x": {a}}}, "source": null, "recorded_at": "t", {run}, "format": "{FORMAT}"}}"#
            ),
            // a repeated id: the last one counts
            format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{"x": {a}, "x": {b}}}}}"#),
            format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{}}}}"#),
            // every field the writer writes
            to_json(&sample()).unwrap(),
        ] {
            let by_metric = check(decode_by_metric(text.as_bytes()).unwrap(), path).unwrap();
            assert!(same(&by_metric, &at_once(&text)), "{text}");
        }
        // What decoding at once refuses, it refuses too; the message comes from the former.
        for (text, says) in [
            (
                format!(
                    r#"{{"format": "{FORMAT}", "format": "{FORMAT}", {run}, "metrics": {{}}}}"#
                ),
                "duplicate field `format`",
            ),
            (
                format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{}}, "extra": 1}}"#),
                "unknown field `extra`",
            ),
            (
                format!(r#"{{"format": "{FORMAT}", {run}}}"#),
                "missing field `metrics`",
            ),
            (
                format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{"x": {{"query": 1}}}}}}"#),
                "metrics.x.query",
            ),
            (
                format!(r#"{{"format": "{FORMAT}", {run}, "metrics": {{}}}} trailing"#),
                "trailing characters",
            ),
        ] {
            assert!(decode_by_metric(text.as_bytes()).is_none(), "{text}");
            let e = parse(text.as_bytes(), path).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
    }

    #[test]
    fn shipped_snapshots_are_read_without_serde() {
        use serde_json::value::RawValue;
        #[derive(Deserialize)]
        struct Metrics<'a> {
            #[serde(borrow)]
            metrics: BTreeMap<String, &'a RawValue>,
        }
        let mut read = 0;
        for entry in std::fs::read_dir("baselines").unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let file: Metrics = serde_json::from_str(&text).unwrap();
                for (id, metric) in file.metrics {
                    assert!(
                        read_metric(metric.get()).is_some(),
                        "{}: {id}",
                        path.display()
                    );
                    read += 1;
                }
            }
        }
        assert!(read > 10, "{read} metrics");
    }

    /// Files are mapped, other inputs read: both give the same snapshot and the same errors.
    #[test]
    fn mapped_files_and_pipes_read_alike() {
        let dir = std::env::temp_dir().join(format!("benchcmp-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = format!("\u{feff}  {}", to_json(&sample()).unwrap());
        let whole = dir.join("whole.json");
        std::fs::write(&whole, &json).unwrap();
        let mapped_at = |path: &Path| {
            let file = std::fs::File::open(path).unwrap();
            mapped(&file, &file.metadata().unwrap()).unwrap()
        };
        assert!(mapped_at(&whole).is_some());
        assert!(same(&load(&whole).unwrap(), &sample()));
        let truncated = dir.join("truncated.json");
        std::fs::write(&truncated, &json.as_bytes()[..json.len() / 2]).unwrap();
        let e = load(&truncated).unwrap_err().to_string();
        assert!(
            e.contains("truncated.json") && e.contains("truncated"),
            "{e}"
        );
        let empty = dir.join("empty.json");
        std::fs::write(&empty, "").unwrap();
        assert!(mapped_at(&empty).is_none());
        let e = load(&empty).unwrap_err().to_string();
        assert!(e.contains("empty.json") && e.contains("empty"), "{e}");
        // a directory is neither mapped nor read
        assert!(mapped_at(&dir).is_none());
        let e = load(&dir).unwrap_err().to_string();
        assert!(e.contains("cannot read snapshot"), "{e}");
        #[cfg(unix)]
        {
            let pipe = dir.join("pipe.json");
            let made = std::process::Command::new("mkfifo").arg(&pipe).status();
            if made.is_ok_and(|s| s.success()) {
                // more than a pipe holds, so the writer is still writing when it is opened
                let json = format!("{json}{}", " ".repeat(1 << 20));
                let writer = {
                    let (pipe, json) = (pipe.clone(), json.clone());
                    std::thread::spawn(move || std::fs::write(pipe, json).unwrap())
                };
                assert!(same(&load(&pipe).unwrap(), &sample()));
                writer.join().unwrap();
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_json_object_is_judged_by_its_start() {
        let dir = std::env::temp_dir().join(format!("benchcmp-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.json");
        // a log named as a snapshot, five times longer than what is read of it
        let text = "2026-11-28 12:00:00 INFO started\n".repeat(10_000);
        std::fs::write(&path, &text).unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert_eq!(e, parse(text.as_bytes(), &path).unwrap_err().to_string());
        assert!(e.contains("log.json") && e.contains("line 1"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_and_truncated_files_are_clear_errors() {
        let json = to_json(&sample()).unwrap();
        let truncated = &json.as_bytes()[..json.len() / 2];
        let e = parse(truncated, Path::new("b/weekly.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b/weekly.json") && e.contains("truncated"),
            "{e}"
        );
        let e = parse(b"<html>404</html>", Path::new("w.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("w.json") && e.contains("not a valid snapshot") && e.contains("line 1"),
            "{e}"
        );
        let wrong = json.replace(FORMAT, "benchcmp.snapshot.v9");
        let e = parse(wrong.as_bytes(), Path::new("w.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("benchcmp.snapshot.v9"), "{e}");
        let bad_value = json.replace("\"150.25\"", "\"fast\"");
        let e = parse(bad_value.as_bytes(), Path::new("w.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("throughput") && e.contains("fast"), "{e}");
        let bad_step = json.replace("\"30s\"", "\"thirty\"");
        let e = parse(bad_step.as_bytes(), Path::new("w.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("run.step"), "{e}");
    }
}
