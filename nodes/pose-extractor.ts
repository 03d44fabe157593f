import { param } from "./core/params";
import {
  defineNode,
  ModelUnavailableError,
  NodeError,
  type ModelSession,
  type NodeContext,
  type Keypoints,
  type NodeResult,
  type PortValue,
} from "./core/types";
import type { DensePoseEncoding } from "./lib/densepose/encodings";
import { keptBox, keptInstanceRule, renderDensePose, runDensePose } from "./lib/densepose/run";
import { selectPeople, type PeopleSelection } from "./lib/dwpose/openpose";
import { wholeImageBox, type CornerBox } from "./lib/dwpose/pose-crop";
import { detectPeople, runDwpose, type DwposeResult } from "./lib/dwpose/run";
import { renderBodySkeleton } from "./lib/dwpose/skeleton";
import { runOpenPoseBody } from "./lib/openpose/run";
import { requireImage } from "./lib/port-values";
import type { RgbaImage } from "./core/image";

const DETECTOR = "dwpose-yolox-l";
const POSE = "dwpose-dw-ll-ucoco-384";
const DENSEPOSE = "densepose-r50-fpn";
const OPENPOSE = "openpose-body";

type KeypointSource = "dwpose" | "openpose";

/**
 * A missing DensePose model fails the node with the model's own message, plus how to do without
 * it. The runtime takes a node's outputs all at once and caches them by params and inputs, so a
 * result without its DENSEPOSE output would stay cached after the model is installed; turning
 * DensePose off is a param, hence part of the cache key, and says plainly that it is not wanted.
 */
async function requireDensePose(ctx: NodeContext): Promise<void> {
  try {
    await ctx.requireModel(DENSEPOSE);
  } catch (err) {
    if (!(err instanceof ModelUnavailableError)) throw err;
    const detail = err.message.replace(`needs model ${DENSEPOSE}: `, "");
    throw new ModelUnavailableError(
      DENSEPOSE,
      `${detail} (to get the keypoints and skeleton without it, turn "DensePose" off)`,
    );
  }
}

/**
 * The DensePose session. A conversion made before the graph took the person's box (the crop-only
 * export) fails its contract for the missing `box` input; the message then says how to replace it.
 */
async function loadDensePose(ctx: NodeContext): Promise<ModelSession> {
  try {
    return await ctx.loadModel(DENSEPOSE);
  } catch (err) {
    if (err instanceof Error && /input "box": [^;]*no such input/.test(err.message)) {
      throw new NodeError(
        `${err.message} (this DensePose was converted before it pooled the person's box from the whole photo: convert it again with npm run models -- convert densepose --from model_final_162be9.pkl)`,
      );
    }
    throw err;
  }
}

/** "name on backend", with the reason when a session left WebGPU for WASM. */
function describeBackend(label: string, session: ModelSession, ctx: NodeContext): string {
  const { backend } = session;
  const fellBack = ctx.backend.name === "webgpu" && backend.name !== "webgpu";
  return fellBack
    ? `${label} on ${backend.name} (${backend.detail})`
    : `${label} on ${backend.name}`;
}

/**
 * What the detector found, for the node's text: the count kept, or with nobody detected which
 * way the node went, with a warning either way (an empty pose, or one from the whole photo that
 * may not be a person at all).
 */
function peopleFound(
  pose2d: DwposeResult,
  withDensePose: boolean,
): { summary: string; warning?: string } {
  if (pose2d.wholeImage) {
    return {
      summary: "nobody detected: whole photo used",
      warning:
        "the detector found nobody, so the pose model ran on the whole photo (the option is on); check the keypoints",
    };
  }
  if (pose2d.detected === 0) {
    const empty = withDensePose
      ? "the keypoints hold no person and the DensePose is empty"
      : "the keypoints hold no person";
    return {
      summary: "nobody detected: no keypoints",
      warning: `the detector found nobody: ${empty} (turn on "whole photo when nobody is found" to run the pose model on the whole photo)`,
    };
  }
  const people = pose2d.detected === 1 ? "person" : "people";
  return { summary: `${pose2d.detected} ${people} detected, ${pose2d.people.length} kept` };
}

/** A missing OpenPose model: its own message (how to convert it) plus the alternative. */
async function requireOpenPose(ctx: NodeContext): Promise<void> {
  try {
    await ctx.requireModel(OPENPOSE);
  } catch (err) {
    if (!(err instanceof ModelUnavailableError)) throw err;
    const detail = err.message.replace(`needs model ${OPENPOSE}: `, "");
    throw new ModelUnavailableError(
      OPENPOSE,
      `${detail} (or pick "DWPose" as the keypoint source)`,
    );
  }
}

/** The models a node with these params runs (the editor's list). */
function modelsFor(params: Readonly<Record<string, unknown>>): string[] {
  const withDensePose = params.densepose !== false;
  if (params.keypoints === "openpose") {
    return withDensePose ? [OPENPOSE, DETECTOR, DENSEPOSE] : [OPENPOSE];
  }
  return withDensePose ? [DETECTOR, POSE, DENSEPOSE] : [DETECTOR, POSE];
}

/** Keypoints found on Leffa's 384×512 frame, drawn at the photo's size for the skeleton image. */
function skeletonAtPhotoSize(keypoints: Keypoints, image: RgbaImage): RgbaImage {
  const sx = image.width / keypoints.width;
  const sy = image.height / keypoints.height;
  return renderBodySkeleton({
    ...keypoints,
    width: image.width,
    height: image.height,
    people: keypoints.people.map((person) =>
      person.map(([x, y, c]) => [x * sx, y * sy, c] as const),
    ),
  });
}

/** DensePose's person boxes when the keypoints come from OpenPose: the DWPose detector's. */
async function detectorBoxes(
  image: RgbaImage,
  detector: ModelSession,
  ctx: NodeContext,
  people: PeopleSelection,
  wholePhoto: boolean,
): Promise<{ boxes: CornerBox[]; detected: number; wholeImage: boolean }> {
  const found = await detectPeople(image, detector, { tensor: ctx.tensor });
  const wholeImage = found.length === 0 && wholePhoto;
  const candidates = wholeImage
    ? [{ box: wholeImageBox(image.width, image.height) }]
    : found.map((b) => ({ box: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 } }));
  return {
    boxes: selectPeople(candidates, people).map((c) => c.box),
    detected: found.length,
    wholeImage,
  };
}

/** The params the DensePose step reads. */
interface DensePoseParams {
  readonly encoding: string;
  readonly channels: string;
}

/**
 * DensePose for the person Leffa's image keeps among `boxes`: sets the densepose output, adds the
 * backend and any warning, and returns the node text's DensePose part.
 */
async function addDensePose(
  ctx: NodeContext,
  image: RgbaImage,
  densepose: ModelSession,
  boxes: readonly CornerBox[],
  params: DensePoseParams,
  steps: number,
  outputs: Record<string, PortValue>,
  backends: string[],
  warnings: string[],
): Promise<string> {
  const chosen = params.encoding as DensePoseEncoding;
  const kept = keptBox([...boxes], image.width, image.height, chosen);
  const run = await runDensePose(image, kept ? [kept.box] : [], densepose, {
    signal: ctx.signal,
    tensor: ctx.tensor,
    channelOrder: params.channels === "rgb" ? "rgb" : "bgr",
    onPerson: () => ctx.progress(steps - 1, steps, `DensePose of person ${(kept?.index ?? 0) + 1}`),
  });
  ctx.progress(steps, steps);
  outputs.densepose = renderDensePose(run.instances, image.width, image.height, chosen);
  backends.push(describeBackend("DensePose", densepose, ctx));
  let encoding = `DensePose ${chosen}`;
  if (run.path) encoding += ` on the ${run.path === "crop" ? "person's crop" : "whole photo"}`;
  if (params.channels === "rgb") encoding += " (RGB input, as Leffa's app)";
  if (kept && boxes.length > 1) {
    encoding += `, person ${kept.index + 1} of ${boxes.length}: ${keptInstanceRule(chosen)}`;
  }
  if (run.fallback !== undefined) {
    warnings.push(
      `DensePose ran on the person's crop, not on the whole photo as detectron2 does, because the whole photo failed on this device (${run.fallback}); labels near the box's edges can differ`,
    );
  }
  return encoding;
}

interface OpenPoseParams extends DensePoseParams {
  readonly people: string;
  readonly densepose: boolean;
  readonly wholePhoto: boolean;
}

/**
 * The keypoints and skeleton from the OpenPose body model as Leffa's app runs it; DensePose (when
 * on) still needs a person box, which the DWPose detector gives.
 */
async function runWithOpenPose(
  ctx: NodeContext,
  image: RgbaImage,
  params: OpenPoseParams,
): Promise<NodeResult> {
  await requireOpenPose(ctx);
  if (params.densepose) {
    await ctx.requireModel(DETECTOR);
    await requireDensePose(ctx);
  }
  const openpose = await ctx.loadModel(OPENPOSE);
  const detector = params.densepose ? await ctx.loadModel(DETECTOR) : undefined;
  const densepose = params.densepose ? await loadDensePose(ctx) : undefined;
  const steps = densepose ? 4 : 2;
  const result = await runOpenPoseBody(image, openpose, {
    signal: ctx.signal,
    tensor: ctx.tensor,
    progress: (done, _total, message) => ctx.progress(done, steps, message),
  });
  const outputs: Record<string, PortValue> = {
    keypoints: result.keypoints,
    skeleton: skeletonAtPhotoSize(result.keypoints, image),
  };
  const backends = [describeBackend("OpenPose", openpose, ctx)];
  const warnings: string[] = [];
  let summary: string;
  if (result.keypoints.people.length === 0) {
    summary = "OpenPose found nobody: no keypoints";
    warnings.push(
      "OpenPose assembled nobody (Leffa's app stops with an error here): the keypoints hold no person",
    );
  } else {
    const others = result.people - 1;
    summary =
      `OpenPose (as Leffa's app): ${result.parts} of 18 points` +
      (others > 0 ? `, the first of ${result.people} people (Leffa keeps the first)` : "");
  }
  let encoding = "DensePose off";
  if (densepose && detector) {
    ctx.progress(2, steps, "detecting people for DensePose");
    const found = await detectorBoxes(
      image,
      detector,
      ctx,
      params.people as PeopleSelection,
      params.wholePhoto,
    );
    backends.push(describeBackend("YOLOX", detector, ctx));
    if (found.wholeImage) {
      warnings.push(
        "the detector found nobody, so DensePose ran on the whole photo (the option is on)",
      );
    } else if (found.detected === 0) {
      warnings.push(
        'the detector found nobody: the DensePose is empty (turn on "whole photo when nobody is found" to run it on the whole photo)',
      );
    }
    encoding = await addDensePose(
      ctx,
      image,
      densepose,
      found.boxes,
      params,
      steps,
      outputs,
      backends,
      warnings,
    );
  }
  const text = [`${summary} · ${encoding} · ${backends.join(" · ")}`];
  for (const warning of warnings) text.push(`⚠ ${warning}`);
  return { outputs, ui: { text: text.join("\n") } };
}

/** DWPose keypoints + DensePose for a person photo. */
export const poseExtractorNode = defineNode({
  type: "pose-extractor",
  // 3: nobody detected gives nobody unless "whole photo when nobody is found" is on.
  // 4: with several people the DensePose image holds the one Leffa's code keeps.
  // 5: DensePose runs on the whole photo at detectron2's test scale, the box pooled from it.
  version: 5,
  title: "Pose Extractor",
  category: "Pose",
  description:
    "Finds people with DWPose, or with the OpenPose body model as Leffa's app does (OpenPose-18 body keypoints and their skeleton), and renders DensePose in the encoding Leffa expects, as detectron2 runs it (the whole photo at its test scale, the person's box pooled from it; the person's crop where the device cannot hold the whole photo, which the node's text names). With nobody detected it gives nobody, as controlnet_aux does, unless the whole-photo option is on.",
  inputs: { image: { type: "IMAGE", label: "person" } },
  outputs: {
    keypoints: { type: "KEYPOINTS" },
    skeleton: { type: "IMAGE", label: "skeleton" },
    densepose: { type: "DENSEPOSE", label: "densepose" },
  },
  params: {
    keypoints: param.select({
      label: "keypoints",
      options: [
        { value: "dwpose", label: "DWPose" },
        { value: "openpose", label: "OpenPose body (as Leffa's app)" },
      ],
      description:
        "Where the keypoints come from. OpenPose body reproduces Leffa's app, whose masks were made with it: the person resized to 384×512, CMU's OpenPose body model and the annotator's peak and limb rules, then the first person's 18 points re-indexed as Leffa's run_openpose.py does (missing points [0, 0]; keypoints in the 384×512 frame). Its model is non-commercial (CMU's licence). DWPose finds every person (the people option) and is the model for the skeleton, whole-body and pose transfer.",
      default: "dwpose",
    }),
    people: param.select({
      label: "people",
      options: [
        { value: "largest", label: "largest person" },
        { value: "all", label: "everyone (DensePose: the one Leffa keeps)" },
      ],
      description:
        "Everyone gives keypoints and a skeleton for each person. The DensePose image holds one person, as Leffa's code makes it: VITON-HD the last detected (lowest score; Leffa's visualiser clears the canvas before each person), DressCode and pose transfer the first (best score). The node's text names the person kept.",
      default: "largest",
    }),
    encoding: param.select({
      label: "DensePose encoding",
      options: [
        { value: "viton_hd", label: "VITON-HD (parula)" },
        { value: "dress_code", label: "DressCode (part index)" },
        { value: "pose_transfer", label: "pose transfer (IUV)" },
      ],
      default: "viton_hd",
    }),
    channels: param.select({
      label: "DensePose channel order",
      options: [
        { value: "bgr", label: "BGR (detectron2's contract)" },
        { value: "rgb", label: "RGB, as Leffa's app" },
      ],
      description:
        "The DensePose network was trained on BGR photos, as detectron2's predictor expects them; Leffa's datasets were made that way. Leffa's app hands it the RGB array instead: pick that to reproduce the app's images.",
      default: "bgr",
    }),
    densepose: param.boolean({
      label: "DensePose",
      description:
        "Run DensePose for the densepose output. Off, the node needs only the DWPose models and gives keypoints and the skeleton (its densepose output stays empty).",
      default: true,
    }),
    wholePhoto: param.boolean({
      label: "whole photo when nobody is found",
      description:
        "When the detector finds nobody, run the pose model (and DensePose) on the whole photo, as DWPose's original ONNX code did. Off, the node gives nobody, as controlnet_aux's current code does. The node's text says which happened.",
      default: false,
    }),
  },
  models: [DETECTOR, POSE, DENSEPOSE, OPENPOSE],
  modelsFor,
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const withDensePose = params.densepose;
    if ((params.keypoints as KeypointSource) === "openpose") {
      return runWithOpenPose(ctx, image, params);
    }
    // Every model is checked before any runs, so a missing one fails at once, not minutes in.
    await ctx.requireModel(DETECTOR);
    await ctx.requireModel(POSE);
    if (withDensePose) await requireDensePose(ctx);
    const detector = await ctx.loadModel(DETECTOR);
    const pose = await ctx.loadModel(POSE);
    // Loaded before DWPose runs too: a DensePose file that breaks its contract fails at once.
    const densepose = withDensePose ? await loadDensePose(ctx) : undefined;

    // Steps: detector, one pose run per person, then (with DensePose) one head run for the person
    // Leffa's image keeps.
    let steps = 2;
    const pose2d = await runDwpose(
      image,
      { detector, pose },
      {
        people: params.people as PeopleSelection,
        wholePhotoWhenNobody: params.wholePhoto,
        signal: ctx.signal,
        tensor: ctx.tensor,
        progress: (done, total, message) => {
          steps = withDensePose && total > 1 ? total + 1 : total;
          ctx.progress(done, steps, message);
        },
      },
    );
    const outputs: Record<string, PortValue> = {
      keypoints: pose2d.keypoints,
      skeleton: renderBodySkeleton(pose2d.keypoints),
    };
    const found = peopleFound(pose2d, withDensePose);
    const backends = [
      describeBackend("YOLOX", detector, ctx),
      describeBackend("DWPose", pose, ctx),
    ];

    const warnings = found.warning ? [found.warning] : [];
    const boxes = pose2d.people.map((p) => p.box);
    const encoding = densepose
      ? await addDensePose(ctx, image, densepose, boxes, params, steps, outputs, backends, warnings)
      : "DensePose off";
    const text = [`${found.summary} · ${encoding} · ${backends.join(" · ")}`];
    for (const warning of warnings) text.push(`⚠ ${warning}`);
    return { outputs, ui: { text: text.join("\n") } };
  },
});
