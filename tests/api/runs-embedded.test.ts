import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import type * as Start from "@/app/api/workflows/[id]/runs/route";
import type * as Item from "@/app/api/runs/[id]/route";
import type * as Events from "@/app/api/runs/[id]/events/route";
import type * as Output from "@/app/api/runs/[id]/outputs/[node]/[name]/route";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { routeContext, setupTestDatabase } from "./test-db";

/**
 * The whole way through, with nothing replaced: a saved workflow run over the API by the real
 * queue getRunQueue() gives (workers/queue's embedded queue in this process, on the headless
 * runtime), its image uploaded in the same multipart request, followed over server-sent events
 * to "done", and its output fetched from the asset store.
 */
setupTestDatabase();

let start: typeof Start;
let item: typeof Item;
let events: typeof Events;
let output: typeof Output;
let workflowId: string;

const doc = {
  version: WORKFLOW_VERSION,
  name: "Shrink",
  nodes: [
    { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    {
      id: "size",
      type: "resize",
      position: { x: 200, y: 0 },
      params: { width: 4, height: 3, mode: "stretch" },
    },
    { id: "out", type: "preview", position: { x: 400, y: 0 }, params: {} },
  ],
  edges: [
    { id: "e1", source: "person", sourceHandle: "image", target: "size", targetHandle: "image" },
    { id: "e2", source: "size", sourceHandle: "image", target: "out", targetHandle: "image" },
  ],
  meta: {},
} as WorkflowDocument;

beforeAll(async () => {
  start = await import("@/app/api/workflows/[id]/runs/route");
  item = await import("@/app/api/runs/[id]/route");
  events = await import("@/app/api/runs/[id]/events/route");
  output = await import("@/app/api/runs/[id]/outputs/[node]/[name]/route");
  const { getPrisma } = await import("@/app/_server/db");
  const { createWorkflow } = await import("@/app/_server/workflows");
  workflowId = (await createWorkflow(getPrisma(), { document: doc }, { userId: null, name: null }))
    .id;
});

afterAll(async () => {
  const { closeRunQueue } = await import("@/workers/queue");
  await closeRunQueue();
});

it("runs a saved workflow through the embedded queue, with events until done", async () => {
  const photo = await sharp({
    create: { width: 8, height: 6, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 1 } },
  })
    .png()
    .toBuffer();
  const form = new FormData();
  form.set("person", new Blob([new Uint8Array(photo)], { type: "image/png" }), "me.png");
  // An override the saved document does not have: the output must follow it.
  form.set("overrides", JSON.stringify({ size: { width: 5 } }));
  const res = await start.POST(
    new Request(`http://localhost/api/workflows/${workflowId}/runs`, {
      method: "POST",
      body: form,
    }),
    routeContext(workflowId),
  );
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };

  const stream = await events.GET(
    new Request(`http://localhost/api/runs/${id}/events`),
    routeContext(id),
  );
  const text = await stream.text();
  expect(text).toMatch(/event: done\n/);
  const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]) as {
    status: string;
    error: unknown;
    outputs: { nodeId: string; name: string; url: string }[];
  };
  expect(done.error).toBeNull();
  expect(done.status).toBe("done");
  const preview = done.outputs.find((o) => o.nodeId === "out");
  expect(preview).toBeDefined();

  const got = await output.GET(new Request(`http://localhost${preview!.url}`), {
    params: Promise.resolve({ id, node: "out", name: preview!.name }),
  });
  expect(got.status).toBe(200);
  const meta = await sharp(Buffer.from(await got.arrayBuffer())).metadata();
  expect([meta.width, meta.height]).toEqual([5, 3]);

  const run = (await (
    await item.GET(new Request(`http://localhost/api/runs/${id}`), routeContext(id))
  ).json()) as { status: string; worker: string; attempts: number; startedAt: string };
  expect(run).toMatchObject({ status: "done", attempts: 1 });
  expect(run.worker).toMatch(/:/);
}, 60_000);
