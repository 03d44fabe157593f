import { param } from "./core/params";
import {
  defineNode,
  ModelUnavailableError,
  NodeError,
  type ModelSession,
  type NodeContext,
  type PortValue,
} from "./core/types";
import type { DensePoseEncoding } from "./lib/densepose/encodings";
import { keptBox, keptInstanceRule, renderDensePose, runDensePose } from "./lib/densepose/run";
import type { PeopleSelection } from "./lib/dwpose/openpose";
import { runDwpose, type DwposeResult } from "./lib/dwpose/run";
import { renderBodySkeleton } from "./lib/dwpose/skeleton";
import { requireImage } from "./lib/port-values";

const DETECTOR = "dwpose-yolox-l";
const POSE = "dwpose-dw-ll-ucoco-384";
const DENSEPOSE = "densepose-r50-fpn";

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
    "Finds people with DWPose (OpenPose-18 body keypoints and their skeleton) and renders DensePose in the encoding Leffa expects, as detectron2 runs it (the whole photo at its test scale, the person's box pooled from it; the person's crop where the device cannot hold the whole photo, which the node's text names). With nobody detected it gives nobody, as controlnet_aux does, unless the whole-photo option is on.",
  inputs: { image: { type: "IMAGE", label: "person" } },
  outputs: {
    keypoints: { type: "KEYPOINTS" },
    skeleton: { type: "IMAGE", label: "skeleton" },
    densepose: { type: "DENSEPOSE", label: "densepose" },
  },
  params: {
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
  models: [DETECTOR, POSE, DENSEPOSE],
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const withDensePose = params.densepose;
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

    let encoding = "DensePose off";
    const warnings = found.warning ? [found.warning] : [];
    if (densepose) {
      const chosen = params.encoding as DensePoseEncoding;
      const boxes = pose2d.people.map((p) => p.box);
      const kept = keptBox(boxes, image.width, image.height, chosen);
      const run = await runDensePose(image, kept ? [kept.box] : [], densepose, {
        signal: ctx.signal,
        tensor: ctx.tensor,
        channelOrder: params.channels === "rgb" ? "rgb" : "bgr",
        onPerson: () =>
          ctx.progress(steps - 1, steps, `DensePose of person ${(kept?.index ?? 0) + 1}`),
      });
      ctx.progress(steps, steps);
      outputs.densepose = renderDensePose(run.instances, image.width, image.height, chosen);
      backends.push(describeBackend("DensePose", densepose, ctx));
      encoding = `DensePose ${chosen}`;
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
    }
    const text = [`${found.summary} · ${encoding} · ${backends.join(" · ")}`];
    for (const warning of warnings) text.push(`⚠ ${warning}`);
    return { outputs, ui: { text: text.join("\n") } };
  },
});
