// An administrator's accounts and audit trail in the workspace: a CSV file of accounts
// added with their one-time passwords, an account disabled (and its person signed out
// at once), and the changes in the audit trail.
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;
const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

test("an administrator adds accounts from a CSV file, disables one, and reads the audit trail", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tiendo-csv-"));
  const bad = join(dir, "sai.csv");
  writeFileSync(bad, "ten dang nhap,ho ten,co quan,vai tro\nlan.anh,Trần Lan Anh,Sở Ngoại vụ,cán bộ\nx,Không rõ,Sở Không Có,cán bộ\n");
  const good = join(dir, "dung.csv");
  writeFileSync(good, "lan.anh,Trần Lan Anh,Sở Ngoại vụ,cán bộ\n");

  const admin = await (await context.browser.newContext()).newPage();
  await admin.goto(server.url);
  await signIn(admin, "admin");
  await admin.waitForURL((url) => url.pathname === "/ws/", { timeout: 20_000 });
  await byTestId(admin, "nav-accounts").click();
  await byTestId(admin, "account-row").first().waitFor({ timeout: 20_000 });

  await admin.locator("#accounts-file").setInputFiles(bad);
  await byTestId(admin, "accounts-import").click();
  // The rows to correct, in the page's language.
  await until("the rows to correct", async () =>
    /dòng 3: không có cơ quan “Sở Không Có”/.test(await text(admin, "[role=status]")));
  assert.equal(await admin.locator('[data-username="lan.anh"]').count(), 0, "nothing added");

  await admin.locator("#accounts-file").setInputFiles(good);
  await byTestId(admin, "accounts-import").click();
  await byTestId(admin, "password").waitFor({ timeout: 20_000 });
  const password = await byTestId(admin, "password").textContent();
  await admin.locator('[data-username="lan.anh"]').waitFor();

  // The new person signs in with the password shown once.
  const person = await (await context.browser.newContext()).newPage();
  await person.goto(server.url);
  await signIn(person, "lan.anh", password);

  // Disabled: their next sync is refused and they must sign in again.
  await admin.locator('[data-username="lan.anh"]').getByRole("button", { name: "Khóa" }).click();
  await until("disabled", async () => /Đã khóa/.test(await admin.locator('[data-username="lan.anh"]').textContent()));
  await person.reload();
  await until("the person is signed out", async () =>
    /Phiên đăng nhập hết hạn/.test(await text(person, "[data-testid=sync-status]")), 30_000);

  await byTestId(admin, "nav-audit").click();
  await byTestId(admin, "audit-row").first().waitFor({ timeout: 20_000 });
  const first = await byTestId(admin, "audit-row").first().textContent();
  assert.match(first, /admin/);
  assert.match(first, /account\.disable/);
  assert.match(first, /lan\.anh/);
});
