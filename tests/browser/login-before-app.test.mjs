// The sign-in form of the page itself, before the app's WebAssembly has arrived (on 2G
// that takes seconds): a person types and submits into it, nothing is sent and the page
// stays put, and the app, once there, takes over what was typed and signs in exactly
// once. A person with a session who reloads never sees that form. The .wasm response is
// held back by the test to open that window; the service worker is kept out of these
// browser contexts so that every request goes through the test's routes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

/** A browser context whose .wasm responses wait while `hold` is on, and a page in it
 * that records every request and every navigation of its main frame. */
async function slowApp({ lang } = {}) {
  const browserContext = await context.browser.newContext({ serviceWorkers: "block" });
  if (lang) await browserContext.addInitScript((l) => localStorage.setItem("tiendo.lang", l), lang);
  const gate = { held: 0, release: null, promise: null };
  gate.hold = () => {
    gate.promise = new Promise((resolve) => (gate.release = resolve));
  };
  gate.open = () => {
    gate.release?.();
    gate.promise = null;
  };
  await browserContext.route("**/*.wasm", async (route) => {
    if (gate.promise) {
      gate.held += 1;
      await gate.promise;
    }
    await route.continue();
  });
  const page = await browserContext.newPage();
  const requests = [];
  page.on("request", (request) => requests.push({ method: request.method(), url: request.url() }));
  const navigations = [];
  page.on("framenavigated", (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
  return { browserContext, page, gate, requests, navigations };
}

const logins = (requests) => requests.filter((r) => r.method === "POST" && new URL(r.url).pathname === "/api/v1/login");
const appMounted = (page) => page.evaluate(() => !document.getElementById("shell") && !!document.querySelector("main.login, [data-testid=tasks]"));
const sessionsOf = (username) =>
  server.query(`SELECT count(*) FROM sessions JOIN users ON users.id = sessions.user_id WHERE users.username = '${username}'`)[0][0];

/** The texts of the sign-in screen a person reads. */
const screenTexts = (page) =>
  page.evaluate(() =>
    ["header .brand", "[data-testid=lang]", "main h1", "main .muted", "label[for=username]", "label[for=password]", "button[type=submit]"].map(
      (s) => document.querySelector(s)?.textContent,
    ),
  );

test("a person signs in on the page's form before the app has arrived; the app signs in once", async () => {
  const { browserContext, page, gate, requests, navigations } = await slowApp();
  gate.hold();
  await page.goto(server.url);
  await until("the app's code to be asked for", () => gate.held > 0);

  // The form is there and usable, though the app is not.
  await page.locator("#username:enabled").waitFor({ timeout: 5_000 });
  assert.equal(await page.locator("#shell").isVisible(), true, "the page's own form is shown");
  assert.equal(await page.locator("#boot").isVisible(), false, "no 'Đang tải…' beside it");
  assert.equal(await text(page, "label[for=username]"), "Tên đăng nhập");
  await page.locator("#username").fill("vhttdl");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("button[type=submit]").click();

  // Nothing goes anywhere: the form says it waits for the app.
  await until("the form to say it waits for the app", async () => (await text(page, "button[type=submit]")) === "Đang tải ứng dụng…");
  assert.equal(await page.locator("button[type=submit]").isDisabled(), true);
  await page.locator("#password").press("Enter");
  assert.equal(page.url(), `${server.url}/`);
  assert.equal(navigations.length, 1, `no navigation after the first: ${navigations}`);
  assert.equal(logins(requests).length, 0);
  assert.ok(!requests.some((r) => r.url.includes("tiendo2019")), "the password is in no address");
  assert.equal(await appMounted(page), false, "the app is still held back");
  assert.equal(sessionsOf("vhttdl"), 0);

  // The app arrives and signs in with what was typed, once.
  gate.open();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 30_000 });
  await until("the first sync", async () => (await text(page, "[data-testid=sync-status]")) === "Đã đồng bộ");
  assert.equal(logins(requests).length, 1, "one sign-in request");
  assert.equal(sessionsOf("vhttdl"), 1, "one session on the server");
  assert.equal(await page.locator("#shell").count(), 0, "the page's form is gone");
  assert.equal(await page.locator("#username").count(), 0);
  assert.match(await text(page, "[data-testid=who]"), /Sở Văn hóa, Thể thao và Du lịch/);
  assert.equal(page.url(), `${server.url}/`);
  assert.ok(!requests.some((r) => r.url.includes("tiendo2019")));
  await browserContext.close();
});

for (const lang of ["vi", "en"]) {
  test(`what is half typed carries over to the app's form, with the focus and the caret (${lang})`, async () => {
    const { browserContext, page, gate, requests } = await slowApp({ lang });
    gate.hold();
    await page.goto(server.url);
    await page.locator("#username:enabled").waitFor({ timeout: 5_000 });
    const before = await screenTexts(page);
    await page.locator("#username").fill("ngoaivu");
    await page.locator("#password").click();
    await page.keyboard.type("tiendo219");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await appMounted(page), false);

    gate.open();
    await until("the app to take the form over", () => appMounted(page), 30_000);
    assert.equal(await page.locator("#username").inputValue(), "ngoaivu");
    assert.equal(await page.locator("#password").inputValue(), "tiendo219");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "password", "the focus stayed in the password");
    assert.deepEqual(await page.evaluate(() => [document.activeElement.selectionStart, document.activeElement.selectionEnd]), [7, 7], "and the caret");
    assert.deepEqual(await screenTexts(page), before, "the page's form reads as the app's");
    assert.equal(logins(requests).length, 0, "nothing was submitted, so nothing is sent");

    // The person goes on typing where they were and presses Enter.
    await page.keyboard.type("0");
    assert.equal(await page.locator("#password").inputValue(), "tiendo2019");
    await page.keyboard.press("Enter");
    await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 30_000 });
    assert.equal(logins(requests).length, 1);
    await browserContext.close();
  });
}

test("the page's form reads in English when the app would, and says so while it waits", async () => {
  const { browserContext, page, gate } = await slowApp({ lang: "en" });
  gate.hold();
  await page.goto(server.url);
  await page.locator("#username:enabled").waitFor({ timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  const before = await screenTexts(page);
  assert.deepEqual(before.slice(1), ["Tiếng Việt", "Tiến độ", "Progress on the external information plan", "Username", "Password", "Sign in"]);
  await page.locator("#username").fill("ngochoi");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("#password").press("Enter");
  await until("the form to say it waits for the app", async () => (await text(page, "button[type=submit]")) === "Loading the app…");

  // Its language button works before the app, and the app keeps the choice.
  await page.locator("[data-testid=lang]").click();
  assert.equal(await text(page, "label[for=username]"), "Tên đăng nhập");
  assert.equal(await text(page, "button[type=submit]"), "Đang tải ứng dụng…");
  gate.open();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 30_000 });
  assert.equal(await text(page, "[data-testid=lang]"), "English", "the app reads in Vietnamese, as chosen");
  await browserContext.close();
});

test("a person with a session who reloads never sees the page's form, and sees it again once signed out", async () => {
  const { browserContext, page, gate } = await slowApp();
  await page.goto(server.url);
  await page.locator("#username").fill("boy");
  await page.locator("#password").fill("tiendo2019");
  await page.locator("button[type=submit]").click();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 30_000 });

  // Every frame painted before the app is there is checked for the form.
  await browserContext.addInitScript(() => {
    window.__formPainted = 0;
    const frame = () => {
      const shell = document.getElementById("shell");
      if (shell && shell.offsetParent !== null) window.__formPainted += 1;
      if (!document.querySelector("[data-testid=tasks], main.login")) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  gate.hold();
  await page.reload();
  await until("the app's code to be asked for", () => gate.held > 0);
  await page.locator("#boot").waitFor({ state: "visible", timeout: 5_000 });
  assert.equal(await page.locator("#shell").count(), 1, "the page has its form…");
  assert.equal(await page.locator("#shell").isVisible(), false, "…but does not show it");
  assert.equal(await text(page, "#boot"), "Đang tải… / Loading…");
  gate.open();
  await page.locator("[data-testid=tasks] li").first().waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.__formPainted), 0, "no frame showed the form");

  // Signed out, the next visit shows the form again at once.
  await page.locator("header button", { hasText: "Đăng xuất" }).click();
  await page.locator("#username").waitFor();
  await until("the device to forget the session", () => page.evaluate(() => !localStorage.getItem("tiendo.signed-in")));
  const held = gate.held;
  gate.hold();
  await page.reload();
  await until("the app's code to be asked for", () => gate.held > held);
  await page.locator("#shell").waitFor({ state: "visible", timeout: 5_000 });
  assert.equal(await page.locator("#boot").isVisible(), false);
  gate.open();
  await browserContext.close();
});
