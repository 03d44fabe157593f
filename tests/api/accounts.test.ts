import { beforeAll, describe, expect, it, vi } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import type * as Auth from "../../app/api/auth/[...all]/route";
import type * as Collection from "../../app/api/workflows/route";
import type * as Item from "../../app/api/workflows/[id]/route";
import type * as Duplicate from "../../app/api/workflows/[id]/duplicate/route";
import type * as Opened from "../../app/api/workflows/[id]/opened/route";
import type * as Share from "../../app/api/workflows/[id]/share/route";
import type * as Thumbnail from "../../app/api/workflows/[id]/thumbnail/route";
import type * as Use from "../../app/api/workflows/[id]/use/route";
import type * as Versions from "../../app/api/workflows/[id]/versions/route";
import type * as Version from "../../app/api/workflows/[id]/versions/[version]/route";
import type * as Restore from "../../app/api/workflows/[id]/versions/[version]/restore/route";
import type * as Fork from "../../app/api/share/[token]/fork/route";
import type * as Shared from "../../app/api/share/[token]/route";
import type * as Db from "../../app/_server/db";
import { routeContext, setupTestDatabase, PNG_BASE64 } from "./test-db";

/**
 * Accounts on (LEFFA_ACCOUNTS): sign-up and sign-in through better-auth's real endpoints, then
 * the authorization matrix: every workflow route, tried by the owner, by another signed-in user
 * and by nobody. Runs on SQLite and (tests/run-all.sh) on PostgreSQL. Cross-site requests are
 * refused before they reach a route (proxy.ts): csrf.test.ts and tests/e2e/accounts.e2e.ts.
 */
process.env.LEFFA_ACCOUNTS = "on";
process.env.BETTER_AUTH_SECRET = "test-secret-test-secret-test-secret-0123";
process.env.BETTER_AUTH_URL = "http://localhost";

setupTestDatabase();

let auth: typeof Auth;
let collection: typeof Collection;
let item: typeof Item;
let duplicate: typeof Duplicate;
let opened: typeof Opened;
let share: typeof Share;
let thumbnail: typeof Thumbnail;
let use: typeof Use;
let versions: typeof Versions;
let version: typeof Version;
let restore: typeof Restore;
let fork: typeof Fork;
let shared: typeof Shared;
let db: typeof Db;

beforeAll(async () => {
  auth = await import("../../app/api/auth/[...all]/route");
  collection = await import("../../app/api/workflows/route");
  item = await import("../../app/api/workflows/[id]/route");
  duplicate = await import("../../app/api/workflows/[id]/duplicate/route");
  opened = await import("../../app/api/workflows/[id]/opened/route");
  share = await import("../../app/api/workflows/[id]/share/route");
  thumbnail = await import("../../app/api/workflows/[id]/thumbnail/route");
  use = await import("../../app/api/workflows/[id]/use/route");
  versions = await import("../../app/api/workflows/[id]/versions/route");
  version = await import("../../app/api/workflows/[id]/versions/[version]/route");
  restore = await import("../../app/api/workflows/[id]/versions/[version]/restore/route");
  fork = await import("../../app/api/share/[token]/fork/route");
  shared = await import("../../app/api/share/[token]/route");
  db = await import("../../app/_server/db");
});

const BASE = "http://localhost/api";

function doc(name: string): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: [{ id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} }],
    edges: [],
    meta: {},
  };
}

/** A request as a browser on this studio sends it: same origin, the user's cookie if any. */
function request(method: string, path: string, cookie?: string, body?: unknown): Request {
  const headers: Record<string, string> = { origin: "http://localhost" };
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The cookie header a browser would send back after this response. */
function cookieFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

let ipCounter = 0;
/** A fresh client address, so the sign-in rate limit of one test does not reach another. */
function newIp(): string {
  ipCounter += 1;
  return `10.0.${ipCounter >> 8}.${ipCounter & 255}`;
}

async function signUp(name: string, email: string, password: string, ip = newIp()) {
  const req = request("POST", "/auth/sign-up/email", undefined, { name, email, password });
  req.headers.set("x-forwarded-for", ip);
  return auth.POST(req);
}

async function signIn(email: string, password: string, ip = newIp()) {
  const req = request("POST", "/auth/sign-in/email", undefined, { email, password });
  req.headers.set("x-forwarded-for", ip);
  return auth.POST(req);
}

async function newUser(name: string): Promise<string> {
  const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await signUp(name, email, `pw-${name}-long-enough`);
  expect(res.status).toBe(200);
  const cookie = cookieFrom(res);
  expect(cookie).toMatch(/session_token=/);
  return cookie;
}

async function createAs(cookie: string, name: string): Promise<{ id: string }> {
  const res = await collection.POST(request("POST", "/workflows", cookie, { document: doc(name) }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

describe("accounts", () => {
  it("signs up with a hashed password, signs in and out, and refuses a wrong password", async () => {
    const logged = vi.spyOn(console, "log");
    const errors = vi.spyOn(console, "error");
    const warned = vi.spyOn(console, "warn");
    const email = `ada-${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    const res = await signUp("Ada", email, password);
    expect(res.status).toBe(200);

    const account = await db.getPrisma().account.findFirstOrThrow({
      where: { user: { email } },
    });
    expect(account.providerId).toBe("credential");
    expect(account.password).not.toContain(password);
    expect(account.password!.length).toBeGreaterThan(40);

    expect((await signIn(email, "wrong password!")).status).toBe(401);
    const ok = await signIn(email, password);
    expect(ok.status).toBe(200);
    const cookie = cookieFrom(ok);
    const session = await auth.GET(request("GET", "/auth/get-session", cookie));
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe(email);

    const out = await auth.POST(request("POST", "/auth/sign-out", cookie));
    expect(out.status).toBe(200);
    expect((await collection.GET(request("GET", "/workflows", cookie))).status).toBe(401);

    // Nothing the server printed holds the password.
    const printed = [...logged.mock.calls, ...errors.mock.calls, ...warned.mock.calls]
      .flat()
      .map((x) => (typeof x === "string" ? x : (JSON.stringify(x) ?? String(x))))
      .join("\n");
    expect(printed).not.toContain(password);
    vi.restoreAllMocks();
  });

  it("refuses short passwords and duplicate emails", async () => {
    expect((await signUp("Bo", `bo-${Date.now()}@example.com`, "short")).status).toBe(400);
    const email = `cy-${Date.now()}@example.com`;
    expect((await signUp("Cy", email, "long enough password")).status).toBe(200);
    expect((await signUp("Cy", email, "long enough password")).status).toBeGreaterThanOrEqual(400);
  });

  it("rate-limits sign-in attempts per client address", async () => {
    const email = `dee-${Date.now()}@example.com`;
    expect((await signUp("Dee", email, "long enough password")).status).toBe(200);
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn(email, "not the password", ip)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right password waits out the window from that address, but not from another.
    expect((await signIn(email, "long enough password", ip)).status).toBe(429);
    expect((await signIn(email, "long enough password")).status).toBe(200);
  });

  it("limits sign-in attempts per account too, whatever address each claims to come from", async () => {
    const email = `eve-${Date.now()}@example.com`;
    expect((await signUp("Eve", email, "long enough password")).status).toBe(200);
    const statuses: number[] = [];
    // A new X-Forwarded-For on every attempt, as a script guessing passwords would send.
    for (let i = 0; i < 11; i++) statuses.push((await signIn(email, `guess ${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const refused = await signIn(email.toUpperCase(), "guess 11");
    expect(statuses[10]).toBe(429);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toMatch(/this account/);
    // Other accounts are not held back.
    const other = `fay-${Date.now()}@example.com`;
    expect((await signUp("Fay", other, "long enough password")).status).toBe(200);
    expect((await signIn(other, "long enough password")).status).toBe(200);
  });
});

describe("authorization matrix", () => {
  it("lets only the owner read, change or delete a private workflow", async () => {
    const alice = await newUser("Alice");
    const bob = await newUser("Bob");
    const { id } = await createAs(alice, "Alice's private workflow");
    const ctx = routeContext(id);
    const vctx = { params: Promise.resolve({ id, version: "1" }) };

    // Every route, as Bob (signed in, not the owner) and as nobody.
    const attempts: [string, (cookie?: string) => Promise<Response>][] = [
      ["GET", (c) => item.GET(request("GET", `/workflows/${id}`, c), ctx)],
      [
        "PUT",
        (c) =>
          item.PUT(
            request("PUT", `/workflows/${id}`, c, { document: doc("Hijacked"), baseVersion: 1 }),
            ctx,
          ),
      ],
      ["PATCH", (c) => item.PATCH(request("PATCH", `/workflows/${id}`, c, { name: "Mine" }), ctx)],
      ["DELETE", (c) => item.DELETE(request("DELETE", `/workflows/${id}`, c), ctx)],
      ["duplicate", (c) => duplicate.POST(request("POST", `/workflows/${id}/duplicate`, c), ctx)],
      ["opened", (c) => opened.POST(request("POST", `/workflows/${id}/opened`, c), ctx)],
      [
        "share",
        (c) =>
          share.PUT(request("PUT", `/workflows/${id}/share`, c, { visibility: "public" }), ctx),
      ],
      ["unshare", (c) => share.DELETE(request("DELETE", `/workflows/${id}/share`, c), ctx)],
      ["thumbnail", (c) => thumbnail.GET(request("GET", `/workflows/${id}/thumbnail`, c), ctx)],
      ["versions", (c) => versions.GET(request("GET", `/workflows/${id}/versions`, c), ctx)],
      ["version", (c) => version.GET(request("GET", `/workflows/${id}/versions/1`, c), vctx)],
      [
        "restore",
        (c) => restore.POST(request("POST", `/workflows/${id}/versions/1/restore`, c, {}), vctx),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const asBob = await attempt(bob);
      expect([403, 404], `${what} as another user`).toContain(asBob.status);
      const asNobody = await attempt(undefined);
      expect(asNobody.status, `${what} signed out`).toBe(401);
    }
    const bobsList = (await (await collection.GET(request("GET", "/workflows", bob))).json()) as {
      workflows: { id: string }[];
    };
    expect(bobsList.workflows.map((w) => w.id)).not.toContain(id);

    // Untouched: Alice still sees it as she left it, with one version and no share link.
    const mine = await item.GET(request("GET", `/workflows/${id}`, alice), ctx);
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { name: string; latestVersion: number; visibility: string };
    expect(body).toMatchObject({
      name: "Alice's private workflow",
      latestVersion: 1,
      visibility: "private",
    });
    const aliceList = (await (
      await collection.GET(request("GET", "/workflows?kind=mine", alice))
    ).json()) as { workflows: { id: string }[] };
    expect(aliceList.workflows.map((w) => w.id)).toEqual([id]);
  });

  it("lets the owner do everything, and records who saved each version", async () => {
    const carol = await newUser("Carol");
    const { id } = await createAs(carol, "Carol's");
    const ctx = routeContext(id);
    const saved = await item.PUT(
      request("PUT", `/workflows/${id}`, carol, {
        document: doc("Carol's v2"),
        baseVersion: 1,
        thumbnail: PNG_BASE64,
      }),
      ctx,
    );
    expect(saved.status).toBe(200);
    expect(
      (await thumbnail.GET(request("GET", `/workflows/${id}/thumbnail`, carol), ctx)).status,
    ).toBe(200);
    const history = (await (
      await versions.GET(request("GET", `/workflows/${id}/versions`, carol), ctx)
    ).json()) as { versions: { version: number; savedBy: string | null }[] };
    expect(history.versions).toEqual([
      expect.objectContaining({ version: 2, savedBy: "Carol" }),
      expect.objectContaining({ version: 1, savedBy: "Carol" }),
    ]);
    expect((await item.DELETE(request("DELETE", `/workflows/${id}`, carol), ctx)).status).toBe(204);
  });

  it("shares by link: others view and fork it, and the fork is theirs alone", async () => {
    const dana = await newUser("Dana");
    const erin = await newUser("Erin");
    const { id } = await createAs(dana, "Dana's shared");
    const published = await share.PUT(
      request("PUT", `/workflows/${id}/share`, dana, { visibility: "link" }),
      routeContext(id),
    );
    const { shareToken } = (await published.json()) as { shareToken: string };
    const tctx = { params: Promise.resolve({ token: shareToken }) };

    // Anyone with the link reads it, signed in or not; forking needs an account.
    expect((await shared.GET(request("GET", `/share/${shareToken}`), tctx)).status).toBe(200);
    expect((await fork.POST(request("POST", `/share/${shareToken}/fork`), tctx)).status).toBe(401);
    const forked = await fork.POST(request("POST", `/share/${shareToken}/fork`, erin), tctx);
    expect(forked.status).toBe(201);
    const copy = (await forked.json()) as { id: string };

    // Erin edits her fork; Dana's original does not change, and Dana cannot touch Erin's copy.
    const edit = await item.PUT(
      request("PUT", `/workflows/${copy.id}`, erin, {
        document: doc("Erin's edit"),
        baseVersion: 1,
      }),
      routeContext(copy.id),
    );
    expect(edit.status).toBe(200);
    const original = (await (
      await item.GET(request("GET", `/workflows/${id}`, dana), routeContext(id))
    ).json()) as { name: string; latestVersion: number };
    expect(original).toMatchObject({ name: "Dana's shared", latestVersion: 1 });
    expect(
      (await item.GET(request("GET", `/workflows/${copy.id}`, dana), routeContext(copy.id))).status,
    ).toBe(404);
    // Erin still cannot change Dana's original, shared or not.
    expect(
      (
        await item.PATCH(
          request("PATCH", `/workflows/${id}`, erin, { name: "Taken" }),
          routeContext(id),
        )
      ).status,
    ).toBe(404);
  });

  it("shows templates to everyone read-only; 'use template' makes the user's own copy", async () => {
    const { createWorkflow } = await import("../../app/_server/workflows");
    const { LOCAL_ACTOR } = await import("../../app/_server/actor");
    const template = await createWorkflow(
      db.getPrisma(),
      { document: doc("Shared template"), isTemplate: true },
      LOCAL_ACTOR,
    );
    const fay = await newUser("Fay");
    const ctx = routeContext(template.id);
    expect((await item.GET(request("GET", `/workflows/${template.id}`, fay), ctx)).status).toBe(
      200,
    );
    expect(
      (
        await item.PATCH(
          request("PATCH", `/workflows/${template.id}`, fay, { name: "Mine now" }),
          ctx,
        )
      ).status,
    ).toBe(403);
    expect(
      (await item.DELETE(request("DELETE", `/workflows/${template.id}`, fay), ctx)).status,
    ).toBe(403);
    const copied = await use.POST(request("POST", `/workflows/${template.id}/use`, fay), ctx);
    expect(copied.status).toBe(201);
    const copy = (await copied.json()) as { id: string; isTemplate: boolean };
    expect(copy.isTemplate).toBe(false);
    const row = await db.getPrisma().workflow.findUniqueOrThrow({ where: { id: copy.id } });
    const user = await db.getPrisma().session.findFirstOrThrow({
      where: { token: decodeURIComponent(fay.split("session_token=")[1]).split(".")[0] },
    });
    expect(row.ownerId).toBe(user.userId);
  });
});

describe("server-wide actions", () => {
  it("lets members upload images, and only administrators install or remove models", async () => {
    const assets = await import("../../app/api/assets/route");
    const install = await import("../../app/api/models/[id]/install/route");
    const model = await import("../../app/api/models/[id]/route");
    const png = Buffer.from(PNG_BASE64, "base64");
    const upload = (cookie?: string) => {
      const req = request("POST", "/assets", cookie);
      return assets.POST(
        new Request(req, {
          body: png,
          headers: { ...Object.fromEntries(req.headers), "content-type": "image/png" },
        }),
      );
    };
    expect((await upload()).status).toBe(401);
    const gus = await newUser("Gus");
    expect((await upload(gus)).status).toBeLessThan(300);

    const ctx = { params: Promise.resolve({ id: "realesrgan-x4fast" }) };
    expect(
      (await install.POST(request("POST", "/models/realesrgan-x4fast/install"), ctx)).status,
    ).toBe(401);
    expect(
      (await install.POST(request("POST", "/models/realesrgan-x4fast/install", gus), ctx)).status,
    ).toBe(403);
    expect(
      (await model.DELETE(request("DELETE", "/models/realesrgan-x4fast", gus), ctx)).status,
    ).toBe(403);
  });
});

describe("auth request bodies", () => {
  it("refuses an oversize body with 413 before the library sees it", async () => {
    const res = await signUp("Huge", "huge@example.com", "x".repeat(20_000));
    expect(res.status).toBe(413);
    expect(
      await db.getPrisma().user.findFirst({ where: { email: "huge@example.com" } }),
    ).toBeNull();
  });

  it("answers a POST whose body stream is empty instead of failing on the used-up stream", async () => {
    // `body: ""` gives a stream with nothing in it; deriving a Request from the read one threw.
    const res = await auth.POST(
      new Request(`${BASE}/auth/sign-out`, {
        method: "POST",
        headers: { origin: "http://localhost", "content-type": "application/json" },
        body: "",
      }),
    );
    expect(res.status).toBeLessThan(500);
  });

  it("gives every refusal an error message, the library's own code and message kept", async () => {
    const wrong = await signIn("nobody@example.com", "not the password");
    expect(wrong.status).toBe(401);
    const body = (await wrong.json()) as { error: string; message: string; code: string };
    expect(body.error).toBe(body.message);
    expect(body.code).toBeTruthy();

    const invalid = await signUp("Ivy", "not an email", "long enough password");
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ field: "email", error: expect.any(String) });

    const unknown = await auth.GET(request("GET", "/auth/no-such-endpoint"));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
    expect(((await unknown.json()) as { error: string }).error).toBeTruthy();
  });

  it("refuses a very long endpoint path as unknown (PostgreSQL refused the rate-limit key: a 500)", async () => {
    const path = `/auth/${"é".repeat(5000)}`;
    for (const res of [
      await auth.GET(request("GET", path)),
      await auth.POST(request("POST", path, undefined, {})),
    ]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "no such accounts endpoint" });
    }
  });
});
