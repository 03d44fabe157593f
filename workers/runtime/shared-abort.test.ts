import { describe, expect, it } from "vitest";
import { createCancelFlag, raiseCancelFlag, withCancelFlag } from "./shared-abort";

describe("withCancelFlag", () => {
  it("reports aborted as soon as the shared flag is raised, without an event loop turn", () => {
    const flag = createCancelFlag()!;
    const controller = new AbortController();
    const signal = withCancelFlag(controller.signal, flag);
    expect(signal.aborted).toBe(false);
    raiseCancelFlag(flag);
    expect(signal.aborted).toBe(true);
    expect(() => signal.throwIfAborted()).toThrow(/cancelled/);
  });

  it("still follows the real controller and its listeners", () => {
    const controller = new AbortController();
    const signal = withCancelFlag(controller.signal, new Int32Array(new SharedArrayBuffer(4)));
    let heard = false;
    signal.addEventListener("abort", () => (heard = true));
    controller.abort();
    expect(signal.aborted).toBe(true);
    expect(heard).toBe(true);
  });

  it("is seen by another thread's synchronous loop", async () => {
    const { Worker } = await import("node:worker_threads");
    const flag = createCancelFlag()!;
    // The worker spins without ever yielding, checking only the flag, like a node's pixel loop.
    const worker = new Worker(
      `const { workerData, parentPort } = require("node:worker_threads");
       const flag = workerData; let spins = 0;
       parentPort.postMessage("spinning");
       while (Atomics.load(flag, 0) === 0) spins++;
       parentPort.postMessage(spins);`,
      { eval: true, workerData: flag },
    );
    const spins = await new Promise<number>((resolve) =>
      worker.on("message", (m: unknown) => {
        if (m === "spinning") setTimeout(() => raiseCancelFlag(flag), 20);
        else resolve(m as number);
      }),
    );
    expect(spins).toBeGreaterThan(0);
    await worker.terminate();
  });
});
