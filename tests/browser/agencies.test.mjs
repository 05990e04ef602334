// An agency renamed and merged while a person's device holds its data: the device
// learns of it at its next sync, and what it shows and keeps names the agency anew.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

import { badge, record, signIn, stored, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const BIN = process.env.TIENDO_BIN ?? "target/debug/tiendo";
const NOTE = "Tuần tra, tuyên truyền tại cửa khẩu";
const NEW_NAME = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kon Tum";

/** Runs `tiendo agency …` on the server's database, as an administrator would. */
function agency(...args) {
  const out = spawnSync(BIN, ["agency", ...args, "--db", server.db], {
    encoding: "utf8",
    env: { ...process.env, RUST_LOG: "warn" },
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout;
}

/** The agency of every update the device keeps, read from its IndexedDB. */
async function storedAgencies(page) {
  return (await stored(page, "updates")).map((json) => JSON.parse(json).agency);
}

/** Signs in over the API and answers the token. */
async function login(username) {
  const response = await fetch(`${server.url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "tiendo2019" }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).token;
}

/** The number of the first task of the plan `token`'s agency is assigned. */
async function assignedTask(token) {
  const plan = await (await fetch(`${server.url}/api/v1/plan`, { headers: { authorization: `Bearer ${token}` } })).json();
  return plan.tasks.find((t) => t.assigned).number;
}

test("a device learns at its next sync that its agency was merged and renamed", async () => {
  // The border guard command records progress the post's staff does not see.
  const command = await login("bdbp.lanhdao");
  const pushed = await fetch(`${server.url}/api/v1/sync/push`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${command}` },
    body: JSON.stringify({
      client_id: "6b1f3c2a-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
      schema_version: 2,
      mutations: [{
        seq: 1, id: "7c2e4d3b-1e5f-4a6b-9c7d-8e9f0a1b2c3d", kind: "progress.record",
        task: await assignedTask(command), status: "in_progress", results: "Bộ Chỉ huy đã triển khai",
        observed_at: "2019-06-10T09:00:00+07:00",
      }],
    }),
  });
  assert.equal(pushed.status, 200);

  const staff = await (await context.browser.newContext()).newPage();
  await staff.goto(server.url);
  await signIn(staff, "boy");
  assert.match(await text(staff, "[data-testid=who]"), /Y Hiếu · Đồn Biên phòng Cửa khẩu quốc tế Bờ Y/);
  await staff.locator(`[data-testid='task-${await assignedTask(await login("boy"))}']`).click();
  await record(staff, "in_progress", NOTE);
  await until("the update to sync", async () => (await badge(staff)) === "Đã đồng bộ");
  const before = await storedAgencies(staff);
  assert.ok(before.length > 0 && before.every((a) => a.id === "bdbp-don-bo-y"), JSON.stringify(before));

  // While the server is down, the post is merged into its command, which is renamed.
  await server.stop();
  assert.match(agency("merge", "bdbp-don-bo-y", "bdbp"), /merged bdbp-don-bo-y/);
  assert.match(agency("rename", "bdbp", "--name", NEW_NAME), /renamed bdbp/);
  await server.start();

  // The merge starts the device over: it now holds the command's progress too, all of
  // it under the new name, and the person is at the command.
  const renamed = (a) => a.id === "bdbp" && a.name === NEW_NAME;
  await until("the device to learn of both changes", async () => {
    await staff.evaluate(() => window.dispatchEvent(new Event("online")));
    return (await text(staff, "[data-testid=who]")).includes(`Y Hiếu · ${NEW_NAME}`);
  }, 30_000);
  await until("the badge", async () => (await badge(staff)) === "Đã đồng bộ");
  const after = await storedAgencies(staff);
  assert.ok(after.length > before.length, `${after.length} > ${before.length}`);
  assert.ok(after.every(renamed), JSON.stringify(after));

  // A reload keeps it: the session and the cache on the device say so now.
  await staff.reload();
  await until("the app to open", async () => (await text(staff, "[data-testid=who]")).length > 0);
  assert.match(await text(staff, "[data-testid=who]"), new RegExp(NEW_NAME));
  assert.ok((await storedAgencies(staff)).every(renamed));
});
