import { cInt, point, roundDownF64, roundUpF64, type GrayCanvas } from "./pil-canvas";
import { fillPieslice } from "./pil-ellipse";
import { fillEdges, makeEdge } from "./pil-polygon";

/** A point as Leffa hands it to Pillow (floats allowed; Pillow truncates them). */
export type PilPoint = readonly [number, number];

/**
 * `ImagingDrawWideLine`: a segment `width` pixels thick drawn as a filled quadrilateral whose
 * offsets are rounded Pillow's way (no caps, no joins). Integer end points.
 */
export function wideLine(
  canvas: GrayCanvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  width: number,
  ink: number,
): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  if (dx === 0 && dy === 0) {
    point(canvas, x0, y0, ink);
    return;
  }
  // hypot of integers: the sum of squares is exact, so sqrt rounds exactly like C's hypot.
  const big = Math.sqrt(dx * dx + dy * dy);
  const small = (width - 1) / 2.0;
  const ratioMax = roundUpF64(small) / big;
  const ratioMin = roundDownF64(small) / big;
  const dxmin = roundDownF64(ratioMin * dy);
  const dxmax = roundDownF64(ratioMax * dy);
  const dymin = roundDownF64(ratioMin * dx);
  const dymax = roundDownF64(ratioMax * dx);
  const v0x = x0 - dxmin;
  const v0y = y0 + dymax;
  const v1x = x1 - dxmin;
  const v1y = y1 + dymax;
  const v2x = x1 + dxmax;
  const v2y = y1 - dymin;
  const v3x = x0 + dxmax;
  const v3y = y0 - dymin;
  fillEdges(
    canvas,
    [
      makeEdge(v0x, v0y, v1x, v1y),
      makeEdge(v1x, v1y, v2x, v2y),
      makeEdge(v2x, v2y, v3x, v3y),
      makeEdge(v3x, v3y, v0x, v0y),
    ],
    ink,
  );
}

/** The C side of `ImageDraw.line` for width > 1: every segment as a wide line, no joints. */
export function drawWideLines(
  canvas: GrayCanvas,
  points: readonly PilPoint[],
  width: number,
  ink: number,
): void {
  if (width <= 1) {
    throw new Error("drawWideLines: 1-pixel lines are not implemented (Leffa never draws them)");
  }
  for (let i = 0; i + 1 < points.length; i++) {
    const [ax, ay] = points[i];
    const [bx, by] = points[i + 1];
    wideLine(canvas, cInt(ax), cInt(ay), cInt(bx), cInt(by), width, ink);
  }
}

const DEG_PER_RAD = 180.0 / Math.PI;
const RAD_PER_DEG = Math.PI / 180.0;

/** Python's float `%`: the result takes the divisor's sign. */
function pyMod(x: number, m: number): number {
  const r = x % m;
  if (r === 0) return 0;
  return r < 0 !== m < 0 ? r + m : r;
}

/** Heading of the segment start→end, Pillow's convention (degrees, clockwise from "up"). */
function heading(start: PilPoint, end: PilPoint): number {
  return pyMod(Math.atan2(end[0] - start[0], start[1] - end[1]) * DEG_PER_RAD, 360);
}

function coordAtAngle(p: PilPoint, angle: number, width: number): PilPoint {
  const a = (angle - 90) * RAD_PER_DEG;
  const distance = width / 2 - 1;
  return [p[0] + Math.trunc(distance * Math.cos(a)), p[1] + Math.trunc(distance * Math.sin(a))];
}

/**
 * `ImageDraw.line(points, fill=ink, width=width, joint="curve")`: the wide segments, then at
 * each inner vertex a pie slice that rounds the outer side of the bend and (width > 8) a 3-px
 * line that plugs the gap between the slice and the segments.
 */
export function drawLineCurveJoints(
  canvas: GrayCanvas,
  points: readonly PilPoint[],
  width: number,
  ink: number,
): void {
  drawWideLines(canvas, points, width, ink);
  if (width <= 4) return;
  for (let i = 1; i + 1 < points.length; i++) {
    const p = points[i];
    const a0 = heading(points[i - 1], p);
    const a1 = heading(p, points[i + 1]);
    if (a0 === a1) continue; // straight through: no joint needed
    const flipped = (a1 > a0 && a1 - 180 > a0) || (a1 < a0 && a1 + 180 > a0);
    const half = width / 2;
    const box: [number, number, number, number] = [
      p[0] - half + 1,
      p[1] - half + 1,
      p[0] + half - 1,
      p[1] + half - 1,
    ];
    const [start, end] = flipped ? [a1 + 90, a0 + 90] : [a0 - 90, a1 - 90];
    fillPieslice(canvas, box, start - 90, end - 90, ink);
    if (width > 8) {
      const side = flipped ? 90 : -90;
      drawWideLines(
        canvas,
        [coordAtAngle(p, a0 + side, width), p, coordAtAngle(p, a1 + side, width)],
        3,
        ink,
      );
    }
  }
}
