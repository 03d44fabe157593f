import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { serveBuild } from "../helpers/serve-build";
import { CHROMIUM, expectNoCspViolations, watchCsp } from "./browser";
import { unique, workflowDoc } from "./helpers";

/**
 * A shared deployment: a second server with accounts on (LEFFA_ACCOUNTS), its own database.
 * Two people in two browser contexts: one publishes, the other signs up from the share page,
 * forks, edits the fork, and can neither read nor change the original; a cross-site request
 * carrying a valid session is refused.
 */

const PORT = Number(process.env.E2E_ACCOUNTS_PORT ?? 3108);
let base = "";
let stop = () => {};
let browser: Browser;
const contexts: BrowserContext[] = [];
// The studio's Content-Security-Policy holds with accounts on too (browser.ts).
const cspViolations: string[] = [];
afterEach(() => expectNoCspViolations(cspViolations));

beforeAll(async () => {
  ({ base, stop } = await serveBuild(PORT, {
    seed: true,
    env: () => ({
      LEFFA_ACCOUNTS: "on",
      BETTER_AUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-012345",
      BETTER_AUTH_URL: `http://localhost:${PORT}`,
    }),
  }));
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stop();
});

async function person(): Promise<Page> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 800 },
  });
  contexts.push(context);
  await watchCsp(context, cspViolations);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
  return page;
}

async function signUp(page: Page, name: string, next: RegExp): Promise<void> {
  await page.getByRole("tab", { name: "Create account" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${name.toLowerCase()}-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill(`${name} has a long password`);
  await page.getByRole("button", { name: "Create account", exact: true }).last().click();
  await page.waitForURL(next);
}

describe("accounts", () => {
  it("signs up, publishes, and a second person forks and edits without touching the original", async () => {
    const ann = await person();
    await ann.goto("/library");
    await ann.waitForURL(/\/signin\?next=%2Flibrary$/);
    await ann.getByTestId("signin-form").waitFor();
    await ann.screenshot({ path: "test-results/signin.png" });
    await signUp(ann, "Ann", /\/library$/);
    await expect.poll(() => ann.getByTestId("account-menu").textContent()).toContain("Ann");

    const name = unique("Ann's pipeline");
    const created = await ann.request.post("/api/workflows", {
      data: { document: workflowDoc(name, [{ id: "note", type: "note", params: { text: "hi" } }]) },
    });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const published = await ann.request.put(`/api/workflows/${id}/share`, {
      data: { visibility: "link" },
    });
    const { sharePath } = (await published.json()) as { sharePath: string };

    // Ben: no account yet. The share page is open to him; forking asks him to sign in first.
    const ben = await person();
    await ben.goto(sharePath);
    await ben.getByTestId("shared-graph").waitFor();
    await ben.getByTestId("fork").click();
    await ben.waitForURL(/\/signin\?next=/);
    await signUp(ben, "Ben", new RegExp(`${sharePath}$`));
    await ben.getByTestId("fork").click();
    await ben.waitForURL(/\/w\/[^/]+$/);
    const forkId = new URL(ben.url()).pathname.split("/").pop()!;
    expect(forkId).not.toBe(id);
    await ben.waitForSelector(".react-flow__node");
    await expect.poll(() => ben.getByTestId("account-menu").textContent()).toContain("Ben");
    await ben.getByLabel("workflow name").fill("Ben's fork");
    await ben.keyboard.press("Control+s");
    await expect
      .poll(async () => {
        const res = await ben.request.get(`/api/workflows/${forkId}`);
        return ((await res.json()) as { name: string }).name;
      })
      .toBe("Ben's fork");
    await ben.screenshot({ path: "test-results/accounts-fork.png" });

    // The original is Ann's alone: Ben cannot read or change it, and it did not change.
    expect((await ben.request.get(`/api/workflows/${id}`)).status()).toBe(404);
    expect(
      (await ben.request.patch(`/api/workflows/${id}`, { data: { name: "Taken" } })).status(),
    ).toBe(404);
    expect((await ben.request.delete(`/api/workflows/${id}`)).status()).toBe(404);
    const original = (await (await ann.request.get(`/api/workflows/${id}`)).json()) as {
      name: string;
      latestVersion: number;
    };
    expect(original).toMatchObject({ name, latestVersion: 1 });

    // Ben's own session, used by another site: refused before it reaches the route.
    const forged = await ben.request.post("/api/workflows", {
      headers: { origin: "https://evil.example" },
      data: { name: "Forged" },
    });
    expect(forged.status()).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toMatch(/cross-site/);

    // Signed out, the library is closed again.
    const signOut = ben.waitForResponse("**/api/auth/sign-out");
    await ben.getByRole("button", { name: "Sign out" }).click();
    expect((await signOut).status()).toBe(200);
    await ben.waitForURL(/\/signin/);
    expect((await ben.request.get("/api/workflows")).status()).toBe(401);
  });
});
