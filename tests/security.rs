//! TLS, authentication and secrets against a real Prometheus started with
//! `--web.config.file` (certificates made by the test, a bcrypt hash for basic auth): the
//! right and a wrong password, a bearer token, custom headers, the right and a wrong CA, an
//! expired certificate, http spoken to https and the other way round, credentials in the
//! URL — and afterwards every byte printed or written by those runs is searched for the
//! secrets.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use support::*;

const USER: &str = "perf";
const PASSWORD: &str = "correct-horse-battery";
const WRONG: &str = "wrong-horse-staple";
const TOKEN: &str = "tok-9f8e7d6c5b4a";
const HEADER: &str = "key-0a1b2c3d4e5f";

struct Servers {
    /// TLS with basic auth.
    tls: prom::Prometheus,
    /// TLS with an expired certificate.
    expired: prom::Prometheus,
    pki: tls::Pki,
}

fn servers() -> &'static Servers {
    static S: OnceLock<Servers> = OnceLock::new();
    S.get_or_init(|| {
        let work = work_dir();
        let pki = tls::pki(&work.join("pki"));
        let hash = bcrypt::hash(PASSWORD, 4).unwrap();
        let web = |cert: &Path, key: &Path| {
            format!(
                "tls_server_config:\n  cert_file: {}\n  key_file: {}\nbasic_auth_users:\n  {USER}: {hash}\n",
                cert.display(),
                key.display()
            )
        };
        let data = fixture_openmetrics();
        Servers {
            tls: prom::start_with(&data, &work, Some(&web(&pki.cert, &pki.key))),
            expired: prom::start_with(
                &data,
                &work,
                Some(&web(&pki.expired_cert, &pki.expired_key)),
            ),
            pki,
        }
    })
}

/// Every output of every run in this file, for the secrets check: stdout, stderr and every
/// file the run left (the test's own config, which holds the secrets, aside).
fn record(out: &Output, dir: &Path) -> String {
    let mut all = text(&out.stdout) + &text(&out.stderr);
    for entry in walk(dir)
        .into_iter()
        .filter(|p| !p.ends_with("benchcmp.toml"))
    {
        if let Ok(t) = std::fs::read_to_string(&entry) {
            all.push_str(&t);
        }
    }
    let path = work_dir().join(format!("security-outputs-{}.txt", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    std::io::Write::write_all(&mut f, all.as_bytes()).unwrap();
    all
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A directory with a config for `url` and `source` lines, and the secrets in the
/// environment the config names.
fn setup(name: &str, url: &str, source: &str) -> PathBuf {
    // Unique per call: the last test runs the others again, concurrently with themselves.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = temp_dir(&format!("{name}-{n}"));
    let cfg = fixture_config(url).replace(
        "timeout = \"20s\"",
        &format!("timeout = \"10s\"\nretries = 0\n{source}"),
    );
    std::fs::write(dir.join("benchcmp.toml"), cfg).unwrap();
    dir
}

fn check(dir: &Path, extra: &[&str]) -> Output {
    let q = queries_dir();
    let config = dir.join("benchcmp.toml");
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "queries",
        "--check",
        "--run",
        "weekly",
        "--queries",
        q.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let exe = env!("CARGO_BIN_EXE_benchcmp");
    std::process::Command::new(exe)
        .args(&args)
        .current_dir(dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .env("NO_COLOR", "1")
        .env("PROM_PASSWORD", PASSWORD)
        .env("PROM_WRONG", WRONG)
        .env("PROM_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[test]
fn the_right_ca_and_password_read_the_data() {
    let s = servers();
    let dir = setup(
        "tls-ok",
        &s.tls.url,
        &format!(
            "ca_file = \"{}\"\nusername = \"{USER}\"\npassword_env = \"PROM_PASSWORD\"\nheaders = {{ \"X-Api-Key\" = \"{HEADER}\" }}",
            s.pki.ca.display()
        ),
    );
    let out = check(&dir, &[]);
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("14 ok"), "{all}");
    // and a snapshot records its source without credentials
    let q = queries_dir();
    let out = benchcmp(
        &dir,
        &[
            "record",
            "weekly",
            "--queries",
            q.to_str().unwrap(),
            "--output",
            "w.json",
        ],
    );
    let all = record(&out, &dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the password comes from the environment: {all}"
    );
}

#[test]
fn credentials_in_the_url_work_and_are_never_shown() {
    let s = servers();
    let url = s
        .tls
        .url
        .replace("https://", &format!("https://{USER}:{PASSWORD}@"));
    let dir = setup(
        "tls-url",
        &url,
        &format!("ca_file = \"{}\"", s.pki.ca.display()),
    );
    let out = check(&dir, &[]);
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let q = queries_dir();
    let exe = env!("CARGO_BIN_EXE_benchcmp");
    let out = std::process::Command::new(exe)
        .args([
            "record",
            "weekly",
            "--queries",
            q.to_str().unwrap(),
            "--output",
            "w.json",
        ])
        .current_dir(&dir)
        .env_remove("BENCHCMP_PROMETHEUS_URL")
        .output()
        .unwrap();
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let snap = std::fs::read_to_string(dir.join("w.json")).unwrap();
    assert!(
        snap.contains(&format!("\"source\": \"{}\"", s.tls.url)),
        "source recorded without credentials"
    );
    // through the environment variable too, and --help does not print it
    let out = std::process::Command::new(exe)
        .arg("--help")
        .env("BENCHCMP_PROMETHEUS_URL", &url)
        .output()
        .unwrap();
    let help = record(&out, &dir);
    assert!(!help.contains(PASSWORD), "{help}");
}

#[test]
fn a_wrong_password_and_a_bearer_token_are_refused_by_name() {
    let s = servers();
    let ca = s.pki.ca.display();
    let dir = setup(
        "tls-wrong",
        &s.tls.url,
        &format!("ca_file = \"{ca}\"\nusername = \"{USER}\"\npassword_env = \"PROM_WRONG\""),
    );
    let all = source_error(&dir);
    assert!(all.contains("refused the request (HTTP 401"), "{all}");
    let dir = setup(
        "tls-bearer",
        &s.tls.url,
        &format!("ca_file = \"{ca}\"\nbearer_token_env = \"PROM_TOKEN\"\nheaders = {{ \"X-Api-Key\" = \"{HEADER}\" }}"),
    );
    let all = source_error(&dir);
    assert!(all.contains("refused"), "{all}");
}

/// Runs `queries --check` in `dir`, expects exit 3 (a source fault), returns what it said.
fn source_error(dir: &Path) -> String {
    let out = check(dir, &[]);
    let all = record(&out, dir);
    assert_eq!(out.status.code(), Some(3), "{all}");
    all
}

#[test]
fn certificates_that_cannot_be_trusted_are_named() {
    let s = servers();
    let auth = format!("username = \"{USER}\"\npassword_env = \"PROM_PASSWORD\"");
    // no CA: the system roots do not know the test CA
    let dir = setup("tls-noca", &s.tls.url, &auth);
    let all = source_error(&dir);
    assert!(
        all.contains("not trusted") && all.contains("ca_file"),
        "{all}"
    );
    // a CA that did not sign it
    let dir = setup(
        "tls-otherca",
        &s.tls.url,
        &format!("ca_file = \"{}\"\n{auth}", s.pki.other_ca.display()),
    );
    let all = source_error(&dir);
    assert!(all.contains("not trusted"), "{all}");
    // an expired certificate, from the right CA; certificate errors are not retried
    let dir = setup(
        "tls-expired",
        &s.expired.url,
        &format!("ca_file = \"{}\"\n{auth}", s.pki.ca.display()),
    );
    let all = source_error(&dir);
    assert!(
        all.contains("expired") && !all.contains("attempts"),
        "{all}"
    );
}

#[test]
fn http_and_https_mismatches_name_the_fix() {
    let s = servers();
    // http to the TLS port
    let plain = s.tls.url.replace("https://", "http://");
    let dir = setup("tls-plain", &plain, "");
    let all = source_error(&dir);
    assert!(all.contains("use https://"), "{all}");
    // https to a plain port
    let plain_server = prometheus();
    let dir = setup(
        "tls-nottls",
        &plain_server.url.replace("http://", "https://"),
        "",
    );
    let all = source_error(&dir);
    assert!(
        all.contains("does not speak TLS") && all.contains("use http://"),
        "{all}"
    );
}

#[test]
fn a_machine_without_certificate_authorities() {
    // A container without ca-certificates: rustls-native-certs reads only these two.
    let s = servers();
    let empty = temp_dir("no-cas");
    std::fs::write(empty.join("none.pem"), "").unwrap();
    let without_cas = |dir: &Path| -> Output {
        let q = queries_dir();
        let config = dir.join("benchcmp.toml");
        std::process::Command::new(env!("CARGO_BIN_EXE_benchcmp"))
            .args(["--config", config.to_str().unwrap(), "queries", "--check"])
            .args(["--run", "weekly", "--queries", q.to_str().unwrap()])
            .current_dir(dir)
            .env_remove("BENCHCMP_PROMETHEUS_URL")
            .env("NO_COLOR", "1")
            .env("PROM_PASSWORD", PASSWORD)
            .env("SSL_CERT_FILE", empty.join("none.pem"))
            .env("SSL_CERT_DIR", &empty)
            .output()
            .unwrap()
    };
    // plain http needs none
    let plain_server = prometheus();
    let dir = setup("no-cas-http", &plain_server.url, "");
    let out = without_cas(&dir);
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(0), "{all}");
    // https with the CA in ca_file needs none either
    let auth = format!("username = \"{USER}\"\npassword_env = \"PROM_PASSWORD\"");
    let dir = setup(
        "no-cas-ca-file",
        &s.tls.url,
        &format!("ca_file = \"{}\"\n{auth}", s.pki.ca.display()),
    );
    let out = without_cas(&dir);
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(0), "{all}");
    // https with neither: the fix is named
    let dir = setup("no-cas-https", &s.tls.url, &auth);
    let out = without_cas(&dir);
    let all = record(&out, &dir);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("No CA certificates")
            && all.contains("ca-certificates")
            && all.contains("ca_file"),
        "{all}"
    );
}

#[test]
fn zz_no_secret_in_any_output() {
    // Runs after the others in this binary's order; make sure they ran first.
    for t in [
        the_right_ca_and_password_read_the_data as fn(),
        credentials_in_the_url_work_and_are_never_shown,
        a_wrong_password_and_a_bearer_token_are_refused_by_name,
        certificates_that_cannot_be_trusted_are_named,
        http_and_https_mismatches_name_the_fix,
        a_machine_without_certificate_authorities,
    ] {
        t();
    }
    let path = work_dir().join(format!("security-outputs-{}.txt", std::process::id()));
    let all = std::fs::read_to_string(path).unwrap();
    assert!(all.len() > 1000, "the outputs were collected");
    use base64::Engine;
    let encode = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for secret in [
        PASSWORD.to_string(),
        WRONG.to_string(),
        TOKEN.to_string(),
        HEADER.to_string(),
        encode(&format!("{USER}:{PASSWORD}")),
        encode(&format!("{USER}:{WRONG}")),
    ] {
        assert!(!all.contains(&secret), "a secret leaked: {secret}");
    }
}
