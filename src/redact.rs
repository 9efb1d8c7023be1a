//! Secrets never leave the process. Every string benchcmp prints or writes passes
//! [`redact`], which knows the configured secrets — password, bearer token, header values —
//! and the forms they travel in (`Basic <base64 user:password>`, `Bearer <token>`), and masks
//! the password of any URL (`https://user:***@host`). Registering happens once the
//! configuration is read; until then only URL passwords are masked.

use std::sync::{OnceLock, RwLock};

use base64::Engine;

/// What replaces a secret.
pub const MASK: &str = "***";

/// Shorter strings are not treated as secrets (they would mask ordinary words).
const MIN_SECRET: usize = 4;

fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

fn add(secret: String) {
    if secret.len() < MIN_SECRET {
        return;
    }
    if let Ok(mut s) = secrets().write() {
        if !s.contains(&secret) {
            s.push(secret);
            // longest first, so a secret inside another is masked as part of the longer
            s.sort_by_key(|x| std::cmp::Reverse(x.len()));
        }
    }
}

/// Registers a secret value (a token, a header value, a password).
pub fn register(secret: &str) {
    add(secret.to_string());
}

/// Registers basic-auth credentials and their encoded form.
pub fn register_basic(username: &str, password: &str) {
    register(password);
    add(base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")));
}

/// `text` with every registered secret and every URL password masked.
pub fn redact(text: &str) -> String {
    let mut out = mask_url_passwords(text);
    if let Ok(list) = secrets().read() {
        for secret in list.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
    }
    out
}

/// Masks the password of `scheme://user:password@host` anywhere in `text`.
fn mask_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // the authority ends at the first '/', '?', '#' or whitespace
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push(':');
                        out.push_str(MASK);
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords() {
        assert_eq!(
            mask_url_passwords("cannot connect to https://perf:s3cret@prom:9090/api (x)"),
            "cannot connect to https://perf:***@prom:9090/api (x)"
        );
        assert_eq!(mask_url_passwords("http://host:9090"), "http://host:9090");
        assert_eq!(mask_url_passwords("a http://u@h b"), "a http://u@h b");
    }

    #[test]
    fn masks_registered_secrets_and_their_encodings() {
        register_basic("perf", "wrong-horse");
        register("tok-123456");
        let basic = base64::engine::general_purpose::STANDARD.encode("perf:wrong-horse");
        let text = format!(
            "cannot find the provided auth token \"Basic {basic}\"; pass=wrong-horse bearer tok-123456"
        );
        let shown = redact(&text);
        assert!(
            !shown.contains("wrong-horse")
                && !shown.contains(&basic)
                && !shown.contains("tok-123456"),
            "{shown}"
        );
        assert!(shown.contains("Basic ***"), "{shown}");
        // short values are not secrets
        register("ab");
        assert_eq!(redact("ab"), "ab");
    }
}
