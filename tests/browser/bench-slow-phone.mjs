// A supervisor's device with a year of updates, on a phone-class CPU:
//   node tests/browser/bench-slow-phone.mjs [UPDATES]   (after ./dev test; default 20000)
// The server is seeded with UPDATES progress updates (2,500 of them on task 5.2), then
// Chromium, its CPU throttled 4× (DevTools' CPU throttling), signs in as a supervisor
// with an empty profile. Measured: from pressing "sign in" to a usable task list, and
// to the end of the download ("Đã đồng bộ"); whether "Đã đồng bộ" ever showed before
// the download had caught up; then, with everything cached, navigation to the task
// list and to the task with the long history (until painted); and the JS heap.
import { Server, launchBrowser, until } from "./harness.mjs";

const TOTAL = Number(process.argv[2] ?? 20_000);
/** Who signs in: the supervisor (sent to the workspace) or, with a second argument,
 * that account (e.g. vhttdl, staff in the field app). */
const USER = process.argv[3] ?? "sotttt";
const LONG_TASK = "5.2";

async function seed(server) {
  const login = async (username) =>
    (await fetch(`${server.url}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password: "tiendo2019" }),
    }).then((r) => r.json())).token;
  const tokens = { vhttdl: await login("vhttdl"), ngoaivu: await login("ngoaivu") };
  const clients = { vhttdl: crypto.randomUUID(), ngoaivu: crypto.randomUUID() };
  const seqs = { vhttdl: 0, ngoaivu: 0 };
  const tasks = { vhttdl: ["5.1", "5.3", "1.4"], ngoaivu: ["1.3", "6.1"] };
  let made = 0;
  while (made < TOTAL) {
    const who = made < 2_500 ? "vhttdl" : made % 2 ? "vhttdl" : "ngoaivu";
    const mutations = [];
    for (let i = 0; i < 500 && made < TOTAL; i++, made++) {
      const task = made < 2_500 ? LONG_TASK : tasks[who][made % tasks[who].length];
      mutations.push({
        seq: ++seqs[who], id: crypto.randomUUID(), kind: "progress.record", task,
        status: made % 7 === 0 ? "done" : "in_progress",
        results: `Cập nhật ${made + 1}: đã triển khai tuyên truyền đối ngoại tại các xã biên giới theo kế hoạch`,
        observed_at: "2019-06-10T09:00:00+07:00",
      });
    }
    const reply = await fetch(`${server.url}/api/v1/sync/push`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[who]}` },
      body: JSON.stringify({ client_id: clients[who], schema_version: 2, mutations }),
    });
    if (reply.status !== 200) throw new Error(await reply.text());
  }
}

/** Milliseconds from running `act` in the page to `selector` being painted. */
async function timed(page, act, selector) {
  return page.evaluate(
    async ([act, selector]) => {
      const start = performance.now();
      new Function(act)();
      while (!document.querySelector(selector)) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - start;
    },
    [act, selector],
  );
}

const server = new Server();
await server.start();
await seed(server);
const browser = await launchBrowser();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await page.goto(server.url);
  await page.locator("#username").waitFor();
  await page.locator("#username").fill(USER);
  await page.locator("#password").fill("tiendo2019");
  const badges = [];
  const t0 = Date.now();
  await page.locator("button[type=submit]").click();
  const watch = setInterval(async () => {
    const text = await page.locator("[data-testid=sync-status]").textContent({ timeout: 50 }).catch(() => null);
    if (text) badges.push(text);
  }, 100);
  if (USER === "sotttt") await page.waitForURL((url) => url.pathname === "/ws/", { timeout: 60_000 }).catch(() => {});
  await page.evaluate(() => (location.hash = "#/"));
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 120_000 });
  const listUsable = (Date.now() - t0) / 1000;
  await until("the download to finish", async () =>
    (await page.locator("[data-testid=sync-status]").textContent()) === "Đã đồng bộ", 600_000);
  const caughtUp = (Date.now() - t0) / 1000;
  clearInterval(watch);
  const firstSynced = badges.indexOf("Đã đồng bộ");
  const lastLoading = badges.findLastIndex((b) => b.startsWith("Đang tải"));
  const honest = firstSynced === -1 || firstSynced > lastLoading;
  const progress = badges.filter((b) => b.startsWith("Đang tải"));

  const toTask = await timed(page, `location.hash = "#/task/${LONG_TASK}"`, "[data-testid=history] li");
  const toList = await timed(page, `location.hash = "#/"`, "[data-testid=tasks] li");
  const toTaskAgain = await timed(page, `location.hash = "#/task/${LONG_TASK}"`, "[data-testid=history] li");
  const heap = await cdp.send("Runtime.getHeapUsage");

  console.log(`Supervisor's device, CPU throttled 4×, ${TOTAL} updates (${page.url().includes("/ws/") ? "workspace" : "field app"}):`);
  console.log("| measure | figure |");
  console.log("| --- | ---: |");
  console.log(`| sign in → task list usable | ${listUsable.toFixed(1)} s |`);
  console.log(`| sign in → download caught up ("Đã đồng bộ") | ${caughtUp.toFixed(1)} s |`);
  console.log(`| progress shown during the download | ${progress.length ? `${progress[0]} … ${progress.at(-1)}` : "no"} |`);
  console.log(`| "Đã đồng bộ" only after catching up | ${honest ? "yes" : "NO"} |`);
  console.log(`| cached: navigate to task ${LONG_TASK} (2,500 updates) | ${toTask.toFixed(0)} ms (again: ${toTaskAgain.toFixed(0)} ms) |`);
  console.log(`| cached: navigate to the task list | ${toList.toFixed(0)} ms |`);
  console.log(`| JS heap used | ${(heap.usedSize / 1e6).toFixed(1)} MB |`);
} finally {
  await browser.close();
  await server.dispose();
}
