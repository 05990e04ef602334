// Plans of a province, as people use them: an administrator imports the 2023 Kon Tum
// plan from the workspace (a preview that changes nothing, then the import); a staff
// member then works on the 2023 plan, switches back to the 2019 one with the plan
// picker, and finds that choice still made after a reload.
import assert from "node:assert/strict";
import { test } from "node:test";

import { signIn, text, until, useServerAndBrowser } from "./harness.mjs";

const context = useServerAndBrowser();
const { server } = context;

const FIXTURE = new URL("../../shared/src/plan/fixtures/kon-tum-2023-ten-moi.md", import.meta.url).pathname;
const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
const title = (page) => text(page, "main h1");

test("an administrator previews and imports a plan; staff switch between the province's plans", async () => {
  const admin = await (await context.browser.newContext()).newPage();
  await admin.goto(server.url);
  await signIn(admin, "admin");
  await admin.waitForURL((url) => url.pathname === "/ws/", { timeout: 20_000 });
  await byTestId(admin, "nav-import").click();
  await admin.locator("#plan-file").setInputFiles(FIXTURE);
  await byTestId(admin, "import-preview").click();
  const summary = byTestId(admin, "import-summary");
  await summary.waitFor({ timeout: 20_000 });
  assert.match(await summary.textContent(), /412\/KH-UBND/);
  assert.match(await text(admin, "[role=status]"), /Xem trước/);
  assert.match(
    await summary.textContent(),
    /dòng 21: “Trung tâm Xúc tiến Đầu tư tỉnh” chưa có trong danh mục cơ quan của tỉnh Kon Tum: tạo cơ quan mới/,
    "the reader's warnings in Vietnamese",
  );

  const staff = await (await context.browser.newContext()).newPage();
  await staff.goto(server.url);
  await signIn(staff, "vhttdl");
  assert.match(await title(staff), /215\/KH-UBND/, "the preview changed nothing");
  assert.equal(await staff.locator("#plan-picker").count(), 0, "one plan: no picker");

  await byTestId(admin, "import-confirm").click();
  await until("the import to be done", async () => /Đã nhập kế hoạch/.test(await text(admin, "[role=status]")));

  // The agency the plan named and no registry knew waits for the administrator.
  await byTestId(admin, "review-agencies").click();
  const waiting = admin.locator('[data-testid=agency-row][data-id="trung-tam-xuc-tien-dau-tu-tinh"]');
  await waiting.waitFor({ timeout: 20_000 });
  assert.equal(await admin.locator("[data-testid=agency-row]").count(), 1, "only the waiting agency is shown");
  assert.match(await waiting.textContent(), /Chờ xác nhận · tạo từ kế hoạch 412\/KH-UBND/);
  await waiting.getByRole("button", { name: "Xử lý" }).click();
  await admin.getByLabel("Tên đầy đủ").fill("Sở Ngoại vụ");
  await admin.getByRole("button", { name: "Lưu tên" }).click();
  await until("the refusal in Vietnamese", async () => /hãy gộp hai cơ quan/.test(await text(admin, "[role=status]")));
  await admin.getByLabel("Tên đầy đủ").fill("Trung tâm Xúc tiến Đầu tư tỉnh Kon Tum");
  await admin.getByRole("button", { name: "Lưu tên" }).click();
  await until("the rename to be done", async () => /Đã đổi tên/.test(await text(admin, "[role=status]")));
  await byTestId(admin, "agencies-none").waitFor({ timeout: 10_000 });
  await byTestId(admin, "agencies-waiting").uncheck();
  const renamed = admin.locator('[data-testid=agency-row][data-id="trung-tam-xuc-tien-dau-tu-tinh"]');
  assert.match(await renamed.textContent(), /Trung tâm Xúc tiến Đầu tư tỉnh Kon Tum.*Đã xác nhận/s);

  await staff.reload();
  await until("the 2023 plan to be served", async () => /412\/KH-UBND/.test(await title(staff)), 30_000);
  const picker = staff.locator("#plan-picker");
  assert.equal(await picker.locator("option").count(), 2);
  assert.equal(await picker.inputValue(), "412/KH-UBND");

  await picker.selectOption("215/KH-UBND");
  await until("the 2019 plan to be shown", async () => /215\/KH-UBND/.test(await title(staff)), 30_000);
  await staff.reload();
  await staff.locator("[data-testid=tasks] li").first().waitFor({ timeout: 20_000 });
  assert.match(await title(staff), /215\/KH-UBND/, "the choice is kept on the device");
  await until("the picker to show it", async () => (await staff.locator("#plan-picker").inputValue()) === "215/KH-UBND");
});
