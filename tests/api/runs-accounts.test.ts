import { createHash } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Auth from "@/app/api/auth/[...all]/route";
import type * as Start from "@/app/api/workflows/[id]/runs/route";
import type * as List from "@/app/api/runs/route";
import type * as Item from "@/app/api/runs/[id]/route";
import type * as Events from "@/app/api/runs/[id]/events/route";
import type * as Output from "@/app/api/runs/[id]/outputs/[node]/[name]/route";
import type * as Tokens from "@/app/api/tokens/route";
import type * as TokenItem from "@/app/api/tokens/[id]/route";
import type * as Workflows from "@/app/api/workflows/route";
import type * as Workflow from "@/app/api/workflows/[id]/route";
import type { PrismaClient } from "@/app/_server/db";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { RecordingRunQueue } from "../helpers/recording-queue";
import { routeContext, setupTestDatabase } from "./test-db";

/**
 * Runs and API tokens with accounts on: who may start, read, follow, cancel and list a run (the
 * starter, by session or by one of their tokens; another user gets 404, nobody 401), token
 * management (shown once, stored hashed, revoked → 401, sessions only), workflow reads by token,
 * the origin check skipped only for token requests without cookies, and the per-user limit of
 * queued runs (429 with Retry-After). SQLite, and PostgreSQL in the suite's second pass.
 */
process.env.LEFFA_ACCOUNTS = "on";
process.env.BETTER_AUTH_SECRET = "test-secret-test-secret-test-secret-0123";
process.env.BETTER_AUTH_URL = "http://localhost";
process.env.LEFFA_MAX_QUEUED_RUNS = "3";

setupTestDatabase();

let auth: typeof Auth;
let start: typeof Start;
let list: typeof List;
let item: typeof Item;
let events: typeof Events;
let output: typeof Output;
let tokens: typeof Tokens;
let tokenItem: typeof TokenItem;
let workflows: typeof Workflows;
let workflow: typeof Workflow;
let prisma: PrismaClient;
const queue = new RecordingRunQueue();

const BASE = "http://localhost/api";

interface Credentials {
  /** Session cookie (a browser). */
  readonly cookie?: string;
  /** API token (a script). */
  readonly token?: string;
}

function request(method: string, path: string, who: Credentials = {}, body?: unknown): Request {
  const headers: Record<string, string> = {};
  if (who.cookie) {
    // A browser on this studio: same origin, its cookie.
    headers.origin = "http://localhost";
    headers.cookie = who.cookie;
  }
  if (who.token) headers.authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let ip = 0;
async function newUser(name: string): Promise<{ cookie: string; id: string }> {
  ip += 1;
  const req = request(
    "POST",
    "/auth/sign-up/email",
    {},
    {
      name,
      email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`,
      password: `pw-${name}-long-enough`,
    },
  );
  req.headers.set("origin", "http://localhost");
  req.headers.set("x-forwarded-for", `10.7.0.${ip}`);
  const res = await auth.POST(req);
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { cookie, id: user.id };
}

function doc(name: string): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name,
    nodes: [{ id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} }],
    edges: [],
    meta: {},
  } as WorkflowDocument;
}

async function makeToken(cookie: string, name = "script"): Promise<{ id: string; token: string }> {
  const res = await tokens.POST(request("POST", "/tokens", { cookie }, { name }));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; token: string };
}

async function createWorkflow(cookie: string, name: string): Promise<string> {
  const res = await workflows.POST(
    request("POST", "/workflows", { cookie }, { document: doc(name) }),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function startRun(workflowId: string, who: Credentials): Promise<Response> {
  return start.POST(
    request("POST", `/workflows/${workflowId}/runs`, who, {}),
    routeContext(workflowId),
  );
}

let ada: { cookie: string; id: string };
let bob: { cookie: string; id: string };
let adaToken: { id: string; token: string };
let bobToken: { id: string; token: string };
let adaWorkflow: string;
let bobWorkflow: string;

beforeAll(async () => {
  auth = await import("@/app/api/auth/[...all]/route");
  start = await import("@/app/api/workflows/[id]/runs/route");
  list = await import("@/app/api/runs/route");
  item = await import("@/app/api/runs/[id]/route");
  events = await import("@/app/api/runs/[id]/events/route");
  output = await import("@/app/api/runs/[id]/outputs/[node]/[name]/route");
  tokens = await import("@/app/api/tokens/route");
  tokenItem = await import("@/app/api/tokens/[id]/route");
  workflows = await import("@/app/api/workflows/route");
  workflow = await import("@/app/api/workflows/[id]/route");
  prisma = (await import("@/app/_server/db")).getPrisma();
  const { setRunQueueFactory } = await import("@/app/_server/runs/queue-provider");
  setRunQueueFactory(async () => queue);
  ada = await newUser("ada");
  bob = await newUser("bob");
  adaToken = await makeToken(ada.cookie);
  bobToken = await makeToken(bob.cookie);
  adaWorkflow = await createWorkflow(ada.cookie, "Ada's");
  bobWorkflow = await createWorkflow(bob.cookie, "Bob's");
});

beforeEach(async () => {
  queue.reset();
  // Each test starts with nobody's runs waiting (the queue limit counts them).
  await prisma.run.deleteMany({});
});

describe("API tokens", () => {
  it("are shown once, stored as their sha256, listed without the secret", async () => {
    const made = await makeToken(ada.cookie, "ci");
    expect(made.token).toMatch(/^lst_[A-Za-z0-9_-]{43}$/);
    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: made.id } });
    expect(row.tokenHash).toBe(createHash("sha256").update(made.token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(made.token);
    const res = await tokens.GET(request("GET", "/tokens", { cookie: ada.cookie }));
    const listed = (await res.json()) as { tokens: Record<string, unknown>[] };
    const mine = listed.tokens.find((t) => t.id === made.id)!;
    expect(mine).toMatchObject({ name: "ci", prefix: made.token.slice(0, 10), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(JSON.stringify(listed)).not.toContain("tokenHash");
    // Bob's list has only his own.
    const bobs = (await (
      await tokens.GET(request("GET", "/tokens", { cookie: bob.cookie }))
    ).json()) as { tokens: { id: string }[] };
    expect(bobs.tokens.map((t) => t.id)).toEqual([bobToken.id]);
  });

  it("are managed with a session only: not by a token, not by nobody, not someone else's", async () => {
    expect((await tokens.GET(request("GET", "/tokens"))).status).toBe(401);
    expect((await tokens.GET(request("GET", "/tokens", { token: adaToken.token }))).status).toBe(
      401,
    );
    expect(
      (await tokens.POST(request("POST", "/tokens", { token: adaToken.token }, { name: "x" })))
        .status,
    ).toBe(401);
    const theirs = await tokenItem.DELETE(
      request("DELETE", `/tokens/${adaToken.id}`, { cookie: bob.cookie }),
      routeContext(adaToken.id),
    );
    expect(theirs.status).toBe(404);
    const bad = await tokens.POST(request("POST", "/tokens", { cookie: ada.cookie }, { name: "" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe("name");
  });

  it("stop working when revoked (401), and an unknown token is 401 too", async () => {
    const made = await makeToken(ada.cookie, "short-lived");
    expect((await startRun(adaWorkflow, { token: made.token })).status).toBe(202);
    const revoked = await tokenItem.DELETE(
      request("DELETE", `/tokens/${made.id}`, { cookie: ada.cookie }),
      routeContext(made.id),
    );
    expect(revoked.status).toBe(204);
    const refused = await startRun(adaWorkflow, { token: made.token });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(/revoked/);
    expect((await list.GET(request("GET", "/runs", { token: made.token }))).status).toBe(401);
    const forged = `lst_${"A".repeat(43)}`;
    expect((await startRun(adaWorkflow, { token: forged })).status).toBe(401);
    expect((await startRun(adaWorkflow, { token: "nonsense" })).status).toBe(401);
    expect(queue.enqueued).toHaveLength(1);
  });

  it("read workflows (own and templates) but never change them", async () => {
    const own = await workflow.GET(
      request("GET", `/workflows/${adaWorkflow}`, { token: adaToken.token }),
      routeContext(adaWorkflow),
    );
    expect(own.status).toBe(200);
    const theirs = await workflow.GET(
      request("GET", `/workflows/${bobWorkflow}`, { token: adaToken.token }),
      routeContext(bobWorkflow),
    );
    expect(theirs.status).toBe(404);
    const listed = (await (
      await workflows.GET(request("GET", "/workflows", { token: adaToken.token }))
    ).json()) as { workflows: { id: string }[] };
    expect(listed.workflows.map((w) => w.id)).toContain(adaWorkflow);
    expect(listed.workflows.map((w) => w.id)).not.toContain(bobWorkflow);
    const deleted = await workflow.DELETE(
      request("DELETE", `/workflows/${adaWorkflow}`, { token: adaToken.token }),
      routeContext(adaWorkflow),
    );
    expect(deleted.status).toBe(401);
    expect(await prisma.workflow.count({ where: { id: adaWorkflow } })).toBe(1);
  });
});

describe("runs with accounts", () => {
  it("are started by the owner (session or token), not by others or nobody", async () => {
    expect((await startRun(adaWorkflow, { cookie: ada.cookie })).status).toBe(202);
    expect((await startRun(adaWorkflow, { token: adaToken.token })).status).toBe(202);
    expect((await startRun(adaWorkflow, { cookie: bob.cookie })).status).toBe(404);
    expect((await startRun(adaWorkflow, { token: bobToken.token })).status).toBe(404);
    expect((await startRun(adaWorkflow, {})).status).toBe(401);
    expect(queue.enqueued).toHaveLength(2);
    const rows = await prisma.run.findMany({ select: { userId: true } });
    expect(rows.map((r) => r.userId)).toEqual([ada.id, ada.id]);
  });

  it("are the starter's alone: another user's run is 404 on every route", async () => {
    const res = await startRun(adaWorkflow, { token: adaToken.token });
    const { id } = (await res.json()) as { id: string };
    for (const who of [{ cookie: ada.cookie }, { token: adaToken.token }]) {
      expect((await item.GET(request("GET", `/runs/${id}`, who), routeContext(id))).status).toBe(
        200,
      );
    }
    for (const who of [{ cookie: bob.cookie }, { token: bobToken.token }]) {
      expect((await item.GET(request("GET", `/runs/${id}`, who), routeContext(id))).status).toBe(
        404,
      );
      expect(
        (await events.GET(request("GET", `/runs/${id}/events`, who), routeContext(id))).status,
      ).toBe(404);
      expect(
        (
          await output.GET(request("GET", `/runs/${id}/outputs/img/a.png`, who), {
            params: Promise.resolve({ id, node: "img", name: "a.png" }),
          })
        ).status,
      ).toBe(404);
      expect(
        (await item.DELETE(request("DELETE", `/runs/${id}`, who), routeContext(id))).status,
      ).toBe(404);
      const listed = (await (await list.GET(request("GET", "/runs", who))).json()) as {
        runs: unknown[];
      };
      expect(listed.runs).toEqual([]);
    }
    expect((await item.GET(request("GET", `/runs/${id}`), routeContext(id))).status).toBe(401);
    // Bob's attempts cancelled nothing.
    expect(await prisma.run.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "queued",
      cancelRequested: false,
    });
    const cancelled = await item.DELETE(
      request("DELETE", `/runs/${id}`, { token: adaToken.token }),
      routeContext(id),
    );
    expect(await cancelled.json()).toMatchObject({ status: "cancelled" });
  });

  it("are limited per user while queued: 429 with Retry-After, nothing queued", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await startRun(adaWorkflow, { token: adaToken.token })).status).toBe(202);
    }
    const refused = await startRun(adaWorkflow, { token: adaToken.token });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toMatch(/LEFFA_MAX_QUEUED_RUNS/);
    expect(queue.enqueued).toHaveLength(3);
    expect(await prisma.run.count()).toBe(3);
    // Another user has a limit of their own.
    expect((await startRun(bobWorkflow, { token: bobToken.token })).status).toBe(202);
    // Once one has started, there is room again.
    const { PrismaRunRecords } = await import("@/app/_server/runs/run-records");
    expect(await new PrismaRunRecords(prisma).markRunning(queue.enqueued[0], "w")).toBe(true);
    expect((await startRun(adaWorkflow, { token: adaToken.token })).status).toBe(202);
  });
});

describe("the origin check (proxy.ts)", () => {
  it("is skipped for a token without cookies, kept for cookies and for local mode", async () => {
    const { proxy } = await import("@/proxy");
    const { NextRequest } = await import("next/server");
    const crossSite = (headers: Record<string, string>) =>
      proxy(
        new NextRequest(`${BASE}/workflows/${adaWorkflow}/runs`, {
          method: "POST",
          headers: { origin: "https://evil.example", ...headers },
        }),
      ).status;
    expect(crossSite({ authorization: `Bearer ${adaToken.token}` })).not.toBe(403);
    expect(crossSite({ authorization: `Bearer ${adaToken.token}`, cookie: ada.cookie })).toBe(403);
    expect(crossSite({ cookie: ada.cookie })).toBe(403);
    process.env.LEFFA_ACCOUNTS = "off";
    try {
      expect(crossSite({ authorization: `Bearer ${adaToken.token}` })).toBe(403);
    } finally {
      process.env.LEFFA_ACCOUNTS = "on";
    }
  });
});
