import type { Lookup } from "../../nodes/core/connection";
import type { WorkflowDocument } from "../../nodes/core/document";
import { param } from "../../nodes/core/params";
import { defineNode, type NodeDefinition } from "../../nodes/core/types";

/** A node that does almost nothing, so a run of many measures the scheduler itself. */
export const addOneNode = defineNode({
  type: "bench-add-one",
  version: 1,
  title: "Add one",
  category: "Utility",
  description: "value + 1",
  inputs: { value: { type: "NUMBER", optional: true } },
  outputs: { value: { type: "NUMBER" } },
  params: { start: param.number({ min: 0, max: 1e9, default: 0 }) },
  async run(_ctx, inputs, params) {
    const base = typeof inputs.value === "number" ? inputs.value : params.start;
    return { outputs: { value: base + 1 } };
  },
}) as unknown as NodeDefinition;

export const benchLookup: Lookup = (type) => (type === addOneNode.type ? addOneNode : undefined);

/**
 * `count` nodes: a binary tree feeding forward (node i takes node ⌊(i−1)/2⌋), so the graph is
 * wide and deep like a real workflow, not a single chain.
 */
export function trivialGraph(count: number): WorkflowDocument {
  return {
    version: 2,
    name: `bench ${count}`,
    meta: {},
    nodes: Array.from({ length: count }, (_, i) => ({
      id: `n${i}`,
      type: addOneNode.type,
      position: { x: (i % 25) * 260, y: Math.floor(i / 25) * 180 },
      params: { start: i },
    })),
    edges: Array.from({ length: count - 1 }, (_, k) => {
      const i = k + 1;
      return {
        id: `e${i}`,
        source: `n${Math.floor((i - 1) / 2)}`,
        sourceHandle: "value",
        target: `n${i}`,
        targetHandle: "value",
      };
    }),
  };
}
