// A new version of the app reaches people who keep the app open: once it has installed,
// the app offers it, and taking it reloads onto it with nothing on the device lost.
import assert from "node:assert/strict";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { badge, record, signIn, until, useServerAndBrowser } from "./harness.mjs";

// A copy of the built app that the test can "deploy" a new version into.
const webDir = mkdtempSync(join(tmpdir(), "tiendo-web-"));
cpSync(process.env.TIENDO_WEB_DIR ?? "dist", webDir, { recursive: true });
const context = useServerAndBrowser({ webDir });
const { server } = context;

after(() => {
  rmSync(webDir, { recursive: true, force: true });
});

test("a new version is offered once installed and taken without losing the queue", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  await until("the service worker to control the page", () =>
    page.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)),
  );
  assert.equal(await page.$("[data-testid=new-version]"), null, "nothing to offer on a first install");

  // An update waits in the queue while the server is away.
  await page.goto(`${server.url}/#/task/5.4`);
  await page.locator("[data-testid=record-form]").waitFor();
  await server.stop();
  await record(page, "in_progress", "Ghi trước khi cập nhật ứng dụng");
  await until("the update to wait", async () => (await badge(page)) === "1 cập nhật chưa đồng bộ");
  await server.start();

  // A new version is deployed: its worker differs.
  appendFileSync(join(webDir, "sw.js"), "\n// a new version\n");
  rmSync(join(webDir, "sw.js.br"), { force: true });
  rmSync(join(webDir, "sw.js.gz"), { force: true });
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  await page.locator("[data-testid=new-version]").waitFor({ timeout: 20_000 });

  await page.evaluate(() => (window.__beforeUpdate = true));
  await page.locator("[data-testid=new-version]").click();
  await until("the page to reload onto the new version", () =>
    page.evaluate(() => window.__beforeUpdate === undefined && !!navigator.serviceWorker.controller),
  );
  await until("the queued update to reach the server", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query("SELECT note FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'"), [["Ghi trước khi cập nhật ứng dụng"]], "exactly once");
  // The new worker took over: nothing waits any more, so nothing is offered.
  const waiting = await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.waiting));
  assert.equal(waiting, null);
  assert.equal(await page.$("[data-testid=new-version]"), null);
});
