//! The files a command writes: reserved before any input is read, checked against the
//! input snapshots and against each other — a report never overwrites what it reads —
//! staged beside their targets and renamed into place only when everything succeeded, so
//! a failure leaves earlier files as they were, never empty or half-written. Text passes
//! the redaction of secrets on its way out.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::redact::redact;

/// A path made comparable: absolute, `.` and `..` resolved, the existing part's symlinks
/// followed.
pub fn identity(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    if let Ok(real) = std::fs::canonicalize(&absolute) {
        return real;
    }
    // Resolve the longest existing ancestor, then append the rest lexically.
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    let mut existing = out.clone();
    let mut tail = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => tail.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in tail.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// `-` as a file option: standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A file or directory a command will write, and the option that named it.
#[derive(Debug, Clone)]
pub struct Target {
    pub option: String,
    pub path: PathBuf,
}

/// Fails when an output is also an input or two outputs are the same path — before
/// anything is read or written.
pub fn check_distinct(outputs: &[Target], inputs: &[(String, PathBuf)]) -> Result<()> {
    let to_stdout: Vec<&Target> = outputs.iter().filter(|o| is_stdout(&o.path)).collect();
    if to_stdout.len() > 1 {
        return Err(Error::input(format!(
            "{} and {} both write to standard output (-): give one of them a file",
            to_stdout[0].option, to_stdout[1].option
        )));
    }
    let outputs: Vec<Target> = outputs
        .iter()
        .filter(|o| !is_stdout(&o.path))
        .cloned()
        .collect();
    let outputs = outputs.as_slice();
    let ids: Vec<PathBuf> = outputs.iter().map(|o| identity(&o.path)).collect();
    for (o, id) in outputs.iter().zip(&ids) {
        for (what, input) in inputs {
            if identity(input) == *id {
                return Err(Error::input(format!(
                    "{} {} is also {what}: writing the report there would destroy an input; choose another path",
                    o.option,
                    o.path.display()
                )));
            }
        }
    }
    for i in 0..outputs.len() {
        for j in i + 1..outputs.len() {
            if ids[i] == ids[j] {
                return Err(Error::input(format!(
                    "{} and {} both name {}: each output needs its own path",
                    outputs[i].option,
                    outputs[j].option,
                    outputs[i].path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Staged files and directories not yet moved into place, of every [`Staging`]: what
/// [`remove_staged`] removes when Ctrl-C ends the process before they were committed.
/// One lock orders the three things that touch them — creating a staged path, committing
/// and removing — so that Ctrl-C either finds a path and removes it, or comes first and no
/// staged path is created after it; a commit under way finishes before the removal.
static STAGED: std::sync::Mutex<Staged> = std::sync::Mutex::new(Staged {
    paths: Vec::new(),
    stopped: false,
});

struct Staged {
    paths: Vec<PathBuf>,
    /// Set by [`remove_staged`]: nothing may be staged or committed any more.
    stopped: bool,
}

fn staged() -> std::sync::MutexGuard<'static, Staged> {
    STAGED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Creates the staged `path` with `create` and records it, unless Ctrl-C came first.
fn stage<T>(path: &Path, create: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let mut staged = staged();
    if staged.stopped {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "stopped by Ctrl-C",
        ));
    }
    let created = create()?;
    staged.paths.push(path.to_path_buf());
    Ok(created)
}

fn untrack(path: &Path) {
    staged().paths.retain(|p| p != path);
}

/// Removes every staged file and directory not committed yet (Ctrl-C: nothing is left
/// half-written, and nothing lands), and stops any later staging or commit. A staging
/// directory is renamed before it is removed, so that a chart still being drawn into it
/// cannot add a file behind the removal.
pub fn remove_staged() {
    let mut staged = staged();
    staged.stopped = true;
    for path in std::mem::take(&mut staged.paths) {
        if path.is_dir() {
            let mut doomed = path.clone().into_os_string();
            doomed.push(".removing");
            let doomed = PathBuf::from(doomed);
            let gone = if std::fs::rename(&path, &doomed).is_ok() {
                doomed
            } else {
                path
            };
            let _ = std::fs::remove_dir_all(&gone);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Files staged for writing; nothing reaches its target before [`Staging::commit`].
#[derive(Debug, Default)]
pub struct Staging {
    /// (staged file, target)
    files: Vec<(PathBuf, PathBuf)>,
    /// Targets that are not regular files (a device such as /dev/stdout, a FIFO): written
    /// in place at commit, never replaced by a rename.
    special: Vec<(String, PathBuf, Vec<u8>)>,
    /// Staging directories to remove at the end.
    dirs: Vec<PathBuf>,
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn create_dir(dir: &Path, option: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        // Name the file that stands where a directory is needed.
        let blocking = dir.ancestors().find(|a| a.is_file());
        match blocking {
            Some(file) => Error::input(format!(
                "{option}: cannot create directory {}: {} is a file",
                dir.display(),
                file.display()
            )),
            None => Error::input(format!(
                "{option}: cannot create directory {}: {e}",
                dir.display()
            )),
        }
    })
}

impl Staging {
    /// Stages `text` (redacted) for `target`.
    pub fn text(&mut self, option: &str, target: &Path, text: &str) -> Result<()> {
        self.bytes(option, target, redact(text).as_bytes())
    }

    /// Stages `bytes` for `target`, in a temporary file in the target's directory.
    pub fn bytes(&mut self, option: &str, target: &Path, bytes: &[u8]) -> Result<()> {
        if target.is_dir() {
            return Err(Error::input(format!(
                "{option} {}: is a directory, not a file",
                target.display()
            )));
        }
        // A symlink stays a symlink: what it points to is replaced.
        let resolved = std::fs::symlink_metadata(target)
            .is_ok_and(|m| m.file_type().is_symlink())
            .then(|| std::fs::canonicalize(target).ok())
            .flatten();
        let target = resolved.as_deref().unwrap_or(target);
        if is_special(target) {
            self.special
                .push((option.to_string(), target.to_path_buf(), bytes.to_vec()));
            return Ok(());
        }
        let dir = parent_of(target);
        create_dir(dir, option)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let tmp = dir.join(format!(".{name}.benchcmp-{}", std::process::id()));
        stage(&tmp, || std::fs::File::create(&tmp))
            .and_then(|file| write_synced(file, bytes))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::input(format!("{option} {}: {e}", target.display()))
            })?;
        self.files.push((tmp, target.to_path_buf()));
        Ok(())
    }

    /// A staging directory for the files that will go into `target_dir`; register each
    /// file written there with [`Staging::staged_in`].
    pub fn directory(&mut self, option: &str, target_dir: &Path) -> Result<PathBuf> {
        if target_dir.exists() && !target_dir.is_dir() {
            return Err(Error::input(format!(
                "{option} {}: is a file, not a directory",
                target_dir.display()
            )));
        }
        let parent = parent_of(target_dir);
        create_dir(parent, option)?;
        let name = target_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let staging = parent.join(format!(".{name}.benchcmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        stage(&staging, || std::fs::create_dir(&staging))
            .map_err(|e| Error::input(format!("{option} {}: {e}", staging.display())))?;
        self.dirs.push(staging.clone());
        Ok(staging)
    }

    /// Registers `files` written into `staging` (from [`Staging::directory`]) for
    /// `target_dir`.
    pub fn staged_in(&mut self, staging: &Path, target_dir: &Path, files: &[PathBuf]) {
        for f in files {
            if let Some(name) = f.file_name() {
                self.files.push((staging.join(name), target_dir.join(name)));
            }
        }
    }

    /// Moves every staged file into place.
    pub fn commit(mut self) -> Result<()> {
        // Held to the end: Ctrl-C waits for the commit to finish rather than leave it half
        // done, and a commit does not start after Ctrl-C.
        let mut staged = staged();
        if staged.stopped {
            return Err(Error::input(
                "stopped by Ctrl-C before the outputs were written",
            ));
        }
        for (option, target, bytes) in std::mem::take(&mut self.special) {
            write_in_place(&target, &bytes)
                .map_err(|e| Error::input(format!("{option} {}: {e}", target.display())))?;
        }
        for (tmp, target) in std::mem::take(&mut self.files) {
            create_dir(parent_of(&target), "output")?;
            std::fs::rename(&tmp, &target).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Error::input(format!("cannot write {}: {e}", target.display()))
            })?;
            staged.paths.retain(|p| p != &tmp);
        }
        Ok(())
    }
}

/// An existing path that is neither a regular file nor a directory: a character device, a
/// FIFO, a socket. Renaming over it would replace the device itself.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

fn write_synced(mut file: std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Appends text (secrets redacted) to a file, creating it: for files others own and add
/// to, such as GitHub's step summary. Nothing there is replaced.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(redact(text).as_bytes())?;
    file.flush()
}

fn write_in_place(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).open(target)?;
    file.write_all(bytes)?;
    file.flush()
}

impl Drop for Staging {
    /// Whatever was not committed is removed: a failed command leaves no trace.
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
            untrack(tmp);
        }
        for dir in &self.dirs {
            let _ = std::fs::remove_dir_all(dir);
            untrack(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("benchcmp-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn nothing_lands_before_commit_and_nothing_stays_after_a_failure() {
        let d = scratch("stage");
        let target = d.join("out/report.json");
        {
            let mut s = Staging::default();
            s.text("--json", &target, "{}").unwrap();
            assert!(!target.exists());
        } // dropped without commit
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(d.join("out")).unwrap().count(), 0);
        let mut s = Staging::default();
        s.text("--json", &target, "{\"a\": 1}").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"a\": 1}");
    }

    #[test]
    fn same_paths_are_found_however_written() {
        let d = scratch("same");
        std::fs::write(d.join("base.json"), "{}").unwrap();
        let spelled = d.join("sub/../base.json");
        let e = check_distinct(
            &[Target {
                option: "--json".into(),
                path: spelled,
            }],
            &[("the baseline snapshot".into(), d.join("base.json"))],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("the baseline snapshot") && e.contains("--json"),
            "{e}"
        );
        let e = check_distinct(
            &[
                Target {
                    option: "--json".into(),
                    path: d.join("r"),
                },
                Target {
                    option: "--markdown".into(),
                    path: d.join("./r"),
                },
            ],
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("--json and --markdown"), "{e}");
    }
}
