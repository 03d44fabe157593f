// Diffusers-style configs (snake_case keys, as in each model's config.json) for the Leffa graphs.
// Shared contract with the float64 reference in ./reference: both sides read these shapes.

export interface UNetConfig {
  /** 4 for the reference UNet, 12 for the generative UNet (Leffa widens conv_in). */
  in_channels: number;
  out_channels: number;
  block_out_channels: number[];
  layers_per_block: number;
  /** "CrossAttnDownBlock2D" | "DownBlock2D" */
  down_block_types: string[];
  /** "UpBlock2D" | "CrossAttnUpBlock2D" */
  up_block_types: string[];
  /** Diffusers quirk: for SD1.5 (8) this is the NUMBER OF HEADS; head_dim = channels / heads. */
  attention_head_dim: number | number[];
  /** SDXL: [1, 2, 10]; default 1. */
  transformer_layers_per_block?: number | number[];
  norm_num_groups: number;
  norm_eps: number;
  /** Only shapes the dead attn2 weights (Leffa has no text conditioning). */
  cross_attention_dim: number;
  flip_sin_to_cos: boolean;
  freq_shift: number;
  /** SD1.5 false (proj_in/out are 1×1 convs), SDXL true (Linear). */
  use_linear_projection?: boolean;
  mid_block_type?: string;
  /**
   * SDXL: "text_time". Leffa disables it after construction, but the add_embedding weights it
   * created stay in the checkpoint (dead keys).
   */
  addition_embed_type?: string | null;
  /** Input width of add_embedding (SDXL: 2816). */
  projection_class_embeddings_input_dim?: number;
}

export interface VaeConfig {
  in_channels: number;
  out_channels: number;
  latent_channels: number;
  block_out_channels: number[];
  layers_per_block: number;
  norm_num_groups: number;
  /** 0.18215 for SD1.5. */
  scaling_factor: number;
}

export const SD15_UNET: UNetConfig = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [320, 640, 1280, 1280],
  layers_per_block: 2,
  down_block_types: [
    "CrossAttnDownBlock2D",
    "CrossAttnDownBlock2D",
    "CrossAttnDownBlock2D",
    "DownBlock2D",
  ],
  up_block_types: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
  attention_head_dim: 8,
  transformer_layers_per_block: 1,
  norm_num_groups: 32,
  norm_eps: 1e-5,
  cross_attention_dim: 768,
  flip_sin_to_cos: true,
  freq_shift: 0,
  use_linear_projection: false,
  mid_block_type: "UNetMidBlock2DCrossAttn",
};

export const SD15_VAE: VaeConfig = {
  in_channels: 3,
  out_channels: 3,
  latent_channels: 4,
  block_out_channels: [128, 256, 512, 512],
  layers_per_block: 2,
  norm_num_groups: 32,
  scaling_factor: 0.18215,
};

/** SDXL 1.0 inpainting: both UNets of Leffa's pose-transfer checkpoint (leffa-keys.md §4). */
export const SDXL_UNET: UNetConfig = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [320, 640, 1280],
  layers_per_block: 2,
  down_block_types: ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
  up_block_types: ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
  attention_head_dim: [5, 10, 20],
  transformer_layers_per_block: [1, 2, 10],
  norm_num_groups: 32,
  norm_eps: 1e-5,
  cross_attention_dim: 2048,
  flip_sin_to_cos: true,
  freq_shift: 0,
  use_linear_projection: true,
  mid_block_type: "UNetMidBlock2DCrossAttn",
  addition_embed_type: "text_time",
  projection_class_embeddings_input_dim: 2816,
};

/**
 * The SDXL VAE: SD1.5's architecture with another latent scale (0.13025). Converted in fp32: it
 * overflows in fp16 (its config sets force_upcast; leffa-keys.md §6.18).
 */
export const SDXL_VAE: VaeConfig = { ...SD15_VAE, scaling_factor: 0.13025 };

/**
 * A miniature SDXL-shaped UNet for fast tests: no attention at level 0, Linear proj_in/out,
 * several transformer blocks per attention, per-level head counts and the dead add_embedding —
 * 14 reference features at levels 1 and 2.
 */
export const TINY_SDXL_UNET: UNetConfig = {
  ...SDXL_UNET,
  block_out_channels: [16, 32, 32],
  layers_per_block: 1,
  attention_head_dim: [1, 2, 4],
  transformer_layers_per_block: [1, 2, 2],
  norm_num_groups: 8,
  cross_attention_dim: 24,
  projection_class_embeddings_input_dim: 40,
};

/** A miniature SD1.5-shaped UNet for fast tests. */
export const TINY_UNET: UNetConfig = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [32, 64],
  layers_per_block: 1,
  down_block_types: ["CrossAttnDownBlock2D", "DownBlock2D"],
  up_block_types: ["UpBlock2D", "CrossAttnUpBlock2D"],
  attention_head_dim: 2,
  transformer_layers_per_block: 1,
  norm_num_groups: 8,
  norm_eps: 1e-5,
  cross_attention_dim: 16,
  flip_sin_to_cos: true,
  freq_shift: 0,
  use_linear_projection: false,
  mid_block_type: "UNetMidBlock2DCrossAttn",
};

/** A miniature SD1.5-shaped VAE for fast tests. */
export const TINY_VAE: VaeConfig = {
  in_channels: 3,
  out_channels: 3,
  latent_channels: 4,
  block_out_channels: [16, 32],
  layers_per_block: 1,
  norm_num_groups: 8,
  scaling_factor: 0.18215,
};

/** TINY_VAE with the SDXL latent scale. */
export const TINY_SDXL_VAE: VaeConfig = { ...TINY_VAE, scaling_factor: 0.13025 };

/** Heads per transformer in down block `i` (diffusers passes attention_head_dim as the head count). */
export function headsAt(config: UNetConfig, blockIndex: number): number {
  const a = config.attention_head_dim;
  return Array.isArray(a) ? a[blockIndex] : a;
}

/** Transformer layers per Transformer2DModel in down block `i`. */
export function transformerLayersAt(config: UNetConfig, blockIndex: number): number {
  const t = config.transformer_layers_per_block ?? 1;
  return Array.isArray(t) ? t[blockIndex] : t;
}
