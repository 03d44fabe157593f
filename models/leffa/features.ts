import { headsAt, transformerLayersAt, type UNetConfig } from "./config";

/**
 * The reference features of a Leffa UNet config, in the order the reference UNet captures them
 * and the generative UNet consumes them (leffa-keys.md §5): one per transformer block, down
 * blocks → mid block → up blocks. SD1.5 has 16, SDXL (pose transfer) 70.
 */
export interface RefFeature {
  /** Position in the list: the k of `ref_k`. */
  readonly index: number;
  /** Resolution level: 0 = the full latent (h×w), 1 = h/2×w/2, … */
  readonly level: number;
  readonly channels: number;
  readonly heads: number;
  /** The token axis as the manifest writes it: "h*w", "h*w/4", "h*w/16", … */
  readonly tokens: string;
  /** The Transformer2DModel it belongs to: "up_blocks.1.attentions.2". */
  readonly attention: string;
  /** Its transformer block: "up_blocks.1.attentions.2.transformer_blocks.1". */
  readonly block: string;
}

const hasAttention = (type: string) => type.startsWith("CrossAttn");

/** The manifest's name for the token axis at a level. */
export function tokensAtLevel(level: number): string {
  return level === 0 ? "h*w" : `h*w/${4 ** level}`;
}

export function refFeatureLayout(config: UNetConfig): RefFeature[] {
  const out: RefFeature[] = [];
  const ch = config.block_out_channels;
  const levels = ch.length;
  const add = (attention: string, level: number) => {
    for (let t = 0; t < transformerLayersAt(config, level); t++) {
      out.push({
        index: out.length,
        level,
        channels: ch[level],
        heads: headsAt(config, level),
        tokens: tokensAtLevel(level),
        attention,
        block: `${attention}.transformer_blocks.${t}`,
      });
    }
  };
  for (let i = 0; i < levels; i++) {
    if (!hasAttention(config.down_block_types[i])) continue;
    for (let j = 0; j < config.layers_per_block; j++) add(`down_blocks.${i}.attentions.${j}`, i);
  }
  add("mid_block.attentions.0", levels - 1);
  for (let i = 0; i < levels; i++) {
    if (!hasAttention(config.up_block_types[i])) continue;
    const level = levels - 1 - i;
    for (let j = 0; j <= config.layers_per_block; j++) add(`up_blocks.${i}.attentions.${j}`, level);
  }
  return out;
}

/** Elements of all reference features of one batch element at an h×w latent. */
export function refFeatureElements(config: UNetConfig, h: number, w: number): number {
  return refFeatureLayout(config).reduce(
    (sum, f) => sum + ((h * w) / 4 ** f.level) * f.channels,
    0,
  );
}

/**
 * The flow layers the converter adds by default: the last transformer block of each attention in
 * the last up block that has attention — the finest-resolution layers the Leffa loss supervised
 * (leffa.md §3.2). SD1.5: up_blocks.3.attentions.{0,1,2} = 13, 14, 15 at 1/8 of the image; SDXL
 * (no attention at level 0): up_blocks.1.attentions.{0,1,2}.transformer_blocks.1 = 65, 67, 69 at
 * 1/16.
 */
export function defaultFlowLayers(config: UNetConfig): number[] {
  const layout = refFeatureLayout(config);
  const last = layout.at(-1);
  if (!last?.attention.startsWith("up_blocks.")) return [];
  const upBlock = last.attention.slice(0, last.attention.indexOf(".attentions."));
  return layout
    .filter(
      (f, i) => f.attention.startsWith(`${upBlock}.`) && layout[i + 1]?.attention !== f.attention,
    )
    .map((f) => f.index);
}
