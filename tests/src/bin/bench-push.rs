//! Push throughput: applied mutations per second and request latency, batched and
//! unbatched, against the real server over loopback HTTP with a fresh database; then
//! what devices ask for on every sync once that history is there — a pull with nothing
//! new and the plan answered 304 — and a supervisor's first download of the whole
//! history, page by page.
//!
//! `cargo run --release -p tiendo-tests --bin bench-push` (see docs/benchmarks.md).

use std::time::{Duration, Instant};

use tiendo_shared::protocol::PushResponse;
use tiendo_tests::{Client, TestServer, client_id, progress};

struct Run {
    name: String,
    mutations: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    /// A table row with the mutations applied per second (pushes).
    fn row(&self) -> String {
        self.row_at(self.mutations as f64 / self.elapsed.as_secs_f64())
    }

    /// For reads, `mutations` counts the changes downloaded: a table row with the
    /// requests answered per second.
    fn pull_row(&self) -> String {
        self.row_at(self.latencies.len() as f64 / self.elapsed.as_secs_f64())
    }

    /// Name, count, requests, `rate`, and the p50 and p99 latencies in ms.
    fn row_at(&self, rate: f64) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let pct = |p: f64| {
            let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index].as_secs_f64() * 1000.0
        };
        format!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} |",
            self.name,
            self.mutations,
            sorted.len(),
            rate,
            pct(0.50),
            pct(0.99)
        )
    }
}

/// One client pushing `total` mutations in requests of `batch`, one after another.
fn sequential(staff: &Client, n: u64, total: u64, batch: u64) -> (Vec<Duration>, u64) {
    let client = client_id(n);
    let mut latencies = Vec::new();
    let mut seq = 1;
    while seq <= total {
        let end = (seq + batch).min(total + 1);
        let mutations = (seq..end)
            .map(|s| progress(s, "5.1", "in_progress", &format!("c{n} lần {s}")))
            .collect();
        let started = Instant::now();
        let reply = staff.push(&client, mutations);
        latencies.push(started.elapsed());
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_eq!(reply.json::<PushResponse>().last_seq, end - 1);
        seq = end;
    }
    (latencies, total)
}

fn measure(
    name: &str,
    server: &TestServer,
    clients: u64,
    total_each: u64,
    batch: u64,
    first_id: u64,
) -> Run {
    let started = Instant::now();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let staff = server.login("vhttdl");
                scope.spawn(move || sequential(&staff, first_id + c, total_each, batch))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client"))
            .collect()
    });
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    let mut mutations = 0;
    for (l, m) in results {
        latencies.extend(l);
        mutations += m;
    }
    Run {
        name: name.to_owned(),
        mutations,
        elapsed,
        latencies,
    }
}

fn main() {
    let server = TestServer::start();
    // Warm up: connections, statement caches, the first pages of the file.
    measure("warm-up", &server, 1, 200, 100, 1);

    let runs = [
        measure(
            "batched: 1 client, 100 per push",
            &server,
            1,
            20_000,
            100,
            100,
        ),
        measure(
            "batched: 4 clients, 100 per push",
            &server,
            4,
            5_000,
            100,
            200,
        ),
        measure("unbatched: 1 client, 1 per push", &server, 1, 1_000, 1, 300),
        measure("unbatched: 4 clients, 1 per push", &server, 4, 500, 1, 400),
    ];
    println!("| run | mutations | requests | applied/s | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for run in &runs {
        println!("{}", run.row());
    }

    println!();
    println!("| run | changes | requests | requests/s | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for run in [
        first_download(&server),
        idle_sync(&server, "pull, nothing new: 1 device", 1, 2_000, Ask::Pull),
        idle_sync(&server, "pull, nothing new: 8 devices", 8, 500, Ask::Pull),
        idle_sync(
            &server,
            "plan, unchanged (304): 8 devices",
            8,
            500,
            Ask::Plan,
        ),
    ] {
        println!("{}", run.pull_row());
    }
}

/// A supervisor's first sync: every change from the beginning, in pages of 500.
fn first_download(server: &TestServer) -> Run {
    let supervisor = server.login("sotttt");
    let mut latencies = Vec::new();
    let mut changes = 0;
    let mut cursor = "0".to_owned();
    let started = Instant::now();
    loop {
        let asked = Instant::now();
        let page = supervisor.pull_schema(&cursor, 500, 2);
        latencies.push(asked.elapsed());
        assert_eq!(page.status, 200, "{:?}", page.body);
        changes += page.body["changes"].as_array().map_or(0, Vec::len) as u64;
        cursor = page.body["cursor"].as_str().expect("cursor").to_owned();
        if page.body["has_more"] != true {
            break;
        }
    }
    Run {
        name: "first download: supervisor, pages of 500".into(),
        mutations: changes,
        elapsed: started.elapsed(),
        latencies,
    }
}

#[derive(Clone, Copy)]
enum Ask {
    Pull,
    Plan,
}

/// `devices` devices of staff, each asking `each` times in a row for what every sync
/// asks when nothing changed.
fn idle_sync(server: &TestServer, name: &str, devices: u64, each: u64, ask: Ask) -> Run {
    let staff = server.login("vhttdl");
    let mut cursor = "0".to_owned();
    loop {
        let page = staff.pull_schema(&cursor, 500, 2);
        cursor = page.body["cursor"].as_str().expect("cursor").to_owned();
        if page.body["has_more"] != true {
            break;
        }
    }
    let auth = format!("Bearer {}", staff.token);
    let (_, etag) = server.get_headers("/api/v1/plan", &[("Authorization", &auth)], &["etag"]);
    let etag = etag[0].clone().expect("etag");
    let pull = format!("/api/v1/sync/pull?cursor={cursor}&schema_version=2");
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..devices)
            .map(|_| {
                let (auth, etag, pull, staff) = (&auth, &etag, &pull, &staff);
                scope.spawn(move || {
                    (0..each)
                        .map(|_| {
                            let asked = Instant::now();
                            match ask {
                                Ask::Pull => {
                                    let page = staff.get(pull);
                                    assert_eq!(page.status, 200);
                                    assert_eq!(page.body["changes"], serde_json::json!([]));
                                }
                                Ask::Plan => {
                                    let (status, _) = server.get_headers(
                                        "/api/v1/plan",
                                        &[("Authorization", auth), ("If-None-Match", etag)],
                                        &[],
                                    );
                                    assert_eq!(status, 304);
                                }
                            }
                            asked.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("device"))
            .collect()
    });
    Run {
        name: name.to_owned(),
        mutations: 0,
        elapsed: started.elapsed(),
        latencies,
    }
}
