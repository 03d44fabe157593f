import type { Lookup } from "../../../nodes/core/connection";
import { param } from "../../../nodes/core/params";
import { CancelledError, defineNode, type NodeDefinition } from "../../../nodes/core/types";
import { getNodeDefinition } from "../../../nodes";

/**
 * A node that stands for work done off the server's CPU (a GPU busy with a UNet): it waits in
 * `steps` equal slices, checking for cancel between them as a sampler does, and writes a small
 * file naming its run. Only the queue's tests and benchmark register it.
 */
export const waitNode = defineNode({
  type: "test-wait",
  version: 1,
  title: "Wait (tests)",
  category: "Utility",
  description: "Waits, in steps, as a GPU-bound node would; for the queue's tests and benchmark.",
  inputs: {},
  outputs: {},
  params: {
    ms: param.int({ label: "ms", min: 0, max: 600_000, default: 10 }),
    steps: param.int({ label: "steps", min: 1, max: 10_000, default: 1 }),
    tag: param.text({ label: "tag", default: "" }),
  },
  async run(ctx, _inputs, params) {
    for (let step = 0; step < params.steps; step++) {
      if (ctx.signal.aborted) throw new CancelledError();
      await new Promise((resolve) => setTimeout(resolve, params.ms / params.steps));
      ctx.progress(step + 1, params.steps, `step ${step + 1}/${params.steps}`);
    }
    const text = `${params.tag}\n`;
    return {
      outputs: {},
      ui: {
        files: [{ name: "wait.txt", mime: "text/plain", bytes: new TextEncoder().encode(text) }],
      },
    };
  },
}) as unknown as NodeDefinition;

/** The studio's nodes plus the test node. */
export const lookupWithWait: Lookup = (type) =>
  type === waitNode.type ? waitNode : getNodeDefinition(type);
