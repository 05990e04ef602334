//! The built web app, served from Trunk's output directory.
//!
//! Files whose names carry Trunk's content hash never change and are cached for a year;
//! everything else (`index.html`, `sw.js`, the manifest) is revalidated on each visit,
//! so that a new version reaches people and the service worker can update. Every file
//! carries the app's Content-Security-Policy (`csp`).

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// Serves `dir`. A page path that names no file (`/`, a deep link) gets `index.html`,
/// the app shell — the shell of the app it is under when `dir` holds several (the
/// supervisors' workspace in `ws/`); a missing file (`….js`, an old build's `….wasm`)
/// gets a 404, never the shell under an asset's name. The build writes brotli and gzip
/// copies beside each file, sent to browsers that accept them.
pub fn router(dir: &Path) -> Router<AppState> {
    let root = dir.to_owned();
    let shell_or_404 = move |request: Request| {
        let root = root.clone();
        async move {
            let path = request.uri().path();
            let last = path.rsplit('/').next().unwrap_or_default();
            if last.contains('.') {
                return StatusCode::NOT_FOUND.into_response();
            }
            let index = ServeFile::new(shell_for(&root, path))
                .precompressed_br()
                .precompressed_gzip();
            match index.oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    };
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell_or_404.into_service());
    let web_dir = dir.to_owned();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let web_dir = web_dir.clone();
            async move { content_security_policy(&web_dir, request, next).await }
        }))
}

/// Sets the app's Content-Security-Policy (see `csp`) on every file of the web app:
/// the pages, and the service worker, whose script is governed by its own header.
async fn content_security_policy(web_dir: &Path, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let policy = super::csp::app_policy(web_dir).await;
    match HeaderValue::from_str(&policy) {
        Ok(value) => {
            response
                .headers_mut()
                .insert(CONTENT_SECURITY_POLICY, value);
        }
        Err(e) => tracing::error!(%e, "the content security policy is not a header value"),
    }
    response
}

/// The app shell for a page path: `<app>/index.html` when the path's first segment is
/// an app built beside the root one, else the root's.
fn shell_for(root: &Path, path: &str) -> std::path::PathBuf {
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let first = segments.next().unwrap_or_default();
    let inside = segments.next().is_some();
    let app = root.join(first).join("index.html");
    if inside
        && !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_alphanumeric())
        && app.is_file()
    {
        app
    } else {
        root.join("index.html")
    }
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Whether the file name carries a content hash (`…-<12 to 16 hex digits>` before
/// the extension or `_bg`), as Trunk writes them; Trunk drops leading zeros, so the
/// hash is not always 16 digits long.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('-').skip(1).any(|part| {
        let hex = part.bytes().take_while(u8::is_ascii_hexdigit).count();
        (12..=16).contains(&hex) && matches!(part.as_bytes().get(hex), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_path_gets_the_shell_of_its_app() {
        let dir = std::env::temp_dir().join(format!("tiendo-web-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("ws")).unwrap();
        std::fs::write(dir.join("index.html"), "root").unwrap();
        std::fs::write(dir.join("ws/index.html"), "ws").unwrap();
        assert_eq!(shell_for(&dir, "/"), dir.join("index.html"));
        assert_eq!(shell_for(&dir, "/ws/deep"), dir.join("ws/index.html"));
        assert_eq!(shell_for(&dir, "/ws"), dir.join("index.html"));
        assert_eq!(shell_for(&dir, "/other/page"), dir.join("index.html"));
        assert_eq!(shell_for(&dir, "/../ws/x"), dir.join("index.html"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert!(is_hashed_asset("/tiendo-frontend-9f1c2b3a4d5e6f70_bg.wasm"));
        assert!(is_hashed_asset("/tiendo-frontend-9f1c2b3a4d5e6f70.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(is_hashed_asset("/style-5d92575310e3a82.css"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/manifest.webmanifest"));
        assert!(!is_hashed_asset("/tiendo-frontend-9f1c2b3a.js"));
    }
}
