// Faults a field device must ride out by itself.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { test } from "node:test";

import { badge, record, signIn, stored, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const SUFFIXES = ["", "-wal", "-shm"];

function snapshot(from, to) {
  for (const s of SUFFIXES) {
    rmSync(to + s, { force: true });
    if (existsSync(from + s)) copyFileSync(from + s, to + s);
  }
}

test("a server restored from an older backup gets back from the device what it lost, once", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  await page.goto(`${server.url}/#/task/5.3`);
  await page.locator("[data-testid=record-form]").waitFor();

  // The backup is taken before this device's first updates.
  await server.stop();
  snapshot(server.db, `${server.db}.backup`);
  await server.start();
  await record(page, "in_progress", "trước khi khôi phục 1");
  await record(page, "in_progress", "trước khi khôi phục 2");
  await until("both to sync", async () => (await badge(page)) === "Đã đồng bộ" && (await page.$$("[data-synced=true]")).length === 2);

  // The server loses them: it is restored from the backup.
  await server.stop();
  snapshot(`${server.db}.backup`, server.db);
  await server.start();

  // The device's next update arrives by itself, and the two the server lost with the
  // restore come back from the device, which kept them: each stored exactly once.
  await record(page, "in_progress", "sau khi khôi phục");
  await until("the new update to sync", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  const notes = "SELECT note FROM progress_updates WHERE client_id NOT LIKE 'de000000-%' ORDER BY note";
  await until("the lost updates to be sent again", async () => server.query(notes).length === 3, 30_000);
  assert.deepEqual(server.query(notes), [["sau khi khôi phục"], ["trước khi khôi phục 1"], ["trước khi khôi phục 2"]]);
  await until("the history to match the server", async () => {
    const shown = await page.$$eval("[data-testid=update] .note", (els) => els.map((e) => e.textContent));
    return shown.length === 3 && (await page.$$("[data-synced=true]")).length === 3;
  });
  // A reload and another sync send nothing twice.
  await page.reload();
  await until("synced again", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query(notes), [["sau khi khôi phục"], ["trước khi khôi phục 1"], ["trước khi khôi phục 2"]]);
});

test("a restore after updates the device had already sent and nothing queued: the next pull brings them back", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "ngoaivu");
  await page.goto(`${server.url}/#/task/1.3`);
  await page.locator("[data-testid=record-form]").waitFor();
  await server.stop();
  snapshot(server.db, `${server.db}.backup2`);
  await server.start();
  await record(page, "in_progress", "Sở Ngoại vụ: gửi trước khi khôi phục");
  await until("it to sync", async () => (await badge(page)) === "Đã đồng bộ" && (await page.$$("[data-synced=true]")).length === 1);
  await server.stop();
  snapshot(`${server.db}.backup2`, server.db);
  await server.start();
  // Nothing is queued: the reset on the next pull makes the device ask the server
  // how far it holds its updates, and send again what it lost.
  const sql = "SELECT count(*) FROM progress_updates WHERE note = 'Sở Ngoại vụ: gửi trước khi khôi phục'";
  await page.reload();
  await until("the lost update to come back", async () => server.query(sql)[0][0] === 1, 40_000);
  await until("synced", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query(sql), [[1]]);
});

/** The ids of the updates the device keeps, read from its IndexedDB. */
const storedUpdateIds = (page) => stored(page, "updates", { keys: true });

test("a pulled page the device cannot read changes nothing it holds, even one that starts over", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "sotttt");
  // A supervisor is taken to the workspace: the same store, the same pull.
  await page.waitForURL((url) => url.pathname === "/ws/", { timeout: 20_000 });
  await until("the history to be on the device", async () =>
    /Đã đồng bộ/.test(await page.locator("[data-testid=sync-status]").textContent()) && (await storedUpdateIds(page)).length > 3, 30_000);
  const before = await storedUpdateIds(page);

  // The server answers a page that starts over ("reset") with one readable update
  // and, after it, one this build cannot read.
  let served = 0;
  await page.route("**/api/v1/sync/pull**", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    const readable = body.changes.find((c) => c.kind === "progress") ?? {};
    served += 1;
    await route.fulfill({
      response,
      json: { ...body, reset: true, changes: [readable, { kind: "progress", id: "not a number" }], has_more: false },
    });
  });
  await page.reload();
  await until("the unreadable page to be served", async () => served > 0, 30_000);
  // Give the device time to (not) store it, and a second try.
  await until("a second try", async () => served > 1, 60_000).catch(() => {});
  assert.deepEqual(await storedUpdateIds(page), before, "the history the device held is whole");

  // Once the server answers readable pages again, the device syncs as before.
  await page.unroute("**/api/v1/sync/pull**");
  await page.reload();
  await until("synced", async () => /Đã đồng bộ/.test(await page.locator("[data-testid=sync-status]").textContent()), 30_000);
  assert.deepEqual(await storedUpdateIds(page), before);
});
