// Multi-head scaled dot-product attention (torch's F.scaled_dot_product_attention with its
// default scale 1/√head_dim, no mask), on already projected q, k, v.
import { type F64Tensor, zeros } from "./tensor";

/**
 * q [B, Nq, C], k and v [B, Nk, C] → [B, Nq, C]. Heads are contiguous chunks of C / heads
 * channels, as diffusers' `head_to_batch_dim` splits them.
 */
export function multiHeadAttention(
  q: F64Tensor,
  k: F64Tensor,
  v: F64Tensor,
  heads: number,
): F64Tensor {
  const [batch, nq, channels] = q.shape;
  const nk = k.shape[1];
  if (channels % heads !== 0) throw new Error(`attention: ${channels} channels, ${heads} heads`);
  if (k.shape[2] !== channels || v.shape[2] !== channels || v.shape[1] !== nk) {
    throw new Error("attention: q, k and v do not agree in shape");
  }
  const dim = channels / heads;
  const scale = 1 / Math.sqrt(dim);
  const out = zeros([batch, nq, channels]);
  const scores = new Float64Array(nk);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < nq; i++) {
        const qi = (b * nq + i) * channels + h * dim;
        let max = -Infinity;
        for (let j = 0; j < nk; j++) {
          const kj = (b * nk + j) * channels + h * dim;
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += q.data[qi + d] * k.data[kj + d];
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        // Softmax over the keys, shifted by the max for range safety (exact in float64 anyway).
        let total = 0;
        for (let j = 0; j < nk; j++) {
          scores[j] = Math.exp(scores[j] - max);
          total += scores[j];
        }
        for (let j = 0; j < nk; j++) {
          const weight = scores[j] / total;
          const vj = (b * nk + j) * channels + h * dim;
          for (let d = 0; d < dim; d++) out.data[qi + d] += weight * v.data[vj + d];
        }
      }
    }
  }
  return out;
}
