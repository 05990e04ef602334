// The field app through an emulated weak link, against the real server:
//   node tests/browser/bench-link.mjs [KBIT RTT_MS [STALL]]...   (after ./dev test)
// with no arguments: 250 kbit/s with 600 ms round trip, then 50 kbit/s with 1 s.
//
// The benchmark starts a throttling TCP proxy in front of the server: each direction
// is a queue drained at the link's rate, every chunk delivered half a round trip after
// it leaves, and (STALL, a probability per second, default 0.02) the link now and then
// stalls for 1–3 s, as 2G does. Chromium talks only to the proxy. Measured:
//   - first visit: from an empty profile to a usable login form (the username field
//     enabled: the page's own form, which needs no WebAssembly), to the app mounted
//     (that form taken over by the app's), and the bytes of the whole visit;
//   - 100 updates queued offline (100-character Vietnamese notes) delivered: from the
//     link coming back to the server answering the last push, and the bytes upstream;
//   - an offline reload: from reload to the task list and the queue shown.
import { createServer as createTcpServer, connect } from "node:net";

import { Server, launchBrowser, signIn, until } from "./harness.mjs";

/** A TCP proxy to `port` that behaves like a link of `kbit` kbit/s each way with a
 * round trip of `rttMs`, stalling now and then. */
async function throttlingProxy(port, { kbit, rttMs, stall = 0.02 }) {
  const bytesPerMs = (kbit * 1000) / 8 / 1000;
  const totals = { down: 0, up: 0 };
  let stalledUntil = 0;
  const stalls = setInterval(() => {
    if (Math.random() < stall) stalledUntil = Date.now() + 1000 + Math.random() * 2000;
  }, 1000);
  // One direction: chunks leave in order at the link's rate, each arriving rtt/2 later.
  const pipe = (from, to, count) => {
    let busyUntil = 0;
    from.on("data", (chunk) => {
      count(chunk.length);
      const start = Math.max(Date.now(), busyUntil, stalledUntil);
      busyUntil = start + chunk.length / bytesPerMs;
      const arrive = busyUntil + rttMs / 2 - Date.now();
      setTimeout(() => to.writable && to.write(chunk), Math.max(0, arrive));
    });
  };
  const server = createTcpServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    pipe(client, upstream, (n) => (totals.up += n));
    pipe(upstream, client, (n) => (totals.down += n));
    const close = () => setTimeout(() => { client.destroy(); upstream.destroy(); }, rttMs);
    client.on("end", close);
    upstream.on("end", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    totals,
    reset() { totals.down = 0; totals.up = 0; },
    close: () => { clearInterval(stalls); return new Promise((resolve) => server.close(resolve)); },
  };
}

const NOTE = "Đã tổ chức tuyên truyền về biên giới, chủ quyền cho bà con các thôn giáp biên; phát tờ rơi song ngữ";

async function run(link) {
  const server = new Server();
  await server.start();
  const proxy = await throttlingProxy(server.port, link);
  const browser = await launchBrowser();
  const result = { link };
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    let t = Date.now();
    await page.goto(proxy.url, { timeout: 180_000 });
    await page.locator("#username:enabled").waitFor({ timeout: 180_000 });
    result.loginUsableS = (Date.now() - t) / 1000;
    await page.locator("#shell").waitFor({ state: "detached", timeout: 180_000 });
    await page.locator("main.login").waitFor({ timeout: 180_000 });
    result.appReadyS = (Date.now() - t) / 1000;
    await until("the service worker to control the page", () =>
      page.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)), 180_000);
    await page.waitForLoadState("networkidle", { timeout: 180_000 });
    result.firstVisitKB = proxy.totals.down / 1000;
    await signIn(page, "vhttdl");
    await until("the first sync", async () =>
      (await page.locator("[data-testid=sync-status]").textContent()) === "Đã đồng bộ", 180_000);

    // 100 updates recorded offline.
    await page.locator("[data-testid='task-5.1']").click();
    await page.locator("[data-testid=record-form]").waitFor();
    await context.setOffline(true);
    for (let i = 1; i <= 100; i++) {
      await page.locator("#note").fill(`${NOTE} ${String(i).padStart(3, "0")}`);
      await page.locator("[data-testid=record-form] button[type=submit]").click();
    }
    await until("100 queued", async () =>
      (await page.locator("[data-testid=sync-status]").textContent()) === "100 cập nhật chưa đồng bộ", 60_000);

    // An offline reload: the app and its queue from the device alone.
    t = Date.now();
    await page.reload();
    await page.locator("[data-testid=record-form]").waitFor();
    await until("the queue shown", async () =>
      (await page.locator("[data-testid=sync-status]").textContent()) === "100 cập nhật chưa đồng bộ", 30_000);
    result.offlineReloadS = (Date.now() - t) / 1000;

    // The link comes back: delivered when the server has them all.
    proxy.reset();
    const applied = "SELECT count(*) FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'";
    t = Date.now();
    await context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await until("100 delivered", async () => server.query(applied)[0][0] === 100, 180_000);
    result.deliveredS = (Date.now() - t) / 1000;
    await until("synced", async () =>
      (await page.locator("[data-testid=sync-status]").textContent()) === "Đã đồng bộ", 180_000);
    result.pushUpKB = proxy.totals.up / 1000;
  } finally {
    await browser.close();
    await proxy.close();
    await server.dispose();
  }
  return result;
}

const args = process.argv.slice(2).map(Number);
const links = [];
for (let i = 0; i + 1 < args.length; i += 2) links.push({ kbit: args[i], rttMs: args[i + 1] });
if (links.length === 0) links.push({ kbit: 250, rttMs: 600 }, { kbit: 50, rttMs: 1000 });

console.log("| link | login form usable s | app ready s | first visit KB down | 100 updates delivered s | upstream KB (sync after reconnect) | offline reload s |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const link of links) {
  const r = await run(link);
  const f = (n, d = 1) => n.toFixed(d);
  console.log(`| ${link.kbit} kbit/s, ${link.rttMs} ms | ${f(r.loginUsableS)} | ${f(r.appReadyS)} | ${f(r.firstVisitKB)} | ${f(r.deliveredS)} | ${f(r.pushUpKB)} | ${f(r.offlineReloadS, 2)} |`);
}
