// Takes the screenshots the README shows, from a fresh demo server: the supervisor's
// dashboard (desktop and a 360 px phone, Vietnamese and English), the matrix, and a
// field head's report page. Run after `./dev test` (or both trunk builds):
//   TIENDO_BIN=target/debug/tiendo TIENDO_WEB_DIR=dist node tests/browser/screenshots.mjs [OUT_DIR]
import { mkdirSync } from "node:fs";

import { Server, launchBrowser, signIn, until } from "./harness.mjs";

const out = process.argv[2] ?? "docs/img";
mkdirSync(out, { recursive: true });
const server = new Server();
await server.start();
const browser = await launchBrowser();
try {
  for (const [lang, suffix] of [["vi", ""], ["en", "-en"]]) {
    for (const [width, height, size] of [[1280, 900, "desktop"], [360, 780, "phone"]]) {
      const locale = lang === "vi" ? "vi-VN" : "en-GB";
      const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale });
      await context.addInitScript((l) => localStorage.setItem("tiendo.lang", l), lang);
      const page = await context.newPage();
      await page.goto(server.url);
      await signIn(page, "sotttt");
      await page.goto(`${server.url}/ws/#/dashboard/H1-2019/2019-07-01`);
      await page.locator("[data-testid=task-states]").waitFor({ timeout: 30_000 });
      await until("the demo's reports on the dashboard", async () =>
        (await page.locator("[data-testid=late-agencies] li").count()) > 0,
      );
      await page.screenshot({ path: `${out}/dashboard-${size}${suffix}.png` });
      if (size === "desktop" && lang === "vi") {
        await page.goto(`${server.url}/ws/#/matrix`);
        await page.locator("[data-testid=matrix]").waitFor();
        await page.screenshot({ path: `${out}/matrix.png` });
      }
      await context.close();
    }
  }
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: "vi-VN" });
  const page = await context.newPage();
  await page.goto(server.url);
  await signIn(page, "ngoaivu.lanhdao");
  await page.evaluate(() => (location.hash = "#/report/H1-2019"));
  await page.locator("[data-testid=report-state]").waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${out}/report-phone.png`, fullPage: false });
  await context.close();
} finally {
  await browser.close();
  await server.dispose();
}
