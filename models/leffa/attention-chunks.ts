/**
 * How the converted Leffa graphs split self-attention queries into chunks (leffa.md §6.6): each
 * chunk's fp32 scores are [batch, heads, N / chunks, keys], so 1024×768 never materialises a
 * 12288 × 24576 score matrix. One module so the graph builders and the sampler's capability check
 * (which estimates the largest GPU buffer before loading) agree. No imports: the browser bundle
 * reads it too.
 */

/** UNet self-attention at resolution level `level` (0 = the full latent): 64 / 4^level chunks. */
export const unetQueryChunks = (level: number): number => Math.max(1, 64 >> (2 * level));

/** The VAE mid-block attention (it sees every latent pixel). */
export const VAE_QUERY_CHUNKS = 64;

/**
 * How a converted graph computes attention: "chunked" is the query-chunked MatMul/Softmax above
 * (standard opset-17 ops, runs on every backend); "fused" is one `com.microsoft`
 * MultiHeadAttention node per attention (far fewer nodes and dispatches, but a contrib op a
 * backend may lack). The builders record it in the model's metadata under this key, so a runtime
 * can tell which variant it loaded and fall back to the chunked one where the fused one fails.
 */
export type AttentionMode = "fused" | "chunked";
export const ATTENTION_MODES: readonly AttentionMode[] = ["fused", "chunked"];
export const ATTENTION_METADATA_KEY = "leffa.attention";
