//! Push throughput: applied mutations per second and request latency, batched and
//! unbatched, against the real server over loopback HTTP with a fresh database.
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
    fn row(&self) -> String {
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
            self.mutations as f64 / self.elapsed.as_secs_f64(),
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
}
