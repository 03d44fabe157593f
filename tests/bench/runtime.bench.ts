/**
 * `npm run bench:runtime`: the runtime's own cost and the editor's drag frame rate.
 *  1. scheduling overhead per node on a 500-node graph of trivial nodes (target < 0.1 ms),
 *     measured against the same node functions called directly in the same run (the baseline);
 *  2. a fully cached rerun of that graph (target < 5 ms);
 *  3. a 6 × 6 parameter sweep over the last node of a 20-node graph: how many times the shared
 *     19 nodes run (must be once each) and the sweep's scheduling overhead per node per cell
 *     (target < 0.1 ms) against the same node functions called directly (tests/bench/sweep-bench.ts);
 *  4. frames per second while dragging a node in a 300-node graph, production build, Chromium
 *     (target ≥ 50 fps). Skipped with a reason when Chromium or the build is missing.
 */
import { existsSync } from "node:fs";
import type { WorkflowDocument } from "../../nodes/core/document";
import type { NodeContext, PortValue } from "../../nodes/core/types";
import { compileWorkflow } from "../../workers/runtime/compile";
import { executeWorkflow, type RuntimeHost } from "../../workers/runtime/execute";
import { ResultCache } from "../../workers/runtime/result-cache";
import { nodeCodec } from "../../workers/codec/node-codec";
import { addOneNode, benchLookup, trivialGraph } from "./trivial-graph";
import { measureDragFps } from "./drag-fps";
import { benchSweep } from "./sweep-bench";

const NODES = 500;
const ROUNDS = 30;

function host(): RuntimeHost {
  return {
    lookup: benchLookup,
    backend: { name: "cpu", detail: "bench" },
    codec: nodeCodec,
    cache: new ResultCache(1024 ** 3),
    asset: async () => {
      throw new Error("no assets in the bench");
    },
    models: {
      require: async () => {},
      load: async (id) => {
        throw new Error(`no model ${id} in the bench`);
      },
      recover: async () => false,
      loadGenerated: async (graph) => {
        throw new Error(`no graph ${graph.id} in the bench`);
      },
    },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Baseline: the same node functions in the same order with values passed by hand. */
async function direct(doc: WorkflowDocument): Promise<number> {
  const plan = compileWorkflow(doc, benchLookup);
  const values = new Map<string, PortValue>();
  const ctx = { signal: new AbortController().signal, progress() {} } as unknown as NodeContext;
  const start = performance.now();
  for (const node of plan.order) {
    const input = node.inputs[0] ? values.get(node.inputs[0].source) : undefined;
    const result = await addOneNode.run(ctx, { value: input }, node.params as never);
    values.set(node.id, result.outputs.value);
  }
  return performance.now() - start;
}

async function main(): Promise<void> {
  const doc = trivialGraph(NODES);
  const cold: number[] = [];
  const warm: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const h = host();
    let t = performance.now();
    await executeWorkflow(doc, h, { runId: `cold${r}` });
    cold.push(performance.now() - t);
    t = performance.now();
    const again = await executeWorkflow(doc, h, { runId: `warm${r}` });
    warm.push(performance.now() - t);
    if (again.stats.cached !== NODES)
      throw new Error(`expected ${NODES} cached, got ${again.stats.cached}`);
    base.push(await direct(doc));
  }
  const coldMs = median(cold);
  const baseMs = median(base);
  const perNode = (coldMs - baseMs) / NODES;
  console.log(`runtime bench (${NODES} trivial nodes, median of ${ROUNDS} runs)`);
  console.log(
    `  scheduling overhead per node: ${perNode.toFixed(4)} ms (target < 0.1) — full run ${coldMs.toFixed(2)} ms vs direct calls ${baseMs.toFixed(2)} ms = ${(coldMs / baseMs).toFixed(1)}×`,
  );
  console.log(`  fully cached rerun: ${median(warm).toFixed(2)} ms (target < 5)`);

  const sweep = await benchSweep();
  console.log(
    `  ${Math.sqrt(sweep.cells)}×${Math.sqrt(sweep.cells)} sweep over the last node of a ${sweep.nodes}-node graph: shared nodes ran ${sweep.sharedRuns.min === sweep.sharedRuns.max ? sweep.sharedRuns.max : `${sweep.sharedRuns.min}–${sweep.sharedRuns.max}`}× each (must be 1), the last node ${sweep.lastRuns}× (${sweep.cells} cells)`,
  );
  console.log(
    `  sweep scheduling overhead per node per cell: ${sweep.overheadPerNodePerCellMs.toFixed(4)} ms (target < 0.1) — sweep ${sweep.sweepMs.toFixed(2)} ms vs direct calls ${sweep.directMs.toFixed(2)} ms = ${(sweep.sweepMs / sweep.directMs).toFixed(1)}×`,
  );

  if (!existsSync(".next/BUILD_ID")) {
    console.log("  drag fps: skipped — no production build (run `npm run build` first)");
    return;
  }
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
  if (!existsSync(chromium)) {
    console.log(`  drag fps: skipped — Chromium not found at ${chromium}`);
    return;
  }
  const fps = await measureDragFps(300, chromium);
  const line = (label: string, f: { median: number; worst: number; frames: number }) =>
    console.log(
      `  drag fps, 300-node graph, ${label}: median ${f.median} fps, worst second ${f.worst} fps over ${f.frames} frames (target ≥ 50)`,
    );
  line("zoomed to fit all nodes (low detail)", fps.overview);
  line("at 100% zoom (full detail)", fps.working);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
