//! The Content-Security-Policy of the web app: the browser runs the app's own files and
//! nothing else.
//!
//! Trunk writes one inline `<script type="module">` into each app's `index.html` (it
//! imports the hashed JavaScript glue and starts the WASM), and the field app's page
//! has two small ones of its own (its sign-in form before the app arrives,
//! `frontend/src/shell.rs`), so the policy allows exactly the inline scripts of those
//! pages by their SHA-256 and never `'unsafe-inline'`. The hashes are
//! taken from the `index.html` files the server is serving, when it serves them: they
//! cannot drift from the HTML sent (a build step writing them to a side file could be
//! skipped, or left behind by a build that replaced `index.html`), and a new build
//! copied into the web directory of a running server is allowed at once, as it is
//! served at once. Reading two small files and hashing them costs microseconds, and
//! only requests for the web app's files pay it (hashed assets are cached for a year).

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The policy of every answer that is not the web app (the API, `/healthz`): nothing
/// in it may run, load or be framed.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of the web app in `web_dir`, allowing the inline scripts of its app
/// shells: `index.html` and the `index.html` of each app built beside it (`ws/`).
pub async fn app_policy(web_dir: &Path) -> String {
    let mut hashes = Vec::new();
    for shell in shells(web_dir).await {
        if let Ok(html) = tokio::fs::read_to_string(&shell).await {
            for script in inline_scripts(&html) {
                let hash = format!("'sha256-{}'", sha256_base64(script));
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
    }
    policy(&hashes)
}

/// The policy with these script hashes (each already quoted: `'sha256-…'`).
fn policy(hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; \
         connect-src 'self'; img-src 'self'; manifest-src 'self'; worker-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

/// `web_dir/index.html` and `web_dir/<app>/index.html`, sorted so that the policy is
/// the same from one request to the next.
async fn shells(web_dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = vec![web_dir.join("index.html")];
    let mut apps = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(web_dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let shell = entry.path().join("index.html");
            if tokio::fs::metadata(&shell).await.is_ok_and(|m| m.is_file()) {
                apps.push(shell);
            }
        }
    }
    apps.sort();
    found.extend(apps);
    found
}

/// The bodies of the `<script>` elements without `src` in `html`, exactly as written
/// (the bytes the browser hashes).
fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lower-casing keeps every byte offset, so offsets found in `lower` cut `html`.
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[open..].find('>').map(|i| open + i) else {
            break;
        };
        let body = tag_end + 1;
        let Some(close) = lower[body..].find("</script").map(|i| body + i) else {
            break;
        };
        let tag = &lower[open + "<script".len()..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace() || c == '/')
            .any(|attribute| attribute == "src" || attribute.starts_with("src="));
        if !has_src {
            scripts.push(&html[body..close]);
        }
        at = close;
    }
    scripts
}

fn sha256_base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_taken_exactly_as_written() {
        let html = r#"<head><link rel="modulepreload" href="/a.js">
<SCRIPT type="module">import init from '/a.js';
await init();</SCRIPT><script src="/b.js"></script>
<script defer src='/c.js'></script><script>x()</script></head>"#;
        assert_eq!(
            inline_scripts(html),
            vec!["import init from '/a.js';\nawait init();", "x()"]
        );
    }

    #[test]
    fn the_policy_names_each_hash_and_no_unsafe_inline() {
        // printf 'x()' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            sha256_base64("x()"),
            "D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI="
        );
        let policy = policy(&[format!("'sha256-{}'", sha256_base64("x()"))]);
        assert!(policy.contains(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI=';"
        ));
        assert!(!policy.contains("unsafe-inline"));
    }
}
