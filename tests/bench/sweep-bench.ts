import type { Lookup } from "../../nodes/core/connection";
import type { WorkflowDocument } from "../../nodes/core/document";
import { param } from "../../nodes/core/params";
import { defineNode, type NodeContext, type NodeDefinition } from "../../nodes/core/types";
import { nodeCodec } from "../../workers/codec/node-codec";
import type { RuntimeHost } from "../../workers/runtime/execute";
import { ResultCache } from "../../workers/runtime/result-cache";
import { runSweep } from "../../workers/runtime/run-sweep";
import { expandSweep } from "../../workers/runtime/sweep";
import { addOneNode } from "./trivial-graph";

/** The sweep's last node: value × a + b, so both its params are axes. */
const scaleNode = defineNode({
  type: "bench-scale",
  version: 1,
  title: "Scale",
  category: "Utility",
  description: "value × a + b",
  inputs: { value: { type: "NUMBER" } },
  outputs: { value: { type: "NUMBER" } },
  params: {
    a: param.number({ min: 0, max: 1e9, default: 1 }),
    b: param.number({ min: 0, max: 1e9, default: 0 }),
  },
  async run(_ctx, inputs, params) {
    return { outputs: { value: (inputs.value as number) * params.a + params.b } };
  },
}) as unknown as NodeDefinition;

/** Counts every call of each node type's run, whoever makes it. */
function counted(def: NodeDefinition, calls: Map<string, number>): NodeDefinition {
  return {
    ...def,
    run: (ctx, inputs, params) => {
      calls.set(ctx.nodeId, (calls.get(ctx.nodeId) ?? 0) + 1);
      return def.run(ctx, inputs, params);
    },
  };
}

/** A chain of `count - 1` Add-one nodes ending in one Scale node (`last`). */
function chain(count: number): WorkflowDocument {
  return {
    version: 2,
    name: `sweep bench ${count}`,
    meta: {},
    nodes: Array.from({ length: count }, (_, i) => ({
      id: i === count - 1 ? "last" : `n${i}`,
      type: i === count - 1 ? scaleNode.type : addOneNode.type,
      position: { x: i * 260, y: 0 },
      params: i === count - 1 ? { a: 1, b: 0 } : { start: i },
    })),
    edges: Array.from({ length: count - 1 }, (_, i) => ({
      id: `e${i}`,
      source: `n${i}`,
      sourceHandle: "value",
      target: i + 1 === count - 1 ? "last" : `n${i + 1}`,
      targetHandle: "value",
    })),
  };
}

function host(lookup: Lookup): RuntimeHost {
  return {
    lookup,
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

export interface SweepBench {
  readonly nodes: number;
  readonly cells: number;
  /** Runs of each shared node over the whole sweep: the most and the fewest (both 1 when right). */
  readonly sharedRuns: { readonly max: number; readonly min: number };
  readonly lastRuns: number;
  readonly sweepMs: number;
  readonly directMs: number;
  readonly overheadPerNodePerCellMs: number;
}

/**
 * A 6 × 6 sweep over the two params of the last node of a 20-node graph: the 19 nodes before it
 * are the same in every cell. Counts the runs of each node (the shared ones must run once) and
 * measures the sweep's scheduling overhead per node per cell against the same node functions
 * called directly (19 shared calls once, the last node once per cell), median of `rounds`.
 */
export async function benchSweep(nodes = 20, side = 6, rounds = 30): Promise<SweepBench> {
  const doc = chain(nodes);
  const values = { kind: "list" as const, values: Array.from({ length: side }, (_, i) => i + 1) };
  const spec = {
    axes: [
      { nodeId: "last", param: "a", values },
      { nodeId: "last", param: "b", values },
    ],
    output: "last",
  };
  const sweepTimes: number[] = [];
  const directTimes: number[] = [];
  let calls = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    calls = new Map();
    const add = counted(addOneNode, calls);
    const scale = counted(scaleNode, calls);
    const lookup: Lookup = (t) =>
      t === addOneNode.type ? add : t === scaleNode.type ? scale : undefined;
    const h = host(lookup);
    let t = performance.now();
    const plan = expandSweep(doc, spec, lookup);
    const outcome = await runSweep(plan, h);
    sweepTimes.push(performance.now() - t);
    if (outcome.cells.some((c) => c.status !== "done")) throw new Error("a sweep cell failed");

    // Baseline: the same work by hand — the chain once, then the last node per cell.
    const ctx = { signal: new AbortController().signal, progress() {} } as unknown as NodeContext;
    t = performance.now();
    let value: unknown = undefined;
    for (let i = 0; i < nodes - 1; i++) {
      value = (await addOneNode.run(ctx, { value: value as number }, { start: i } as never)).outputs
        .value;
    }
    for (const a of values.values)
      for (const b of values.values)
        await scaleNode.run(ctx, { value: value as number }, { a, b } as never);
    directTimes.push(performance.now() - t);
  }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
  const shared = [...calls].filter(([id]) => id !== "last").map(([, n]) => n);
  if (shared.length !== nodes - 1) throw new Error(`only ${shared.length} shared nodes ran`);
  const sweepMs = median(sweepTimes);
  const directMs = median(directTimes);
  const cells = side * side;
  return {
    nodes,
    cells,
    sharedRuns: { max: Math.max(...shared), min: Math.min(...shared) },
    lastRuns: calls.get("last") ?? 0,
    sweepMs,
    directMs,
    overheadPerNodePerCellMs: (sweepMs - directMs) / (nodes * cells),
  };
}
