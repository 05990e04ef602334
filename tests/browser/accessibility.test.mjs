// An automated accessibility check (axe-core, WCAG 2.1 A and AA rules) of the screens
// field staff and supervisors use, on a 360 px phone and in both languages: no serious
// or critical finding (the sign-in form of the page itself, before the app has arrived,
// included). A screenshot of the field app at 360 px is kept as an artefact
// (test-artifacts/, or TIENDO_ARTIFACTS).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { signIn, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;
const AXE = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const ARTIFACTS = process.env.TIENDO_ARTIFACTS ?? new URL("../../test-artifacts", import.meta.url).pathname;

/** The serious and critical findings of axe on the page as it is now. */
async function findings(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

async function check(page, what) {
  const found = await findings(page);
  assert.deepEqual(found, [], `${what}:\n${found.join("\n")}`);
}

for (const lang of ["vi", "en"]) {
  test(`the field app passes the accessibility check at 360 px (${lang})`, async () => {
    // bypassCSP only lets the test inject axe; the app itself runs as served.
    const browserContext = await context.browser.newContext({ viewport: { width: 360, height: 780 }, bypassCSP: true });
    await browserContext.addInitScript((l) => localStorage.setItem("tiendo.lang", l), lang);
    // The page's own sign-in form first, while the app's code is held back.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await browserContext.route("**/*.wasm", async (route) => {
      await held;
      await route.continue();
    });
    const page = await browserContext.newPage();
    await page.goto(server.url);
    await page.locator("#shell #username").waitFor();
    await check(page, "sign-in before the app");
    release();
    await page.locator("#shell").waitFor({ state: "detached", timeout: 30_000 });
    await check(page, "sign-in");
    await signIn(page, "vhttdl");
    await check(page, "task list");
    if (lang === "vi") {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/field-tasks-360.png` });
    }
    await page.locator("[data-testid='task-5.1']").click();
    await page.locator("[data-testid=record-form]").waitFor();
    await check(page, "task page");
    // Usable by keyboard: the form's fields are reached with Tab, in order.
    await page.locator("#percent").focus();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "note");
    await page.evaluate(() => (location.hash = "#/reports"));
    await page.locator("main h1").waitFor();
    await check(page, "reports");
    await browserContext.close();
  });
}

test("the workspace passes the accessibility check", async () => {
  const browserContext = await context.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await browserContext.newPage();
  await page.goto(server.url);
  await signIn(page, "sotttt");
  await page.goto(`${server.url}/ws/#/dashboard/H1-2019/2019-07-01`);
  await page.locator("[data-testid=task-states]").waitFor({ timeout: 30_000 });
  await check(page, "dashboard");
  await page.goto(`${server.url}/ws/#/matrix`);
  await page.locator("[data-testid=matrix]").waitFor();
  await check(page, "matrix");
  await browserContext.close();
});
