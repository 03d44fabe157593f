import { describe, expect, it } from "vitest";
import { createNodeHost } from "../node-host";
import { EmbeddedRunQueue } from "./embedded-queue";
import { RunExecutor } from "./execute-run";
import { MemoryAssetStore } from "./testing/memory-assets";
import { MemoryRunRecords } from "./testing/memory-records";
import { lookupWithWait } from "./testing/wait-node";
import { waitWorkflow } from "./testing/workflows";

function setup(records = new MemoryRunRecords(), assets = new MemoryAssetStore()) {
  const host = { ...createNodeHost({ runtime: "native" }), lookup: lookupWithWait };
  const executor = new RunExecutor({ records, assets, host, worker: "studio", cancelPollMs: 10 });
  const start = (shutdownGraceMs = 30_000) =>
    EmbeddedRunQueue.start({
      records,
      backlog: records,
      executor,
      retry: { attempts: 3, backoffMs: 20 },
      shutdownGraceMs,
    });
  return { records, assets, start };
}

/** The order runs started in, and the most that ever ran at once. */
function watchStarts(records: MemoryRunRecords) {
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const markRunning = records.markRunning.bind(records);
  records.markRunning = async (id, worker) => {
    const ok = await markRunning(id, worker);
    if (ok) {
      order.push(id);
      most = Math.max(most, ++running);
    }
    return ok;
  };
  const finish = records.finish.bind(records);
  records.finish = async (id, result) => {
    if (records.row(id).status === "running") running--;
    return finish(id, result);
  };
  return { order, most: () => most };
}

describe("embedded run queue", () => {
  it("runs queued runs one at a time in the order they were queued", async () => {
    const { records, start } = setup();
    const watch = watchStarts(records);
    const queue = await start();
    const ids = Array.from({ length: 6 }, (_, i) =>
      records.create({ document: waitWorkflow(5, 1, `r${i}`) }),
    );
    for (const id of ids) await queue.enqueue(id);
    await queue.enqueue(ids[0]); // again: still once
    expect(await queue.position(ids[5])).toBe(5);
    await queue.idle();
    expect(watch.order).toEqual(ids);
    expect(watch.most()).toBe(1);
    expect(ids.map((id) => records.row(id).history)).toEqual(
      ids.map(() => ["running on studio", "finished done"]),
    );
    await queue.close();
  });

  it("after a restart, runs what was queued and what a crash left running, in creation order", async () => {
    const { records, start } = setup();
    const queued = [1, 2, 3].map(() => records.create({ document: waitWorkflow(5) }));
    const crashed = records.create({ document: waitWorkflow(5) });
    records.row(crashed).status = "running"; // the studio died while it ran
    const watch = watchStarts(records);
    const queue = await start();
    await queue.idle();
    expect(watch.order).toEqual([...queued, crashed].sort());
    expect(records.row(crashed).history).toEqual([
      "requeued: the studio stopped while it ran",
      "running on studio",
      "finished done",
    ]);
    expect([...queued, crashed].every((id) => records.row(id).status === "done")).toBe(true);
    await queue.close();
  });

  it("a shutdown hands back the run under way and keeps the queued ones for the next start", async () => {
    const { records, assets, start } = setup();
    const ids = [0, 1, 2].map(() => records.create({ document: waitWorkflow(2_000, 100) }));
    const first = await start(50);
    await new Promise((r) => setTimeout(r, 100));
    expect(records.row(ids[0]).status).toBe("running");
    await first.close();
    expect(ids.map((id) => records.row(id).status)).toEqual(["queued", "queued", "queued"]);
    for (const id of ids) records.row(id).overrides = { wait: { ms: 5 } };
    const second = await start();
    await second.idle();
    expect(ids.map((id) => records.row(id).status)).toEqual(["done", "done", "done"]);
    expect(assets.keys().length).toBe(3);
    await second.close();
  });

  it("cancel drops a queued run and stops the running one within a step", async () => {
    const { records, start } = setup();
    const queue = await start();
    const long = records.create({ document: waitWorkflow(5_000, 100) });
    const waiting = records.create({ document: waitWorkflow(5) });
    await queue.enqueue(long);
    await queue.enqueue(waiting);
    await new Promise((r) => setTimeout(r, 120));
    await queue.cancel(waiting);
    expect(records.row(waiting).status).toBe("cancelled");
    expect(await queue.position(waiting)).toBeNull();
    const cancelledAt = performance.now();
    await queue.cancel(long);
    await queue.idle();
    // Far sooner than the 4.9 s the run had left.
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(records.row(long).status).toBe("cancelled");
    expect(records.row(waiting).history).toEqual(["finished cancelled"]);
    await queue.close();
  });

  it("retries a failure of the machinery with backoff, and gives up after the last try", async () => {
    const { records, assets, start } = setup();
    const queue = await start();
    let failures = 1;
    const put = assets.put.bind(assets);
    assets.put = async (...args) => {
      if (failures-- > 0) throw new Error("bucket unreachable");
      return put(...args);
    };
    const id = records.create({ document: waitWorkflow(5) });
    await queue.enqueue(id);
    await queue.idle();
    expect(records.row(id).status).toBe("done");
    expect(records.row(id).history).toEqual([
      "running on studio",
      "requeued: could not write an output: bucket unreachable",
      "running on studio",
      "finished done",
    ]);
    failures = Infinity;
    const doomed = records.create({ document: waitWorkflow(5) });
    await queue.enqueue(doomed);
    await queue.idle();
    expect(records.row(doomed).result?.error?.message).toBe(
      "failed 3 times on the server's side (not the workflow's): could not write an output: bucket unreachable",
    );
    expect(records.row(doomed).history.filter((h) => h.startsWith("running"))).toHaveLength(3);
    await queue.close();
  });
});
