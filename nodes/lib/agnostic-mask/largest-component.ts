/**
 * The studio's earlier stand-in for Leffa's `refine_mask`, kept as the baseline that
 * `bench:preprocess` compares `refine-mask.ts` (OpenCV-exact) against: the 8-connected component
 * with the largest traced-border area, filled exactly (the component plus what it encloses).
 *
 * We trace each component's outer border exactly as OpenCV's Suzuki–Abe follower does and take
 * the shoelace area of the traced pixel-centre polygon (what `contourArea` gives for
 * CHAIN_APPROX_NONE). Leffa asks for CHAIN_APPROX_TC89_L1 and draws the approximated polygon,
 * which moves boundary pixels along slanted edges and chords; `refine-mask.ts` does that.
 * Ties go to the component found last in raster order, since OpenCV lists contours
 * last-found first and Leffa keeps the first maximum.
 * Input: nonzero = set. Output: 0/255.
 */

/** Neighbour offsets, counter-clockwise on screen starting East. */
const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

export interface Component {
  /** Raster index (unpadded) of the component's first pixel: top-most, then left-most. */
  readonly start: number;
  /** |shoelace area| of the traced outer border. */
  readonly area: number;
  /** First and last row of the component, in padded coordinates. */
  readonly rows: readonly [number, number];
}

/**
 * Everything below works on a copy padded with a 1-pixel empty frame, so that neighbour
 * look-ups never leave the array and need no bounds checks.
 */
interface Padded {
  readonly set: Uint8Array;
  readonly stride: number;
  readonly rows: number;
}

function pad(mask: Uint8Array, width: number, height: number): Padded {
  const stride = width + 2;
  const set = new Uint8Array(stride * (height + 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      if (mask[y * width + x] !== 0) set[(y + 1) * stride + x + 1] = 1;
  }
  return { set, stride, rows: height + 2 };
}

export function keepLargestContour(mask: Uint8Array, width: number, height: number): Uint8Array {
  if (mask.length !== width * height) {
    throw new Error(`largest-component: expected ${width * height} pixels, got ${mask.length}`);
  }
  const padded = pad(mask, width, height);
  const labels = new Int32Array(padded.set.length);
  const components = labelComponents(padded, labels);
  const out = new Uint8Array(mask.length);
  if (components.length === 0) return out;
  let best = 0;
  for (let c = 1; c < components.length; c++) {
    if (components[c].area >= components[best].area) best = c;
  }
  const box = boundingBox(labels, best + 1, padded.stride, components[best].rows);
  const inside = enclosedBy(labels, best + 1, padded.stride, box);
  const [x0, y0, x1, y1] = box;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (inside[y * padded.stride + x]) out[(y - 1) * width + (x - 1)] = 255;
    }
  }
  return out;
}

/** Inclusive padded-coordinate box of component `label`, whose rows are known. */
function boundingBox(
  labels: Int32Array,
  label: number,
  stride: number,
  rows: readonly [number, number],
): [number, number, number, number] {
  let x0 = stride;
  let x1 = 0;
  for (let y = rows[0]; y <= rows[1]; y++) {
    for (let x = 1; x < stride - 1; x++) {
      if (labels[y * stride + x] === label) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
    }
  }
  return [x0, rows[0], x1, rows[1]];
}

/** The 8-connected components of `mask` in raster order of their first pixel, with border areas. */
export function findComponents(mask: Uint8Array, width: number, height: number): Component[] {
  const padded = pad(mask, width, height);
  return labelComponents(padded, new Int32Array(padded.set.length));
}

function labelComponents(padded: Padded, labels: Int32Array): Component[] {
  const { set, stride } = padded;
  const components: Component[] = [];
  const stack = new Int32Array(set.length);
  const n0 = -stride - 1;
  const n1 = -stride;
  const n2 = -stride + 1;
  const n3 = -1;
  const n4 = 1;
  const n5 = stride - 1;
  const n6 = stride;
  const n7 = stride + 1;
  for (let start = 0; start < set.length; start++) {
    if (set[start] === 0 || labels[start] !== 0) continue;
    const label = components.length + 1;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let maxI = start;
    // Depth-first over the 8 neighbours; the empty padding frame keeps every look-up in range.
    while (top > 0) {
      const i = stack[--top];
      if (i > maxI) maxI = i;
      let n = i + n0;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n1;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n2;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n3;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n4;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n5;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n6;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
      n = i + n7;
      if (set[n] !== 0 && labels[n] === 0) {
        labels[n] = label;
        stack[top++] = n;
      }
    }
    const x = start % stride;
    const y = (start - x) / stride;
    components.push({
      start: (y - 1) * (stride - 2) + (x - 1),
      area: outerBorderArea(set, stride, start),
      rows: [y, Math.floor(maxI / stride)],
    });
  }
  return components;
}

/**
 * Suzuki–Abe outer-border following from a component's first raster pixel (its left neighbour
 * is background), accumulating the shoelace sum over the visited pixel centres.
 */
function outerBorderArea(set: Uint8Array, stride: number, start: number): number {
  const offsets = DX.map((dx, d) => DY[d] * stride + dx);
  // Clockwise from West for the first neighbour.
  let first = -1;
  for (let k = 0; k < 8; k++) {
    const d = (4 - k + 8) % 8;
    if (set[start + offsets[d]] !== 0) {
      first = d;
      break;
    }
  }
  if (first < 0) return 0; // isolated pixel
  const x0 = start % stride;
  const y0 = (start - x0) / stride;
  const x1 = x0 + DX[first];
  const y1 = y0 + DY[first];
  let back = (first + 4) % 8; // direction from the current point to the previous one
  let cx = x0;
  let cy = y0;
  let twiceArea = 0;
  for (;;) {
    // Counter-clockwise around the current point, starting just after the previous one.
    const here = cy * stride + cx;
    let d = back;
    for (let k = 1; k <= 8; k++) {
      d = (back + k) % 8;
      if (set[here + offsets[d]] !== 0) break;
    }
    const nx = cx + DX[d];
    const ny = cy + DY[d];
    twiceArea += cx * ny - nx * cy;
    if (nx === x0 && ny === y0 && cx === x1 && cy === y1) break;
    back = (d + 4) % 8;
    cx = nx;
    cy = ny;
  }
  return Math.abs(twiceArea) / 2;
}

/**
 * Pixels of component `label` or enclosed by it: those not 4-connected, through non-component
 * pixels, to the outside of its bounding box. Only the box is flooded.
 */
function enclosedBy(
  labels: Int32Array,
  label: number,
  stride: number,
  box: readonly [number, number, number, number],
): Uint8Array {
  const [x0, y0, x1, y1] = box;
  const outside = new Uint8Array(labels.length);
  const stack = new Int32Array((x1 - x0 + 1) * (y1 - y0 + 1));
  let top = 0;
  // The ring just outside the box is outside (the padding guarantees it exists); it is never
  // pushed, so the flood stays inside the box.
  for (let x = x0 - 1; x <= x1 + 1; x++) {
    outside[(y0 - 1) * stride + x] = 1;
    outside[(y1 + 1) * stride + x] = 1;
  }
  for (let y = y0; y <= y1; y++) {
    outside[y * stride + x0 - 1] = 1;
    outside[y * stride + x1 + 1] = 1;
  }
  const push = (i: number): void => {
    if (outside[i] === 0 && labels[i] !== label) {
      outside[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = x0; x <= x1; x++) {
    push(y0 * stride + x);
    push(y1 * stride + x);
  }
  for (let y = y0; y <= y1; y++) {
    push(y * stride + x0);
    push(y * stride + x1);
  }
  while (top > 0) {
    const i = stack[--top];
    push(i - 1);
    push(i + 1);
    push(i - stride);
    push(i + stride);
  }
  const inside = new Uint8Array(labels.length);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) inside[y * stride + x] = outside[y * stride + x] === 0 ? 1 : 0;
  }
  return inside;
}
