/**
 * Port types: the small closed set of values that flow along wires.
 * Each has a colour (editor) and a compatibility rule (one pure function, used by the editor
 * while dragging and by the runtime when it validates an imported document).
 */
export const PORT_TYPES = [
  "IMAGE",
  "MASK",
  "KEYPOINTS",
  "DENSEPOSE",
  "LATENT",
  "FLOW",
  "NUMBER",
  "STRING",
] as const;

export type PortType = (typeof PORT_TYPES)[number];

export const PORT_COLORS: Record<PortType, string> = {
  IMAGE: "#64b5f6",
  MASK: "#81c784",
  KEYPOINTS: "#ffb74d",
  DENSEPOSE: "#ba68c8",
  LATENT: "#f06292",
  FLOW: "#4dd0e1",
  NUMBER: "#bdbdbd",
  STRING: "#fff176",
};

/**
 * A DensePose rendering is an ordinary RGB image, so it may feed any IMAGE input, and a DensePose
 * image the user already has (an IMAGE) may feed a DENSEPOSE input. Everything else must match.
 */
const EXTRA_COMPATIBLE: ReadonlyArray<readonly [PortType, PortType]> = [
  ["DENSEPOSE", "IMAGE"],
  ["IMAGE", "DENSEPOSE"],
];

export function isPortCompatible(from: PortType, to: PortType): boolean {
  if (from === to) return true;
  return EXTRA_COMPATIBLE.some(([a, b]) => a === from && b === to);
}
