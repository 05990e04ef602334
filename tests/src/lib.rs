//! Helpers for the black-box tests: the real server on `127.0.0.1:0` with a fresh
//! database, and a typed client that speaks to it over HTTP as any client would.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tiendo_backend::db::Db;
use tiendo_backend::{AppState, Config, seed};
use tiendo_shared::error::ApiError;
use tokio::sync::oneshot;

/// A running server with its own database in a temporary directory.
pub struct TestServer {
    pub addr: SocketAddr,
    pub db: Db,
    dir: tempfile::TempDir,
    web_dir: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server seeded with the built-in plan and the demo accounts.
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        TestServer::start_in(dir, PathBuf::from("/nonexistent"))
    }

    /// Starts a server that serves the web app from `web_dir`.
    pub fn start_with_web(web_dir: &std::path::Path) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        TestServer::start_in(dir, web_dir.to_owned())
    }

    fn start_in(dir: tempfile::TempDir, web_dir: PathBuf) -> TestServer {
        let path = dir.path().join("tiendo.sqlite");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (db, listener) = runtime.block_on(async {
            let db = Db::open(&path).expect("open database");
            seed::seed_plan_if_empty(&db).await.expect("seed plan");
            seed::seed_demo_users(&db).await.expect("seed users");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            (db, listener)
        });
        let addr = listener.local_addr().expect("address");
        let state = AppState::new(
            db.clone(),
            Config {
                web_dir: web_dir.clone(),
                token_ttl: Duration::from_secs(3600),
            },
        );
        let (tx, rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let shutdown = async {
                    let _ = rx.await;
                };
                tiendo_backend::serve(listener, state, shutdown)
                    .await
                    .expect("serve");
            });
        });
        TestServer {
            addr,
            db,
            dir,
            web_dir,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signs in a demo account and returns a client holding its token.
    pub fn login(&self, username: &str) -> Client {
        demo_login(&self.url(""), username)
    }

    /// A client holding a token got some other way.
    pub fn login_with_token(&self, token: &str) -> Client {
        Client {
            base: self.url(""),
            token: token.to_owned(),
        }
    }

    /// A request to `path`, with the bearer token if there is one.
    fn request(&self, method: &str, path: &str, token: Option<&str>) -> ureq::Request {
        let request = ureq::request(method, &self.url(path));
        match token {
            Some(token) => request.set("Authorization", &format!("Bearer {token}")),
            None => request,
        }
    }

    /// A POST with a JSON body.
    pub fn post_json<B: Serialize>(&self, path: &str, token: Option<&str>, body: &B) -> Reply {
        Reply::from(self.request("POST", path, token).send_json(body))
    }

    /// A POST with a raw body, for malformed input.
    pub fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Reply {
        let request = self
            .request("POST", path, token)
            .set("Content-Type", content_type);
        Reply::from(request.send_bytes(body))
    }

    /// A GET with extra headers, answering the status and the response headers asked
    /// for (the body is not read as JSON).
    pub fn get_headers(
        &self,
        path: &str,
        send: &[(&str, &str)],
        read: &[&str],
    ) -> (u16, Vec<Option<String>>) {
        let mut request = ureq::get(&self.url(path));
        for (name, value) in send {
            request = request.set(name, value);
        }
        let response = match request.call() {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("transport error: {e}"),
        };
        let headers = read
            .iter()
            .map(|h| response.header(h).map(str::to_owned))
            .collect();
        (response.status(), headers)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        Reply::from(self.request("GET", path, token).call())
    }

    /// Stops the server and starts a new one on the same database, as a restart does.
    pub fn restart(self) -> TestServer {
        self.restart_with(|_| {})
    }

    /// Stops the server, lets `while_down` work on the database file (to back it up
    /// or restore it), and starts a new server on it.
    pub fn restart_with(mut self, while_down: impl FnOnce(&std::path::Path)) -> TestServer {
        // Once stopped, nothing writes: the file and its WAL can be copied as they are.
        self.stop();
        while_down(&self.dir.path().join("tiendo.sqlite"));
        let dir = std::mem::replace(
            &mut self.dir,
            tempfile::tempdir().expect("temporary directory"),
        );
        let web_dir = self.web_dir.clone();
        drop(self);
        TestServer::start_in(dir, web_dir)
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Signs in a demo account at the server whose address is `base`.
fn demo_login(base: &str, username: &str) -> Client {
    let response = Reply::from(
        ureq::post(&format!("{base}/api/v1/login"))
            .send_json(json!({"username": username, "password": seed::DEMO_PASSWORD})),
    );
    assert_eq!(
        response.status, 200,
        "login {username}: {:?}",
        response.body
    );
    Client {
        base: base.to_owned(),
        token: response.body["token"].as_str().expect("token").to_owned(),
    }
}

/// A signed-in client.
pub struct Client {
    base: String,
    pub token: String,
}

impl Client {
    /// Pushes, returning `None` when no answer came (the server went away).
    pub fn try_push(&self, client_id: &str, mutations: Vec<Value>) -> Option<Reply> {
        let result = ureq::post(&format!("{}/api/v1/sync/push", self.base))
            .set("Authorization", &format!("Bearer {}", self.token))
            .send_json(json!({
                "client_id": client_id,
                "schema_version": tiendo_shared::protocol::SCHEMA_VERSION,
                "mutations": mutations,
            }));
        match result {
            Ok(_) | Err(ureq::Error::Status(..)) => Some(Reply::from(result)),
            Err(_) => None,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        Reply::from(
            ureq::get(&format!("{}{path}", self.base))
                .set("Authorization", &format!("Bearer {}", self.token))
                .call(),
        )
    }

    /// A GET whose answer is a file: its status, type, disposition and bytes.
    pub fn download(&self, path: &str) -> Download {
        Download::from(
            ureq::get(&format!("{}{path}", self.base))
                .set("Authorization", &format!("Bearer {}", self.token))
                .call(),
        )
    }

    pub fn post<B: Serialize>(&self, path: &str, body: &B) -> Reply {
        Reply::from(
            ureq::post(&format!("{}{path}", self.base))
                .set("Authorization", &format!("Bearer {}", self.token))
                .send_json(body),
        )
    }

    /// Pushes mutations for `client_id` with the current schema version.
    pub fn push(&self, client_id: &str, mutations: Vec<Value>) -> Reply {
        self.post(
            "/api/v1/sync/push",
            &json!({
                "client_id": client_id,
                "schema_version": tiendo_shared::protocol::SCHEMA_VERSION,
                "mutations": mutations,
            }),
        )
    }

    /// Pulls one page after `cursor`.
    pub fn pull(&self, cursor: impl std::fmt::Display) -> Reply {
        self.get(&format!("/api/v1/sync/pull?cursor={cursor}"))
    }

    /// Pulls one page of at most `limit` changes after `cursor` as a client of
    /// protocol version `schema_version` (report changes come from version 2 on).
    pub fn pull_schema(
        &self,
        cursor: impl std::fmt::Display,
        limit: usize,
        schema_version: u32,
    ) -> Reply {
        self.get(&format!(
            "/api/v1/sync/pull?cursor={cursor}&limit={limit}&schema_version={schema_version}"
        ))
    }
}

/// An answer read as bytes, with the headers a download is judged by.
#[derive(Debug)]
pub struct Download {
    pub status: u16,
    pub content_type: Option<String>,
    pub content_disposition: Option<String>,
    pub body: Vec<u8>,
}

impl Download {
    /// The body as the shared error type; panics when it is not one.
    pub fn error(&self) -> ApiError {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{e}: {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl From<Result<ureq::Response, ureq::Error>> for Download {
    fn from(result: Result<ureq::Response, ureq::Error>) -> Download {
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = response.status();
        let content_type = response.header("content-type").map(str::to_owned);
        let content_disposition = response.header("content-disposition").map(str::to_owned);
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut body).expect("read body");
        Download {
            status,
            content_type,
            content_disposition,
            body,
        }
    }
}

/// An answer: its status and its JSON body (`Null` when it had none).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The body as a typed value; panics with the body when it does not fit.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The body as the shared error type.
    pub fn error(&self) -> ApiError {
        self.json()
    }
}

impl From<Result<ureq::Response, ureq::Error>> for Reply {
    fn from(result: Result<ureq::Response, ureq::Error>) -> Reply {
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = response.status();
        let text = response.into_string().unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }
}

/// A `progress.record` mutation on the current plan. Its id is derived from all its
/// fields, so the same call gives the same mutation (a retry) and different calls
/// give different ones.
pub fn progress(seq: u64, task: &str, status: &str, note: &str) -> Value {
    json!({
        "seq": seq,
        "id": uuid(seq, &format!("{task}|{status}|{note}")),
        "kind": "progress.record",
        "task": task,
        "status": status,
        "note": note,
        "observed_at": "2019-06-10T09:00:00+07:00",
    })
}

/// A deterministic, distinct UUID for each (seq, salt).
pub fn uuid(seq: u64, salt: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in salt.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (hash >> 32) as u32,
        (hash >> 16) as u16,
        (hash as u16) & 0xfff,
        (seq >> 48) as u16 & 0xfff,
        seq & 0xffff_ffff_ffff
    )
}

/// A fresh client id.
pub fn client_id(n: u64) -> String {
    uuid(n, "client")
}

/// The `tiendo` binary, as a separate process: for what only a process can show, such
/// as being killed in the middle of a write.
pub struct ServerProcess {
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    child: std::process::Child,
}

/// Where the `tiendo` binary is: `TIENDO_BIN`, or beside the test executable's
/// directory (`target/debug/tiendo`), where `./dev test` builds it first.
pub fn tiendo_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("TIENDO_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target directory");
    let bin = dir.join("tiendo");
    assert!(
        bin.is_file(),
        "build the server first: cargo build -p tiendo-backend ({})",
        bin.display()
    );
    bin
}

impl ServerProcess {
    /// Starts `tiendo serve --demo` on a free port with the database at `db_path`,
    /// and waits until it answers.
    pub fn start(db_path: &std::path::Path) -> ServerProcess {
        ServerProcess::start_with(db_path, &["--demo"])
    }

    /// Starts `tiendo serve` as on a real deployment (no demo accounts or data added)
    /// on the database at `db_path`.
    pub fn start_plain(db_path: &std::path::Path) -> ServerProcess {
        ServerProcess::start_with(db_path, &[])
    }

    fn start_with(db_path: &std::path::Path, extra: &[&str]) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let child = std::process::Command::new(tiendo_bin())
            .arg("serve")
            .args(extra)
            .args([
                "--addr",
                &addr.to_string(),
                "--web-dir",
                "/nonexistent",
                "--db",
            ])
            .arg(db_path)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start tiendo");
        let mut server = ServerProcess {
            addr,
            db_path: db_path.to_owned(),
            child,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = ureq::get(&format!("http://{addr}/healthz")).call()
                && response.status() == 200
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("tiendo exited: {status}");
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tiendo did not answer in time"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signs in a demo account.
    pub fn login(&self, username: &str) -> Client {
        demo_login(&self.url(""), username)
    }

    /// Asks the process to stop (SIGTERM), as systemd or a container runtime does.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit by itself, at most `limit`, and returns how it
    /// exited.
    pub fn wait(mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for tiendo") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tiendo did not exit in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process at once (SIGKILL): no graceful shutdown.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Running the `tiendo` binary as an administrator would, and reading its database
/// from outside.
pub mod cli {
    use std::path::Path;
    use std::process::{Command, Output, Stdio};

    use super::tiendo_bin;

    /// Runs the `tiendo` binary with `args` and no standard input.
    pub fn tiendo(args: &[&str]) -> Output {
        Command::new(tiendo_bin())
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("run tiendo")
    }

    /// The standard output of a command that must succeed.
    pub fn stdout(output: &Output) -> String {
        assert!(
            output.status.success(),
            "failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout.clone()).expect("utf-8")
    }

    /// The message of a command that must fail, and fail cleanly.
    pub fn failure(output: &Output) -> String {
        assert!(!output.status.success(), "should have failed");
        assert_eq!(output.status.code(), Some(1), "an error exit, not a crash");
        let message = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(!message.contains("panicked"), "{message}");
        assert!(output.stdout.is_empty(), "nothing half-printed");
        message
    }

    /// A path as a command-line argument.
    pub fn path(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }

    /// Every row of every table, to tell whether anything at all changed.
    pub fn dump(db: &Path) -> Vec<String> {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open the database");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .expect("tables");
        let mut rows = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("select");
            let width = stmt.column_count();
            let mut query = stmt.query([]).expect("query");
            while let Some(row) = query.next().expect("row") {
                let cells: Vec<String> = (0..width)
                    .map(|i| format!("{:?}", row.get_ref(i).expect("cell")))
                    .collect();
                rows.push(format!("{table}: {}", cells.join(", ")));
            }
        }
        assert!(!rows.is_empty());
        rows
    }
}
