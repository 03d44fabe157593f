/**
 * Saving works from every address a studio is reached by, and a foreign page still cannot write:
 * a real browser saves through localhost, 127.0.0.1, [::1], another address of this machine (as
 * a LAN address would be: an IP the server was not told about) and a reverse proxy that rewrites
 * Host and sets X-Forwarded-Host/-Proto; a page on another site posting to the studio is refused
 * and nothing is stored.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveBuild } from "../helpers/serve-build";
import { CHROMIUM, expectNoCspViolations, watchCsp } from "./browser";
import { api, baseURL, clickPane, toastLocator, unique } from "./helpers";

const PROXIED_STUDIO_PORT = Number(process.env.E2E_PORT ?? 3107) + 50;

let browser: Browser;
const servers: Server[] = [];
// The studio's Content-Security-Policy holds at every address it is reached by (browser.ts).
const cspViolations: string[] = [];
afterEach(() => expectNoCspViolations(cspViolations));

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Names a proxy or a hostile site would have, all resolved to this machine.
    args: ["--host-resolver-rules=MAP studio.test 127.0.0.1, MAP evil.test 127.0.0.1"],
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
});

/** Listens on a free loopback port; closed after the file's tests. */
async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return (server.address() as AddressInfo).port;
}

/**
 * A reverse proxy as nginx's defaults make one: the upstream sees Host = its own address, and
 * the address the browser used arrives as X-Forwarded-Host/-Proto.
 */
async function reverseProxy(upstreamPort: number): Promise<number> {
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          host: `127.0.0.1:${upstreamPort}`,
          "x-forwarded-host": req.headers.host,
          "x-forwarded-proto": "http",
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return listen(server);
}

/** Opens a new workflow at `origin`, names it and saves it with Ctrl+S. */
async function saveFrom(origin: string): Promise<{ page: Page; name: string }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await watchCsp(context, cspViolations);
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForSelector(".react-flow__renderer");
  const name = unique(`Saved via ${new URL(origin).hostname}`);
  await page.getByRole("textbox", { name: "workflow name" }).fill(name);
  await clickPane(page);
  await page.keyboard.press("Control+s");
  return { page, name };
}

async function expectSaved(origin: string): Promise<void> {
  const { page, name } = await saveFrom(origin);
  await savedToast(page, name).waitFor();
  expect(await page.getByTestId("save-state").textContent()).toBe("saved");
  expect(await isStored(name)).toBe(true);
  await page.context().close();
}

const portOf = (url: string) => new URL(url).port;

/** The toast a successful first save shows; names may hold "[::1]", so they are escaped. */
function savedToast(page: Page, name: string) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return toastLocator(page, "info").filter({
    hasText: new RegExp(`^Saved "${escaped}" \\(version 1\\)$`),
  });
}

async function isStored(name: string): Promise<boolean> {
  const { workflows } = await api<{ workflows: { name: string }[] }>(
    `/api/workflows?q=${encodeURIComponent(name)}`,
  );
  return workflows.some((w) => w.name === name);
}

describe("saving from every address the studio is reached by", () => {
  it("saves through localhost, 127.0.0.1 and [::1]", async () => {
    const port = portOf(baseURL());
    for (const host of ["localhost", "127.0.0.1", "[::1]"]) {
      await expectSaved(`http://${host}:${port}`);
    }
  });

  it("saves through another address of the machine, as from a LAN", async () => {
    // 127.0.0.2 is an address the server was never told about, like 192.168.1.20 would be.
    await expectSaved(`http://127.0.0.2:${portOf(baseURL())}`);
  });

  it("saves through a trusted reverse proxy, and refuses the same proxy when it is not trusted", async () => {
    const proxied = await serveBuild(PROXIED_STUDIO_PORT, {
      env: () => ({ LEFFA_TRUST_PROXY: "on", LEFFA_ALLOWED_HOSTS: "studio.test" }),
    });
    try {
      const trusted = await reverseProxy(PROXIED_STUDIO_PORT);
      const { page, name } = await saveFrom(`http://studio.test:${trusted}`);
      await savedToast(page, name).waitFor();
      await page.context().close();
    } finally {
      proxied.stop();
    }

    // The suite's studio has no proxy settings: the forwarded host is not believed.
    const untrusted = await reverseProxy(Number(portOf(baseURL())));
    const { page, name } = await saveFrom(`http://studio.test:${untrusted}`);
    await toastLocator(page, "error")
      .filter({ hasText: /^Not saved: cross-site request refused/ })
      .waitFor();
    expect(await isStored(name)).toBe(false);
    await page.context().close();
  });

  it("refuses a foreign page's request, and stores nothing", async () => {
    const evil = await listen(
      createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<p>hi")),
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://evil.test:${evil}/`);
    const name = unique("Written by another site");
    const target = `http://127.0.0.1:${portOf(baseURL())}/api/workflows`;
    // A form-like, credentialed cross-site POST: the browser sends it with Origin http://evil.test.
    await page.evaluate(
      async ({ target, name }) => {
        await fetch(target, {
          method: "POST",
          mode: "no-cors",
          credentials: "include",
          headers: { "content-type": "text/plain" },
          body: JSON.stringify({ name }),
        });
      },
      { target, name },
    );
    expect(await isStored(name)).toBe(false);

    const direct = await fetch(`${baseURL()}/api/workflows`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://evil.test:${evil}` },
      body: JSON.stringify({ name }),
    });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { error: string }).error).toMatch(/is not this studio/);
    expect(await isStored(name)).toBe(false);
    await context.close();
  });
});

describe("a local studio", () => {
  it("loads the editor and the library without a failed request or a question about accounts", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const failed: string[] = [];
    const auth: string[] = [];
    page.on("response", (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/api/auth/")) auth.push(req.url());
    });
    for (const path of ["/", "/library"]) {
      await page.goto(`${baseURL()}${path}`, { waitUntil: "networkidle" });
    }
    expect(failed).toEqual([]);
    expect(auth).toEqual([]);
    await context.close();
  });
});
