// The field screen on a weak link: a half-typed update survives closing the browser,
// a refused update is corrected and sent again, a long history opens at once and
// pages, and a first sign-in with a long history shows the task list while the
// download goes on, with its progress, never "synced" before it has caught up.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { chromium } from "playwright-core";

import { badge, record, signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

/** Signs in over the API and pushes `count` updates on `task` for `username`. */
async function seedHistory(username, task, count) {
  const login = await fetch(`${server.url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "tiendo2019" }),
  }).then((r) => r.json());
  const client = crypto.randomUUID();
  for (let start = 1; start <= count; start += 250) {
    const mutations = [];
    for (let seq = start; seq < Math.min(start + 250, count + 1); seq++) {
      mutations.push({
        seq, id: crypto.randomUUID(), kind: "progress.record", task, status: "in_progress",
        results: `Cập nhật số ${seq} về tuyên truyền đối ngoại tại địa phương`, observed_at: "2019-06-10T09:00:00+07:00",
      });
    }
    const reply = await fetch(`${server.url}/api/v1/sync/push`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${login.token}` },
      body: JSON.stringify({ client_id: client, schema_version: 2, mutations }),
    });
    assert.equal(reply.status, 200, await reply.text());
  }
}

test("a half-typed update survives closing the browser and opening it again", async () => {
  const profile = mkdtempSync(join(tmpdir(), "tiendo-profile-"));
  const open = () =>
    chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  let browser = await open();
  let page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  await page.locator("[data-testid='task-5.1']").click();
  await page.locator("input[name=status][value=blocked]").check();
  await page.locator("#note").fill("Đang soạn dở: đã liên hệ 3 xã biên giới");
  await page.locator("#difficulties").fill("Thiếu kinh phí in tờ rơi");
  await page.waitForTimeout(500);
  await browser.close();

  browser = await open();
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${server.url}/#/task/5.1`);
  await until("the draft to come back", async () =>
    (await page.locator("#note").inputValue()) === "Đang soạn dở: đã liên hệ 3 xã biên giới",
  );
  assert.equal(await page.locator("#difficulties").inputValue(), "Thiếu kinh phí in tờ rơi");
  assert.ok(await page.locator("input[name=status][value=blocked]").isChecked());
  // Saved, it leaves the form and the working copy.
  await page.locator("[data-testid=record-form] button[type=submit]").click();
  await until("the update to sync", async () => (await badge(page)) === "Đã đồng bộ");
  await page.reload();
  await page.locator("[data-testid=history] li").first().waitFor();
  assert.equal(await page.locator("#note").inputValue(), "", "no draft after saving");
  await browser.close();
});

test("a refused update shows why, and is corrected and sent again", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  await page.locator("[data-testid='task-5.1']").click();
  await page.locator("[data-testid=task-text]").waitFor();
  // The first push reaches the server naming a task the plan does not have (as a
  // device would after the task was withdrawn): refused for good.
  let tampered = false;
  await page.route("**/api/v1/sync/push", async (route) => {
    const request = route.request();
    if (!tampered) {
      const raw = request.postDataBuffer();
      const body = JSON.parse(request.headers()["content-encoding"] === "gzip" ? gunzipSync(raw).toString() : raw.toString());
      body.mutations = body.mutations.map((m) => ({ ...m, task: "99.9" }));
      tampered = true;
      return route.continue({
        postData: JSON.stringify(body),
        headers: { ...request.headers(), "content-encoding": "identity" },
      });
    }
    return route.continue();
  });
  await record(page, "done", "Đã hoàn thành in ấn tờ rơi song ngữ cho các xã biên giới, phát hành ngày 10/6");
  const refused = page.locator("[data-testid=rejected]");
  await refused.waitFor({ timeout: 20_000 });
  assert.match(await refused.textContent(), /Không được ghi nhận: Kế hoạch không có nhiệm vụ này/);
  await page.unroute("**/api/v1/sync/push");

  await page.locator("[data-testid=correct]").click();
  assert.match(await page.locator("#note").inputValue(), /Đã hoàn thành in ấn tờ rơi/);
  // The refusal leaves the device's store, then the history (asynchronously).
  await until("the refusal to leave the history", async () => (await page.locator("[data-testid=rejected]").count()) === 0);
  await page.locator("#note").fill("Đã hoàn thành in ấn tờ rơi song ngữ (sửa lại)");
  await page.locator("[data-testid=record-form] button[type=submit]").click();
  await until("the corrected update to sync", async () => (await badge(page)) === "Đã đồng bộ");
  assert.deepEqual(
    server.query("SELECT count(*) FROM progress_updates WHERE results = 'Đã hoàn thành in ấn tờ rơi song ngữ (sửa lại)'"),
    [[1]],
  );
});

test("a long history loads behind a usable task list, with its progress, and pages", async () => {
  await seedHistory("vhttdl", "5.2", 2_600);
  const browserContext = await context.browser.newContext();
  const page = await browserContext.newPage();
  const cdp = await browserContext.newCDPSession(page);
  await page.goto(server.url);
  await page.locator("#username").waitFor();
  // A slow link for the download: 400 ms round trip, 40 KB/s.
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 400, downloadThroughput: 40_000, uploadThroughput: 20_000,
  });
  const seen = [];
  const watch = setInterval(async () => seen.push(await badge(page).catch(() => "")), 100);
  await page.locator("#username").fill("sotttt");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("button[type=submit]").click();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 20_000 });
  const loading = seen.concat([await badge(page)]).filter((b) => /^Đang tải [\d.]+\/[\d.]+$/.test(b));
  await until("the download to finish", async () => (await badge(page)) === "Đã đồng bộ", 120_000);
  clearInterval(watch);
  assert.ok(loading.length > 0 || seen.some((b) => /^Đang tải/.test(b)), `progress shown: ${seen.join(" | ")}`);
  const firstSynced = seen.findIndex((b) => b === "Đã đồng bộ");
  const lastLoading = seen.findLastIndex((b) => /^Đang tải/.test(b));
  assert.ok(firstSynced === -1 || firstSynced > lastLoading, "never synced before it had caught up");
  assert.match(await text(page, "[data-testid=last-sync]"), /lần cuối \d\d:\d\d/);

  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.evaluate(() => (location.hash = "#/task/5.2"));
  const items = page.locator("[data-testid=history] li");
  await items.first().waitFor();
  assert.equal(await items.count(), 30, "the latest entries first");
  assert.match(await text(page, "[data-testid=history] li"), /Cập nhật số 2600/);
  const more = page.locator("[data-testid=history-more]");
  const left = Number((await more.textContent()).match(/^Xem thêm 30 cập nhật cũ hơn \(còn (\d+)\)$/)?.[1]);
  assert.ok(left >= 2_570, `${left} older updates announced`);
  await more.click();
  await until("thirty more", async () => (await items.count()) === 60);
  await browserContext.close();
});

test("each task says whether the agency leads or coordinates it, and the list filters by status", async () => {
  const page = await (await context.browser.newContext()).newPage();
  await page.goto(server.url);
  await signIn(page, "vhttdl");
  // Sở VHTTDL leads 5.1 and coordinates 1.1 (its own agency's tasks are listed).
  assert.match(await text(page, "[data-testid='task-5.1']"), /Chủ trì/);
  const roles = await page.$$eval("[data-testid=tasks] a", (links) => links.map((a) => a.textContent));
  assert.ok(roles.some((t) => /Phối hợp/.test(t)), "a coordinated task is marked");
  assert.ok(roles.every((t) => /Chủ trì|Phối hợp/.test(t)), "every task of the agency says which");
  // A task whose timeframe ends in the period being reported on says by when.
  assert.ok(roles.some((t) => /Hạn \d\d\/\d\d\/2019/.test(t)), roles.join("\n"));
  await page.locator("[data-testid='task-5.1']").click();
  await record(page, "blocked", "Vướng kinh phí in ấn");
  await until("synced", async () => (await badge(page)) === "Đã đồng bộ");
  await page.evaluate(() => (location.hash = "#/"));
  await page.locator("[data-testid=status-filter]").selectOption("blocked");
  await until("only the blocked task", async () => {
    const shown = await page.$$eval("[data-testid=tasks] a", (links) => links.map((a) => a.dataset.testid));
    return shown.length === 1 && shown[0] === "task-5.1";
  });
  await page.locator("[data-testid=status-filter]").selectOption("none");
  await until("the tasks with no update yet", async () => {
    const shown = await page.$$eval("[data-testid=tasks] a", (links) => links.map((a) => a.dataset.testid));
    return shown.length > 1 && !shown.includes("task-5.1");
  });
});
