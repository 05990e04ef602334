//! Serving the built web app: pre-compressed files, cache headers by kind of file,
//! and the app shell for any path that is not a file.

use tiendo_tests::TestServer;

fn web_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let write =
        |name: &str, body: &[u8]| std::fs::write(dir.path().join(name), body).expect("write");
    write("index.html", b"<!doctype html><title>shell</title>");
    write("index.html.br", b"brotli shell");
    write("index.html.gz", b"gzip shell");
    write("sw.js", b"// worker");
    write("app-0123456789abcdef_bg.wasm", b"\0asm");
    write("app-0123456789abcdef_bg.wasm.br", b"brotli wasm");
    dir
}

#[test]
fn hashed_files_are_immutable_and_the_shell_and_worker_are_revalidated() {
    let dir = web_dir();
    let server = TestServer::start_with_web(dir.path());
    let cache = |path: &str| server.get_headers(path, &[], &["cache-control"]);
    assert_eq!(
        cache("/app-0123456789abcdef_bg.wasm"),
        (
            200,
            vec![Some("public, max-age=31536000, immutable".into())]
        )
    );
    assert_eq!(cache("/"), (200, vec![Some("no-cache".into())]));
    assert_eq!(cache("/sw.js"), (200, vec![Some("no-cache".into())]));
}

#[test]
fn an_unchanged_plan_costs_a_304() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let auth = format!("Bearer {}", staff.token);
    let (status, first) = server.get_headers(
        "/api/v1/plan",
        &[("Authorization", &auth)],
        &["etag", "cache-control"],
    );
    assert_eq!(status, 200);
    let etag = first[0].clone().expect("an etag");
    assert_eq!(first[1].as_deref(), Some("private, no-cache"));
    let (again, _) = server.get_headers(
        "/api/v1/plan",
        &[("Authorization", &auth), ("If-None-Match", &etag)],
        &[],
    );
    assert_eq!(again, 304);
    // Another agency sees other assignments, so another version.
    let other = server.login("boy");
    let (_, theirs) = server.get_headers(
        "/api/v1/plan",
        &[("Authorization", &format!("Bearer {}", other.token))],
        &["etag"],
    );
    assert_ne!(theirs[0].as_deref(), Some(etag.as_str()));
}

#[test]
fn every_answer_carries_the_basic_security_headers() {
    let dir = web_dir();
    let server = TestServer::start_with_web(dir.path());
    for path in ["/", "/sw.js", "/api/v1/plan", "/healthz"] {
        let (_, headers) = server.get_headers(
            path,
            &[],
            &[
                "x-content-type-options",
                "x-frame-options",
                "referrer-policy",
            ],
        );
        assert_eq!(
            headers,
            vec![
                Some("nosniff".into()),
                Some("DENY".into()),
                Some("no-referrer".into())
            ],
            "{path}"
        );
    }
}

#[test]
fn browsers_that_accept_brotli_get_the_precompressed_file() {
    let dir = web_dir();
    let server = TestServer::start_with_web(dir.path());
    let (status, headers) = server.get_headers(
        "/app-0123456789abcdef_bg.wasm",
        &[("Accept-Encoding", "gzip, br")],
        &["content-encoding", "content-length"],
    );
    assert_eq!(status, 200);
    assert_eq!(headers, vec![Some("br".into()), Some("11".into())]);
    let (_, plain) = server.get_headers(
        "/app-0123456789abcdef_bg.wasm",
        &[("Accept-Encoding", "identity")],
        &["content-encoding"],
    );
    assert_eq!(plain, vec![None]);
}

#[test]
fn any_other_path_gets_the_app_shell() {
    let dir = web_dir();
    let server = TestServer::start_with_web(dir.path());
    let (status, headers) = server.get_headers(
        "/some/deep/link",
        &[("Accept-Encoding", "gzip")],
        &["content-encoding", "cache-control"],
    );
    assert_eq!(status, 200);
    assert_eq!(headers, vec![Some("gzip".into()), Some("no-cache".into())]);
    // A missing asset is a 404, never the shell under the asset's name (which the
    // browser would cache as immutable).
    let (missing, _) = server.get_headers("/app-fedcba9876543210_bg.wasm", &[], &[]);
    assert_eq!(missing, 404);
    // The API never falls back to the shell.
    assert_eq!(server.get("/api/v1/none", None).status, 404);
}

#[test]
fn the_app_runs_only_its_own_scripts_and_the_api_runs_nothing() {
    let dir = web_dir();
    std::fs::write(
        dir.path().join("index.html"),
        r#"<!doctype html><link rel="modulepreload" href="/app.js"><script type="module">console.log("shell")</script><script src="/other.js"></script>"#,
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("ws")).expect("mkdir");
    std::fs::write(
        dir.path().join("ws/index.html"),
        r#"<!doctype html><script type="module">x()</script>"#,
    )
    .expect("write");
    let server = TestServer::start_with_web(dir.path());
    let policy = |path: &str| {
        let (status, headers) = server.get_headers(path, &[], &["content-security-policy"]);
        assert_eq!(status, 200, "{path}");
        headers[0].clone().expect("a content security policy")
    };
    // printf 'console.log("shell")' | openssl dgst -sha256 -binary | base64, and 'x()'.
    let app = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' \
               'sha256-yI+AJvI1T7yI8BokJ/TGO5L3kIKHaKzZtH19pTp75P0=' \
               'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='; style-src 'self'; \
               connect-src 'self'; img-src 'self'; manifest-src 'self'; worker-src 'self'; \
               frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    for path in ["/", "/ws/", "/ws/#/dashboard", "/some/deep/link", "/sw.js"] {
        assert_eq!(policy(path), app, "{path}");
    }
    for path in ["/healthz", "/api/v1/openapi.json"] {
        assert_eq!(
            policy(path),
            "default-src 'none'; frame-ancestors 'none'",
            "{path}"
        );
    }
    let (status, headers) = server.get_headers("/api/v1/plan", &[], &["content-security-policy"]);
    assert_eq!(status, 401);
    assert_eq!(
        headers[0].as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );

    // A new build copied in while the server runs is allowed at once.
    std::fs::write(
        dir.path().join("ws/index.html"),
        r#"<!doctype html><script type="module">console.log("shell")</script>"#,
    )
    .expect("write");
    assert!(!policy("/ws/").contains("D6IGS8VMvCoyaR"));
}
