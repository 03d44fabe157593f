import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "@/nodes/core/document";
import type * as Collection from "@/app/api/workflows/route";
import type * as Item from "@/app/api/workflows/[id]/route";
import type * as Duplicate from "@/app/api/workflows/[id]/duplicate/route";
import type * as Versions from "@/app/api/workflows/[id]/versions/route";
import type * as Version from "@/app/api/workflows/[id]/versions/[version]/route";
import type * as Thumbnail from "@/app/api/workflows/[id]/thumbnail/route";
import {
  ROOT,
  routeContext,
  streamingInit,
  streamOfBytes,
  setupTestDatabase,
  PNG_BASE64,
  testDocument,
} from "./test-db";

const db = setupTestDatabase();

// Types only: the modules themselves are imported once the test database exists.
let collection: typeof Collection;
let item: typeof Item;
let duplicate: typeof Duplicate;
let versions: typeof Versions;
let version: typeof Version;
let thumbnail: typeof Thumbnail;

beforeAll(async () => {
  collection = await import("@/app/api/workflows/route");
  item = await import("@/app/api/workflows/[id]/route");
  duplicate = await import("@/app/api/workflows/[id]/duplicate/route");
  versions = await import("@/app/api/workflows/[id]/versions/route");
  version = await import("@/app/api/workflows/[id]/versions/[version]/route");
  thumbnail = await import("@/app/api/workflows/[id]/thumbnail/route");
});

const BASE = "http://localhost/api/workflows";
const MB = 1024 * 1024;

const doc = testDocument;

function json(method: string, body: unknown, url = BASE): Request {
  return new Request(url, {
    method,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface Detail {
  id: string;
  name: string;
  nodeCount: number;
  latestVersion: number;
  hasThumbnail: boolean;
  isTemplate: boolean;
  document: WorkflowDocument;
}

async function create(body: unknown = { document: doc() }): Promise<Detail> {
  const res = await collection.POST(json("POST", body));
  expect(res.status).toBe(201);
  return (await res.json()) as Detail;
}

async function save(id: string, body: unknown): Promise<Response> {
  return item.PUT(json("PUT", body, `${BASE}/${id}`), routeContext(id));
}

async function get(id: string): Promise<Response> {
  return item.GET(new Request(`${BASE}/${id}`), routeContext(id));
}

async function versionNumbers(id: string): Promise<number[]> {
  const res = await versions.GET(new Request(`${BASE}/${id}/versions`), routeContext(id));
  expect(res.status).toBe(200);
  const body = (await res.json()) as { versions: { version: number }[] };
  return body.versions.map((v) => v.version);
}

describe("workflow CRUD", () => {
  it("creates, lists and gets a workflow", async () => {
    const created = await create({ document: doc("Create me") });
    expect(created).toMatchObject({ name: "Create me", nodeCount: 2, latestVersion: 1 });
    expect(created.document).toEqual(doc("Create me"));
    expect(created.hasThumbnail).toBe(false);

    const list = await collection.GET(new Request(`${BASE}?limit=200`));
    expect(list.status).toBe(200);
    const { workflows } = (await list.json()) as { workflows: Record<string, unknown>[] };
    const entry = workflows.find((w) => w.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: "Create me",
      description: "",
      tags: [],
      nodeCount: 2,
      hasThumbnail: false,
      isTemplate: false,
      visibility: "private",
      updatedAt: expect.any(String),
      createdAt: expect.any(String),
      openedAt: null,
    });

    const res = await get(created.id);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Detail).document).toEqual(doc("Create me"));
    expect(await versionNumbers(created.id)).toEqual([1]);
  });

  it("accepts a version-1 document (from before node modes) and stores it as version 2", async () => {
    const v1 = { ...doc("Old one"), version: 1 };
    const created = await create({ document: v1 });
    expect(created.document).toEqual({ ...v1, version: 2 });
    const saved = await save(created.id, { document: { ...v1, name: "Old one, saved" } });
    expect(saved.status).toBe(200);
    const res = await get(created.id);
    expect(((await res.json()) as Detail).document).toEqual({
      ...v1,
      name: "Old one, saved",
      version: 2,
    });
  });

  it("creates an empty workflow when no document is given, named as asked", async () => {
    const untitled = await create({});
    expect(untitled).toMatchObject({ name: "Untitled workflow", nodeCount: 0 });
    const named = await create({ name: "  Blank  " });
    expect(named.name).toBe("Blank");
    expect(named.document.name).toBe("Blank");
  });

  it("lets `name` override the document's own name", async () => {
    const created = await create({ name: "Override", document: doc("Inner") });
    expect(created.name).toBe("Override");
    expect(created.document.name).toBe("Override");
  });

  it("saves a new version on every PUT and keeps the name in step with the document", async () => {
    const { id } = await create();
    const bigger = doc("Saved twice");
    bigger.nodes.push({ id: "note", type: "note", position: { x: 0, y: 200 }, params: {} });

    const first = await save(id, { document: doc("Saved once"), message: "first edit" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ latestVersion: 2, name: "Saved once" });

    const second = await save(id, { document: bigger });
    expect(await second.json()).toMatchObject({ latestVersion: 3, nodeCount: 3 });

    expect(await versionNumbers(id)).toEqual([3, 2, 1]);
    const res = await versions.GET(new Request(`${BASE}/${id}/versions`), routeContext(id));
    const body = (await res.json()) as { versions: { version: number; message: string | null }[] };
    expect(body.versions.find((v) => v.version === 2)?.message).toBe("first edit");
    expect(((await (await get(id)).json()) as Detail).document).toEqual(bigger);

    // Each version's document stays readable as it was saved.
    const at = (v: string) =>
      version.GET(new Request(`${BASE}/${id}/versions/${v}`), {
        params: Promise.resolve({ id, version: v }),
      });
    const v2 = await at("2");
    expect(v2.status).toBe(200);
    expect(((await v2.json()) as { document: WorkflowDocument }).document.nodes).toHaveLength(2);
    expect(((await (await at("3")).json()) as { document: WorkflowDocument }).document).toEqual(
      bigger,
    );
    expect((await at("9")).status).toBe(404);
    expect((await at("x")).status).toBe(404);
  });

  it("gives concurrent saves distinct version numbers", async () => {
    const { id } = await create();
    const saves = await Promise.all([1, 2, 3, 4, 5].map(() => save(id, { document: doc() })));
    expect(saves.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await versionNumbers(id)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it("renames without adding a version", async () => {
    const { id } = await create();
    const res = await item.PATCH(
      json("PATCH", { name: "Renamed" }, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, name: "Renamed" });
    const detail = (await (await get(id)).json()) as Detail;
    expect(detail.name).toBe("Renamed");
    expect(detail.document.name).toBe("Renamed");
    expect(await versionNumbers(id)).toEqual([1]);
  });

  it("refuses an empty name", async () => {
    const { id } = await create();
    const res = await item.PATCH(json("PATCH", { name: "   " }, `${BASE}/${id}`), routeContext(id));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: "name" });
  });

  it("stores a thumbnail sent with the new workflow, as version 1, and refuses a bad one", async () => {
    const created = await create({ document: doc("With picture"), thumbnail: PNG_BASE64 });
    expect(created).toMatchObject({ latestVersion: 1, hasThumbnail: true });
    const res = await thumbnail.GET(
      new Request(`${BASE}/${created.id}/thumbnail`),
      routeContext(created.id),
    );
    expect(res.headers.get("content-type")).toBe("image/png");
    const bad = await collection.POST(
      json("POST", { document: doc("Bad"), thumbnail: "bm90IGEgcG5n" }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/thumbnail: not a PNG/);
  });

  it("duplicates the document and thumbnail into a fresh history", async () => {
    const { id } = await create({ document: doc("Original") });
    await save(id, { document: doc("Original"), thumbnail: PNG_BASE64 });
    await save(id, { document: doc("Original") });

    const res = await duplicate.POST(new Request(`${BASE}/${id}/duplicate`), routeContext(id));
    expect(res.status).toBe(201);
    const copy = (await res.json()) as Detail;
    expect(copy.id).not.toBe(id);
    expect(copy).toMatchObject({ name: "Original (copy)", latestVersion: 1, hasThumbnail: true });
    expect(copy.document).toEqual(doc("Original (copy)"));
    expect(await versionNumbers(copy.id)).toEqual([1]);
    expect(await versionNumbers(id)).toEqual([3, 2, 1]);

    const thumb = await thumbnail.GET(
      new Request(`${BASE}/${copy.id}/thumbnail`),
      routeContext(copy.id),
    );
    expect(Buffer.from(await thumb.arrayBuffer()).toString("base64")).toBe(PNG_BASE64);
  });

  it("keeps a duplicate's name within the 200-character limit", async () => {
    const long = "x".repeat(200);
    const { id } = await create({ document: doc(long) });
    const res = await duplicate.POST(new Request(`${BASE}/${id}/duplicate`), routeContext(id));
    const copy = (await res.json()) as Detail;
    expect(copy.name).toHaveLength(200);
    expect(copy.name.endsWith(" (copy)")).toBe(true);
  });

  it("deletes a workflow and its versions", async () => {
    const { id } = await create();
    const res = await item.DELETE(
      new Request(`${BASE}/${id}`, { method: "DELETE" }),
      routeContext(id),
    );
    expect(res.status).toBe(204);
    expect((await get(id)).status).toBe(404);
    const gone = await versions.GET(new Request(`${BASE}/${id}/versions`), routeContext(id));
    expect(gone.status).toBe(404);
    const again = await item.DELETE(
      new Request(`${BASE}/${id}`, { method: "DELETE" }),
      routeContext(id),
    );
    expect(again.status).toBe(404);
  });
});

describe("thumbnails", () => {
  it("round-trips a PNG and keeps it across saves that do not send one", async () => {
    const { id } = await create();
    const saved = await save(id, {
      document: doc(),
      thumbnail: `data:image/png;base64,${PNG_BASE64}`,
    });
    expect(await saved.json()).toMatchObject({ hasThumbnail: true });
    await save(id, { document: doc() });

    const res = await thumbnail.GET(new Request(`${BASE}/${id}/thumbnail`), routeContext(id));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer()).toString("base64")).toBe(PNG_BASE64);

    // The ETag lets the library revalidate cheaply.
    const etag = res.headers.get("etag") ?? "";
    const cached = await thumbnail.GET(
      new Request(`${BASE}/${id}/thumbnail`, { headers: { "if-none-match": etag } }),
      routeContext(id),
    );
    expect(cached.status).toBe(304);

    const list = (await (await collection.GET(new Request(`${BASE}?limit=200`))).json()) as {
      workflows: Detail[];
    };
    expect(list.workflows.find((w) => w.id === id)?.hasThumbnail).toBe(true);
  });

  it("removes the thumbnail when sent null", async () => {
    const { id } = await create();
    await save(id, { document: doc(), thumbnail: PNG_BASE64 });
    await save(id, { document: doc(), thumbnail: null });
    const res = await thumbnail.GET(new Request(`${BASE}/${id}/thumbnail`), routeContext(id));
    expect(res.status).toBe(404);
  });

  it("is 404 for a workflow without one", async () => {
    const { id } = await create();
    const res = await thumbnail.GET(new Request(`${BASE}/${id}/thumbnail`), routeContext(id));
    expect(res.status).toBe(404);
  });

  it("refuses a thumbnail that is not base64, not a PNG, or over 512 KB", async () => {
    const { id } = await create();
    const notBase64 = await save(id, { document: doc(), thumbnail: "not base64!" });
    expect(notBase64.status).toBe(400);
    expect(await notBase64.json()).toMatchObject({ field: "thumbnail" });

    const notPng = await save(id, {
      document: doc(),
      thumbnail: Buffer.from("GIF89a").toString("base64"),
    });
    expect(notPng.status).toBe(400);

    const huge = Buffer.alloc(513 * 1024);
    Buffer.from(PNG_BASE64, "base64").copy(huge);
    const tooBig = await save(id, { document: doc(), thumbnail: huge.toString("base64") });
    expect(tooBig.status).toBe(413);
    expect(await versionNumbers(id)).toEqual([1]);
  });
});

describe("errors", () => {
  it("refuses a cycle or a type mismatch, naming the node, and keeps unknown node types", async () => {
    const cyclic = doc("Cycle", {
      nodes: [
        { id: "a", type: "resize", position: { x: 0, y: 0 }, params: {} },
        { id: "b", type: "crop", position: { x: 0, y: 0 }, params: {} },
      ],
      edges: [
        { id: "e1", source: "a", sourceHandle: "image", target: "b", targetHandle: "image" },
        { id: "e2", source: "b", sourceHandle: "image", target: "a", targetHandle: "image" },
      ],
    });
    const cycle = await collection.POST(json("POST", { document: cyclic }));
    expect(cycle.status).toBe(400);
    expect(await cycle.json()).toMatchObject({
      nodeId: "a",
      error: 'node "a": cycle through nodes a, b',
    });

    const mismatch = doc("Mismatch", {
      nodes: [
        { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
        { id: "ops", type: "mask-ops", position: { x: 0, y: 0 }, params: {} },
      ],
      edges: [
        { id: "w", source: "img", sourceHandle: "image", target: "ops", targetHandle: "mask" },
      ],
    });
    const bad = await collection.POST(json("POST", { document: mismatch }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      nodeId: "ops",
      error: 'node "ops": wire w: type mismatch: IMAGE cannot connect to MASK',
    });

    const future = doc("Future", {
      nodes: [{ id: "x", type: "from-a-newer-studio", position: { x: 0, y: 0 }, params: { k: 1 } }],
      edges: [],
    });
    const kept = await collection.POST(json("POST", { document: future }));
    expect(kept.status).toBe(201);
    expect(((await kept.json()) as Detail).document.nodes[0]).toMatchObject({
      type: "from-a-newer-studio",
      params: { k: 1 },
    });
  });

  it("reports malformed JSON as 400", async () => {
    const res = await collection.POST(json("POST", '{"document": {'));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(/^not valid JSON/);
  });

  it("reports an empty body as 400", async () => {
    const res = await collection.POST(new Request(BASE, { method: "POST" }));
    expect(res.status).toBe(400);
  });

  it("names the node at fault in an invalid document", async () => {
    const bad = doc();
    (bad.nodes[1].position as { x: unknown }).x = "left";
    const res = await collection.POST(json("POST", { document: bad }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string; nodeId: string };
    expect(body).toMatchObject({ field: "nodes[1].position.x", nodeId: "out" });
    expect(body.error).toContain('node "out"');
  });

  it("leaves the stored workflow untouched when a save is invalid", async () => {
    const { id } = await create();
    const bad = doc("Broken", { edges: [{ ...doc().edges[0], target: "missing" }] });
    const res = await save(id, { document: bad });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('"missing"');
    expect(await versionNumbers(id)).toEqual([1]);
    expect(((await (await get(id)).json()) as Detail).name).toBe("Try-on");
  });

  it("requires a document on save and refuses unknown keys", async () => {
    const { id } = await create();
    const missing = await save(id, { message: "no document" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: "document: is required",
      field: "document",
    });
    const extra = await save(id, { document: doc(), colour: "red" });
    expect(extra.status).toBe(400);
  });

  it("answers 404 for an unknown id on every route", async () => {
    const id = "no-such-workflow";
    const ctx = routeContext(id);
    const url = `${BASE}/${id}`;
    const responses = await Promise.all([
      item.GET(new Request(url), ctx),
      item.PUT(json("PUT", { document: doc() }, url), ctx),
      item.PATCH(json("PATCH", { name: "x" }, url), ctx),
      item.DELETE(new Request(url, { method: "DELETE" }), ctx),
      duplicate.POST(new Request(`${url}/duplicate`, { method: "POST" }), ctx),
      versions.GET(new Request(`${url}/versions`), ctx),
      thumbnail.GET(new Request(`${url}/thumbnail`), ctx),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: expect.stringContaining("not found") });
    }
  });

  it("refuses a body over 5 MB by its Content-Length without reading it", async () => {
    const res = await collection.POST(
      new Request(BASE, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(6 * MB) },
        body: "{}",
      }),
    );
    expect(res.status).toBe(413);
  });

  it("refuses a body over 5 MB that arrives without a Content-Length", async () => {
    const init = streamingInit({ method: "PUT" }, streamOfBytes(6 * MB));
    const { id } = await create();
    const res = await item.PUT(new Request(`${BASE}/${id}`, init), routeContext(id));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain("5 MB");
  });

  it("accepts a large document under the limit", async () => {
    // 4 MB in 256 notes of 16 K characters: each within the document limits (limits.ts).
    const notes = Array.from({ length: 256 }, (_, i) => ({
      id: `note${i}`,
      type: "note",
      position: { x: 0, y: i * 100 },
      params: { text: "n".repeat(MB / 64) },
    }));
    const large = doc("Large");
    const created = await create({ document: { ...large, nodes: [...large.nodes, ...notes] } });
    expect(created.nodeCount).toBe(258);
    expect(created.document.nodes[257].params).toEqual(notes[255].params);
  });
});

describe("seed", () => {
  function runSeed(examples: string): { status: number; output: string } {
    try {
      const output = execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), ["prisma/seed.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url, SEED_EXAMPLES_DIR: examples },
        encoding: "utf8",
        stdio: "pipe",
      });
      return { status: 0, output };
    } catch (err) {
      const failure = err as { status: number; stdout: string; stderr: string };
      return { status: failure.status, output: failure.stdout + failure.stderr };
    }
  }

  it("inserts the examples once, by name, and names a broken file", async () => {
    const examples = mkdtempSync(path.join(tmpdir(), "leffa-examples-"));
    try {
      writeFileSync(path.join(examples, "a.json"), JSON.stringify(doc("Seed example A")));
      writeFileSync(path.join(examples, "b.json"), JSON.stringify(doc("Seed example B")));
      writeFileSync(path.join(examples, "README.md"), "not an example");

      expect(runSeed(examples)).toMatchObject({
        status: 0,
        output: expect.stringContaining("2 created"),
      });
      expect(runSeed(examples)).toMatchObject({
        status: 0,
        output: expect.stringContaining("2 already"),
      });

      const templates = await collection.GET(new Request(`${BASE}?kind=templates&q=Seed+example`));
      const { workflows } = (await templates.json()) as { workflows: Detail[] };
      expect(workflows.map((w) => [w.name, w.isTemplate])).toEqual([
        ["Seed example B", true],
        ["Seed example A", true],
      ]);

      // A changed example reaches an existing template as its next version; the rest stay.
      const changed = doc("Seed example A", { meta: { note: "the shipped text changed" } });
      writeFileSync(path.join(examples, "a.json"), JSON.stringify(changed));
      expect(runSeed(examples)).toMatchObject({
        status: 0,
        output: expect.stringContaining("0 created, 1 updated, 1 already present"),
      });
      const listed = await collection.GET(new Request(`${BASE}?kind=templates&q=Seed+example+A`));
      const [updated] = ((await listed.json()) as { workflows: Detail[] }).workflows;
      const detail = (await (
        await item.GET(new Request(`${BASE}/${updated.id}`), routeContext(updated.id))
      ).json()) as Detail;
      expect(detail.latestVersion).toBe(2);
      expect(detail.isTemplate).toBe(true);
      expect(detail.document.meta).toEqual({ note: "the shipped text changed" });
      expect(runSeed(examples).output).toContain("0 updated, 2 already present");

      writeFileSync(path.join(examples, "c.json"), JSON.stringify(doc("", { nodes: [] })));
      const broken = runSeed(examples);
      expect(broken.status).toBe(1);
      expect(broken.output).toContain("c.json");

      rmSync(path.join(examples, "c.json"));
      rmSync(path.join(examples, "a.json"));
      rmSync(path.join(examples, "b.json"));
      expect(runSeed(examples)).toMatchObject({
        status: 0,
        output: expect.stringContaining("no example"),
      });
    } finally {
      rmSync(examples, { recursive: true, force: true });
    }
    // Four seed processes, each starting tsx and a database client: slow on a loaded machine.
  }, 120_000);
});
