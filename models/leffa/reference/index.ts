// An independent float64 reference of Leffa's networks, written from the specification
// (leffa.md §1.2–1.3, leffa-keys.md §2–6, Leffa's vendored diffusion_model/*.py, diffusers 0.31)
// rather than from the ONNX graph builders, so that comparing the two means something.
// Plain loops, one module per building block:
//   tensor      F64Tensor, weights by key, concat / slice / token layout
//   conv, linear, norm, activation, attention, resample   the primitives
//   time-embedding, resnet, feed-forward, transformer      the diffusers / Leffa blocks
//   unet        reference UNet (norm1 capture) and generative UNet (reference attention)
//   vae         AutoencoderKL encode (posterior mean × scale) and decode (→ [0, 1])
//   keys, random-weights   key/shape enumeration and seeded test weights
export type { F64Tensor, Weights } from "./tensor";
export {
  referenceFeatureCount,
  referenceGenUNet,
  referenceGenUNetWithProjections,
  referenceRefUNet,
} from "./unet";
export type { GenUNetInputs, GenUNetWithProjections } from "./unet";
export type { Projections } from "./transformer";
export { referenceVaeDecode, referenceVaeEncode } from "./vae";
export { unetKeyShapes, vaeKeyShapes, type KeyShape } from "./keys";
export { randomUNetWeights, randomVaeWeights, randomWeights } from "./random-weights";
