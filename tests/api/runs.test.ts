import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as Start from "@/app/api/workflows/[id]/runs/route";
import type * as List from "@/app/api/runs/route";
import type * as Item from "@/app/api/runs/[id]/route";
import type * as Events from "@/app/api/runs/[id]/events/route";
import type * as Output from "@/app/api/runs/[id]/outputs/[node]/[name]/route";
import type * as Upload from "@/app/api/assets/route";
import type { PrismaClient } from "@/app/_server/db";
import type { PrismaRunRecords } from "@/app/_server/runs/run-records";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { RecordingRunQueue } from "../helpers/recording-queue";
import {
  PNG_BASE64,
  routeContext,
  setupTestDatabase,
  streamingInit,
  streamOfBytes,
} from "./test-db";

/**
 * The runs API with accounts off (tests/api/runs-accounts.test.ts has the auth matrix): queueing
 * a run of a saved workflow, refusing bad requests with the field named and nothing queued,
 * reading, listing, cancelling, server-sent events and outputs. The queue is a recording one
 * (execution is workers/queue's, tested there); the "worker" here drives the Run row through
 * PrismaRunRecords, the same calls the executor makes.
 */
setupTestDatabase();

let start: typeof Start;
let list: typeof List;
let item: typeof Item;
let events: typeof Events;
let output: typeof Output;
let upload: typeof Upload;
let prisma: PrismaClient;
let records: PrismaRunRecords;

const queue = new RecordingRunQueue();

const PNG = new Uint8Array(Buffer.from(PNG_BASE64, "base64"));
const BASE = "http://localhost/api";
let workflowId: string;

function document(): WorkflowDocument {
  return {
    version: WORKFLOW_VERSION,
    name: "Runs",
    nodes: [
      { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      { id: "size", type: "resize", position: { x: 200, y: 0 }, params: { width: 64 } },
      { id: "out", type: "preview", position: { x: 400, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "person", sourceHandle: "image", target: "size", targetHandle: "image" },
      { id: "e2", source: "size", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
  } as WorkflowDocument;
}

beforeAll(async () => {
  start = await import("@/app/api/workflows/[id]/runs/route");
  list = await import("@/app/api/runs/route");
  item = await import("@/app/api/runs/[id]/route");
  events = await import("@/app/api/runs/[id]/events/route");
  output = await import("@/app/api/runs/[id]/outputs/[node]/[name]/route");
  upload = await import("@/app/api/assets/route");
  prisma = (await import("@/app/_server/db")).getPrisma();
  const { setRunQueueFactory } = await import("@/app/_server/runs/queue-provider");
  setRunQueueFactory(async () => queue);
  const { PrismaRunRecords } = await import("@/app/_server/runs/run-records");
  records = new PrismaRunRecords(prisma);
  const { createWorkflow } = await import("@/app/_server/workflows");
  workflowId = (
    await createWorkflow(prisma, { document: document() }, { userId: null, name: null })
  ).id;
});

beforeEach(() => queue.reset());

async function uploadPng(bytes = PNG): Promise<string> {
  const res = await upload.POST(
    new Request(`${BASE}/assets`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(bytes),
    }),
  );
  expect(res.status).toBeLessThan(300);
  return ((await res.json()) as { id: string }).id;
}

function postJson(body: unknown, id = workflowId): Promise<Response> {
  return start.POST(
    new Request(`${BASE}/workflows/${id}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    routeContext(id),
  );
}

function postForm(form: FormData, id = workflowId): Promise<Response> {
  return start.POST(
    new Request(`${BASE}/workflows/${id}/runs`, { method: "POST", body: form }),
    routeContext(id),
  );
}

async function getRun(id: string) {
  const res = await item.GET(new Request(`${BASE}/runs/${id}`), routeContext(id));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function counts() {
  return { runs: await prisma.run.count(), assets: await prisma.asset.count() };
}

/** A refused request: the status, the field it names, and nothing stored or queued. */
async function expectRefused(send: () => Promise<Response>, status: number, field: string) {
  const before = await counts();
  const res = await send();
  const body = (await res.json()) as { error: string; field?: string };
  expect(res.status, body.error).toBe(status);
  expect(body.field, body.error).toBe(field);
  expect(body.error.toLowerCase()).toContain(field.toLowerCase());
  expect(await counts()).toEqual(before);
  expect(queue.enqueued).toEqual([]);
  return body;
}

describe("POST /api/workflows/:id/runs", () => {
  it("queues a run with an uploaded image's id: 202, the row, the queue", async () => {
    const asset = await uploadPng();
    const res = await postJson({ inputs: { person: asset }, overrides: { size: { width: 128 } } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get("location")).toBe(`/api/runs/${id}`);
    expect(queue.enqueued).toEqual([id]);

    const spec = await records.load(id);
    expect(spec).toMatchObject({
      status: "queued",
      inputs: { person: `uploads/${asset}` },
      overrides: { size: { width: 128 } },
    });
    expect(spec?.document).toEqual(document());
    const run = await getRun(id);
    expect(run.body).toMatchObject({
      id,
      workflowId,
      workflowVersion: 1,
      status: "queued",
      position: 1,
      progress: 0,
      outputs: [],
      error: null,
    });
    expect(run.body.document).toEqual(document());
  });

  it("takes the image as a multipart upload in the same request", async () => {
    const bytes = new Uint8Array([...PNG, 42]);
    const form = new FormData();
    form.set("person", new Blob([bytes], { type: "image/png" }), "me.png");
    form.set("overrides", JSON.stringify({ size: { mode: "pad" } }));
    const res = await postForm(form);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const spec = await records.load(id);
    const key = spec?.inputs.person ?? "";
    const { getAssetStore } = await import("@/app/_server/runs/asset-store");
    expect((await getAssetStore().get(key))?.bytes).toEqual(bytes);
    expect(spec?.overrides).toEqual({ size: { mode: "pad" } });
  });

  it("refuses an unknown node id, naming the field", async () => {
    const asset = await uploadPng();
    await expectRefused(() => postJson({ inputs: { ghost: asset } }), 400, "inputs.ghost");
    await expectRefused(
      () => postJson({ overrides: { ghost: { width: 1 } } }),
      400,
      "overrides.ghost",
    );
    const form = new FormData();
    form.set("ghost", new Blob([PNG]), "x.png");
    await expectRefused(() => postForm(form), 400, "inputs.ghost");
  });

  it("refuses an input for a node that is not a Load Image, and a file that is not an image", async () => {
    const asset = await uploadPng();
    const body = await expectRefused(
      () => postJson({ inputs: { size: asset } }),
      400,
      "inputs.size",
    );
    expect(body.error).toMatch(/Resize, not a Load Image/);
    const form = new FormData();
    form.set("person", new Blob(["<svg xmlns='http://www.w3.org/2000/svg'/>"]), "x.svg");
    await expectRefused(() => postForm(form), 415, "inputs.person");
    await expectRefused(
      () => postJson({ inputs: { person: "f".repeat(64) } }),
      400,
      "inputs.person",
    );
  });

  it("refuses an override out of range or unknown, naming node and param", async () => {
    await expectRefused(
      () => postJson({ overrides: { size: { width: 100_000 } } }),
      400,
      "overrides.size.width",
    );
    await expectRefused(
      () => postJson({ overrides: { size: { width: "wide" } } }),
      400,
      "overrides.size.width",
    );
    await expectRefused(
      () => postJson({ overrides: { size: { sharpness: 2 } } }),
      400,
      "overrides.size.sharpness",
    );
  });

  it("refuses a 100 MB upload without reading it all, and a 26 MB file in a small form", async () => {
    await expectRefused(
      () =>
        start.POST(
          new Request(
            `${BASE}/workflows/${workflowId}/runs`,
            streamingInit(
              { method: "POST", headers: { "content-type": "multipart/form-data; boundary=x" } },
              streamOfBytes(100 * 1024 * 1024),
            ),
          ),
          routeContext(workflowId),
        ),
      413,
      "body",
    );
    const big = new Uint8Array(26 * 1024 * 1024);
    big.set(PNG);
    const form = new FormData();
    form.set("person", new Blob([big]), "big.png");
    await expectRefused(() => postForm(form), 413, "inputs.person");
  });

  it("refuses malformed multipart, unknown parts and bad JSON parts", async () => {
    await expectRefused(
      () =>
        start.POST(
          new Request(`${BASE}/workflows/${workflowId}/runs`, {
            method: "POST",
            headers: { "content-type": "multipart/form-data; boundary=abc" },
            body: '--abc\r\nContent-Disposition: form-data; name="person"\r\n\r\nno end',
          }),
          routeContext(workflowId),
        ),
      400,
      "body",
    );
    const unknown = new FormData();
    unknown.set("colour", "red");
    await expectRefused(() => postForm(unknown), 400, "colour");
    const badJson = new FormData();
    badJson.set("overrides", "{nope");
    await expectRefused(() => postForm(badJson), 400, "overrides");
    await expectRefused(() => postJson({ inputs: {}, extra: 1 }), 400, "extra");
    await expectRefused(
      () =>
        start.POST(
          new Request(`${BASE}/workflows/${workflowId}/runs`, {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: "run",
          }),
          routeContext(workflowId),
        ),
      415,
      "content-type",
    );
  });

  it("answers 404 for a workflow that does not exist", async () => {
    const res = await postJson({}, "no-such-workflow");
    expect(res.status).toBe(404);
    expect(queue.enqueued).toEqual([]);
  });

  it("refuses a saved image that is not on this server", async () => {
    const { saveWorkflow } = await import("@/app/_server/workflows");
    const { createWorkflow } = await import("@/app/_server/workflows");
    const doc = document();
    doc.nodes[0].params = { image: "e".repeat(64) };
    const wf = await createWorkflow(prisma, { document: doc }, { userId: null, name: null });
    await expectRefused(() => postJson({}, wf.id), 400, "inputs.person");
    // With its image uploaded it runs, and the run names the saved image.
    const asset = await uploadPng(new Uint8Array([...PNG, 5]));
    doc.nodes[0].params = { image: asset };
    await saveWorkflow(prisma, wf.id, { document: doc }, { userId: null, name: null });
    const res = await postJson({}, wf.id);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await records.load(id))?.inputs).toEqual({ person: `uploads/${asset}` });
  });
});

async function newRun(): Promise<string> {
  const res = await postJson({ inputs: { person: await uploadPng() } });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe("a run's life through the API", () => {
  it("lists runs newest first, by workflow, paged", async () => {
    const ids = [await newRun(), await newRun(), await newRun()];
    const res = await list.GET(new Request(`${BASE}/runs?workflow=${workflowId}&limit=2`));
    expect(res.status).toBe(200);
    const page = (await res.json()) as { runs: { id: string }[]; nextOffset: number | null };
    expect(page.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page.nextOffset).toBe(2);
    const next = (await (
      await list.GET(new Request(`${BASE}/runs?workflow=${workflowId}&limit=2&offset=2`))
    ).json()) as { runs: { id: string }[] };
    expect(next.runs[0].id).toBe(ids[0]);
    const other = (await (await list.GET(new Request(`${BASE}/runs?workflow=nope`))).json()) as {
      runs: unknown[];
    };
    expect(other.runs).toEqual([]);
    const bad = await list.GET(new Request(`${BASE}/runs?limit=1000`));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe("limit");
  });

  it("cancels a queued run at once, and leaves a finished one as it was", async () => {
    const id = await newRun();
    const res = await item.DELETE(
      new Request(`${BASE}/runs/${id}`, { method: "DELETE" }),
      routeContext(id),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: "cancelled", cancelRequested: true });
    expect(queue.cancelled).toEqual([id]);
    // A worker arriving later must not start it.
    expect(await records.markRunning(id, "late-worker")).toBe(false);

    const done = await newRun();
    expect(await records.markRunning(done, "w1")).toBe(true);
    await records.finish(done, { status: "done", outputs: [], timings: { totalMs: 5, nodes: {} } });
    const again = await item.DELETE(
      new Request(`${BASE}/runs/${done}`, { method: "DELETE" }),
      routeContext(done),
    );
    expect(await again.json()).toMatchObject({ status: "done", cancelRequested: false });
    const missing = await item.DELETE(
      new Request(`${BASE}/runs/nope`, { method: "DELETE" }),
      routeContext("nope"),
    );
    expect(missing.status).toBe(404);
  });

  it("flags a running run for the executor to stop", async () => {
    const id = await newRun();
    expect(await records.markRunning(id, "w1")).toBe(true);
    await item.DELETE(new Request(`${BASE}/runs/${id}`, { method: "DELETE" }), routeContext(id));
    expect(await records.cancelRequested(id)).toBe(true);
    expect((await getRun(id)).body.status).toBe("running");
    expect(queue.cancelled).toEqual([id]);
  });

  it("streams events from queued through progress to done, then ends", async () => {
    const id = await newRun();
    const abort = new AbortController();
    const res = await events.GET(
      new Request(`${BASE}/runs/${id}/events`, { signal: abort.signal }),
      routeContext(id),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: queued\ndata: \{"position":1\}/);

    // The worker's side, as the executor calls it.
    const { getAssetStore } = await import("@/app/_server/runs/asset-store");
    expect(await records.markRunning(id, "test-worker")).toBe(true);
    await records.progress(id, 0.5, {
      person: { status: "done" },
      size: { status: "running", progress: 0.5 },
    });
    await readUntil(/event: progress\ndata: \{"status":"running","progress":0.5/);
    const result = new Uint8Array([...PNG, 1]);
    await getAssetStore().put(`runs/${id}/out/image-0.png`, result, "image/png");
    await records.finish(id, {
      status: "done",
      outputs: [
        {
          nodeId: "out",
          name: "image-0.png",
          key: `runs/${id}/out/image-0.png`,
          contentType: "image/png",
          bytes: result.byteLength,
        },
      ],
      timings: { totalMs: 12, nodes: { out: 3 } },
    });
    await readUntil(/event: done\n/);
    // The stream ends by itself once the run is finished.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]) as {
      status: string;
      progress: number;
      worker: string;
      outputs: { url: string }[];
    };
    expect(done).toMatchObject({ status: "done", progress: 1, worker: "test-worker" });
    expect(done.outputs[0].url).toBe(`/api/runs/${id}/outputs/out/image-0.png`);

    const got = await output.GET(new Request(`${BASE}${done.outputs[0].url}`), {
      params: Promise.resolve({ id, node: "out", name: "image-0.png" }),
    });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(result);
    // Only recorded outputs: a key-shaped name the run did not record is not served.
    const other = await output.GET(new Request(`${BASE}/runs/${id}/outputs/out/x.png`), {
      params: Promise.resolve({ id, node: "out", name: "../../uploads/x" }),
    });
    expect(other.status).toBe(404);
  });

  it("stops polling when the client goes away", async () => {
    const id = await newRun();
    const abort = new AbortController();
    const res = await events.GET(
      new Request(`${BASE}/runs/${id}/events`, { signal: abort.signal }),
      routeContext(id),
    );
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    // The stream closes although the run is still queued.
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    expect((await getRun(id)).body.status).toBe("queued");
  });
});
