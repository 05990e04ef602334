// A bounded soak of the real server on loopback: many simulated devices push, pull,
// sign in again and export, mixed, for a fixed time — the load of a busy deadline day,
// a few updates every few seconds from each device — while the server's memory is
// sampled. Fails (exit 1) on any error answer or lost update.
//   node tests/browser/soak.mjs [MINUTES=10] [DEVICES=40]   (after cargo build -p tiendo-backend)
// TIENDO_BIN picks the server binary (default target/debug/tiendo; the release one
// gives the fairer figures). Results go in docs/reliability.md.
import { readFileSync } from "node:fs";

import { Server } from "./harness.mjs";

const MINUTES = Number(process.argv[2] ?? 10);
const DEVICES = Number(process.argv[3] ?? 40);
// The demo's accounts that record progress (staff and heads), with tasks their
// agencies are assigned. Devices share them, five at most to an account, so that their
// sign-ins stay under the server's login limit (10 a minute for one account).
const STAFF = [
  ["vhttdl", ["5.1", "5.2", "5.3", "1.4"]],
  ["ngoaivu", ["1.3", "7.2.d"]],
  ["boy", ["1.2", "7.2.b"]],
  ["ngochoi", ["1.2", "7.2.c"]],
  ["vhttdl.lanhdao", ["5.1", "5.4"]],
  ["ngoaivu.lanhdao", ["1.3", "1.4"]],
  ["bdbp.lanhdao", ["1.4", "7.2.b"]],
  ["ngochoi.lanhdao", ["1.2", "7.2.c"]],
];

const server = new Server();
await server.start();
const base = server.url;
const rss = () => {
  const status = readFileSync(`/proc/${server.proc.pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]) / 1024;
};

const stats = { push: [], pull: [], login: [], export: [], errors: [], acknowledged: 0 };
async function call(kind, path, init = {}) {
  const t = performance.now();
  let response;
  try {
    response = await fetch(`${base}${path}`, init);
  } catch (e) {
    stats.errors.push(`${kind} ${path}: ${e}`);
    return null;
  }
  const body = await response.arrayBuffer();
  stats[kind].push(performance.now() - t);
  if (!response.ok) {
    stats.errors.push(`${kind} ${path}: ${response.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
    return null;
  }
  return body;
}
const json = (body) => JSON.parse(new TextDecoder().decode(body));

async function login(username) {
  const body = await call("login", "/api/v1/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "tiendo2019" }),
  });
  return body ? json(body).token : null;
}

const deadline = Date.now() + MINUTES * 60_000;
async function device(n) {
  const [username, tasks] = STAFF[n % STAFF.length];
  const client = crypto.randomUUID();
  let token = await login(username);
  let seq = 0;
  let cursor = "0";
  for (let round = 0; Date.now() < deadline; round++) {
    // A busy deadline day: a few updates at a time, every few seconds per device.
    const count = 1 + Math.floor(Math.random() * 5);
    const mutations = [];
    for (let i = 0; i < count; i++) {
      mutations.push({
        seq: ++seq, id: crypto.randomUUID(), kind: "progress.record",
        task: tasks[(seq + n) % tasks.length], status: "in_progress",
        results: `Thiết bị ${n}, lần ${seq}: đã tuyên truyền tại các thôn biên giới`,
        observed_at: new Date().toISOString(),
      });
    }
    const pushed = await call("push", "/api/v1/sync/push", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_id: client, schema_version: 2, mutations }),
    });
    if (pushed) stats.acknowledged += json(pushed).last_seq - (seq - count);
    else seq -= count;
    for (;;) {
      const page = await call("pull", `/api/v1/sync/pull?cursor=${cursor}&schema_version=2`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!page) break;
      const read = json(page);
      cursor = read.cursor;
      if (!read.has_more) break;
    }
    // Signing in again now and then; the per-account login limit (10 a minute) is
    // the server's protection, so devices of one account stay under it.
    if (round % 60 === 59) token = (await login(username)) ?? token;
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 3000));
  }
}

async function supervisor() {
  let token = await login("sotttt");
  for (let round = 0; Date.now() < deadline; round++) {
    const format = ["docx", "xlsx", "csv"][round % 3];
    await call("export", `/api/v1/reports/export?plan=215%2FKH-UBND&period=H1-2019&format=${format}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await call("pull", "/api/v1/sync/pull?cursor=0&limit=500&schema_version=2", {
      headers: { authorization: `Bearer ${token}` },
    });
    if (round % 30 === 29) token = (await login("sotttt")) ?? token;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const memory = [];
const sampler = setInterval(() => memory.push(rss()), 10_000);
memory.push(rss());
const started = Date.now();
await Promise.all([...Array(DEVICES).keys()].map(device).concat([supervisor(), supervisor()]));
clearInterval(sampler);
memory.push(rss());

const stored = server.query("SELECT count(*), count(DISTINCT mutation_id) FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'")[0];
await server.dispose();

const pct = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1) : "-";
};
const minutes = (Date.now() - started) / 60_000;
console.log(`Soak: ${DEVICES} devices and 2 supervisors for ${minutes.toFixed(1)} min on loopback`);
console.log("| request | count | p50 ms | p99 ms |");
console.log("| --- | ---: | ---: | ---: |");
for (const kind of ["push", "pull", "login", "export"]) {
  console.log(`| ${kind} | ${stats[kind].length} | ${pct(stats[kind], 50)} | ${pct(stats[kind], 99)} |`);
}
const third = Math.max(1, Math.floor(memory.length / 3));
const avg = (xs) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
console.log(`updates acknowledged: ${stats.acknowledged}; stored: ${stored[0]} (${stored[1]} distinct)`);
console.log(`server RSS MB: start ${memory[0].toFixed(1)}, first third avg ${avg(memory.slice(0, third))}, last third avg ${avg(memory.slice(-third))}, max ${Math.max(...memory).toFixed(1)}, end ${memory.at(-1).toFixed(1)}`);
// One sample a minute, to see whether memory levels off.
console.log(`RSS MB by minute: ${memory.filter((_, i) => i % 6 === 0).map((m) => m.toFixed(0)).join(" ")}`);
console.log(`errors: ${stats.errors.length}${stats.errors.length ? `\n  ${stats.errors.slice(0, 10).join("\n  ")}` : ""}`);
if (stats.errors.length || stored[0] !== stats.acknowledged || stored[0] !== stored[1]) process.exit(1);
