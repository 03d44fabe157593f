import { f32, hline, roundHalfAway, type GrayCanvas } from "./pil-canvas";

/**
 * Pillow's ellipse rasteriser (`quarter_*`, `ellipse_*`, clip tree and `pie_init` from
 * `libImaging/Draw.c`), ported literally. Everything runs on Pillow's doubled integer grid
 * (step 2, centre 0), so that odd and even diameters share one code path; spans are mapped back to
 * pixels with C integer division at the end.
 */

interface Quarter {
  a: number;
  b: number;
  cx: number;
  cy: number;
  ex: number;
  ey: number;
  a2: number;
  b2: number;
  a2b2: number;
  finished: boolean;
}

function quarterInit(a: number, b: number): Quarter {
  if (a < 0 || b < 0) {
    return { a, b, cx: 0, cy: 0, ex: 0, ey: 0, a2: 0, b2: 0, a2b2: 0, finished: true };
  }
  const a2 = a * a;
  const b2 = b * b;
  return { a, b, cx: a, cy: b % 2, ex: a % 2, ey: b, a2, b2, a2b2: a2 * b2, finished: false };
}

function quarterDelta(q: Quarter, x: number, y: number): number {
  return Math.abs(q.a2 * y * y + q.b2 * x * x - q.a2b2);
}

/** Writes the next point of the quarter into `out`; false once finished. */
function quarterNext(q: Quarter, out: [number, number]): boolean {
  if (q.finished) return false;
  out[0] = q.cx;
  out[1] = q.cy;
  if (q.cx === q.ex && q.cy === q.ey) {
    q.finished = true;
  } else {
    let nx = q.cx;
    let ny = q.cy + 2;
    let ndelta = quarterDelta(q, nx, ny);
    if (nx > 1) {
      let newdelta = quarterDelta(q, q.cx - 2, q.cy + 2);
      if (ndelta > newdelta) {
        nx = q.cx - 2;
        ny = q.cy + 2;
        ndelta = newdelta;
      }
      newdelta = quarterDelta(q, q.cx - 2, q.cy);
      if (ndelta > newdelta) {
        nx = q.cx - 2;
        ny = q.cy;
      }
    }
    q.cx = nx;
    q.cy = ny;
  }
  return true;
}

/** One horizontal span on the doubled grid. */
interface Span {
  x0: number;
  y: number;
  x1: number;
}

/**
 * All spans of an elliptic ring of outer size (a, b) and thickness w, in Pillow's emission order.
 * Pillow produces them lazily; collecting them first changes nothing since they are only drawn.
 */
function ellipseSpans(a: number, b: number, w: number): Span[] {
  const spans: Span[] = [];
  const outer = quarterInit(a, b);
  const leftmost = a % 2;
  const p: [number, number] = [0, 0];
  if (w < 1 || !quarterNext(outer, p)) return spans;
  let pr = p[0];
  let py = p[1];
  const inner = quarterInit(a - 2 * (w - 1), b - 2 * (w - 1));
  let pl = leftmost;
  let finished = false;
  while (!finished) {
    const y = py;
    let l = pl;
    const r = pr;
    let more = quarterNext(outer, p);
    while (more && p[1] <= y) more = quarterNext(outer, p);
    if (!more) {
      finished = true;
    } else {
      pr = p[0];
      py = p[1];
    }
    more = quarterNext(inner, p);
    while (more && p[1] <= y) {
      l = p[0];
      more = quarterNext(inner, p);
    }
    pl = more ? p[0] : leftmost;
    // Pillow buffers these four and pops them last-first; keep that order.
    const group: Span[] = [];
    if ((l > 0 || l < r) && y > 0) group.push({ x0: l === 0 ? 2 : l, y, x1: r });
    if (y > 0) group.push({ x0: -r, y, x1: -l });
    if (l > 0 || l < r) group.push({ x0: l === 0 ? 2 : l, y: -y, x1: r });
    group.push({ x0: -r, y: -y, x1: -l });
    for (let i = group.length - 1; i >= 0; i--) spans.push(group[i]);
  }
  return spans;
}

const CLIP = 0;
const AND = 1;
const OR = 2;

type ClipNode =
  | { readonly type: typeof CLIP; readonly a: number; readonly b: number; readonly c: number }
  | { readonly type: typeof AND | typeof OR; readonly l: ClipNode; readonly r: ClipNode };

/** Sorted open (+1) / close (-1) events of disjoint segments. */
interface ClipEvent {
  readonly x: number;
  readonly type: 1 | -1;
}

function clipSegment(root: ClipNode | null, x0: number, y: number, x1: number): ClipEvent[] {
  if (root === null) {
    return [
      { x: x0, type: 1 },
      { x: x1, type: -1 },
    ];
  }
  if (root.type === CLIP) {
    const eps = 1e-9;
    if (Math.abs(root.a) < eps) {
      if (root.b * y + root.c < -eps) {
        x0 = 1;
        x1 = 0;
      }
    } else {
      const ix = -(root.b * y + root.c) / root.a;
      if (root.a * x0 + root.b * y + root.c < eps) x0 = roundHalfAway(Math.max(x0, ix));
      if (root.a * x1 + root.b * y + root.c < eps) x1 = roundHalfAway(Math.min(x1, ix));
    }
    return x0 <= x1
      ? [
          { x: x0, type: 1 },
          { x: x1, type: -1 },
        ]
      : [];
  }
  const l1 = clipSegment(root.l, x0, y, x1);
  const l2 = clipSegment(root.r, x0, y, x1);
  const out: ClipEvent[] = [];
  let i1 = 0;
  let i2 = 0;
  let k1 = 0;
  let k2 = 0;
  while (i1 < l1.length || i2 < l2.length) {
    let t: ClipEvent;
    if (
      i2 >= l2.length ||
      (i1 < l1.length &&
        (l1[i1].x < l2[i2].x || (l1[i1].x === l2[i2].x && l1[i1].type > l2[i2].type)))
    ) {
      t = l1[i1++];
      k1 += t.type;
    } else {
      t = l2[i2++];
      k2 += t.type;
    }
    const tail = out.length > 0 ? out[out.length - 1] : null;
    const opens = t.type === 1 && (tail === null || tail.type === -1);
    const keep =
      root.type === OR
        ? opens || (t.type === -1 && k1 === 0 && k2 === 0)
        : (opens && k1 > 0 && k2 > 0) ||
          (t.type === -1 && tail !== null && tail.type === 1 && (k1 === 0 || k2 === 0));
    if (keep) out.push(t);
  }
  return out;
}

/** Pillow's `normalize_angles`, in C float arithmetic. Returns [al, ar], 0 <= al < 360. */
export function normalizeAngles(start: number, end: number): [number, number] {
  let al = f32(start);
  let ar = f32(end);
  if (f32(ar - al) >= 360) return [0, 360];
  al = f32((al < 0 ? 360 - (-al % 360) : al) % 360);
  ar = f32(al + ((ar < al ? 360 - (f32(al - ar) % 360) : f32(ar - al)) % 360));
  return [al, ar];
}

function drawSpans(
  canvas: GrayCanvas,
  x0: number,
  y0: number,
  a: number,
  b: number,
  spans: readonly Span[],
  ink: number,
): void {
  for (const s of spans) {
    hline(
      canvas,
      x0 + Math.trunc((s.x0 + a) / 2),
      y0 + Math.trunc((s.y + b) / 2),
      x0 + Math.trunc((s.x1 + a) / 2),
      ink,
    );
  }
}

/**
 * `ImagingDrawEllipse` on the integer box (x0, y0)-(x1, y1): filled, or a ring `width` thick.
 * (`ImageDraw.arc(box, 0, 360, ink, width)` ends up here too.)
 */
export function drawEllipse(
  canvas: GrayCanvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  ink: number,
  fill: boolean,
  width: number,
): void {
  const a = x1 - x0;
  const b = y1 - y0;
  if (a < 0 || b < 0) return;
  drawSpans(canvas, x0, y0, a, b, ellipseSpans(a, b, fill ? a + b : width), ink);
}

/** `ImageDraw.arc` (angles in degrees, clockwise from 3 o'clock); only full circles are supported. */
export function drawArc(
  canvas: GrayCanvas,
  box: readonly [number, number, number, number],
  start: number,
  end: number,
  ink: number,
  width: number,
): void {
  const [al, ar] = normalizeAngles(start, end);
  if (f32(al + 360) !== ar) {
    throw new Error("drawArc: only full-circle arcs (as Leffa draws) are implemented");
  }
  const [x0, y0, x1, y1] = box.map(Math.trunc);
  if (x1 < x0 || y1 < y0) throw new Error("drawArc: box corners are out of order");
  drawEllipse(canvas, x0, y0, x1, y1, ink, false, width);
}

/** `ImageDraw.pieslice(box, start, end, fill=ink)`: a filled pie slice. */
export function fillPieslice(
  canvas: GrayCanvas,
  box: readonly [number, number, number, number],
  start: number,
  end: number,
  ink: number,
): void {
  const [x0, y0, x1, y1] = box.map(Math.trunc);
  const [al, ar] = normalizeAngles(start, end);
  if (f32(al + 360) === ar) {
    drawEllipse(canvas, x0, y0, x1, y1, ink, true, 0);
    return;
  }
  if (al === ar) return;
  const a = x1 - x0;
  const b = y1 - y0;
  if (a < 0 || b < 0) return;
  const xl = a * Math.cos((al * Math.PI) / 180.0);
  const xr = a * Math.cos((ar * Math.PI) / 180.0);
  const yl = b * Math.sin((al * Math.PI) / 180.0);
  const yr = b * Math.sin((ar * Math.PI) / 180.0);
  const lc: ClipNode = { type: CLIP, a: -yl, b: xl, c: 0 };
  const rc: ClipNode = { type: CLIP, a: yr, b: -xr, c: 0 };
  const sweep = f32(ar - al);
  let root: ClipNode = { type: sweep < 180 ? AND : OR, l: lc, r: rc };
  if (sweep < 90) {
    // Pillow adds one more half-plane to avoid spikes on thin slices.
    const spike: ClipNode = { type: CLIP, a: (xl + xr) / 2.0, b: (yl + yr) / 2.0, c: 0 };
    root = { type: AND, l: root, r: spike };
  }
  const spans: Span[] = [];
  for (const s of ellipseSpans(a, b, x1 + y1 - x0 - y0)) {
    const events = clipSegment(root, s.x0, s.y, s.x1);
    for (let i = 0; i + 1 < events.length; i += 2) {
      spans.push({ x0: events[i].x, y: s.y, x1: events[i + 1].x });
    }
  }
  drawSpans(canvas, x0, y0, a, b, spans, ink);
}
