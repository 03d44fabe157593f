import { beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import type * as Collection from "../../app/api/workflows/route";
import type * as Item from "../../app/api/workflows/[id]/route";
import type * as Share from "../../app/api/workflows/[id]/share/route";
import type * as Gallery from "../../app/api/share/route";
import type * as Shared from "../../app/api/share/[token]/route";
import type * as Fork from "../../app/api/share/[token]/fork/route";
import type * as SharedThumb from "../../app/api/share/[token]/thumbnail/route";
import { routeContext, setupTestDatabase, PNG_BASE64 } from "./test-db";

setupTestDatabase();

let collection: typeof Collection;
let item: typeof Item;
let share: typeof Share;
let gallery: typeof Gallery;
let shared: typeof Shared;
let fork: typeof Fork;
let sharedThumb: typeof SharedThumb;

beforeAll(async () => {
  collection = await import("../../app/api/workflows/route");
  item = await import("../../app/api/workflows/[id]/route");
  share = await import("../../app/api/workflows/[id]/share/route");
  gallery = await import("../../app/api/share/route");
  shared = await import("../../app/api/share/[token]/route");
  fork = await import("../../app/api/share/[token]/fork/route");
  sharedThumb = await import("../../app/api/share/[token]/thumbnail/route");
});

const BASE = "http://localhost/api";

function doc(name: string): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: [
      { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      { id: "out", type: "preview", position: { x: 240, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "img", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
  };
}

function json(method: string, body: unknown, url = BASE): Request {
  return new Request(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

interface ShareState {
  visibility: string;
  shareToken: string | null;
  sharePath: string | null;
}

async function create(name: string): Promise<{ id: string }> {
  const res = await collection.POST(
    json("POST", {
      document: doc(name),
      description: "<img src=x onerror=alert(1)>",
      tags: ["demo"],
    }),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

async function publish(id: string, visibility: string): Promise<ShareState> {
  const res = await share.PUT(json("PUT", { visibility }), routeContext(id));
  expect(res.status).toBe(200);
  return (await res.json()) as ShareState;
}

const tokenContext = (token: string) => ({ params: Promise.resolve({ token }) });
const view = (token: string) =>
  shared.GET(new Request(`${BASE}/share/${token}`), tokenContext(token));

describe("share by link", () => {
  it("publishes with an unguessable token, serves it read-only, and unpublishing revokes it", async () => {
    const { id } = await create("Published");
    const state = await publish(id, "link");
    expect(state.visibility).toBe("link");
    expect(state.shareToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(state.sharePath).toBe(`/s/${state.shareToken}`);
    const token = state.shareToken!;

    // Switching link ↔ public keeps the link working.
    expect((await publish(id, "public")).shareToken).toBe(token);
    expect((await publish(id, "link")).shareToken).toBe(token);

    const res = await view(token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: "Published",
      description: "<img src=x onerror=alert(1)>",
      tags: ["demo"],
      nodeCount: 2,
      document: doc("Published"),
    });
    // The share view never leaks the id nor the token-holder's controls.
    expect(body).not.toHaveProperty("id");
    expect(body).not.toHaveProperty("shareToken");

    const off = await share.DELETE(
      new Request(`${BASE}/x`, { method: "DELETE" }),
      routeContext(id),
    );
    expect(await off.json()).toMatchObject({ visibility: "private", shareToken: null });
    expect((await view(token)).status).toBe(404);
    const forkGone = await fork.POST(
      new Request(`${BASE}/share/${token}/fork`),
      tokenContext(token),
    );
    expect(forkGone.status).toBe(404);

    // Republishing makes a new token; the old one stays dead.
    const again = await publish(id, "link");
    expect(again.shareToken).not.toBe(token);
    expect((await view(token)).status).toBe(404);
    expect((await view(again.shareToken!)).status).toBe(200);
  });

  it("answers 404 for tokens that do not exist or are malformed, and 400 for a bad visibility", async () => {
    expect((await view("A".repeat(32))).status).toBe(404);
    expect((await view("../../etc")).status).toBe(404);
    const { id } = await create("Bad visibility");
    const res = await share.PUT(json("PUT", { visibility: "everyone" }), routeContext(id));
    expect(res.status).toBe(400);
    const missing = await share.PUT(json("PUT", { visibility: "link" }), routeContext("nope"));
    expect(missing.status).toBe(404);
  });

  it("forks into the library without touching the original", async () => {
    const { id } = await create("Original");
    const { shareToken } = await publish(id, "link");
    const res = await fork.POST(
      new Request(`${BASE}/share/${shareToken}/fork`, { method: "POST" }),
      tokenContext(shareToken!),
    );
    expect(res.status).toBe(201);
    const copy = (await res.json()) as { id: string; name: string; visibility: string };
    expect(copy).toMatchObject({ name: "Original", visibility: "private" });
    expect(copy.id).not.toBe(id);

    const edited = { ...doc("My fork"), nodes: doc("x").nodes.slice(0, 1), edges: [] };
    const saved = await item.PUT(
      json("PUT", { document: edited, baseVersion: 1 }, `${BASE}/workflows/${copy.id}`),
      routeContext(copy.id),
    );
    expect(saved.status).toBe(200);
    const original = await view(shareToken!);
    expect(await original.json()).toMatchObject({
      name: "Original",
      nodeCount: 2,
      latestVersion: 1,
    });
  });

  it("serves a published workflow's thumbnail by token only while published", async () => {
    const { id } = await create("With preview");
    await item.PUT(
      json("PUT", { document: doc("With preview"), thumbnail: PNG_BASE64 }, `${BASE}/w`),
      routeContext(id),
    );
    const { shareToken } = await publish(id, "link");
    const thumb = () =>
      sharedThumb.GET(
        new Request(`${BASE}/share/${shareToken}/thumbnail`),
        tokenContext(shareToken!),
      );
    const res = await thumb();
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString("base64")).toBe(PNG_BASE64);
    await publish(id, "private");
    expect((await thumb()).status).toBe(404);
  });
});

describe("templates", () => {
  it("cannot be published: use the template, then share the copy", async () => {
    const { getPrisma } = await import("../../app/_server/db");
    const { createWorkflow } = await import("../../app/_server/workflows");
    const { LOCAL_ACTOR } = await import("../../app/_server/actor");
    const template = await createWorkflow(
      getPrisma(),
      { document: doc("T"), isTemplate: true },
      LOCAL_ACTOR,
    );
    const res = await share.PUT(json("PUT", { visibility: "public" }), routeContext(template.id));
    expect(res.status).toBe(403);
  });
});

describe("public gallery", () => {
  it("lists public workflows only, by token", async () => {
    const pub = await create("Gallery public");
    const link = await create("Gallery link-only");
    await create("Gallery private");
    const { shareToken } = await publish(pub.id, "public");
    await publish(link.id, "link");

    const res = await gallery.GET(new Request(`${BASE}/share`));
    expect(res.status).toBe(200);
    const { workflows } = (await res.json()) as {
      workflows: { token: string; name: string; tags: string[] }[];
    };
    const names = workflows.map((w) => w.name).filter((n) => n.startsWith("Gallery"));
    expect(names).toEqual(["Gallery public"]);
    expect(workflows.find((w) => w.name === "Gallery public")).toMatchObject({
      token: shareToken,
      tags: ["demo"],
    });
    expect(workflows[0]).not.toHaveProperty("id");
  });
});
