import type { NodeResult } from "../../nodes/core/types";
import type { RunEvent } from "./events";
import { executeWorkflow, type RuntimeHost } from "./execute";
import type { SweepPlan } from "./sweep";

export interface SweepCellOutcome {
  readonly x: number;
  readonly y: number;
  readonly status: "done" | "error" | "cancelled";
  /** Wall time of the cell's run, cached nodes included. */
  readonly ms: number;
  /** The output node's result; absent when it did not finish. */
  readonly result?: NodeResult;
  /** Why the output node did not finish. */
  readonly message?: string;
}

export interface SweepOutcome {
  readonly cells: readonly SweepCellOutcome[];
  /** How many times each node ran (not served from the cache) over the whole sweep. */
  readonly runs: ReadonlyMap<string, number>;
}

/**
 * Runs a sweep's cells one after another through one host, so its result cache carries what
 * the cells share: a node whose params and inputs are the same in every cell runs in the first
 * and is a cache hit in the others. Each cell runs only what the output node needs. Stops at
 * the next cell once `signal` aborts; `onCell` reports each cell as it finishes.
 */
export async function runSweep(
  plan: SweepPlan,
  host: RuntimeHost,
  options: {
    readonly signal?: AbortSignal;
    readonly onCell?: (cell: SweepCellOutcome) => void;
    readonly onEvent?: (event: RunEvent) => void;
  } = {},
): Promise<SweepOutcome> {
  const runs = new Map<string, number>();
  const cells: SweepCellOutcome[] = [];
  for (const [index, cell] of plan.cells.entries()) {
    if (options.signal?.aborted) break;
    const started = performance.now();
    const outcome = await executeWorkflow(cell.doc, host, {
      runId: `sweep-${index}`,
      targets: [plan.output],
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent: (event) => {
        if (event.type === "node-status" && event.status === "done") {
          runs.set(event.nodeId, (runs.get(event.nodeId) ?? 0) + 1);
        }
        options.onEvent?.(event);
      },
    });
    const status = outcome.statuses.get(plan.output);
    const result = outcome.results.get(plan.output);
    const done: SweepCellOutcome = {
      x: cell.x,
      y: cell.y,
      status: outcome.status === "cancelled" ? "cancelled" : result ? "done" : "error",
      ms: performance.now() - started,
      ...(result ? { result } : {}),
      ...(!result && status?.message ? { message: status.message } : {}),
    };
    cells.push(done);
    options.onCell?.(done);
  }
  return { cells, runs };
}
