// The supervisors' workspace, as the Department uses it: after signing in, a supervisor
// lands in /ws/; with the day fixed through the address, the dashboard flags the demo's
// late report (UBND huyện Ngọc Hồi) and its overdue task (5.2, due in the second
// quarter, still in progress on 01/07/2019); the exports download as real files; the
// matrix narrows to a search typed without diacritics. A field staff member never
// gets the workspace: their app stays at / and asks for nothing under /ws/, and can
// download their own agency's report, told plainly when there is no connection.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { badge, signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const go = (page, hash) => page.evaluate((h) => (location.hash = h), hash);
const synced = (page) => until("the device to be in sync", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** Clicks `button` and returns the download it starts, with its first bytes. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), head: readFileSync(path).subarray(0, 2).toString("latin1") };
}

test("a supervisor reads the dashboard and the matrix in the workspace and downloads the exports", async () => {
  const page = await (await context.browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(server.url);
  await page.locator("#username").fill("sotttt");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("button[type=submit]").click();
  // The field app hands the session over to the workspace.
  await page.waitForURL((url) => url.pathname === "/ws/", { timeout: 20_000 });
  await byTestId(page, "tasks").locator("li").first().waitFor({ timeout: 20_000 });
  await synced(page);

  // The dashboard as things stood on 01/07/2019.
  await go(page, "#/dashboard/H1-2019/2019-07-01");
  await byTestId(page, "task-states").waitFor();
  assert.equal(await page.locator("#as-of").inputValue(), "2019-07-01");
  const late = byTestId(page, "late-ubnd-ngoc-hoi");
  await until("Ngọc Hồi's late report to be flagged", async () => (await late.count()) === 1);
  assert.match(await late.textContent(), /UBND huyện Ngọc Hồi/);
  assert.equal(await byTestId(page, "late-so-vhttdl").count(), 0, "the Department of Culture reported on time");
  const overdue = byTestId(page, "overdue-5.2");
  await until("task 5.2 to be overdue", async () => (await overdue.count()) === 1);
  assert.match(await overdue.textContent(), /30\/06\/2019/, "due at the end of the second quarter");
  assert.ok(Number(await text(page, "[data-testid=count-overdue]")) >= 1);
  for (const id of ["by-section", "by-agency", "report-states", "ongoing"]) {
    assert.equal(await byTestId(page, id).count(), 1, `the dashboard shows ${id}`);
  }
  // Before the deadline of 15/06 nothing is late yet, and 5.2 was not due.
  await page.locator("#as-of").fill("2019-06-10");
  await page.locator("#as-of").dispatchEvent("change");
  await until("the address to follow the day", async () => (await page.evaluate(() => location.hash)) === "#/dashboard/H1-2019/2019-06-10");
  await until("nothing to be overdue or late on 10/06", async () =>
    (await byTestId(page, "overdue-5.2").count()) === 0 && (await byTestId(page, "late-ubnd-ngoc-hoi").count()) === 0,
  );
  await go(page, "#/dashboard/H1-2019/2019-07-01");
  await late.waitFor();

  // The consolidated report and the data, as files.
  const docx = await download(page, byTestId(page, "export-consolidated-docx"));
  assert.match(docx.name, /^Báo cáo tổng hợp H1-2019.*\.docx$/);
  assert.equal(docx.head, "PK", "a .docx is a zip");
  const xlsx = await download(page, byTestId(page, "export-xlsx"));
  assert.match(xlsx.name, /H1-2019.*\.xlsx$/);
  assert.equal(xlsx.head, "PK", "a .xlsx is a zip");

  // The matrix, narrowed by a search without diacritics.
  await byTestId(page, "nav-matrix").click();
  await byTestId(page, "matrix").waitFor();
  assert.equal(await byTestId(page, "matrix-row-5.2").count(), 1);
  const cell = byTestId(page, "matrix-row-5.2").locator("td.cell.in_progress");
  assert.ok((await cell.count()) >= 1, "the Department of Culture's latest status on 5.2");
  await page.locator("#search").fill("bien gioi");
  await until("the rows to narrow", async () => (await byTestId(page, "matrix-row-5.2").count()) === 0);
  for (const number of ["7.2.b", "7.2.c"]) {
    assert.equal(await byTestId(page, `matrix-row-${number}`).count(), 1, `${number} speaks of the border`);
  }
  assert.equal(await byTestId(page, "matrix-row-7.1.a").count(), 0);

  // A cell leads to the task, where each agency's results are under the plan's text.
  await byTestId(page, "matrix-row-7.2.b").locator("td.cell a").first().click();
  await until("the task page", async () => (await page.evaluate(() => location.hash)) === "#/task/7.2.b");
  await until("the border post's results under its command", async () =>
    (await text(page, "[data-testid=contributions]")).includes("Cửa khẩu quốc tế Bờ Y"),
  );
  assert.match(await text(page, "[data-testid=silent]"), /^Chưa có báo cáo: /);
});

test("a field staff member stays in the field app, and downloads their agency's report from the workspace when online", async () => {
  const browserContext = await context.browser.newContext({ acceptDownloads: true });
  const requested = [];
  browserContext.on("request", (request) => requested.push(new URL(request.url()).pathname));
  const page = await browserContext.newPage();
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  await synced(page);
  await page.reload();
  await synced(page);
  assert.equal(new URL(page.url()).pathname, "/");
  assert.equal(await byTestId(page, "nav-workspace").count(), 0);

  // Sections as headings, and a search without diacritics.
  assert.equal(await byTestId(page, "section-7.2").count(), 1);
  await page.locator("#search").fill("bien gioi");
  await until("the list to narrow", async () => (await byTestId(page, "task-5.2").count()) === 0);
  assert.equal(await byTestId(page, "task-7.2.b").count(), 1);
  // In capitals and with its marks (the field app puts text in lower case with the
  // browser's toLowerCase), the same.
  await page.locator("#search").fill("");
  await until("the list to widen", async () => (await byTestId(page, "task-5.2").count()) === 1);
  await page.locator("#search").fill("BIÊN GIỚI");
  await until("the list to narrow", async () => (await byTestId(page, "task-5.2").count()) === 0);
  assert.equal(await byTestId(page, "task-7.2.b").count(), 1);
  await page.locator("#search").fill("");

  // A workspace address says where the page is, without loading it.
  await go(page, "#/dashboard/H1-2019/2019-07-01");
  await byTestId(page, "workspace-only").waitFor();
  assert.equal(await byTestId(page, "task-states").count(), 0);

  // Field staff who only record progress never download the workspace.
  assert.deepEqual(
    requested.filter((path) => path.startsWith("/ws/")),
    [],
    "the field app never asks for the workspace",
  );

  // Their agency's report for the period, as a Word document. The reports are built
  // into the workspace: the field app hands the page on to it.
  await go(page, "#/report/H1-2019");
  await until("the report to open in the workspace", () => page.evaluate(() => location.pathname === "/ws/"));
  const button = byTestId(page, "export-docx");
  const docx = await download(page, button);
  assert.match(docx.name, /^Báo cáo H1-2019.*\.docx$/);
  assert.equal(docx.head, "PK");

  // No connection: it says so instead of failing silently.
  await server.stop();
  await button.click();
  await until("the page to say a download needs the network", async () =>
    (await page.locator("p.error").allTextContents()).includes("Cần kết nối mạng để tải tệp."),
  );
  await server.start();

  assert.ok(requested.includes("/api/v1/plan"), "every request is seen");
});
