//! The sync invariants as properties: random stories of several devices editing
//! offline, answers lost, pushes delayed, duplicated and delivered out of order across
//! devices, the server killed and started again, and restored from a backup. Whatever
//! the story, after it every update a device holds is stored exactly once (or was
//! refused, and the device was told), nothing is ever stored twice, and every device's
//! pulled state is the server's.
//!
//! The server is the real `tiendo` binary ([`ServerProcess`]) spoken to over HTTP, as
//! devices speak to it: a restart is a SIGKILL, and a restore is `tiendo restore` with
//! the server stopped, which the in-process server cannot give (it keeps the database
//! open while stopped, so a restore would be refused). Each case starts one process;
//! a story has at most a handful of restarts, so a case takes well under a second.
//!
//! The devices follow `docs/sync.md`: an outbox numbered 1, 2, 3 … per client id,
//! pushed in order in small batches; acknowledged mutations kept with `acked`, the
//! highest `last_seq` answered; a `200` whose `last_seq` is below `acked`, a `409`
//! naming a seq at or below it, or a pull answering `reset` (then an empty push reads
//! `last_seq`) means the server lost what came after, and the device sends it again
//! under the same client id, seqs and ids before its queue; `401` means signing in
//! again.
//!
//! `SYNC_PROPERTY_CASES` sets the number of cases (24 by default).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tiendo_tests::cli::{path, stdout, tiendo};
use tiendo_tests::{ServerProcess, uuid};

/// The accounts the devices sign in as: two people of one agency (concurrent edits of
/// one task) and one of another; each with the task its agency records on.
const PEOPLE: &[(&str, &str)] = &[
    ("vhttdl", "5.1"),
    ("ngoaivu", "1.3"),
    ("vhttdl.lanhdao", "5.1"),
];
/// A task no plan has: always refused (`unknown_task`), and never stored.
const NO_TASK: &str = "99.9";
const STATUSES: &[&str] = &["not_started", "in_progress", "done", "blocked"];
/// A device's push batch: small, so that a story crosses batch boundaries.
const BATCH: usize = 3;
/// A device's pull page: small, so that a story crosses page boundaries.
const PAGE: usize = 25;

/// What the stories exercised, printed after the run, so that a property suite that
/// stopped reaching its faults shows: restores a device learnt of (its `acked` above
/// what the server held), sessions lost to a restore, stored updates and refusals.
static RESTORES_DETECTED: AtomicU64 = AtomicU64::new(0);
static SIGNED_IN_AGAIN: AtomicU64 = AtomicU64::new(0);
static ANSWERS_LOST: AtomicU64 = AtomicU64::new(0);
static LATE_DELIVERIES: AtomicU64 = AtomicU64::new(0);
static RESTARTS: AtomicU64 = AtomicU64::new(0);

fn count(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// One thing that happens in a story.
#[derive(Debug, Clone)]
enum Step {
    /// The person records an update offline: it joins the device's outbox. `task`:
    /// 0–7 the person's own task, 8 the other agency's, 9 one the plan does not have.
    Edit {
        device: usize,
        task: u8,
        status: usize,
    },
    /// The device syncs and sees every answer: pushes until nothing is left, pulls
    /// until nothing more.
    Sync { device: usize },
    /// The device pushes what it would send next; the server applies it, but the
    /// answer is lost on the way back.
    LoseAnswer { device: usize },
    /// The device pushes what it would send next, and the request is held up in the
    /// network; the device never sees an answer.
    Delay { device: usize },
    /// A held-up request arrives (any of them: out of order across devices), its
    /// answer lost. With `again`, a copy stays in the network and arrives once more.
    Deliver { which: usize, again: bool },
    /// The server is killed (SIGKILL) and started again on the same database.
    Restart,
    /// `tiendo backup` while the server runs; it replaces the previous backup.
    Backup,
    /// The server is stopped and `tiendo restore` puts the last backup back (a plain
    /// restart when none was taken yet).
    Restore,
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    let device = 0..devices;
    prop_oneof![
        8 => (device.clone(), 0..10u8, 0..STATUSES.len())
            .prop_map(|(device, task, status)| Step::Edit { device, task, status }),
        3 => device.clone().prop_map(|device| Step::Sync { device }),
        2 => device.clone().prop_map(|device| Step::LoseAnswer { device }),
        2 => device.prop_map(|device| Step::Delay { device }),
        2 => (0..8usize, any::<bool>()).prop_map(|(which, again)| Step::Deliver { which, again }),
        1 => Just(Step::Restart),
        1 => Just(Step::Backup),
        1 => Just(Step::Restore),
    ]
}

/// A story: how many devices, a salt making their ids distinct from any other case's,
/// and what happens.
fn story() -> impl Strategy<Value = (usize, u64, Vec<Step>)> {
    (1..=PEOPLE.len()).prop_flat_map(|devices| {
        (
            Just(devices),
            any::<u64>(),
            proptest::collection::vec(step(devices), 1..40),
        )
    })
}

/// An answer from the server.
struct Answer {
    status: u16,
    body: Value,
}

fn send(request: ureq::Request, body: Option<&Value>) -> Answer {
    let result = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = response.status();
    let text = response.into_string().unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// The server as the devices reach it: the process, and where its database is.
struct Server {
    process: Option<ServerProcess>,
    db: PathBuf,
    backup: PathBuf,
    backed_up: bool,
}

impl Server {
    fn url(&self, path: &str) -> String {
        self.process.as_ref().expect("the server runs").url(path)
    }

    fn login(&self, username: &str) -> String {
        let answer = send(
            ureq::post(&self.url("/api/v1/login")),
            Some(&json!({"username": username, "password": tiendo_backend::seed::DEMO_PASSWORD})),
        );
        assert_eq!(answer.status, 200, "login {username}: {}", answer.body);
        answer.body["token"].as_str().expect("token").to_owned()
    }

    fn push(&self, token: &str, client_id: &str, mutations: &[Value]) -> Answer {
        let request = ureq::post(&self.url("/api/v1/sync/push"))
            .set("Authorization", &format!("Bearer {token}"));
        send(
            request,
            Some(&json!({
                "client_id": client_id,
                "schema_version": tiendo_shared::protocol::SCHEMA_VERSION,
                "mutations": mutations,
            })),
        )
    }

    fn pull(&self, token: &str, cursor: &str) -> Answer {
        let request = ureq::get(&self.url(&format!(
            "/api/v1/sync/pull?cursor={cursor}&limit={PAGE}&schema_version={}",
            tiendo_shared::protocol::SCHEMA_VERSION
        )))
        .set("Authorization", &format!("Bearer {token}"));
        send(request, None)
    }

    /// Kills the server, lets `while_down` work on the database, and starts it again.
    fn restart_with(&mut self, while_down: impl FnOnce(&Path, &Path)) {
        if let Some(process) = self.process.take() {
            process.kill();
            count(&RESTARTS);
        }
        while_down(&self.db, &self.backup);
        self.process = Some(ServerProcess::start(&self.db));
    }

    /// The mutation ids under which each text of results is stored as a progress
    /// update, read from the database file as an operator would. Every update a device
    /// makes has results of its own, so an update stored twice (under any id) shows.
    fn stored(&self) -> BTreeMap<String, Vec<String>> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database");
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT results, mutation_id FROM progress_updates ORDER BY id")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()
            })
            .expect("progress updates");
        let mut stored: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (results, id) in rows {
            stored.entry(results).or_default().push(id);
        }
        stored
    }

    /// The mutation ids stored as progress updates under `client_id`.
    fn stored_under(&self, client_id: &str) -> Vec<String> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database");
        conn.prepare("SELECT mutation_id FROM progress_updates WHERE client_id = ?1")
            .and_then(|mut s| {
                s.query_map([client_id], |r| r.get(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("progress updates")
    }

    /// The high-water mark the server holds for `client_id` (0 when it knows none).
    fn last_seq(&self, client_id: &str) -> u64 {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the database");
        conn.query_row(
            "SELECT COALESCE((SELECT last_seq FROM clients WHERE client_id = ?1), 0)",
            [client_id],
            |r| r.get(0),
        )
        .expect("last_seq")
    }
}

/// A device of one person, following docs/sync.md.
struct Device {
    username: &'static str,
    own_task: &'static str,
    client_id: String,
    salt: String,
    token: Option<String>,
    next_seq: u64,
    /// Every mutation made on the device, acknowledged or not, by seq (the device
    /// keeps acknowledged ones for 30 days: for ever, in a story).
    made: BTreeMap<u64, Value>,
    /// The highest `last_seq` the server answered.
    acked: u64,
    /// What the device believes the server holds: `acked`, or less once it learnt of a
    /// restore; it sends every mutation after it.
    floor: u64,
    /// The mutation ids the server said it refused.
    refused: BTreeSet<String>,
    cursor: String,
    /// The pulled state: each change by its feed id.
    pulled: BTreeMap<u64, Value>,
}

impl Device {
    fn new(n: usize, salt: u64) -> Device {
        let (username, own_task) = PEOPLE[n];
        Device {
            username,
            own_task,
            client_id: uuid(n as u64 + 1, &format!("client {salt}")),
            salt: format!("{salt}.{n}"),
            token: None,
            next_seq: 1,
            made: BTreeMap::new(),
            acked: 0,
            floor: 0,
            refused: BTreeSet::new(),
            cursor: "0".into(),
            pulled: BTreeMap::new(),
        }
    }

    fn token(&mut self, server: &Server) -> String {
        if self.token.is_none() {
            self.token = Some(server.login(self.username));
        }
        self.token.clone().expect("signed in")
    }

    fn edit(&mut self, task: u8, status: usize) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let task = match task {
            0..=7 => self.own_task,
            8 => PEOPLE
                .iter()
                .map(|(_, t)| *t)
                .find(|t| *t != self.own_task)
                .unwrap_or(NO_TASK),
            _ => NO_TASK,
        };
        let id = uuid(seq, &format!("mutation {}", self.salt));
        self.made.insert(
            seq,
            json!({
                "seq": seq, "id": id, "kind": "progress.record", "task": task,
                "status": STATUSES[status], "results": format!("bản {seq} · {}", self.salt),
                "observed_at": "2019-06-10T09:00:00+07:00",
            }),
        );
    }

    /// What the device sends next: a batch of the mutations after `floor`.
    fn next_batch(&self) -> Vec<Value> {
        self.made
            .range(self.floor + 1..)
            .take(BATCH)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Reads a push answer; `false` when the device must sign in again.
    fn read_push_answer(&mut self, answer: &Answer) -> bool {
        match answer.status {
            200 => {
                let last_seq = answer.body["last_seq"].as_u64().expect("last_seq");
                for rejection in answer.body["rejected"].as_array().expect("rejected") {
                    let seq = rejection["seq"].as_u64().expect("seq");
                    let id = self.made.get(&seq).expect("a rejection of a sent seq")["id"]
                        .as_str()
                        .expect("id");
                    self.refused.insert(id.to_owned());
                }
                assert!(
                    last_seq < self.next_seq,
                    "the server acknowledged seq {last_seq}, never made"
                );
                // Below `acked`: the server was restored and lost what came after.
                if last_seq < self.acked {
                    count(&RESTORES_DETECTED);
                }
                self.floor = last_seq;
                self.acked = self.acked.max(last_seq);
                true
            }
            409 => {
                assert_eq!(answer.body["error"], "out_of_order", "{}", answer.body);
                let expected = answer.body["expected"].as_u64().expect("expected");
                assert!(
                    expected <= self.floor,
                    "409 only when the server holds less than the device sent from \
                     (expected {expected}, sent from {})",
                    self.floor + 1
                );
                assert!(expected <= self.acked, "a 409 means a restore");
                count(&RESTORES_DETECTED);
                self.floor = expected - 1;
                true
            }
            401 => {
                count(&SIGNED_IN_AGAIN);
                self.token = None;
                false
            }
            status => panic!("push answered {status}: {}", answer.body),
        }
    }

    /// Pushes until the server holds everything the device made.
    fn push_all(&mut self, server: &Server) {
        for _ in 0..200 {
            let batch = self.next_batch();
            if batch.is_empty() {
                return;
            }
            let token = self.token(server);
            let answer = server.push(&token, &self.client_id, &batch);
            self.read_push_answer(&answer);
        }
        panic!("{}: the queue never drained", self.username);
    }

    /// Pulls until nothing more; on a reset, takes the pages as the whole state and
    /// asks the server how far it got with an empty push.
    fn pull_all(&mut self, server: &Server) {
        for _ in 0..200 {
            let token = self.token(server);
            let answer = server.pull(&token, &self.cursor);
            if answer.status == 401 {
                count(&SIGNED_IN_AGAIN);
                self.token = None;
                continue;
            }
            assert_eq!(answer.status, 200, "pull: {}", answer.body);
            let page = answer.body;
            if page["reset"] == true {
                assert_ne!(self.cursor, "0", "a reset answers only a cursor sent");
                self.pulled.clear();
                loop {
                    let token = self.token(server);
                    if self.read_push_answer(&server.push(&token, &self.client_id, &[])) {
                        break;
                    }
                }
            }
            for change in page["changes"].as_array().expect("changes") {
                let id = change["id"].as_u64().expect("change id");
                self.pulled.insert(id, change.clone());
            }
            self.cursor = page["cursor"].as_str().expect("cursor").to_owned();
            if page["has_more"] == false {
                return;
            }
        }
        panic!("{}: the feed never ended", self.username);
    }

    fn sync(&mut self, server: &Server) {
        self.push_all(server);
        self.pull_all(server);
        // A reset learnt on the pull may leave something to send again.
        self.push_all(server);
    }
}

/// The ids under which the update `m` is stored.
fn stored_as(stored: &BTreeMap<String, Vec<String>>, m: &Value) -> Vec<String> {
    let results = m["results"].as_str().expect("results");
    stored.get(results).cloned().unwrap_or_default()
}

/// The ids under which the update `m` of `device` must be stored: its own, once, or
/// none when the server refused it.
fn expected_ids(device: &Device, m: &Value) -> Vec<String> {
    let id = m["id"].as_str().expect("id");
    if device.refused.contains(id) {
        Vec::new()
    } else {
        vec![id.to_owned()]
    }
}

/// A push held up in the network: who sent it, with which token, and what.
struct Held {
    token: String,
    client_id: String,
    batch: Vec<Value>,
}

fn run_story(devices: usize, salt: u64, steps: &[Step]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut server = Server {
        process: None,
        db: dir.path().join("tiendo.sqlite"),
        backup: dir.path().join("backup.sqlite"),
        backed_up: false,
    };
    server.restart_with(|_, _| {});
    let mut devices: Vec<Device> = (0..devices).map(|n| Device::new(n, salt)).collect();
    let mut network: Vec<Held> = Vec::new();

    for step in steps {
        match *step {
            Step::Edit {
                device,
                task,
                status,
            } => devices[device].edit(task, status),
            Step::Sync { device } => {
                let device = &mut devices[device];
                device.sync(&server);
                // Right after a sync, the server holds all the device made, once.
                let stored = server.stored();
                for m in device.made.values() {
                    prop_assert_eq!(
                        stored_as(&stored, m),
                        expected_ids(device, m),
                        "{} seq {} after a sync",
                        device.username,
                        m["seq"]
                    );
                }
            }
            Step::LoseAnswer { device } => {
                let device = &mut devices[device];
                let batch = device.next_batch();
                let token = device.token(&server);
                let _lost = server.push(&token, &device.client_id, &batch);
                count(&ANSWERS_LOST);
            }
            Step::Delay { device } => {
                let device = &mut devices[device];
                let batch = device.next_batch();
                let token = device.token(&server);
                network.push(Held {
                    token,
                    client_id: device.client_id.clone(),
                    batch,
                });
            }
            Step::Deliver { which, again } => {
                if network.is_empty() {
                    continue;
                }
                let which = which % network.len();
                let held = &network[which];
                let _lost = server.push(&held.token, &held.client_id, &held.batch);
                count(&LATE_DELIVERIES);
                if !again {
                    network.remove(which);
                }
            }
            Step::Restart => server.restart_with(|_, _| {}),
            Step::Backup => {
                stdout(&tiendo(&[
                    "backup",
                    &path(&server.backup),
                    "--db",
                    &path(&server.db),
                ]));
                server.backed_up = true;
            }
            Step::Restore => {
                let backed_up = server.backed_up;
                server.restart_with(|db, backup| {
                    if backed_up {
                        stdout(&tiendo(&["restore", &path(backup), "--db", &path(db)]));
                    }
                });
            }
        }
        // Whatever happened, nothing is stored twice.
        if let Some((results, ids)) = server.stored().into_iter().find(|(_, ids)| ids.len() > 1) {
            prop_assert!(
                false,
                "{:?} stored {} times after {:?}",
                results,
                ids.len(),
                step
            );
        }
    }

    // The held-up requests arrive at last, and every device syncs until all agree.
    for held in network.drain(..) {
        let _lost = server.push(&held.token, &held.client_id, &held.batch);
    }
    for _ in 0..2 {
        for device in &mut devices {
            device.sync(&server);
        }
    }

    let stored = server.stored();
    let ours: BTreeSet<String> = devices
        .iter()
        .flat_map(|d| {
            d.made
                .values()
                .map(|m| m["id"].as_str().expect("id").to_owned())
        })
        .collect();
    for device in &devices {
        let made = device.next_seq - 1;
        prop_assert_eq!(
            device.acked,
            made,
            "{}: everything acknowledged",
            device.username
        );
        prop_assert_eq!(device.floor, made);
        prop_assert_eq!(server.last_seq(&device.client_id), made);
        for m in device.made.values() {
            let id = m["id"].as_str().expect("id");
            let refused = device.refused.contains(id);
            if m["task"] == NO_TASK {
                prop_assert!(refused, "a task the plan lacks is refused: {}", m);
            }
            // Stored exactly once, or refused (and the device told) and never stored.
            prop_assert_eq!(
                stored_as(&stored, m),
                expected_ids(device, m),
                "{} seq {}",
                device.username,
                m["seq"]
            );
        }
        // The device's pulled state is the server's: what a fresh device of the same
        // person pulls from the beginning.
        let mut fresh = Device::new(0, salt);
        fresh.username = device.username;
        fresh.pull_all(&server);
        prop_assert_eq!(
            &device.pulled,
            &fresh.pulled,
            "{}: pulled state converges",
            device.username
        );
        // And it holds each of its own stored updates.
        let pulled_ids: BTreeSet<&str> = device
            .pulled
            .values()
            .filter_map(|c| c["mutation_id"].as_str())
            .collect();
        for m in device.made.values() {
            let id = m["id"].as_str().expect("id");
            prop_assert_eq!(
                pulled_ids.contains(id),
                !device.refused.contains(id),
                "{} sees its update {}",
                device.username,
                id
            );
        }
    }
    for device in &devices {
        for id in server.stored_under(&device.client_id) {
            prop_assert!(ours.contains(&id), "{} stored, never made", id);
        }
    }
    Ok(())
}

#[test]
fn every_update_is_stored_exactly_once_and_devices_converge() {
    let cases = std::env::var("SYNC_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let config = Config {
        cases,
        // Each shrinking step replays a story against a fresh server: bounded.
        max_shrink_iters: 200,
        max_shrink_time: 90_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&story(), |(devices, salt, steps)| {
        run_story(devices, salt, &steps)
    });
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    eprintln!(
        "{cases} stories: {} restarts, {} answers lost, {} late deliveries, {} restores \
         devices learnt of, {} sign-ins after a lost session",
        load(&RESTARTS),
        load(&ANSWERS_LOST),
        load(&LATE_DELIVERIES),
        load(&RESTORES_DETECTED),
        load(&SIGNED_IN_AGAIN),
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
