// Shared pieces of the browser tests: a real `tiendo` server on a free port with a
// fresh database, headless Chromium, and waiting on conditions with deadlines.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

const BIN = process.env.TIENDO_BIN ?? "target/debug/tiendo";
const WEB_DIR = process.env.TIENDO_WEB_DIR ?? "dist";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** A `tiendo serve --demo` process that can be stopped and started again on the same
 * port and database, as a server that goes away and comes back. */
export class Server {
  constructor({ webDir = WEB_DIR } = {}) {
    this.webDir = webDir;
    this.dir = mkdtempSync(join(tmpdir(), "tiendo-test-"));
    this.db = join(this.dir, "tiendo.sqlite");
    this.proc = null;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.port ??= await freePort();
    this.log = [];
    this.proc = spawn(BIN, ["serve", "--demo", "--addr", `127.0.0.1:${this.port}`, "--db", this.db, "--web-dir", this.webDir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: "warn" },
    });
    this.proc.stdout.on("data", (d) => this.log.push(String(d)));
    this.proc.stderr.on("data", (d) => this.log.push(String(d)));
    const proc = this.proc;
    await until("the server to answer /healthz", async () => {
      if (proc.exitCode !== null) throw new Error(`server exited: ${this.log.join("")}`);
      const response = await fetch(`${this.url}/healthz`).catch(() => null);
      return response?.ok;
    });
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once("exit", resolve));
    this.proc.kill("SIGTERM");
    await exited;
  }

  /** Runs one SQL query on the server's database and returns its rows. */
  query(sql) {
    const script = "import json,sqlite3,sys; c=sqlite3.connect(sys.argv[1]); rows=c.execute(sys.argv[2]).fetchall(); c.commit(); print(json.dumps(rows))";
    const out = spawnSync("python3", ["-c", script, this.db, sql], { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout);
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The text of the first element matching `selector`, or "". */
export async function text(page, selector) {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? "", selector);
}

/** What the device keeps in one store of the app's IndexedDB: every record (each the
 * JSON text the app wrote), or with `keys`, every key. */
export function stored(page, store, { keys = false } = {}) {
  return page.evaluate(
    ([store, keys]) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("tiendo");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction(store).objectStore(store);
          const all = keys ? read.getAllKeys() : read.getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            resolve(all.result);
            open.result.close();
          };
        };
      }),
    [store, keys],
  );
}

/** Signs in through the login form and waits for the task list. */
export async function signIn(page, username, password = "tiendo2019") {
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("button[type=submit]").click();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 20_000 });
}

/** A TCP proxy in front of `targetPort` that counts the bytes each way: what a page
 * and its service worker really send and receive, headers and all. */
export async function countingProxy(targetPort) {
  const { createServer: createTcpServer, connect } = await import("node:net");
  const totals = { down: 0, up: 0 };
  const server = createTcpServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    client.on("data", (d) => (totals.up += d.length));
    upstream.on("data", (d) => (totals.down += d.length));
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    totals,
    reset() {
      totals.down = 0;
      totals.up = 0;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Starts a server and a browser before a file's tests and stops both after them.
 * The returned object's `server` and `browser` are ready inside the tests. */
export function useServerAndBrowser(options) {
  const context = { server: new Server(options), browser: null };
  before(async () => {
    await context.server.start();
    context.browser = await launchBrowser();
  });
  after(async () => {
    await context.browser?.close();
    await context.server.dispose();
  });
  return context;
}

/** The sync status the header shows. */
export const badge = (page) => text(page, "[data-testid=sync-status]");

/** Records progress on the task page that is open, as a person does. */
export async function record(page, status, note) {
  await page.locator(`input[name=status][value=${status}]`).check();
  await page.locator("#note").fill(note);
  await page.locator("[data-testid=record-form] button[type=submit]").click();
}
