import { afterAll, describe, expect, it } from "vitest";
import { waitWorkflow } from "../../workers/queue/testing/workflows";
import { createLab, removeLab, startWorker, waitFor } from "./harness";

/**
 * The embedded queue across a real process restart: the studio killed (SIGKILL) with runs queued
 * and one running; started again, it runs them all, the interrupted one again from the start.
 */
describe("embedded queue: restart", () => {
  const lab = createLab("leffa-embedded-restart-");
  afterAll(() => removeLab(lab));

  it("runs after a restart what was queued when the studio died, each once", async () => {
    const ids = Array.from({ length: 8 }, (_, i) =>
      lab.records.create({ id: `queued-${i}`, document: waitWorkflow(400, 4, `r${i}`) }),
    );
    const script = "workers/queue/testing/embedded-main.ts";
    const first = await startWorker(lab, {}, script);
    await waitFor(
      () => (lab.records.statusCounts().done ?? 0) >= 2 && lab.records.statusCounts().running === 1,
      30_000,
      "two runs done and a third running",
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const before = lab.records.statusCounts();
    expect(before.running).toBe(1);
    expect(before.queued).toBeGreaterThan(0);
    const interrupted = ids.find((id) => lab.records.get(id)!.status === "running")!;

    const second = await startWorker(lab, {}, script);
    expect(await second.exited).toBe(0);
    expect(lab.records.statusCounts()).toEqual({ done: 8 });
    for (const id of ids) {
      const finished = lab.records.events(id).filter((e) => e.what.startsWith("finished"));
      expect(finished).toHaveLength(1);
    }
    expect(lab.records.events(interrupted).map((e) => e.what)).toEqual([
      "created",
      "running",
      "requeued: the studio stopped while it ran",
      "running",
      "finished done",
    ]);
    // The restarted queue took the rest up in the order they were queued.
    const starts = lab.records
      .events()
      .filter((e) => e.what === "running")
      .map((e) => e.run_id);
    expect(starts.slice(-before.queued! - 1)).toEqual([
      interrupted,
      ...ids.filter((id) => id > interrupted),
    ]);
  }, 90_000);
});
