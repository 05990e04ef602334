// The reporting cycle of section IV, as people live it: the head of the provincial
// border guard command, on a device that also holds a border post's updates, drafts
// and submits the first-half report with no connection; the Department returns it with
// a comment; the field device, offline and back, shows the comment; the head revises
// and resubmits; the Department accepts. Every transition is in the database once.
import assert from "node:assert/strict";
import { test } from "node:test";

import { badge, signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const SUMMARY = "Đơn vị đã triển khai tuyên truyền biên giới tại các đồn và cửa khẩu.";
const COMMENT = "Đề nghị bổ sung số liệu tuyên truyền của từng đồn biên phòng.";
const REVISED = " Đã bổ sung: 04 buổi nói chuyện, 350 lượt người được tuyên truyền.";

const go = (page, hash) => page.evaluate((h) => (location.hash = h), hash);
const synced = (page) => until("the device to be in sync", async () => (await badge(page)) === "Đã đồng bộ", 30_000);
const row = (page, id) => page.locator(`[data-testid=report-row-${id}]`);

function transitions() {
  return server.query(
    `SELECT r.action, r.state, u.username FROM report_events r JOIN users u ON u.id = r.author_id
     WHERE r.agency_id = 'bdbp' AND r.period = 'H1-2019' ORDER BY r.id`,
  );
}

test("a period report travels offline, is returned with a comment, resubmitted and accepted", async () => {
  // The head signs in while there is a connection; the border post's updates (seeded
  // by the demo) come down with the rest.
  const head = await (await context.browser.newContext()).newPage();
  await head.goto(server.url);
  await signIn(head, "bdbp.lanhdao");
  await until("the service worker to control the page", () =>
    head.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)),
  );
  // The reports are built into the workspace (/ws/), not the field app; a head's device
  // installs the workspace's worker in the background after signing in, so the reports
  // open with no connection although they were never opened online.
  await until("the workspace's worker to keep the reports", () =>
    head.evaluate(() => navigator.serviceWorker.getRegistration("/ws/").then((r) => !!r?.active)),
  );
  await synced(head);

  // No connection from here. The draft gathers the border post's work; the field app
  // hands the report's page on to the workspace, served by its worker.
  await server.stop();
  await go(head, "#/report/H1-2019");
  await until("the report to open in the workspace", () => head.evaluate(() => location.pathname === "/ws/"));
  const results = head.locator("[data-testid='results-7.2.b']");
  await until("the draft to carry the border post's results", async () =>
    (await results.inputValue()).includes("Cửa khẩu quốc tế Bờ Y"),
  );
  await head.locator("#summary").fill(SUMMARY);
  await head.locator("[data-testid=report-save]").click();
  await head.locator("[data-testid=report-submit]").click();
  await until("both to wait in the queue", async () => (await badge(head)) === "2 cập nhật chưa đồng bộ");

  // A reload with no server keeps the queue and the submitted text.
  await head.reload();
  await until("the app to open offline with the queue", async () => (await badge(head)) === "2 cập nhật chưa đồng bộ");
  assert.deepEqual(transitions(), [], "nothing reached the server yet");

  // The connection comes back: the queue goes by itself.
  await server.start();
  await synced(head);
  assert.deepEqual(transitions(), [
    ["saved", "draft", "bdbp.lanhdao"],
    ["submitted", "submitted", "bdbp.lanhdao"],
  ]);

  // The Department sees it submitted, late (the period is long past), and returns it.
  const supervisor = await (await context.browser.newContext()).newPage();
  await supervisor.goto(server.url);
  await signIn(supervisor, "sotttt");
  await go(supervisor, "#/reports/H1-2019");
  await until("the border guard's report in the listing", async () =>
    (await row(supervisor, "bdbp").getAttribute("data-state")) === "submitted",
  );
  assert.equal(await row(supervisor, "bdbp").getAttribute("data-late"), "true");
  await go(supervisor, "#/report/H1-2019/bdbp");
  await supervisor.locator("#review-comment").fill(COMMENT);
  await supervisor.locator("[data-testid=review-return]").click();
  await synced(supervisor);
  await until("the return to be stored", async () => transitions().length === 3);
  assert.deepEqual(transitions()[2], ["returned", "returned", "sotttt"]);

  // The field device loses the connection again, reopens, and when the server is back
  // the return reaches it by itself, with the comment.
  await server.stop();
  await head.reload();
  await until("the app to open offline", async () => (await badge(head)) !== "");
  await server.start();
  await until(
    "the comment to reach the field device",
    async () => (await text(head, "[data-testid=review-comment]")).includes(COMMENT),
    30_000,
  );
  await until("the report to be editable again", async () =>
    (await head.locator("[data-testid=report-state]").getAttribute("data-state")) === "returned",
  );

  // The head revises and resubmits.
  const summary = head.locator("#summary");
  await summary.fill((await summary.inputValue()) + REVISED);
  await head.locator("[data-testid=report-submit]").click();
  await synced(head);
  await until("the resubmission to be stored", async () => transitions().length === 4);

  // The Department accepts the new version.
  await supervisor.reload();
  await until("the resubmitted report to wait for a review", async () =>
    (await supervisor.locator("[data-testid=report-state]").getAttribute("data-state")) === "submitted",
  );
  await supervisor.locator("[data-testid=review-accept]").click();
  await synced(supervisor);

  // The listing: accepted and late; agencies that never reported are missing.
  await go(supervisor, "#/reports/H1-2019");
  await until("the listing to show it accepted", async () =>
    (await row(supervisor, "bdbp").getAttribute("data-state")) === "accepted",
  );
  assert.equal(await row(supervisor, "bdbp").getAttribute("data-late"), "true", "lateness is kept");
  assert.equal(await row(supervisor, "so-tttt").getAttribute("data-state"), "missing");
  assert.equal(await row(supervisor, "so-vhttdl").getAttribute("data-state"), "accepted", "the demo's on-time report");
  assert.equal(await row(supervisor, "so-vhttdl").getAttribute("data-late"), "false");

  // Each transition exactly once, by the right person, and the resubmitted text is the
  // accepted one.
  assert.deepEqual(transitions(), [
    ["saved", "draft", "bdbp.lanhdao"],
    ["submitted", "submitted", "bdbp.lanhdao"],
    ["returned", "returned", "sotttt"],
    ["submitted", "submitted", "bdbp.lanhdao"],
    ["accepted", "accepted", "sotttt"],
  ]);
  const [[accepted]] = server.query(
    `SELECT json_extract(v.content, '$.summary') FROM report_events v
     WHERE v.id = (SELECT version FROM report_events WHERE agency_id = 'bdbp' AND action = 'accepted')`,
  );
  assert.equal(accepted, SUMMARY + REVISED);
  assert.deepEqual(
    server.query("SELECT count(*), count(DISTINCT mutation_id) FROM report_events WHERE agency_id = 'bdbp'"),
    [[5, 5]],
  );
});
