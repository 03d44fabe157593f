import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Start from "@/app/api/workflows/[id]/runs/route";
import type * as Item from "@/app/api/runs/[id]/route";
import type * as Output from "@/app/api/runs/[id]/outputs/[node]/[name]/route";
import type * as Upload from "@/app/api/assets/route";
import type { PrismaClient } from "@/app/_server/db";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { RecordingRunQueue } from "../helpers/recording-queue";
import { routeContext, setupTestDatabase } from "./test-db";

/**
 * Runs executed for real through the API and the Run table (PrismaRunRecords, on SQLite and, in
 * the suite's second pass, PostgreSQL) by the embedded queue, as a studio without REDIS_URL runs
 * them: queued over HTTP, executed in-process, outputs read back over HTTP; and queued rows (one
 * left running by a crash) taken up by a queue started afresh.
 */
setupTestDatabase();

let start: typeof Start;
let item: typeof Item;
let output: typeof Output;
let upload: typeof Upload;
let prisma: PrismaClient;
let workflowId: string;
const BASE = "http://localhost/api";

function document(): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name: "Executed runs",
    nodes: [
      { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      {
        id: "size",
        type: "resize",
        position: { x: 200, y: 0 },
        params: { mode: "pad", width: 40, height: 30 },
      },
      { id: "out", type: "preview", position: { x: 400, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "person", sourceHandle: "image", target: "size", targetHandle: "image" },
      { id: "e2", source: "size", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
  };
}

beforeAll(async () => {
  delete process.env.REDIS_URL;
  start = await import("@/app/api/workflows/[id]/runs/route");
  item = await import("@/app/api/runs/[id]/route");
  output = await import("@/app/api/runs/[id]/outputs/[node]/[name]/route");
  upload = await import("@/app/api/assets/route");
  prisma = (await import("@/app/_server/db")).getPrisma();
  const { createWorkflow } = await import("@/app/_server/workflows");
  workflowId = (
    await createWorkflow(prisma, { document: document() }, { userId: null, name: null })
  ).id;
}, 60_000);

afterAll(async () => {
  const { closeRunQueue } = await import("@/workers/queue");
  await closeRunQueue();
});

async function uploadPng(width: number, height: number): Promise<string> {
  const png = await sharp({
    create: { width, height, channels: 4, background: { r: 200, g: 40, b: 90, alpha: 1 } },
  })
    .png()
    .toBuffer();
  const res = await upload.POST(
    new Request(`${BASE}/assets`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(png),
    }),
  );
  expect(res.status).toBeLessThan(300);
  return ((await res.json()) as { id: string }).id;
}

async function postRun(body: unknown): Promise<string> {
  const res = await start.POST(
    new Request(`${BASE}/workflows/${workflowId}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    routeContext(workflowId),
  );
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

interface View {
  status: string;
  worker: string | null;
  outputs: { nodeId: string; name: string; url: string; key: string }[];
  error: { message: string; nodeId: string | null } | null;
}

async function getRun(id: string): Promise<View> {
  const res = await item.GET(new Request(`${BASE}/runs/${id}`), routeContext(id));
  return (await res.json()) as View;
}

async function until(id: string, done: (v: View) => boolean): Promise<View> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await getRun(id);
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${view.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("runs executed by the embedded queue through the Run table", { timeout: 90_000 }, () => {
  it("a run queued over HTTP executes in the studio's process; its output is served", async () => {
    const asset = await uploadPng(20, 20);
    const id = await postRun({ inputs: { person: asset }, overrides: { size: { width: 50 } } });
    const view = await until(id, (v) => v.status !== "queued" && v.status !== "running");
    expect(view.status).toBe("done");
    expect(view.worker).toMatch(/:\d+$/);
    const preview = view.outputs.find((o) => o.nodeId === "out")!;
    expect(preview.key).toBe(`runs/${id}/out/image-0.png`);
    const res = await output.GET(new Request(`http://localhost${preview.url}`), {
      params: Promise.resolve({ id, node: preview.nodeId, name: preview.name }),
    });
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([50, 30]);
  });

  it("a node's error is recorded on the run with its node, not retried", async () => {
    const id = await postRun({ inputs: {}, overrides: {} });
    const view = await until(id, (v) => v.status === "error");
    expect(view.error).toMatchObject({ nodeId: "person", message: expect.stringMatching(/image/) });
    const row = await prisma.run.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(1);
  });

  it("a queue started afresh runs the queued rows and the one a crash left running, in creation order", async () => {
    const { closeRunQueue, createRunQueue } = await import("@/workers/queue");
    const { runBackends, setRunQueueFactory } = await import("@/app/_server/runs/queue-provider");
    await closeRunQueue();
    // The studio is down: runs are accepted into the table and nothing executes them.
    setRunQueueFactory(async () => new RecordingRunQueue());
    const asset = await uploadPng(12, 12);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await postRun({ inputs: { person: asset } }));
    const backends = runBackends();
    expect(await backends.records.markRunning(ids[2], "crashed:1")).toBe(true);
    setRunQueueFactory(undefined);

    const queue = await createRunQueue(backends, {});
    try {
      for (const id of ids)
        expect((await until(id, (v) => v.status === "done")).status).toBe("done");
      const rows = await prisma.run.findMany({
        where: { id: { in: ids } },
        orderBy: { startedAt: "asc" },
      });
      expect(rows.map((r) => r.id)).toEqual(ids);
      expect(rows.find((r) => r.id === ids[2])!.attempts).toBe(2);
    } finally {
      await queue.close();
    }
  });
});
