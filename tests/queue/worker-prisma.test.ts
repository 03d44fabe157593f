import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Start from "@/app/api/workflows/[id]/runs/route";
import type * as Item from "@/app/api/runs/[id]/route";
import type * as Upload from "@/app/api/assets/route";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { routeContext, setupTestDatabase } from "../api/test-db";
import {
  createLab,
  freshRedisDb,
  removeLab,
  startWorker,
  waitFor,
  type QueueLab,
  type WorkerProcess,
} from "./harness";

/**
 * The deployment path end to end: runs posted to the API with REDIS_URL set go to BullMQ, and two
 * `npm run worker` processes (tools/run-worker.ts, the Run table over Prisma, the ASSETS_DIR
 * store) execute them. Needs Redis and PostgreSQL: tests/run-all.sh runs it with TEST_REDIS_URL
 * and TEST_POSTGRES_URL.
 */
const REDIS = process.env.TEST_REDIS_URL;
// Several processes writing one SQLite file is not the many-machines deployment (and times out on
// a loaded machine): this runs on PostgreSQL, as docs/deploy.md sets it up.
const POSTGRES = process.env.TEST_POSTGRES_URL;
if (REDIS && !POSTGRES) {
  console.warn(
    "npm run worker test skipped: it needs TEST_POSTGRES_URL as well as TEST_REDIS_URL (tests/run-all.sh sets both)",
  );
}
const db = setupTestDatabase();

describe.skipIf(!REDIS || !POSTGRES)(
  "npm run worker on Redis and the Run table",
  { timeout: 120_000 },
  () => {
    let start: typeof Start;
    let item: typeof Item;
    let upload: typeof Upload;
    let workflowId: string;
    let redisUrl: string;
    const workers: WorkerProcess[] = [];
    let lab: QueueLab | undefined;

    beforeAll(async () => {
      redisUrl = await freshRedisDb(REDIS!, 7);
      process.env.REDIS_URL = redisUrl;
      start = await import("@/app/api/workflows/[id]/runs/route");
      item = await import("@/app/api/runs/[id]/route");
      upload = await import("@/app/api/assets/route");
      const prisma = (await import("@/app/_server/db")).getPrisma();
      const { createWorkflow } = await import("@/app/_server/workflows");
      const document: WorkflowDocument = {
        version: WORKFLOW_VERSION,
        name: "worker runs",
        meta: {},
        nodes: [
          { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
          {
            id: "size",
            type: "resize",
            position: { x: 0, y: 0 },
            params: { mode: "pad", width: 32, height: 24 },
          },
          { id: "out", type: "preview", position: { x: 0, y: 0 }, params: {} },
        ],
        edges: [
          {
            id: "e1",
            source: "person",
            sourceHandle: "image",
            target: "size",
            targetHandle: "image",
          },
          { id: "e2", source: "size", sourceHandle: "image", target: "out", targetHandle: "image" },
        ],
      };
      workflowId = (await createWorkflow(prisma, { document }, { userId: null, name: null })).id;
    }, 60_000);

    afterAll(async () => {
      for (const w of workers) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
      if (lab) removeLab(lab);
      const { closeRunQueue } = await import("@/workers/queue");
      await closeRunQueue();
      delete process.env.REDIS_URL;
    });

    it("runs posted to the API are executed once each by two worker processes", async () => {
      const here = createLab("leffa-worker-prisma-");
      lab = here;
      const env = {
        DATABASE_URL: db.url,
        ASSETS_DIR: process.env.ASSETS_DIR!,
        REDIS_URL: redisUrl,
      };
      workers.push(
        ...(await Promise.all([0, 1].map(() => startWorker(here, env, "tools/run-worker.ts")))),
      );
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const png = await sharp({
          create: {
            width: 10 + i,
            height: 10,
            channels: 3,
            background: { r: i * 20, g: 80, b: 40 },
          },
        })
          .png()
          .toBuffer();
        const up = await upload.POST(
          new Request("http://localhost/api/assets", {
            method: "POST",
            headers: { "content-type": "image/png" },
            body: new Uint8Array(png),
          }),
        );
        const asset = ((await up.json()) as { id: string }).id;
        const res = await start.POST(
          new Request(`http://localhost/api/workflows/${workflowId}/runs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ inputs: { person: asset } }),
          }),
          routeContext(workflowId),
        );
        expect(res.status).toBe(202);
        ids.push(((await res.json()) as { id: string }).id);
      }
      const view = async (id: string) =>
        (await (
          await item.GET(new Request(`http://localhost/api/runs/${id}`), routeContext(id))
        ).json()) as {
          status: string;
          worker: string;
          attempts: number;
          outputs: { key: string }[];
        };
      // One COUNT per poll: the workers, not the test, should have the CPU.
      const prisma = (await import("@/app/_server/db")).getPrisma();
      await waitFor(
        async () => (await prisma.run.count({ where: { id: { in: ids }, status: "done" } })) === 12,
        90_000,
        "every run done",
      );
      const views = await Promise.all(ids.map(view));
      expect(views.every((v) => v.attempts === 1)).toBe(true);
      expect(views.map((v) => v.outputs[0]?.key)).toEqual(
        ids.map((id) => `runs/${id}/out/image-0.png`),
      );
      // Each ran in one of the two worker processes, none in this (the web) process.
      const pids = workers.map((w) => String(w.pid));
      for (const v of views) expect(pids).toContain(v.worker.split(":")[1]);
    });
  },
);
