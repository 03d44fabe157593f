import { beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import type * as Collection from "../../app/api/workflows/route";
import type * as Item from "../../app/api/workflows/[id]/route";
import type * as Versions from "../../app/api/workflows/[id]/versions/route";
import type * as Restore from "../../app/api/workflows/[id]/versions/[version]/restore/route";
import type * as Opened from "../../app/api/workflows/[id]/opened/route";
import type * as Use from "../../app/api/workflows/[id]/use/route";
import type * as Db from "../../app/_server/db";
import type * as Store from "../../app/_server/workflows";
import { routeContext, setupTestDatabase } from "./test-db";
import { LOCAL_ACTOR } from "../../app/_server/actor";

setupTestDatabase();

// Types only: the modules themselves are imported once the test database exists.
let collection: typeof Collection;
let item: typeof Item;
let versions: typeof Versions;
let restore: typeof Restore;
let opened: typeof Opened;
let use: typeof Use;
let db: typeof Db;
let store: typeof Store;

beforeAll(async () => {
  collection = await import("../../app/api/workflows/route");
  item = await import("../../app/api/workflows/[id]/route");
  versions = await import("../../app/api/workflows/[id]/versions/route");
  restore = await import("../../app/api/workflows/[id]/versions/[version]/restore/route");
  opened = await import("../../app/api/workflows/[id]/opened/route");
  use = await import("../../app/api/workflows/[id]/use/route");
  db = await import("../../app/_server/db");
  store = await import("../../app/_server/workflows");
});

const BASE = "http://localhost/api/workflows";

function doc(name: string, extraNote = false): WorkflowDocument {
  const nodes: WorkflowDocument["nodes"] = [
    { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    { id: "out", type: "preview", position: { x: 240, y: 0 }, params: {} },
  ];
  if (extraNote) nodes.push({ id: "note", type: "note", position: { x: 0, y: 200 }, params: {} });
  return {
    version: 2,
    name,
    nodes,
    edges: [
      { id: "e1", source: "img", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
  };
}

function json(method: string, body: unknown, url: string): Request {
  return new Request(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

interface Detail {
  id: string;
  name: string;
  description: string;
  tags: string[];
  latestVersion: number;
  nodeCount: number;
  isTemplate: boolean;
  openedAt: string | null;
  updatedAt: string;
  document: WorkflowDocument;
}

async function create(body: unknown): Promise<Detail> {
  const res = await collection.POST(json("POST", body, BASE));
  expect(res.status).toBe(201);
  return (await res.json()) as Detail;
}

function save(id: string, body: unknown): Promise<Response> {
  return item.PUT(json("PUT", body, `${BASE}/${id}`), routeContext(id));
}

async function get(id: string): Promise<Detail> {
  return (await (await item.GET(new Request(`${BASE}/${id}`), routeContext(id))).json()) as Detail;
}

async function history(id: string): Promise<{ version: number; message: string | null }[]> {
  const res = await versions.GET(new Request(`${BASE}/${id}/versions`), routeContext(id));
  return ((await res.json()) as { versions: { version: number; message: string | null }[] })
    .versions;
}

async function list(query: string): Promise<{ workflows: Detail[]; nextOffset: number | null }> {
  const res = await collection.GET(new Request(`${BASE}?${query}`));
  expect(res.status).toBe(200);
  return (await res.json()) as { workflows: Detail[]; nextOffset: number | null };
}

describe("optimistic concurrency: two clients saving one workflow", () => {
  it("refuses the second save on a stale base with 409 and the current version", async () => {
    const { id } = await create({ document: doc("Shared edit") });
    // Both tabs opened version 1.
    const tabA = await save(id, { document: doc("Shared edit", true), baseVersion: 1 });
    expect(tabA.status).toBe(200);
    expect(await tabA.json()).toMatchObject({ latestVersion: 2, nodeCount: 3 });

    const tabB = await save(id, {
      document: doc("Tab B's edit"),
      baseVersion: 1,
      message: "from B",
    });
    expect(tabB.status).toBe(409);
    const conflict = (await tabB.json()) as Record<string, unknown>;
    expect(conflict).toMatchObject({
      field: "baseVersion",
      baseVersion: 1,
      currentVersion: 2,
      savedBy: null,
      message: null,
    });
    expect(new Date(conflict.savedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(conflict.error).toContain("version 2");

    // Nothing of B's was written, A's save is intact.
    expect(await get(id)).toMatchObject({ latestVersion: 2, nodeCount: 3, name: "Shared edit" });
    expect((await history(id)).map((v) => v.version)).toEqual([2, 1]);

    // B chooses "overwrite": the same document on the version it was shown; A's stays in history.
    const overwrite = await save(id, { document: doc("Tab B's edit"), baseVersion: 2 });
    expect(overwrite.status).toBe(200);
    expect(await overwrite.json()).toMatchObject({ latestVersion: 3, name: "Tab B's edit" });
    expect((await history(id)).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it("lets exactly one of several simultaneous saves on one base win", async () => {
    const { id } = await create({ document: doc("Race") });
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => save(id, { document: doc(`Race ${i}`), baseVersion: 1 })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    expect((await history(id)).map((v) => v.version)).toEqual([2, 1]);
  });

  it("checks the base only when one is sent, and refuses a malformed one", async () => {
    const { id } = await create({ document: doc("Scripted") });
    expect((await save(id, { document: doc("Scripted") })).status).toBe(200);
    const bad = await save(id, { document: doc("Scripted"), baseVersion: "2" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "baseVersion" });
  });
});

describe("versions: restore", () => {
  it("saves an old version as a new one, 'restored from vN', keeping the history whole", async () => {
    const { id } = await create({ document: doc("Restorable") });
    await save(id, { document: doc("Restorable", true), baseVersion: 1 });
    const ctx = { params: Promise.resolve({ id, version: "1" }) };

    const stale = await restore.POST(json("POST", { baseVersion: 1 }, `${BASE}/${id}/r`), ctx);
    expect(stale.status).toBe(409);

    const res = await restore.POST(json("POST", { baseVersion: 2 }, `${BASE}/${id}/r`), ctx);
    expect(res.status).toBe(200);
    const restored = (await res.json()) as Detail;
    expect(restored).toMatchObject({ latestVersion: 3, nodeCount: 2 });
    expect(restored.document).toEqual(doc("Restorable"));
    expect(await history(id)).toMatchObject([
      { version: 3, message: "restored from v1" },
      { version: 2 },
      { version: 1 },
    ]);

    const missing = await restore.POST(json("POST", {}, `${BASE}/${id}/r`), {
      params: Promise.resolve({ id, version: "9" }),
    });
    expect(missing.status).toBe(404);
  });
});

describe("library: description, tags, search, filter, sort", () => {
  it("stores description and canonical tags, changing neither the version nor updatedAt order", async () => {
    const { id, latestVersion } = await create({
      document: doc("Described"),
      description: "Swap the garment on a photo",
      tags: ["Try-On", "try-on ", "fashion"],
    });
    expect(await get(id)).toMatchObject({
      description: "Swap the garment on a photo",
      tags: ["fashion", "try-on"],
    });
    const res = await item.PATCH(
      json("PATCH", { tags: ["Portrait"], description: "  new text " }, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(res.status).toBe(200);
    expect(await get(id)).toMatchObject({
      description: "new text",
      tags: ["portrait"],
      latestVersion,
    });

    const badTag = await item.PATCH(
      json("PATCH", { tags: ["<b>"] }, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(badTag.status).toBe(400);
    expect(await badTag.json()).toMatchObject({ field: "tags[0]" });
    const empty = await item.PATCH(json("PATCH", {}, `${BASE}/${id}`), routeContext(id));
    expect(empty.status).toBe(400);
  });

  it("searches name, description and tags, filters by tag and sorts four ways", async () => {
    const alpha = await create({ document: doc("Qz Alpha"), tags: ["tagpose"] });
    const beta = await create({ document: doc("Qz beta"), description: "has QZDESC words" });
    const gamma = await create({ document: doc("Gamma"), tags: ["tagpose", "other"] });

    const names = async (query: string) => (await list(query)).workflows.map((w) => w.name);
    expect(await names("q=qz%20")).toEqual(["Qz beta", "Qz Alpha"]);
    expect(await names("q=qzdesc")).toEqual(["Qz beta"]);
    expect(await names("q=TAGPOSE")).toEqual(["Gamma", "Qz Alpha"]);
    expect(await names("tag=TagPose&sort=name")).toEqual(["Gamma", "Qz Alpha"]);
    expect(await names("q=qz&sort=created")).toEqual(["Qz beta", "Qz Alpha"]);

    // Saving alpha makes it the most recently updated; opening gamma the most recently opened.
    await save(alpha.id, { document: doc("Qz Alpha"), baseVersion: 1 });
    expect(await names("q=qz&sort=updated")).toEqual(["Qz Alpha", "Qz beta"]);
    const before = (await get(gamma.id)).updatedAt;
    const res = await opened.POST(
      new Request(`${BASE}/${gamma.id}/opened`),
      routeContext(gamma.id),
    );
    expect(res.status).toBe(204);
    const g = await get(gamma.id);
    expect(g.openedAt).not.toBeNull();
    expect(g.updatedAt).toBe(before);
    const recent = await names("sort=opened&limit=2");
    expect(recent[0]).toBe("Gamma");
    expect(beta.id).toBeTruthy();

    // LIKE wildcards in a search are literal characters.
    await create({ document: doc("Qz 50% off_sale") });
    expect(await names("q=%25")).toEqual(["Qz 50% off_sale"]);
    expect(await names("q=f_s")).toEqual(["Qz 50% off_sale"]);

    const bad = await collection.GET(new Request(`${BASE}?sort=colour`));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "sort" });
  });

  it("pages through the listing without repeats", async () => {
    for (let i = 0; i < 5; i++) await create({ document: doc(`Paged ${i}`), tags: ["paged"] });
    const first = await list("tag=paged&limit=2&sort=name");
    expect(first.nextOffset).toBe(2);
    const second = await list(`tag=paged&limit=2&sort=name&offset=${first.nextOffset}`);
    const third = await list("tag=paged&limit=2&sort=name&offset=4");
    expect(third.nextOffset).toBeNull();
    const all = [...first.workflows, ...second.workflows, ...third.workflows].map((w) => w.name);
    expect(all).toEqual(["Paged 0", "Paged 1", "Paged 2", "Paged 3", "Paged 4"]);
  });
});

describe("templates", () => {
  it("are read-only, listed apart, and 'use template' copies one into the library", async () => {
    const template = await store.createWorkflow(
      db.getPrisma(),
      {
        document: doc("Template X"),
        description: "An example",
        tags: ["example"],
        isTemplate: true,
      },
      LOCAL_ACTOR,
    );
    const { id } = template;
    expect((await list("kind=templates&q=Template+X")).workflows.map((w) => w.id)).toEqual([id]);
    expect((await list("kind=mine&q=Template+X")).workflows).toEqual([]);
    expect((await list("q=Template+X")).workflows.map((w) => w.id)).toEqual([id]);

    const saved = await save(id, { document: doc("Template X", true), baseVersion: 1 });
    expect(saved.status).toBe(403);
    expect(((await saved.json()) as { error: string }).error).toContain("template");
    const renamed = await item.PATCH(
      json("PATCH", { name: "Mine" }, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(renamed.status).toBe(403);
    const deleted = await item.DELETE(
      new Request(`${BASE}/${id}`, { method: "DELETE" }),
      routeContext(id),
    );
    expect(deleted.status).toBe(403);
    expect(await get(id)).toMatchObject({ latestVersion: 1, nodeCount: 2, name: "Template X" });

    const res = await use.POST(
      new Request(`${BASE}/${id}/use`, { method: "POST" }),
      routeContext(id),
    );
    expect(res.status).toBe(201);
    const copy = (await res.json()) as Detail;
    expect(copy).toMatchObject({
      name: "Template X",
      isTemplate: false,
      description: "An example",
      tags: ["example"],
      latestVersion: 1,
    });
    expect(copy.id).not.toBe(id);
    expect((await save(copy.id, { document: doc("Mine", true), baseVersion: 1 })).status).toBe(200);
    expect(await history(copy.id)).toMatchObject([
      { version: 2 },
      { version: 1, message: 'from the template "Template X"' },
    ]);

    // Only templates can be "used".
    const notTemplate = await use.POST(new Request(`${BASE}/x/use`), routeContext(copy.id));
    expect(notTemplate.status).toBe(404);
  });
});
