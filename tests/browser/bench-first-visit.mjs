// Bytes on the wire for a first visit: from an empty browser profile to the login form
// with the service worker installed, then to the signed-in task list. Counted by a
// TCP proxy, so the service worker's own fetches and all headers are included.
//   node tests/browser/bench-first-visit.mjs   (after ./dev test or trunk build --release)
import { Server, countingProxy, launchBrowser, signIn, until } from "./harness.mjs";

const server = new Server();
await server.start();
const proxy = await countingProxy(server.port);
const browser = await launchBrowser();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(proxy.url);
  await page.locator("#username").waitFor();
  await until("the service worker to control the page", () =>
    page.evaluate(() => navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)),
  );
  await page.waitForLoadState("networkidle");
  const shell = { ...proxy.totals };
  proxy.reset();
  await signIn(page, "vhttdl");
  await page.waitForLoadState("networkidle");
  const signedIn = { ...proxy.totals };
  proxy.reset();
  await page.reload();
  await page.locator("[data-testid=tasks] li").first().waitFor();
  await page.waitForLoadState("networkidle");
  const repeat = { ...proxy.totals };
  const kb = (n) => (n / 1000).toFixed(1);
  console.log("| step | down KB | up KB |");
  console.log("| --- | ---: | ---: |");
  console.log(`| first visit: app shell, login form, service worker installed | ${kb(shell.down)} | ${kb(shell.up)} |`);
  console.log(`| sign in: session, plan, first pull | ${kb(signedIn.down)} | ${kb(signedIn.up)} |`);
  console.log(`| reload while signed in (service worker cache) | ${kb(repeat.down)} | ${kb(repeat.up)} |`);
} finally {
  await browser.close();
  await proxy.close();
  await server.dispose();
}
