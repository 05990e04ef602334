// Pushes go compressed: updates recorded offline are sent, when the link comes back,
// as a gzip body the server expands and applies exactly once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

import { badge, record, signIn, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const NOTE = "Đã tổ chức tuyên truyền về biên giới, chủ quyền cho bà con các thôn giáp biên, phát tờ rơi song ngữ";

test("updates queued offline are pushed gzipped and stored exactly once", async () => {
  const browserContext = await context.browser.newContext();
  const staff = await browserContext.newPage();
  await staff.goto(server.url);
  await signIn(staff, "vhttdl");
  await staff.locator("[data-testid='task-5.1']").click();
  await staff.locator("[data-testid=task-text]").waitFor();

  // The pushes that reached the server (those tried while offline never left).
  const pushes = [];
  staff.on("requestfinished", (request) => {
    if (request.url().endsWith("/api/v1/sync/push")) {
      pushes.push({ encoding: request.headers()["content-encoding"], bytes: request.postDataBuffer()?.length ?? 0 });
    }
  });

  await browserContext.setOffline(true);
  for (let i = 1; i <= 5; i++) await record(staff, "in_progress", `${NOTE} (${i})`);
  await until("five updates waiting", async () => (await badge(staff)) === "5 cập nhật chưa đồng bộ");
  await browserContext.setOffline(false);
  await until("the queue to drain by itself", async () => (await badge(staff)) === "Đã đồng bộ", 30_000);

  const sent = pushes.filter((p) => p.bytes > 0);
  assert.ok(sent.length >= 1, "a push was sent");
  assert.ok(sent.every((p) => p.encoding === "gzip"), JSON.stringify(sent));
  const uploaded = sent.reduce((sum, p) => sum + p.bytes, 0);
  const plain = 5 * Buffer.byteLength(NOTE);
  assert.ok(uploaded < plain, `${uploaded} bytes sent for ${plain} bytes of notes alone`);
  const rows = server.query(
    "SELECT count(*), count(DISTINCT mutation_id) FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'",
  );
  assert.deepEqual(rows, [[5, 5]], "each update stored exactly once");
  await browserContext.close();
});

test("a compression bomb sent from the page is refused with 413, and the queue still goes", async () => {
  const browserContext = await context.browser.newContext();
  const page = await browserContext.newPage();
  await page.goto(server.url);
  await signIn(page, "ngoaivu");
  // 64 MiB of spaces after a valid push, gzipped to some 60 KB.
  const body = Buffer.concat([
    Buffer.from(`{"client_id":"${crypto.randomUUID()}","schema_version":2,"mutations":[]`),
    Buffer.alloc(64 * 1024 * 1024, " "),
    Buffer.from("}"),
  ]);
  const bomb = [...gzipSync(body)];
  const answer = await page.evaluate(async (bytes) => {
    const token = await new Promise((resolve) => {
      const open = indexedDB.open("tiendo");
      open.onsuccess = () => {
        const get = open.result.transaction("meta").objectStore("meta").get("session");
        get.onsuccess = () => resolve(JSON.parse(get.result).token);
      };
    });
    const response = await fetch("/api/v1/sync/push", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${token}` },
      body: new Uint8Array(bytes),
    });
    return { status: response.status, body: await response.json() };
  }, bomb);
  assert.equal(answer.status, 413, JSON.stringify(answer.body));
  assert.equal(answer.body.error, "too_large");
  // The server is well: the person's own update goes through as usual.
  await page.locator("[data-testid='task-1.3']").click();
  await record(page, "in_progress", "Sau quả bom nén: vẫn gửi được");
  await until("synced", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query("SELECT count(*) FROM progress_updates WHERE results = 'Sau quả bom nén: vẫn gửi được'"), [[1]]);
  await browserContext.close();
});
