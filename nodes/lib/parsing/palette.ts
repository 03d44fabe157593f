import { createImage, type RgbaImage } from "../../core/image";

/**
 * The colours SCHP and Leffa save label maps with (the PASCAL VOC palette): label bits are spread
 * over the high bits of R, G and B, so neighbouring labels get clearly different colours.
 */
export function labelColour(label: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let lab = label;
  for (let i = 0; lab > 0; i++, lab >>= 3) {
    r |= (lab & 1) << (7 - i);
    g |= ((lab >> 1) & 1) << (7 - i);
    b |= ((lab >> 2) & 1) << (7 - i);
  }
  return [r, g, b];
}

/** A label map drawn in the palette, opaque. */
export function labelsToImage(labels: Uint8Array, width: number, height: number): RgbaImage {
  if (labels.length !== width * height) {
    throw new Error(`expected ${width}×${height} labels, got ${labels.length}`);
  }
  const colours = Array.from({ length: 256 }, (_, l) => labelColour(l));
  const image = createImage(width, height);
  for (let i = 0; i < labels.length; i++) {
    const [r, g, b] = colours[labels[i]];
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  return image;
}
