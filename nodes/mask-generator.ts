import type { Mask, RgbaImage } from "./core/image";
import { param } from "./core/params";
import { defineNode, NodeError, type Keypoints, type PortValue } from "./core/types";
import { agnosticMask } from "./lib/agnostic-mask";
import { blurMask } from "./lib/blur";
import { fitOnWhite } from "./lib/garment-prep";
import { growMask } from "./lib/morphology";
import { labelsToImage } from "./lib/parsing/palette";
import { parsePerson } from "./lib/parsing/parse-person";
import {
  keypointsInBox,
  labelsFromBox,
  maskFromBox,
  PARSE_HEIGHT,
  PARSE_WIDTH,
  personBox,
} from "./lib/parsing/person-fit";
import { requireImage } from "./lib/port-values";

const OPENPOSE_POINTS = 18;
const PARSERS = ["schp", "segformer"] as const;
const MODEL_TYPES = ["viton_hd", "dress_code"] as const;
const GARMENTS = ["upper_body", "lower_body", "dresses"] as const;

/** Narrows a select param's string to its options (a saved workflow may hold anything). */
function choice<T extends string>(value: string, options: readonly T[], name: string): T {
  if (!(options as readonly string[]).includes(value)) {
    throw new NodeError(`unknown ${name} "${value}": expected one of ${options.join(", ")}`);
  }
  return value as T;
}

function optionalKeypoints(value: PortValue | undefined): Keypoints | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || (value as { kind?: unknown }).kind !== "keypoints") {
    throw new NodeError('input "keypoints" expects keypoints');
  }
  return value as Keypoints;
}

/** What the keypoints input gives the mask rules, and what to tell the person about it. */
function posePoints(
  keypoints: Keypoints | undefined,
  image: RgbaImage,
  box: ReturnType<typeof personBox>,
): { points?: [number, number][]; warnings: string[] } {
  if (!keypoints) return { warnings: [] };
  const points = keypointsInBox(keypoints, box);
  if (!points) return { warnings: ["the keypoints hold no person: arms are drawn without them"] };
  if (points.length !== OPENPOSE_POINTS) {
    throw new NodeError(
      `the mask rules need OpenPose-18 body keypoints; the input has ${points.length} per person`,
    );
  }
  const warnings: string[] = [];
  const many = keypoints.people.length;
  if (many > 1) warnings.push(`the keypoints hold ${many} people: the first one is used`);
  const shape = keypoints.width / keypoints.height / (image.width / image.height);
  if (Math.abs(shape - 1) > 0.01) {
    warnings.push(
      `the keypoints were found on a ${keypoints.width}×${keypoints.height} image, not this ${image.width}×${image.height} one: they are stretched to fit`,
    );
  }
  return { points, warnings };
}

/** Human parsing + Leffa's agnostic try-on mask rules. */
export const maskGeneratorNode = defineNode({
  type: "mask-generator",
  version: 2,
  title: "Mask Generator",
  category: "Mask",
  description:
    "Parses the person (SCHP ATR + LIP as Leffa does, or SegFormer) at 384×512 and draws Leffa's agnostic mask for the garment to replace, at the person image's size. Images of another shape are fitted inside 384×512 on white, so nothing is cropped. Connect keypoints from the Pose Extractor for the arm rules.",
  inputs: {
    image: { type: "IMAGE", label: "person" },
    keypoints: { type: "KEYPOINTS", optional: true },
  },
  outputs: { mask: { type: "MASK" }, parsing: { type: "IMAGE", label: "parsing" } },
  params: {
    parser: param.select({
      label: "parser",
      options: [
        { value: "schp", label: "SCHP ATR + LIP" },
        { value: "segformer", label: "SegFormer B2 (light)" },
      ],
      default: "schp",
    }),
    modelType: param.select({
      label: "model type",
      options: [
        { value: "viton_hd", label: "VITON-HD" },
        { value: "dress_code", label: "DressCode" },
      ],
      default: "viton_hd",
    }),
    garment: param.select({
      label: "garment",
      options: [
        { value: "upper_body", label: "upper body" },
        { value: "lower_body", label: "lower body" },
        { value: "dresses", label: "dresses" },
      ],
      default: "upper_body",
    }),
    grow: param.int({ label: "grow (px)", min: -64, max: 64, default: 0, slider: true }),
    feather: param.number({
      label: "feather (px)",
      min: 0,
      max: 64,
      step: 0.5,
      default: 0,
      slider: true,
    }),
  },
  models: ["schp-atr", "schp-lip", "segformer-b2-clothes"],
  async run(ctx, inputs, params) {
    const image = requireImage(inputs, "image");
    const keypoints = optionalKeypoints(inputs.keypoints);
    const parser = choice(params.parser, PARSERS, "parser");
    const modelType = choice(params.modelType, MODEL_TYPES, "model type");
    const garment = choice(params.garment, GARMENTS, "garment");
    // Fail fast, before any model loads, when one of the parser's models is missing.
    const needed = parser === "schp" ? ["schp-atr", "schp-lip"] : ["segformer-b2-clothes"];
    for (const id of needed) await ctx.requireModel(id);

    const box = personBox(image.width, image.height);
    const pose = posePoints(keypoints, image, box);
    const person = fitOnWhite(image, PARSE_WIDTH, PARSE_HEIGHT, ctx.signal).image;
    const parsed = await parsePerson(ctx, person, parser);

    const agnostic = agnosticMask({
      parsing: parsed.labels,
      keypoints: pose.points,
      modelType,
      garment,
    });
    let mask: Mask = maskFromBox(agnostic.mask, box, image.width, image.height, ctx.signal);
    if (params.grow !== 0) mask = growMask(mask, params.grow, ctx.signal);
    if (params.feather > 0) mask = blurMask(mask, params.feather, ctx.signal);

    ctx.progress(1, 1, "mask drawn");
    const labels = labelsFromBox(parsed.labels, box, image.width, image.height);
    const warnings = [...pose.warnings, ...agnostic.warnings];
    const fitted =
      box.width === PARSE_WIDTH && box.height === PARSE_HEIGHT
        ? ""
        : ` · fitted as ${box.width}×${box.height} inside 384×512`;
    return {
      outputs: { mask, parsing: labelsToImage(labels, image.width, image.height) },
      ui: {
        text: [
          `${parsed.sessions.join(" + ")} · ${modelType} ${garment}${fitted}`,
          ...warnings.map((w) => `⚠ ${w}`),
        ].join("\n"),
      },
    };
  },
});
