// The walking skeleton, as people use it: a staff member records progress, loses the
// server, records again, reloads, and the update syncs by itself once the server is
// back; a supervisor in another browser profile then sees both updates.
import assert from "node:assert/strict";
import { test } from "node:test";

import { badge, record, signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const FIRST = "Đã họp triển khai kế hoạch quảng bá hình ảnh tỉnh";
const SECOND = "Dự thảo kế hoạch đã trình UBND tỉnh — ghi khi mất mạng";

async function historyItems(page) {
  return page.$$eval("[data-testid=update]", (items) =>
    items.map((li) => ({ synced: li.dataset.synced === "true", text: li.textContent })),
  );
}

test("an update recorded offline survives a reload and syncs exactly once", async () => {
  const staff = await (await context.browser.newContext()).newPage();
  await staff.goto(server.url);
  await signIn(staff, "vhttdl");
  await until("the service worker to control the page", () =>
    staff.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)),
  );

  // The reporting rhythm of section IV is in view.
  assert.match(
    await text(staff, "[data-testid=deadlines]"),
    /Báo cáo 6 tháng đầu năm 2019: gửi trước 15\/06\/2019 \(Sở tổng hợp trước 25\/06\/2019\)/,
  );

  // Task 5.1 is led by Sở Văn hóa, Thể thao và Du lịch, the staff member's agency.
  await staff.locator("[data-testid='task-5.1']").click();
  await until("the task's full text", async () =>
    (await text(staff, "[data-testid=task-text]")).includes("Xây dựng và quảng bá hình ảnh tỉnh Kon Tum"),
  );
  await record(staff, "in_progress", FIRST);
  await until("the first update to sync", async () => {
    const items = await historyItems(staff);
    return items.length === 1 && items[0].synced && (await badge(staff)) === "Đã đồng bộ";
  });

  // The server goes away; the person goes on working.
  await server.stop();
  await record(staff, "done", SECOND);
  await until("the pending count", async () => (await badge(staff)) === "1 cập nhật chưa đồng bộ");

  // A reload with no server still opens the app, with both updates and the count.
  await staff.reload();
  await until("the app to open offline on the same task", async () => {
    const items = await historyItems(staff);
    return items.length === 2 && (await badge(staff)) === "1 cập nhật chưa đồng bộ";
  });
  const offline = await historyItems(staff);
  assert.equal(offline[0].synced, false, "the newest update is marked as not synced");
  assert.match(offline[0].text, /Chưa đồng bộ/);
  assert.match(offline[0].text, new RegExp(SECOND));
  assert.equal(offline[1].synced, true);
  assert.deepEqual(server.query("SELECT count(*) FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'"), [[1]]);

  // The server comes back: the update goes by itself, with no click.
  await server.start();
  await until(
    "the queue to drain by itself",
    async () => (await badge(staff)) === "Đã đồng bộ",
    30_000,
  );
  await until("both updates to show as synced", async () => {
    const items = await historyItems(staff);
    return items.length === 2 && items.every((i) => i.synced);
  });

  // Exactly once in the database, in order, by the staff member.
  const rows = server.query(
    `SELECT p.note, p.status, u.username, t.number FROM progress_updates p
     JOIN users u ON u.id = p.author_id JOIN tasks t ON t.id = p.task_id
     WHERE p.client_id NOT LIKE 'de000000-%' ORDER BY p.id`,
  );
  assert.deepEqual(rows, [
    [FIRST, "in_progress", "vhttdl", "5.1"],
    [SECOND, "done", "vhttdl", "5.1"],
  ]);
  assert.deepEqual(server.query("SELECT last_seq FROM clients WHERE client_id NOT LIKE 'de000000-%'"), [[2]]);

  // A supervisor at the Department, in another browser profile, sees both.
  const supervisor = await (await context.browser.newContext()).newPage();
  await supervisor.goto(server.url);
  await signIn(supervisor, "sotttt");
  await supervisor.goto(`${server.url}/#/task/5.1`);
  await until("the supervisor to see both updates", async () => (await historyItems(supervisor)).length === 2);
  const seen = await historyItems(supervisor);
  for (const item of seen) {
    assert.ok(item.synced);
    assert.match(item.text, /Trần Văn Đức/, "the author is shown");
    assert.match(item.text, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, "the time is shown as dd/mm/yyyy HH:MM");
  }
  assert.match(seen[0].text, new RegExp(SECOND));
  assert.match(seen[1].text, new RegExp(FIRST));
  assert.match(seen[0].text, /Hoàn thành/);
});
