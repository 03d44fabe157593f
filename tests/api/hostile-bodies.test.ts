import { beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "@/nodes/core/document";
import { DOCUMENT_LIMITS } from "@/nodes/core/limits";
import type * as Collection from "@/app/api/workflows/route";
import type * as Item from "@/app/api/workflows/[id]/route";
import type * as Versions from "@/app/api/workflows/[id]/versions/route";
import type * as Restore from "@/app/api/workflows/[id]/versions/[version]/restore/route";
import type * as Share from "@/app/api/workflows/[id]/share/route";
import type * as Db from "@/app/_server/db";
import { routeContext, setupTestDatabase } from "./test-db";

/**
 * Regression tests for the defects the route fuzzer (tests/fuzz/, tests/api/fuzz.test.ts) and
 * issue 18 found: each one a hostile body that once got a 500 or was silently accepted.
 */

setupTestDatabase();

let collection: typeof Collection;
let item: typeof Item;
let versions: typeof Versions;
let restore: typeof Restore;
let share: typeof Share;
let db: typeof Db;

beforeAll(async () => {
  collection = await import("@/app/api/workflows/route");
  item = await import("@/app/api/workflows/[id]/route");
  versions = await import("@/app/api/workflows/[id]/versions/route");
  restore = await import("@/app/api/workflows/[id]/versions/[version]/restore/route");
  share = await import("@/app/api/workflows/[id]/share/route");
  db = await import("@/app/_server/db");
});

const BASE = "http://localhost/api/workflows";

function doc(name = "Hostile"): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: [{ id: "a", type: "note", position: { x: 0, y: 0 }, params: { text: "hi" } }],
    edges: [],
    meta: {},
  };
}

function send(method: string, body: string, url = BASE): Request {
  return new Request(url, { method, headers: { "content-type": "application/json" }, body });
}

async function errorOf(res: Response): Promise<{ status: number; error: string; field?: string }> {
  const body = (await res.json()) as { error: string; field?: string };
  return { status: res.status, ...body };
}

async function stored() {
  const prisma = db.getPrisma();
  return {
    workflows: await prisma.workflow.count(),
    versions: await prisma.workflowVersion.count(),
  };
}

/** A document whose note holds `levels` nested arrays, as JSON text (JSON.stringify would overflow). */
function deepDocumentText(levels: number): string {
  return JSON.stringify(doc()).replace(
    '"params":{"text":"hi"}',
    `"params":{"text":${"[".repeat(levels)}${"]".repeat(levels)}}`,
  );
}

describe("a deeply nested document", () => {
  it("is a 400 naming the param and the depth limit on create, not a stack overflow", async () => {
    const before = await stored();
    const res = await collection.POST(send("POST", `{"document":${deepDocumentText(100_000)}}`));
    expect(await errorOf(res)).toEqual({
      status: 400,
      error: `nodes[0].params.text: nested deeper than the ${DOCUMENT_LIMITS.depth}-level limit`,
      field: "nodes[0].params.text",
    });
    expect(await stored()).toEqual(before);
  });

  it("is a 400 on save too, and the workflow keeps its version", async () => {
    const created = await collection.POST(send("POST", JSON.stringify({ document: doc() })));
    const { id } = (await created.json()) as { id: string };
    const res = await item.PUT(
      send("PUT", `{"document":${deepDocumentText(100_000)}}`, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).field).toBe("nodes[0].params.text");
    const now = (await (await item.GET(new Request(`${BASE}/${id}`), routeContext(id))).json()) as {
      latestVersion: number;
    };
    expect(now.latestVersion).toBe(1);
  });
});

describe("an explicit null document", () => {
  it("is refused on create, naming document, while an absent one still means empty", async () => {
    const before = await stored();
    const res = await collection.POST(send("POST", '{"document":null,"name":"Null"}'));
    expect(await errorOf(res)).toEqual({
      status: 400,
      error: "document: must be a workflow document (a JSON object)",
      field: "document",
    });
    expect(await stored()).toEqual(before);

    const empty = await collection.POST(send("POST", '{"name":"Empty"}'));
    expect(empty.status).toBe(201);
    expect(((await empty.json()) as { document: WorkflowDocument }).document.nodes).toEqual([]);
  });

  it("is refused on save, naming document, as are other non-objects", async () => {
    const created = await collection.POST(send("POST", JSON.stringify({ document: doc() })));
    const { id } = (await created.json()) as { id: string };
    for (const document of ["null", "[]", '"doc"', "7"]) {
      const res = await item.PUT(
        send("PUT", `{"document":${document}}`, `${BASE}/${id}`),
        routeContext(id),
      );
      expect(await errorOf(res), document).toMatchObject({ status: 400, field: "document" });
    }
  });
});

describe("fields the fuzzer found unnamed or unqueryable", () => {
  it("names an unknown body key as the field at fault, quoting one that reads ambiguously", async () => {
    const extra = await collection.POST(send("POST", '{"name":"x","colour":"red"}'));
    expect(await errorOf(extra)).toEqual({
      status: 400,
      error: "colour: not a field this request takes",
      field: "colour",
    });
    const empty = await collection.POST(send("POST", '{"":1}'));
    expect(await errorOf(empty)).toMatchObject({ status: 400, field: '[""]' });
  });

  it("answers 404 for ids holding NUL or a lone surrogate (PostgreSQL refused to query them: a 500)", async () => {
    const before = await stored();
    for (const id of ["a\u0000b", "lone \ud800", "x".repeat(5000)]) {
      const ctx = routeContext(id);
      const url = `${BASE}/x`;
      const responses = [
        await item.GET(new Request(url), ctx),
        await item.PUT(send("PUT", JSON.stringify({ document: doc() }), url), ctx),
        await item.PATCH(send("PATCH", '{"name":"n"}', url), ctx),
        await item.DELETE(new Request(url, { method: "DELETE" }), ctx),
        await versions.GET(new Request(url), ctx),
        await share.PUT(send("PUT", '{"visibility":"link"}', url), ctx),
        await restore.POST(send("POST", "{}", url), {
          params: Promise.resolve({ id, version: "1" }),
        }),
      ];
      expect(
        responses.map((r) => r.status),
        JSON.stringify(id.slice(0, 12)),
      ).toEqual([404, 404, 404, 404, 404, 404, 404]);
    }
    expect(await stored()).toEqual(before);
  });

  it("refuses a search or tag filter holding NUL, naming it", async () => {
    const q = await collection.GET(new Request(`${BASE}?q=%00`));
    expect(await errorOf(q)).toMatchObject({ status: 400, field: "q" });
    const tag = await collection.GET(new Request(`${BASE}?tag=a%00`));
    expect(await errorOf(tag)).toMatchObject({ status: 400, field: "tag" });
  });

  it("refuses names, descriptions and save messages the database cannot store", async () => {
    const before = await stored();
    const name = await collection.POST(send("POST", '{"name":"a\\u0000b"}'));
    expect(await errorOf(name)).toMatchObject({ status: 400, field: "name" });
    const description = await collection.POST(send("POST", '{"description":"\\ud800"}'));
    expect(await errorOf(description)).toMatchObject({ status: 400, field: "description" });
    expect(await stored()).toEqual(before);
    const created = await collection.POST(send("POST", '{"name":"fine"}'));
    const { id } = (await created.json()) as { id: string };
    const message = await item.PUT(
      send("PUT", `{"document":${JSON.stringify(doc())},"message":"nul \\u0000"}`, `${BASE}/${id}`),
      routeContext(id),
    );
    expect(await errorOf(message)).toMatchObject({ status: 400, field: "message" });
  });
});
