// What happens around the edges of a session, and the second language.
import assert from "node:assert/strict";
import { test } from "node:test";

import { badge, record, signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;


test("a session that expired while offline keeps the queue, which goes after signing in again", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "ngoaivu");
  await until("the first sync", async () => (await badge(page)) === "Đã đồng bộ");
  await page.goto(`${server.url}/#/task/1.3`);
  await page.locator("[data-testid=record-form]").waitFor();

  await server.stop();
  await record(page, "done", "Đã đón đoàn phóng viên Lào");
  await until("the update to wait", async () => (await badge(page)) === "1 cập nhật chưa đồng bộ");

  // While the server was away, every session ended.
  server.query("UPDATE sessions SET expires_at = 0");
  await server.start();
  await until(
    "the app to say the session expired",
    async () => (await badge(page)).startsWith("Phiên đăng nhập hết hạn"),
    30_000,
  );
  assert.deepEqual(server.query("SELECT count(*) FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'"), [[0]]);

  // Signing out asks first, since an update is still on the device.
  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    dialog.accept();
  });
  await page.locator("header button", { hasText: "Đăng xuất" }).click();
  await page.locator("#username").waitFor();
  assert.match(asked, /Còn 1 cập nhật chưa đồng bộ/);

  await page.evaluate(() => (location.hash = "#/"));
  await signIn(page, "ngoaivu");
  await until("the kept update to sync", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
  assert.deepEqual(server.query("SELECT note, status FROM progress_updates WHERE client_id NOT LIKE 'de000000-%'"), [["Đã đón đoàn phóng viên Lào", "done"]]);
});

test("the interface reads in English when asked, and remembers it", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await page.locator("#username").waitFor();
  assert.equal(await text(page, "label[for=username]"), "Tên đăng nhập");
  await page.locator("[data-testid=lang]").click();
  await until("English labels", async () => (await text(page, "label[for=username]")) === "Username");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");

  await signIn(page, "sotttt");
  await page.reload();
  await page.locator("[data-testid=tasks] li").first().waitFor();
  assert.equal(await text(page, "[data-testid=lang]"), "Tiếng Việt", "the choice survives a reload");
  await until("the English sync status", async () => (await badge(page)) === "Synced");

  assert.match(await text(page, "main h1"), /215\/KH-UBND, 28\/01\/2019/, "dates stay dd/mm/yyyy");

  await page.goto(`${server.url}/#/task/1.3`);
  await until("the task page in English", async () => (await text(page, "main")).includes("Supervisor account: read only."));
  assert.match(await text(page, "main"), /Lead agencies: Sở Ngoại vụ\./);
});
