import { param } from "./core/params";
import { defineNode } from "./core/types";

/** DWPose keypoints + DensePose for a person photo. The models land with the pose issue. */
export const poseExtractorNode = defineNode({
  type: "pose-extractor",
  version: 1,
  title: "Pose Extractor",
  category: "Pose",
  description:
    "Finds people with DWPose (body keypoints, skeleton) and renders DensePose in the encoding Leffa expects.",
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
        { value: "all", label: "everyone" },
      ],
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
  },
  models: ["dwpose-yolox-l", "dwpose-dw-ll-ucoco-384", "densepose-r50-fpn"],
  async run(ctx) {
    await ctx.requireModel("dwpose-yolox-l");
    await ctx.requireModel("densepose-r50-fpn");
    throw new Error("the pose extractor runs once its models are installed (pose issue)");
  },
});
