import { param } from "./core/params";
import { defineNode } from "./core/types";
import { decodeDensePoseImage } from "./lib/densepose/decode";
import { renderDressCode, renderVitonHd } from "./lib/densepose/encodings";
import { requireImage } from "./lib/port-values";

/** Beyond this share of off-palette pixels, the image is probably not in the chosen encoding. */
const MISMATCH_WARNING = 0.05;

/**
 * Re-encodes a DensePose image someone already has (from ComfyUI's DensePose Estimator, say) for
 * the other Leffa try-on model: VITON-HD's parula colours ↔ DressCode's raw part indices. Both
 * carry the same 24 body parts; pose transfer's IUV image keeps its part index in blue, so it can
 * be a source, but its U/V cannot be made from a part map.
 */
export const denseposeConvertNode = defineNode({
  type: "densepose-convert",
  version: 1,
  title: "DensePose Convert",
  category: "Pose",
  description:
    "Converts a DensePose image between Leffa's encodings: VITON-HD (parula colours) and DressCode (part index 0–24 in grey); an IUV pose-transfer image can be read too. Warns when the input does not look like the chosen source encoding.",
  inputs: { densepose: { type: "DENSEPOSE" } },
  outputs: { densepose: { type: "DENSEPOSE" } },
  params: {
    from: param.select({
      label: "from",
      options: [
        { value: "viton_hd", label: "VITON-HD (parula)" },
        { value: "dress_code", label: "DressCode (part index)" },
        { value: "pose_transfer", label: "pose transfer (IUV)" },
      ],
      default: "viton_hd",
    }),
    to: param.select({
      label: "to",
      options: [
        { value: "dress_code", label: "DressCode (part index)" },
        { value: "viton_hd", label: "VITON-HD (parula)" },
      ],
      default: "dress_code",
    }),
  },
  async run(_ctx, inputs, params) {
    const image = requireImage(inputs, "densepose");
    const from = params.from as "viton_hd" | "dress_code" | "pose_transfer";
    const { parts, mismatched } = decodeDensePoseImage(image, from);
    const render = params.to === "viton_hd" ? renderVitonHd : renderDressCode;
    const share = mismatched / parts.length;
    return {
      outputs: { densepose: render(parts, image.width, image.height) },
      ui:
        share > MISMATCH_WARNING
          ? {
              text: `${(share * 100).toFixed(0)} % of the pixels are not ${from} values and were snapped to the nearest part: is "from" right?`,
            }
          : undefined,
    };
  },
});
