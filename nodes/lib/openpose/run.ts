import type { RgbaImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type Keypoints,
  type ModelSession,
  type ModelTensor,
} from "../../core/types";
import { resizeU8, type ImageU8 } from "../opencv/resize";
import { rgbOf } from "../opencv/rgba";
import { pilResampleU8 } from "../pil-resample";
import { AssemblyError } from "./assemble";
import { BODY_PARTS, estimateBody } from "./body";
import { firstPersonAsLeffa, LEFFA_HEIGHT, LEFFA_WIDTH, ReindexError } from "./reindex";
import { STRIDE, upsampleForBody, type NetworkMaps } from "./upsample";

/**
 * OpenPose body keypoints as Leffa's app gets them: the person resized to 384×512 (Pillow's
 * default bicubic, `src_image.resize((384, 512))`), `run_openpose.OpenPose` (HWC3, resize_image to
 * 384 — a no-op at 384×512), the annotator's detector (RGB → BGR) and body estimation at one scale
 * (0.5 × 368 / 512: cv2 INTER_CUBIC down, padded right and down to a multiple of 8 with 128, the
 * network, the maps back up), then run_openpose's re-indexing of the first person. The keypoints
 * are in the 384×512 frame Leffa's mask rules use.
 */

export const OPENPOSE_INPUT = "image";
export const OPENPOSE_OUTPUTS = { paf: "paf", heatmaps: "heatmaps" } as const;
export const BOX_SIZE = 368;
export const SCALE_SEARCH = 0.5;
export const PAD_VALUE = 128;

export interface OpenPoseOptions {
  readonly signal?: AbortSignal;
  tensor(type: "float32", data: Float32Array, dims: readonly number[]): ModelTensor;
  readonly progress?: (done: number, total: number, message: string) => void;
}

export interface OpenPoseResult {
  /** The first person's 18 points in 384×512 pixels; no person when nobody was assembled. */
  readonly keypoints: Keypoints;
  /** How many people the annotator assembled (Leffa keeps the first). */
  readonly people: number;
  /** How many parts of the kept person are present. */
  readonly parts: number;
}

/** The annotator's network input: BGR, scaled, padded; NCHW float32 0..255. */
export function networkInput(person: ImageU8): {
  data: Float32Array;
  width: number;
  height: number;
  scaledWidth: number;
  scaledHeight: number;
} {
  const scale = (SCALE_SEARCH * BOX_SIZE) / person.height;
  // cv2.resize(fx=scale) sizes the output as round(size · scale).
  const scaledWidth = Math.round(person.width * scale);
  const scaledHeight = Math.round(person.height * scale);
  const bgr = new Uint8Array(person.data.length);
  for (let i = 0; i < bgr.length; i += 3) {
    bgr[i] = person.data[i + 2];
    bgr[i + 1] = person.data[i + 1];
    bgr[i + 2] = person.data[i];
  }
  const scaled = resizeU8({ ...person, data: bgr }, scaledWidth, scaledHeight, "cubic");
  const width = Math.ceil(scaledWidth / STRIDE) * STRIDE;
  const height = Math.ceil(scaledHeight / STRIDE) * STRIDE;
  const data = new Float32Array(3 * width * height).fill(PAD_VALUE);
  for (let y = 0; y < scaledHeight; y++) {
    for (let x = 0; x < scaledWidth; x++) {
      for (let c = 0; c < 3; c++) {
        data[(c * height + y) * width + x] = scaled.data[(y * scaledWidth + x) * 3 + c];
      }
    }
  }
  return { data, width, height, scaledWidth, scaledHeight };
}

async function mapsOf(
  session: ModelSession,
  outputs: Record<string, ModelTensor>,
  name: string,
  channels: number,
  width: number,
  height: number,
): Promise<NetworkMaps> {
  const tensor = outputs[name];
  if (!tensor) throw new NodeError(`${session.modelId} returned no "${name}" output`);
  const dims = tensor.dims;
  const data = await tensor.getData();
  tensor.dispose();
  const expected = [1, channels, height / STRIDE, width / STRIDE];
  if (!(data instanceof Float32Array) || dims.join() !== expected.join()) {
    throw new NodeError(
      `${session.modelId} returned "${name}" as ${tensor.type} [${dims.join(", ")}]; expected float32 [${expected.join(", ")}]`,
    );
  }
  return { data, channels, width: width / STRIDE, height: height / STRIDE };
}

/** The person at Leffa's 384×512 as `src_image.resize((384, 512))` makes it (RGB). */
export function leffaPerson(image: RgbaImage): ImageU8 {
  const rgb = rgbOf(image);
  const data = pilResampleU8(
    rgb.data,
    rgb.width,
    rgb.height,
    3,
    LEFFA_WIDTH,
    LEFFA_HEIGHT,
    "bicubic",
  );
  return { data, width: LEFFA_WIDTH, height: LEFFA_HEIGHT, channels: 3 };
}

export async function runOpenPoseBody(
  image: RgbaImage,
  session: ModelSession,
  options: OpenPoseOptions,
): Promise<OpenPoseResult> {
  const check = () => {
    if (options.signal?.aborted) throw new CancelledError();
  };
  const person = leffaPerson(image);
  const input = networkInput(person);
  check();
  options.progress?.(0, 2, "OpenPose body network");
  const feed = options.tensor("float32", input.data, [1, 3, input.height, input.width]);
  const outputs = await session.run({ [OPENPOSE_INPUT]: feed });
  check();
  const heatmaps = await mapsOf(
    session,
    outputs,
    OPENPOSE_OUTPUTS.heatmaps,
    19,
    input.width,
    input.height,
  );
  const pafs = await mapsOf(session, outputs, OPENPOSE_OUTPUTS.paf, 38, input.width, input.height);
  options.progress?.(1, 2, "OpenPose peaks and people");
  const geometry = {
    scaledWidth: input.scaledWidth,
    scaledHeight: input.scaledHeight,
    width: person.width,
    height: person.height,
  };
  try {
    const maps = upsampleForBody(heatmaps, pafs, geometry, BODY_PARTS, options.signal);
    const body = estimateBody(maps, options.signal);
    const points = firstPersonAsLeffa(body.candidates, body.people, person.width, person.height);
    options.progress?.(2, 2, "OpenPose done");
    return {
      keypoints: {
        kind: "keypoints",
        width: LEFFA_WIDTH,
        height: LEFFA_HEIGHT,
        people: points ? [points] : [],
      },
      people: body.people.length,
      parts: points ? points.filter((p) => p[2] > 0).length : 0,
    };
  } catch (err) {
    if (options.signal?.aborted) throw new CancelledError();
    if (err instanceof AssemblyError || err instanceof ReindexError) {
      throw new NodeError(`OpenPose: ${err.message}`);
    }
    throw err;
  }
}
