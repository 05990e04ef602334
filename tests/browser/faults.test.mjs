// Faults a field device must ride out by itself.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { test } from "node:test";

import { badge, record, signIn, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const SUFFIXES = ["", "-wal", "-shm"];

function snapshot(from, to) {
  for (const s of SUFFIXES) {
    rmSync(to + s, { force: true });
    if (existsSync(from + s)) copyFileSync(from + s, to + s);
  }
}

test("a device carries on after the server is restored from an older backup", async () => {
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

  // The device's next update must still arrive, by itself, and the device must take
  // the server's state as it now is.
  await record(page, "in_progress", "sau khi khôi phục");
  await until("the new update to sync", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query("SELECT note FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'"), [["sau khi khôi phục"]]);
  await until("the history to match the server", async () => {
    const notes = await page.$$eval("[data-testid=update] .note", (els) => els.map((e) => e.textContent));
    return notes.length === 1 && notes[0] === "sau khi khôi phục";
  });
});
