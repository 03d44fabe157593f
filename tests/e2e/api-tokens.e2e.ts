import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { serveBuild } from "../helpers/serve-build";
import { CHROMIUM, expectNoCspViolations, watchCsp } from "./browser";

/**
 * Personal API tokens in the account menu, with accounts on: a token is made in the browser and
 * shown once, a script (plain fetch, no cookie, another origin) starts a run with it and reads
 * the run, and once revoked in the menu the same token is refused with 401.
 */

const PORT = Number(process.env.E2E_TOKENS_PORT ?? 3119);
let base = "";
let stop = () => {};
let browser: Browser;
const cspViolations: string[] = [];
afterEach(() => expectNoCspViolations(cspViolations));

beforeAll(async () => {
  ({ base, stop } = await serveBuild(PORT, {
    seed: true,
    env: (dir) => ({
      LEFFA_ACCOUNTS: "on",
      BETTER_AUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-tokens1",
      BETTER_AUTH_URL: `http://localhost:${PORT}`,
      ASSETS_DIR: `${dir}/assets`,
    }),
  }));
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stop();
});

it("makes a token in the account menu that a script can use until it is revoked", async () => {
  const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({
      name: "Ada",
      email: `ada-${Date.now()}@example.com`,
      password: "Ada has a long password",
    }),
  });
  expect(signUp.status).toBe(200);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await watchCsp(context, cspViolations);
  await context.addCookies(
    signUp.headers.getSetCookie().map((c) => {
      const [name, ...value] = c.split(";")[0].split("=");
      return { name, value: value.join("="), url: base };
    }),
  );
  const page = await context.newPage();

  // A workflow of Ada's to run: made through the API with her session.
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const created = await fetch(`${base}/api/workflows`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, cookie },
    body: JSON.stringify({ name: "Scripted" }),
  });
  expect(created.status).toBe(201);
  const { id: workflowId } = (await created.json()) as { id: string };

  await page.goto(`${base}/library`);
  await page.getByTestId("account-tokens").click();
  await page.getByTestId("token-name").fill("catalogue script");
  await page.getByTestId("token-create").click();
  const token = await page.getByTestId("token-value").inputValue();
  expect(token).toMatch(/^lst_/);
  await expect.poll(() => page.getByTestId("token-row").count()).toBe(1);

  // A script elsewhere: no cookie, a foreign Origin, the token only.
  const script = { authorization: `Bearer ${token}`, origin: "https://ci.example" };
  const started = await fetch(`${base}/api/workflows/${workflowId}/runs`, {
    method: "POST",
    headers: script,
  });
  expect(started.status).toBe(202);
  const { id: runId } = (await started.json()) as { id: string };
  const read = await fetch(`${base}/api/runs/${runId}`, { headers: script });
  expect(read.status).toBe(200);

  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByTestId("token-row").getByRole("button", { name: "Revoke" }).click();
  await page
    .getByTestId("token-row")
    .getByText(/revoked/)
    .waitFor();
  const refused = await fetch(`${base}/api/runs/${runId}`, { headers: script });
  expect(refused.status).toBe(401);
  await page.screenshot({ path: "test-results/api-tokens.png" });
  await context.close();
});
