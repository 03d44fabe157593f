import * as ort from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import {
  ATTENTION_PROBE,
  ATTENTION_PROBE_TOLERANCE,
  attentionProbeError,
  attentionProbeExpected,
  attentionProbeFeeds,
  attentionProbeModel,
} from "./attention-probe";

ortWeb.env.wasm.numThreads = 1;

describe("the MultiHeadAttention probe", () => {
  const { queries, keys, heads, headDim } = ATTENTION_PROBE;
  const c = heads * headDim;

  it("passes on onnxruntime-node's CPU EP and onnxruntime-web's WASM", async () => {
    const { q, k, v } = attentionProbeFeeds();
    const dims = { q: [1, queries, c], k: [1, keys, c], v: [1, keys, c] };
    const node = await ort.InferenceSession.create(attentionProbeModel());
    const cpu = await node.run({
      q: new ort.Tensor("float32", q, dims.q),
      k: new ort.Tensor("float32", k, dims.k),
      v: new ort.Tensor("float32", v, dims.v),
    });
    const web = await ortWeb.InferenceSession.create(attentionProbeModel());
    const wasm = await web.run({
      q: new ortWeb.Tensor("float32", q, dims.q),
      k: new ortWeb.Tensor("float32", k, dims.k),
      v: new ortWeb.Tensor("float32", v, dims.v),
    });
    expect(attentionProbeError(cpu.out.data as Float32Array)).toBeLessThan(1e-6);
    expect(attentionProbeError(wasm.out.data as Float32Array)).toBeLessThan(1e-6);
    await node.release();
    await web.release();
  });

  it("catches a wrong, short or non-finite result", () => {
    const right = Float32Array.from(attentionProbeExpected());
    expect(attentionProbeError(right)).toBeLessThan(1e-6);
    const wrong = right.slice();
    wrong[100] += 10 * ATTENTION_PROBE_TOLERANCE;
    expect(attentionProbeError(wrong)).toBeGreaterThan(ATTENTION_PROBE_TOLERANCE);
    expect(attentionProbeError(right.subarray(1))).toBe(Infinity);
    const nan = right.slice();
    nan[5] = NaN;
    expect(attentionProbeError(nan)).toBe(Infinity);
  });
});
