import { emptyWorkflow } from "../../nodes/core/document";
import type { RgbaImage } from "../../nodes/core/image";
import { defaultParams, type ParamSpecs, type ParamValues } from "../../nodes/core/params";
import {
  ModelUnavailableError,
  type NodeContext,
  type NodeDefinition,
  type NodeResult,
  type PortValue,
} from "../../nodes/core/types";
import { nodeCodec } from "../../workers/codec/node-codec";
import { CpuTensor } from "../../workers/models/cpu-tensor";

export interface ProgressCall {
  readonly value: number;
  readonly max: number;
  readonly message?: string;
}

export interface TestContext extends NodeContext {
  /** Every ctx.progress call, in order. */
  readonly progressCalls: ProgressCall[];
  /** Every live preview the node showed (ctx.preview), in order. */
  readonly previews: RgbaImage[];
  /** Aborts `signal`, as the Stop button does. */
  readonly abort: () => void;
}

/**
 * A NodeContext for running nodes under Node in tests: sharp codec, an in-memory asset map, no
 * models, and progress calls recorded for assertions. Any field can be overridden.
 */
export function makeTestContext(
  overrides: Partial<NodeContext> & { assets?: Record<string, Uint8Array> } = {},
): TestContext {
  const { assets = {}, ...rest } = overrides;
  const controller = new AbortController();
  const progressCalls: ProgressCall[] = [];
  const previews: RgbaImage[] = [];
  return {
    nodeId: "test-node",
    signal: controller.signal,
    backend: { name: "cpu", detail: "node" },
    codec: nodeCodec,
    workflow: emptyWorkflow(),
    async asset(id) {
      const bytes = assets[id];
      if (!bytes) throw new Error(`no uploaded image with id ${id.slice(0, 12)}…`);
      return bytes;
    },
    async requireModel(modelId) {
      throw new ModelUnavailableError(modelId, "no models in tests");
    },
    async loadModel(modelId) {
      throw new ModelUnavailableError(modelId, "no models in tests");
    },
    tensor: (type, data, dims) => new CpuTensor(type, data, dims),
    progress(value, max, message) {
      progressCalls.push({ value, max, message });
    },
    preview(image) {
      previews.push(image);
    },
    ...rest,
    progressCalls,
    previews,
    abort: () => controller.abort(),
  };
}

/**
 * Runs a node with its default params overridden by `params`, as the runtime would after
 * resolving them.
 */
export function runNode<P extends ParamSpecs>(
  def: NodeDefinition<P>,
  inputs: Record<string, PortValue | undefined> = {},
  params: Partial<ParamValues<P>> = {},
  ctx: NodeContext = makeTestContext(),
): Promise<NodeResult> {
  const values = { ...(defaultParams(def.params) as ParamValues<P>), ...params };
  return def.run(ctx, inputs, values);
}
