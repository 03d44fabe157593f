import { param } from "./core/params";
import { defineNode } from "./core/types";

/** A sticky note on the canvas: documentation for people, never executed. */
export const noteNode = defineNode({
  type: "note",
  version: 1,
  title: "Note",
  category: "Utility",
  description: "A note on the canvas. Not executed.",
  inputs: {},
  outputs: {},
  params: { text: param.text({ label: "text", multiline: true, default: "" }) },
  executable: false,
  async run() {
    return { outputs: {} };
  },
});
