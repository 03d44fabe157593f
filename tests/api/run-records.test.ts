import { beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/app/_server/db";
import type { PrismaRunRecords } from "@/app/_server/runs/run-records";
import { setupTestDatabase, testDocument } from "./test-db";

/**
 * RunRecords and RunBacklog over Prisma (workers/queue/contract.ts), on SQLite and PostgreSQL:
 * the conditional updates that keep two workers from both starting a run, a finished run from
 * changing again, and a retried run from keeping its old progress.
 */
setupTestDatabase();

let prisma: PrismaClient;
let records: PrismaRunRecords;
let workflowId: string;

beforeAll(async () => {
  prisma = (await import("@/app/_server/db")).getPrisma();
  const { PrismaRunRecords } = await import("@/app/_server/runs/run-records");
  records = new PrismaRunRecords(prisma);
  const { createWorkflow } = await import("@/app/_server/workflows");
  workflowId = (
    await createWorkflow(prisma, { document: testDocument() }, { userId: null, name: null })
  ).id;
});

async function newRun(createdAt?: Date): Promise<string> {
  const { getWorkflow } = await import("@/app/_server/workflows");
  const wf = await getWorkflow(prisma, workflowId, { userId: null, name: null });
  const row = await prisma.run.create({
    data: {
      workflowId,
      workflowVersion: 1,
      document: JSON.stringify(wf!.document),
      inputs: JSON.stringify({ person: `uploads/${"a".repeat(64)}` }),
      overrides: JSON.stringify({ out: {} }),
      timeoutMs: 5000,
      ...(createdAt ? { createdAt } : {}),
    },
  });
  return row.id;
}

describe("PrismaRunRecords", () => {
  it("loads the spec as the executor needs it", async () => {
    const id = await newRun();
    expect(await records.load(id)).toMatchObject({
      id,
      status: "queued",
      inputs: { person: `uploads/${"a".repeat(64)}` },
      overrides: { out: {} },
      timeoutMs: 5000,
    });
    expect((await records.load(id))?.document.nodes.map((n) => n.id)).toEqual(["person", "out"]);
    expect(await records.load("no-such-run")).toBeNull();
  });

  it("lets exactly one of many racing workers start a run", async () => {
    for (let round = 0; round < 5; round++) {
      const id = await newRun();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => records.markRunning(id, `worker-${i}`)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const row = await prisma.run.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe("running");
      expect(row.attempts).toBe(1);
      expect(row.worker).toBe(`worker-${results.indexOf(true)}`);
      expect(row.startedAt).not.toBeNull();
    }
  });

  it("does not start a run whose cancel was asked for", async () => {
    const id = await newRun();
    await prisma.run.update({ where: { id }, data: { cancelRequested: true } });
    expect(await records.cancelRequested(id)).toBe(true);
    expect(await records.markRunning(id, "w")).toBe(false);
  });

  it("records progress while running, and a finish only once", async () => {
    const id = await newRun();
    await records.progress(id, 0.3, { person: { status: "done" } });
    // Not running yet: progress is not recorded.
    expect((await prisma.run.findUniqueOrThrow({ where: { id } })).progress).toBe(0);
    await records.markRunning(id, "w");
    await records.progress(id, 1.7, { person: { status: "done" }, out: { status: "running" } });
    const running = await prisma.run.findUniqueOrThrow({ where: { id } });
    expect(running.progress).toBe(1);
    expect(JSON.parse(running.nodeStates)).toEqual({
      person: { status: "done" },
      out: { status: "running" },
    });
    await records.finish(id, {
      status: "error",
      outputs: [],
      error: { message: "bad pixels", nodeId: "out" },
      timings: { totalMs: 7, nodes: { person: 2 } },
    });
    // A late second finish (a duplicate job) changes nothing.
    await records.finish(id, { status: "done", outputs: [], timings: { totalMs: 1, nodes: {} } });
    await records.requeue(id, "late");
    const row = await prisma.run.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({
      status: "error",
      errorMessage: "bad pixels",
      errorNodeId: "out",
      finishedAt: expect.any(Date),
    });
    expect(JSON.parse(row.timings!)).toEqual({ totalMs: 7, nodes: { person: 2 } });
  });

  it("requeues a running run for a retry, clean, and it can start again", async () => {
    const id = await newRun();
    await records.markRunning(id, "w1");
    await records.progress(id, 0.5, { person: { status: "done" } });
    await records.requeue(id, "worker lost");
    expect(await prisma.run.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "queued",
      worker: null,
      progress: 0,
      nodeStates: "{}",
      errorMessage: "retrying: worker lost",
    });
    expect(await records.markRunning(id, "w2")).toBe(true);
    expect((await prisma.run.findUniqueOrThrow({ where: { id } })).attempts).toBe(2);
  });

  it("lists the backlog oldest first", async () => {
    await prisma.run.deleteMany({});
    const t = Date.now();
    const late = await newRun(new Date(t + 2000));
    const early = await newRun(new Date(t));
    const running = await newRun(new Date(t + 1000));
    await records.markRunning(running, "w");
    expect(await records.queuedRunIds()).toEqual([early, late]);
    expect(await records.runningRunIds()).toEqual([running]);
  });
});
