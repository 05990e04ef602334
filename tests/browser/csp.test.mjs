// The app runs under its strict Content-Security-Policy and nothing else does: the field
// app and the supervisors' workspace are served with the policy, sign in, sync and show
// their pages with no violation reported, and an inline script or style that something
// slipped into the page is refused (which also shows the test sees violations).
import assert from "node:assert/strict";
import { test } from "node:test";

import { signIn, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

/** A browser context that records every CSP violation of its pages, and every console
 * message or page error that mentions the policy. */
async function watched() {
  const browserContext = await context.browser.newContext();
  const violations = [];
  await browserContext.exposeFunction("__cspViolation", (v) => violations.push(v));
  await browserContext.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`);
    });
  });
  const page = await browserContext.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => {
    if (/Content Security Policy/i.test(String(error))) violations.push(`error: ${error}`);
  });
  return { page, violations };
}

function assertStrict(policy, where) {
  assert.ok(policy, `${where} has a Content-Security-Policy`);
  const directives = Object.fromEntries(
    policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
  );
  assert.deepEqual(directives["default-src"], ["'self'"]);
  assert.deepEqual(directives["script-src"].slice(0, 2), ["'self'", "'wasm-unsafe-eval'"]);
  assert.ok(directives["script-src"].length > 2, "the inline start-up script is allowed by its hash");
  for (const hash of directives["script-src"].slice(2)) assert.match(hash, /^'sha256-[A-Za-z0-9+/]{43}='$/);
  assert.deepEqual(directives["style-src"], ["'self'"]);
  assert.deepEqual(directives["connect-src"], ["'self'"]);
  assert.deepEqual(directives["frame-ancestors"], ["'none'"]);
  assert.deepEqual(directives["base-uri"], ["'none'"]);
  assert.deepEqual(directives["object-src"], ["'none'"]);
  assert.ok(!policy.includes("unsafe-inline") && !policy.includes("'unsafe-eval'"), policy);
}

/** Slips an inline script and an inline style into the page: both must be refused. */
async function assertInlineIsRefused(page, violations) {
  const before = violations.length;
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__inlineRan = true";
    document.body.append(script);
    const p = document.createElement("p");
    p.setAttribute("style", "color: red");
    document.body.append(p);
  });
  await until("both inline additions to be reported", () => violations.length >= before + 2);
  assert.equal(await page.evaluate(() => window.__inlineRan), undefined, "the inline script never ran");
  violations.splice(before);
}

test("the field app works under its policy with no violation", async () => {
  const { page, violations } = await watched();
  const response = await page.goto(server.url);
  assertStrict(response.headers()["content-security-policy"], "/");
  await signIn(page, "vhttdl");
  await page.evaluate(() => (location.hash = "#/task/5.4"));
  await page.locator("[data-testid=record-form]").waitFor();
  await until("the service worker to control the page", () =>
    page.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)),
  );
  assert.deepEqual(violations, []);
  await assertInlineIsRefused(page, violations);
  assert.deepEqual(violations, []);
});

test("the workspace works under its policy with no violation", async () => {
  const { page, violations } = await watched();
  const response = await page.goto(`${server.url}/ws/`);
  assertStrict(response.headers()["content-security-policy"], "/ws/");
  await page.goto(server.url);
  await page.locator("#username").fill("sotttt");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("button[type=submit]").click();
  await page.waitForURL((url) => url.pathname === "/ws/", { timeout: 20_000 });
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 20_000 });
  await page.evaluate(() => (location.hash = "#/dashboard/H1-2019/2019-07-01"));
  await page.locator("[data-testid=task-states]").waitFor();
  await page.locator("[data-testid=by-agency]").waitFor();
  assert.deepEqual(violations, []);
  await assertInlineIsRefused(page, violations);
  assert.deepEqual(violations, []);
});
