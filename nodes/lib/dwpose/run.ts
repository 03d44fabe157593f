import type { RgbaImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type Keypoints,
  type ModelSession,
  type ModelTensor,
  type NodeContext,
} from "../../core/types";
import { letterboxForDetector, type ChannelOrder } from "./letterbox";
import {
  selectPeople,
  toOpenPoseKeypoints,
  type DetectedPerson,
  type PeopleSelection,
} from "./openpose";
import { cropPersonForPose, wholeImageBox, type CornerBox } from "./pose-crop";
import { decodeSimcc, simccPointsToImage } from "./simcc";
import { decodeYoloxPersons } from "./yolox";

/**
 * DWPose end to end, as controlnet_aux `dwpose/wholebody.py` runs it: YOLOX person boxes on the
 * letterboxed photo, then the RTMPose whole-body model on each person's crop (one crop per call:
 * the published export has a static batch of 1), SimCC decoding back to photo pixels, and the
 * OpenPose-18 body points Leffa's mask rules read.
 */

/** The tensor names of the `dwpose-yolox-l` and `dwpose-dw-ll-ucoco-384` contracts. */
export const DETECTOR_INPUT = "images";
export const DETECTOR_OUTPUT = "output";
export const POSE_INPUT = "input";
export const POSE_OUTPUTS = ["simcc_x", "simcc_y"] as const;

export interface DwposeSessions {
  readonly detector: ModelSession;
  readonly pose: ModelSession;
}

export interface DwposeOptions {
  readonly people: PeopleSelection;
  readonly signal: AbortSignal;
  readonly tensor: NodeContext["tensor"];
  /** Steps done out of the total (1 detector run + 1 pose run per person), with a message. */
  readonly progress?: (done: number, total: number, message: string) => void;
  /** Default "rgb", controlnet_aux's behaviour (see ChannelOrder). */
  readonly channelOrder?: ChannelOrder;
  /**
   * When the detector finds nobody: false (default) returns nobody, as controlnet_aux's current
   * `Wholebody` does (no boxes, no pose run); true runs the pose model on the whole photo, as
   * DWPose's onnx-branch `preprocess` did with an empty box list.
   */
  readonly wholePhotoWhenNobody?: boolean;
}

/** A selected person: the detector box (photo pixels, unclipped) and score, and the 133 points. */
export interface DwposePerson extends DetectedPerson {
  readonly score: number;
}

export interface DwposeResult {
  /** The selected people, in the detector's order (best score first). */
  readonly people: readonly DwposePerson[];
  /** How many people the detector found before selection. */
  readonly detected: number;
  /**
   * True when the detector found nobody and, as asked (`wholePhotoWhenNobody`), the pose model
   * ran on the whole photo instead (the points still have to pass the 0.3 score threshold).
   * False with `detected` 0: nobody, and `people` is empty.
   */
  readonly wholeImage: boolean;
  /** OpenPose-18 body points of the selected people. */
  readonly keypoints: Keypoints;
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

/** The float32 data of a session output, after checking its shape. */
async function outputData(
  session: ModelSession,
  outputs: Record<string, ModelTensor>,
  name: string,
  expected: (dims: readonly number[]) => boolean,
  describe: string,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const tensor = outputs[name];
  if (!tensor) throw new NodeError(`${session.modelId} returned no "${name}" output`);
  const { dims } = tensor;
  const data = await tensor.getData();
  tensor.dispose();
  if (!(data instanceof Float32Array) || !expected(dims)) {
    throw new NodeError(
      `${session.modelId} returned "${name}" as ${tensor.type} [${dims.join(", ")}]; expected float32 ${describe}`,
    );
  }
  return { data, dims };
}

/** Person boxes in photo pixels, best first. */
export async function detectPeople(
  image: RgbaImage,
  detector: ModelSession,
  options: Pick<DwposeOptions, "tensor" | "channelOrder">,
): Promise<{ x1: number; y1: number; x2: number; y2: number; score: number }[]> {
  const letterbox = letterboxForDetector(image, { channelOrder: options.channelOrder });
  const { size } = letterbox;
  const feed = options.tensor("float32", letterbox.tensor, [1, 3, size, size]);
  const outputs = await detector.run({ [DETECTOR_INPUT]: feed });
  const { data } = await outputData(
    detector,
    outputs,
    DETECTOR_OUTPUT,
    (d) => d.length === 3 && d[0] === 1,
    "[1, anchors, 85]",
  );
  try {
    return decodeYoloxPersons(data, letterbox.ratio, { inputSize: size });
  } catch (err) {
    throw new NodeError(`${detector.modelId}: ${(err as Error).message}`);
  }
}

/** The 133 whole-body points of the person in `box`, in photo pixels. */
export async function estimateWholeBody(
  image: RgbaImage,
  box: CornerBox,
  pose: ModelSession,
  options: Pick<DwposeOptions, "tensor" | "channelOrder">,
): Promise<[number, number, number][]> {
  const crop = cropPersonForPose(image, box, { channelOrder: options.channelOrder });
  const { inputWidth, inputHeight } = crop.transform;
  const feed = options.tensor("float32", crop.tensor, [1, 3, inputHeight, inputWidth]);
  const outputs = await pose.run({ [POSE_INPUT]: feed });
  const oneCrop = (d: readonly number[]) => d.length === 3 && d[0] === 1;
  const x = await outputData(pose, outputs, POSE_OUTPUTS[0], oneCrop, "[1, keypoints, bins]");
  const y = await outputData(pose, outputs, POSE_OUTPUTS[1], oneCrop, "[1, keypoints, bins]");
  if (x.dims[1] !== y.dims[1]) {
    throw new NodeError(
      `${pose.modelId}: simcc_x has ${x.dims[1]} keypoints but simcc_y has ${y.dims[1]}`,
    );
  }
  const shape = { people: 1, keypoints: x.dims[1], binsX: x.dims[2], binsY: y.dims[2] };
  const [points] = decodeSimcc(x.data, y.data, shape);
  return simccPointsToImage(points, crop.transform);
}

/**
 * Detects people, selects them ("largest" runs the pose model once, on the largest box) and
 * estimates each one's pose; with nobody detected, nobody or the whole photo (see
 * `wholePhotoWhenNobody`). Checks the abort signal before every session run.
 */
export async function runDwpose(
  image: RgbaImage,
  sessions: DwposeSessions,
  options: DwposeOptions,
): Promise<DwposeResult> {
  const { signal } = options;
  const report = options.progress ?? (() => {});
  checkAborted(signal);
  report(0, 2, "detecting people");
  const boxes = await detectPeople(image, sessions.detector, options);
  checkAborted(signal);

  const wholeImage = boxes.length === 0 && options.wholePhotoWhenNobody === true;
  const candidates = wholeImage
    ? [{ box: wholeImageBox(image.width, image.height), score: 0 }]
    : boxes.map((b) => ({ box: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }, score: b.score }));
  const chosen = selectPeople(candidates, options.people);
  const total = 1 + chosen.length;

  const people: DwposePerson[] = [];
  for (const [i, person] of chosen.entries()) {
    checkAborted(signal);
    report(1 + i, total, `pose of person ${i + 1} of ${chosen.length}`);
    const wholeBody = await estimateWholeBody(image, person.box, sessions.pose, options);
    people.push({ ...person, wholeBody });
  }
  checkAborted(signal);
  report(total, total, "pose done");
  return {
    people,
    detected: boxes.length,
    wholeImage,
    keypoints: toOpenPoseKeypoints(people, image.width, image.height, "all"),
  };
}
