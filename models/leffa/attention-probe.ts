import { GraphBuilder } from "../onnx/builder";

/**
 * A load-time check of a backend's com.microsoft MultiHeadAttention, before a fused Leffa graph is
 * trusted to it: onnxruntime-web 1.30's native WebGPU EP returns wrong numbers (errors of 2e-2 to
 * 2e-1, no error raised) once an attention has about 32 queries or more, measured on Chromium's
 * SwiftShader adapter, while its CPU/WASM kernels and the JSEP build are right. A wrong result
 * cannot be caught by a failure-based fallback, so the runtime runs this one-node graph (64
 * queries, 128 keys: the generative UNet's L = 2N, 2 heads) on the device first and compares it
 * with plain loops here.
 */
export const ATTENTION_PROBE = { queries: 64, keys: 128, heads: 2, headDim: 16 } as const;

const CHANNELS = ATTENTION_PROBE.heads * ATTENTION_PROBE.headDim;

/** The probe's worst absolute error allowed (its outputs are O(1); fp32 kernels agree to 1e-6). */
export const ATTENTION_PROBE_TOLERANCE = 1e-4;

export function attentionProbeModel(): Uint8Array {
  const g = new GraphBuilder("attention-probe");
  const { queries, keys, heads } = ATTENTION_PROBE;
  g.input("q", "float32", [1, queries, CHANNELS]);
  g.input("k", "float32", [1, keys, CHANNELS]);
  g.input("v", "float32", [1, keys, CHANNELS]);
  g.domainNode(
    { name: "com.microsoft", version: 1 },
    "MultiHeadAttention",
    ["q", "k", "v"],
    { num_heads: heads },
    ["out"],
  );
  g.output("out", "float32", [1, queries, CHANNELS]);
  return g.toBytes();
}

function wave(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed) * 1.5);
}

/** The probe's inputs, [1, T, C] row-major, deterministic and float32-exact. */
export function attentionProbeFeeds(): { q: Float32Array; k: Float32Array; v: Float32Array } {
  const { queries, keys } = ATTENTION_PROBE;
  return {
    q: wave(queries * CHANNELS, 1),
    k: wave(keys * CHANNELS, 2),
    v: wave(keys * CHANNELS, 3),
  };
}

/** softmax(q_h k_hᵀ / √d) v_h per head, in float64: [1, queries, C]. */
export function attentionProbeExpected(): Float64Array {
  const { queries, keys, heads, headDim } = ATTENTION_PROBE;
  const { q, k, v } = attentionProbeFeeds();
  const out = new Float64Array(queries * CHANNELS);
  const scores = new Float64Array(keys);
  for (let h = 0; h < heads; h++) {
    const o = h * headDim;
    for (let i = 0; i < queries; i++) {
      let max = -Infinity;
      for (let j = 0; j < keys; j++) {
        let dot = 0;
        for (let d = 0; d < headDim; d++) dot += q[i * CHANNELS + o + d] * k[j * CHANNELS + o + d];
        scores[j] = dot / Math.sqrt(headDim);
        max = Math.max(max, scores[j]);
      }
      let sum = 0;
      for (let j = 0; j < keys; j++) sum += scores[j] = Math.exp(scores[j] - max);
      for (let d = 0; d < headDim; d++) {
        let acc = 0;
        for (let j = 0; j < keys; j++) acc += scores[j] * v[j * CHANNELS + o + d];
        out[i * CHANNELS + o + d] = acc / sum;
      }
    }
  }
  return out;
}

/** The largest |got − expected| (Infinity for a wrong length or a non-finite value). */
export function attentionProbeError(got: ArrayLike<number>): number {
  const expected = attentionProbeExpected();
  if (got.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(got[i] - expected[i]);
    if (!(diff <= worst)) worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
  }
  return worst;
}
