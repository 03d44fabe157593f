import { approximateChainTc89L1, CHAIN_DX, CHAIN_DY } from "./chain-approx";

/**
 * OpenCV's `findContours` (Suzuki–Abe border following, as `contours_new.cpp` scans): same
 * contours, same start points, same point order, same output order, for the retrieval modes and
 * chain approximations Leffa uses.
 *
 * The image is padded with a 1-pixel empty frame, then scanned in raster order. An outer border
 * starts where a 0 is followed by an unvisited 1, a hole border where a 1 (not marked as a
 * right-hand border) is followed by a 0; each is traced counter-clockwise on screen (chain codes
 * 0 = east, 2 = north, 4 = west, 6 = south), marking its pixels so later transitions know they
 * are visited. OpenCV keeps the marks in a wrapping 7-bit label and disambiguates parents by
 * re-tracing; we keep full contour ids, which gives the same parents without the re-tracing.
 */

export type RetrievalMode = "external" | "list" | "ccomp";
/** CHAIN_APPROX_NONE, CHAIN_APPROX_SIMPLE, CHAIN_APPROX_TC89_L1. */
export type ChainApprox = "none" | "simple" | "tc89-l1";

export interface Contour {
  /** x, y pairs in image coordinates, in OpenCV's order. */
  readonly points: Int32Array;
  readonly isHole: boolean;
  /** Index of the enclosing contour in the result (RETR_CCOMP holes), otherwise -1. */
  readonly parent: number;
}

export interface FindContoursOptions {
  /** TC89 as OpenCV ≤ 4.9 approximates (see `approximateChainTc89L1`); default 4.10+. */
  readonly legacyTc89?: boolean;
}

interface Traced {
  readonly isHole: boolean;
  /** Creation index of the parent, or -1 for the top level. */
  readonly parent: number;
  readonly points: number[];
}

export function findContours(
  mask: Uint8Array,
  width: number,
  height: number,
  mode: RetrievalMode,
  method: ChainApprox,
  options: FindContoursOptions = {},
): Contour[] {
  if (mask.length !== width * height) {
    throw new Error(
      `findContours: expected ${width}×${height} = ${width * height} pixels, got ${mask.length}`,
    );
  }
  const pw = width + 2;
  const ph = height + 2;
  // 0 = background, 1 = unvisited foreground, id ≥ 2 = visited by contour id − 2,
  // −id = visited and a right-hand border (its east neighbour was examined and is 0).
  const img = new Int32Array(pw * ph);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (mask[y * width + x] !== 0) img[(y + 1) * pw + x + 1] = 1;
  }
  const delta = CHAIN_DX.map((dx, s) => dx + CHAIN_DY[s] * pw);
  const traced: Traced[] = [];
  /** For each contour, the outer border of its component (itself when it is outer). */
  const outerOf: number[] = [];

  for (let y = 1; y < ph - 1; y++) {
    let lastX = 0; // last visited border pixel met on this row (OpenCV's lnbd)
    let prev = 0;
    for (let x = 1; x < pw - 1; x++) {
      const i = y * pw + x;
      const p = img[i];
      if (p === prev) continue;
      let isHole: boolean;
      if (prev === 0 && p === 1) isHole = false;
      else if (p === 0 && prev > 0) {
        isHole = true;
        if (prev !== 1) lastX = x - 1;
      } else {
        prev = p;
        if (p !== 0 && p !== 1) lastX = x;
        continue;
      }
      if (mode === "external" && (isHole || img[y * pw + lastX] > 0)) {
        prev = p;
        if (p !== 0 && p !== 1) lastX = x;
        continue;
      }
      let parent = -1;
      if (mode === "ccomp" && isHole) parent = outerOf[Math.abs(img[y * pw + lastX]) - 2];
      const id = traced.length;
      const start = i - (isHole ? 1 : 0);
      const points = trace(img, delta, start, id + 2, isHole, method, pw, options.legacyTc89);
      traced.push({ isHole, parent, points });
      outerOf.push(parent >= 0 ? parent : id);
      lastX = x - (isHole ? 1 : 0);
      // The scan resumes after the start pixel, comparing with its new mark.
      prev = img[i];
    }
  }
  return order(traced, mode);
}

/**
 * Follows one border from `start`, marking its pixels with `id`, and returns its points (x, y
 * pairs, unpadded) as the chosen approximation gives them.
 */
function trace(
  img: Int32Array,
  delta: readonly number[],
  start: number,
  id: number,
  isHole: boolean,
  method: ChainApprox,
  pw: number,
  legacyTc89 = false,
): number[] {
  const ox = (start % pw) - 1;
  const oy = Math.floor(start / pw) - 1;
  // Clockwise from the background neighbour (west for an outer border, east for a hole) to the
  // first foreground neighbour: the border's last point before it returns to the start.
  const sEnd0 = isHole ? 0 : 4;
  let s = sEnd0;
  let i1 = start;
  do {
    s = (s - 1) & 7;
    i1 = start + delta[s];
  } while (img[i1] === 0 && s !== sEnd0);
  if (s === sEnd0) {
    img[start] = -id; // a lone pixel
    return [ox, oy];
  }
  const codes: number[] = [];
  const points: number[] = [];
  let x = ox;
  let y = oy;
  let i3 = start;
  let prevS = s ^ 4;
  for (;;) {
    // Counter-clockwise from just after the previous point to the next foreground neighbour.
    const sEnd = s;
    let i4 = i3;
    while (s < 15) {
      s++;
      i4 = i3 + delta[s & 7];
      if (img[i4] !== 0) break;
    }
    s &= 7;
    // The search passed east (direction 8 ≡ 0) and found it empty: a right-hand border pixel.
    if (s >= 1 && s <= sEnd) img[i3] = -id;
    else if (img[i3] === 1) img[i3] = id;
    if (method === "tc89-l1") codes.push(s);
    else if (method === "none" || s !== prevS) points.push(x, y);
    prevS = s;
    x += CHAIN_DX[s];
    y += CHAIN_DY[s];
    if (i4 === start && i3 === i1) break;
    i3 = i4;
    s = (s + 4) & 7;
  }
  return method === "tc89-l1" ? approximateChainTc89L1(codes, ox, oy, legacyTc89) : points;
}

/**
 * OpenCV lists the contour tree depth first with each level's newest contour first: for
 * RETR_LIST and RETR_EXTERNAL that is reverse discovery order; for RETR_CCOMP each outer border
 * (newest first) is followed by its holes (newest first).
 */
function order(traced: readonly Traced[], mode: RetrievalMode): Contour[] {
  const out: Contour[] = [];
  const make = (t: Traced, parent: number): Contour => ({
    points: Int32Array.from(t.points),
    isHole: t.isHole,
    parent,
  });
  if (mode !== "ccomp") {
    for (let c = traced.length - 1; c >= 0; c--) out.push(make(traced[c], -1));
    return out;
  }
  const holes: number[][] = traced.map(() => []);
  traced.forEach((t, c) => {
    if (t.parent >= 0) holes[t.parent].push(c);
  });
  for (let c = traced.length - 1; c >= 0; c--) {
    if (traced[c].parent >= 0) continue;
    const at = out.length;
    out.push(make(traced[c], -1));
    const own = holes[c];
    for (let h = own.length - 1; h >= 0; h--) out.push(make(traced[own[h]], at));
  }
  return out;
}
