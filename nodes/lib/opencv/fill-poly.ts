/**
 * OpenCV's `fillPoly` / `drawContours(…, thickness = -1)` on a one-channel uint8 image, line
 * type 8, shift 0 (`drawing.cpp`: CollectPolyEdges + FillEdgeCollection). Each polygon's outline
 * is drawn with the 8-connected Bresenham line, then the even-odd scanline fill runs over all
 * polygons' edges together, with x in 16.16 fixed point stepped by a truncated slope: a span
 * covers ceil(left) … floor(right) on rows y0 ≤ y < y1 of each edge.
 */

const XY_SHIFT = 16;
const XY_ONE = 1 << XY_SHIFT;

interface Edge {
  y0: number;
  y1: number;
  /** 16.16 fixed point. */
  x: number;
  dx: number;
  next: Edge | null;
}

/** `cv::drawContours(image, contours, idx, color, -1)` for the given contours (x, y pairs). */
export function fillPoly(
  image: Uint8Array,
  width: number,
  height: number,
  polygons: readonly Int32Array[],
  color: number,
): void {
  if (image.length !== width * height) {
    throw new Error(`fillPoly: expected ${width}×${height} pixels, got ${image.length}`);
  }
  const edges: Edge[] = [];
  for (const v of polygons) collectEdges(image, width, height, v, color, edges);
  fillEdges(image, width, height, edges, color);
}

function collectEdges(
  image: Uint8Array,
  width: number,
  height: number,
  v: Int32Array,
  color: number,
  edges: Edge[],
): void {
  const n = v.length >> 1;
  if (n === 0) return;
  let x0 = v[2 * n - 2];
  let y0 = v[2 * n - 1];
  for (let i = 0; i < n; i++) {
    const x1 = v[2 * i];
    const y1 = v[2 * i + 1];
    drawLine8(image, width, height, x0, y0, x1, y1, color);
    if (y0 !== y1) {
      const fx0 = x0 * XY_ONE;
      const fx1 = x1 * XY_ONE;
      // C's int64 division truncates towards zero.
      const dx = Math.trunc((fx1 - fx0) / (y1 - y0));
      if (y0 < y1) edges.push({ y0, y1, x: fx0, dx, next: null });
      else edges.push({ y0: y1, y1: y0, x: fx1, dx, next: null });
    }
    x0 = x1;
    y0 = y1;
  }
}

/** fixed-point → pixel, rounding down (C's arithmetic shift of an int64). */
function floorPx(v: number): number {
  return Math.floor(v / XY_ONE);
}

function fillEdges(
  image: Uint8Array,
  width: number,
  height: number,
  edges: Edge[],
  color: number,
): void {
  const total = edges.length;
  if (total < 2) return;
  let yMax = -Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let xMin = Infinity;
  for (const e of edges) {
    const x1 = e.x + (e.y1 - e.y0) * e.dx;
    yMin = Math.min(yMin, e.y0);
    yMax = Math.max(yMax, e.y1);
    xMin = Math.min(xMin, e.x, x1);
    xMax = Math.max(xMax, e.x, x1);
  }
  if (yMax < 0 || yMin >= height || xMax < 0 || xMin >= width * XY_ONE) return;
  edges.sort((a, b) => (a.y0 !== b.y0 ? a.y0 - b.y0 : a.x !== b.x ? a.x - b.x : a.dx - b.dx));
  const sentinel: Edge = { y0: Number.MAX_SAFE_INTEGER, y1: 0, x: 0, dx: 0, next: null };
  edges.push(sentinel);
  // `head.next` is the active list, kept sorted by x.
  const head: Edge = { y0: 0, y1: 0, x: 0, dx: 0, next: null };
  let i = 0;
  let e = edges[0];
  yMax = Math.min(yMax, height);
  for (let y = e.y0; y < yMax; y++) {
    let prelast: Edge = head;
    let last = head.next;
    let draw = false;
    const clip = y < 0;
    while (last || e.y0 === y) {
      if (last && last.y1 === y) {
        // The edge ends on this row: drop it.
        prelast.next = last.next;
        last = last.next;
        continue;
      }
      const keepPrelast: Edge = prelast;
      if (last && (e.y0 > y || last.x < e.x)) {
        prelast = last;
        last = last.next;
      } else if (i < total) {
        // An edge starting on this row joins the active list here.
        prelast.next = e;
        e.next = last;
        prelast = e;
        e = edges[++i];
      } else break;
      if (draw) {
        if (!clip) {
          let xa: number;
          let xb: number;
          if (keepPrelast.x > prelast.x) {
            xa = floorPx(prelast.x + XY_ONE - 1);
            xb = floorPx(keepPrelast.x);
          } else {
            xa = floorPx(keepPrelast.x + XY_ONE - 1);
            xb = floorPx(prelast.x);
          }
          if (xa < width && xb >= 0) {
            xa = Math.max(xa, 0);
            xb = Math.min(xb, width - 1);
            if (xb >= xa) image.fill(color, y * width + xa, y * width + xb + 1);
          }
        }
        keepPrelast.x += keepPrelast.dx;
        prelast.x += prelast.dx;
      }
      draw = !draw;
    }
    // Bubble sort of the active list by x, as OpenCV does it.
    // OpenCV never resets its swap flag within a row; the passes are the same.
    let keep: Edge | null = null;
    let sorted = false;
    do {
      prelast = head;
      last = head.next;
      while (last !== keep && last && last.next) {
        const te: Edge = last.next;
        if (last.x > te.x) {
          prelast.next = te;
          last.next = te.next;
          te.next = last;
          prelast = te;
          sorted = true;
        } else {
          prelast = last;
          last = te;
        }
      }
      keep = prelast;
    } while (sorted && keep !== head.next && keep !== head);
  }
}

/**
 * OpenCV's `Line` with 8-connectivity (LineIterator, left to right): the endpoints clipped to
 * the image as `clipLine` does, then Bresenham along the major axis.
 */
export function drawLine8(
  image: Uint8Array,
  width: number,
  height: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  color: number,
): void {
  let x1 = ax;
  let y1 = ay;
  let x2 = bx;
  let y2 = by;
  if (
    x1 < 0 ||
    x1 >= width ||
    x2 < 0 ||
    x2 >= width ||
    y1 < 0 ||
    y1 >= height ||
    y2 < 0 ||
    y2 >= height
  ) {
    const c = clipLine(width, height, x1, y1, x2, y2);
    if (!c) return;
    [x1, y1, x2, y2] = c;
  }
  let dx = x2 - x1;
  let dy = y2 - y1;
  let stepY = 1;
  if (dx < 0) {
    // Left to right: start from the other end.
    dx = -dx;
    dy = -dy;
    x1 = x2;
    y1 = y2;
  }
  if (dy < 0) {
    dy = -dy;
    stepY = -1;
  }
  const vert = dy > dx;
  if (vert) {
    [dx, dy] = [dy, dx];
  }
  // Major-axis step each time (x always grows: drawn left to right); the minor-axis step when
  // the error was negative.
  let err = dx - (dy + dy);
  const plusDelta = dx + dx;
  const minusDelta = -(dy + dy);
  const count = dx + 1;
  let x = x1;
  let y = y1;
  for (let n = 0; n < count; n++) {
    image[y * width + x] = color;
    const minor = err < 0;
    err += minusDelta + (minor ? plusDelta : 0);
    if (vert) {
      y += stepY;
      if (minor) x += 1;
    } else {
      x += 1;
      if (minor) y += stepY;
    }
  }
}

/** OpenCV's `clipLine` on integer points (double arithmetic, truncated back to integers). */
function clipLine(
  width: number,
  height: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): [number, number, number, number] | undefined {
  if (width <= 0 || height <= 0) return undefined;
  const right = width - 1;
  const bottom = height - 1;
  let x1 = ax;
  let y1 = ay;
  let x2 = bx;
  let y2 = by;
  const code = (x: number, y: number) =>
    (x < 0 ? 1 : 0) + (x > right ? 2 : 0) + (y < 0 ? 4 : 0) + (y > bottom ? 8 : 0);
  let c1 = code(x1, y1);
  let c2 = code(x2, y2);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const a = c1 < 8 ? 0 : bottom;
      x1 += Math.trunc(((a - y1) * (x2 - x1)) / (y2 - y1));
      y1 = a;
      c1 = (x1 < 0 ? 1 : 0) + (x1 > right ? 2 : 0);
    }
    if (c2 & 12) {
      const a = c2 < 8 ? 0 : bottom;
      x2 += Math.trunc(((a - y2) * (x2 - x1)) / (y2 - y1));
      y2 = a;
      c2 = (x2 < 0 ? 1 : 0) + (x2 > right ? 2 : 0);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const a = c1 === 1 ? 0 : right;
        y1 += Math.trunc(((a - x1) * (y2 - y1)) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        const a = c2 === 1 ? 0 : right;
        y2 += Math.trunc(((a - x2) * (y2 - y1)) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) === 0 ? [x1, y1, x2, y2] : undefined;
}
