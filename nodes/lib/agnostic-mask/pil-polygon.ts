import { f32, hline, roundDownF32, roundHalfAway, roundUpF32, type GrayCanvas } from "./pil-canvas";

/**
 * Pillow's scanline polygon filler (`polygon_generic` in `libImaging/Draw.c`, non-alpha path),
 * ported literally — float32 intersection arithmetic, the "connect discontiguous corners" fix-up
 * and the ROUND_UP/ROUND_DOWN span ends included — because wide lines are drawn through it and
 * Leffa's arm masks must match pixel for pixel.
 */
export interface Edge {
  readonly x0: number;
  readonly y0: number;
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  /** Inverse slope as a C float. */
  readonly dx: number;
}

/** `add_edge`: integer end points. */
export function makeEdge(x0: number, y0: number, x1: number, y1: number): Edge {
  return {
    x0,
    y0,
    xmin: Math.min(x0, x1),
    xmax: Math.max(x0, x1),
    ymin: Math.min(y0, y1),
    ymax: Math.max(y0, y1),
    dx: y0 === y1 ? 0 : f32(f32(x1 - x0) / (y1 - y0)),
  };
}

function xAt(edge: Edge, y: number): number {
  return f32(f32((y - edge.y0) * edge.dx) + edge.x0);
}

export function fillEdges(canvas: GrayCanvas, edges: readonly Edge[], ink: number): void {
  if (edges.length === 0) return;
  let ymin = canvas.height - 1;
  let ymax = 0;
  const table: Edge[] = [];
  for (const e of edges) {
    if (ymin > e.ymin) ymin = e.ymin;
    if (ymax < e.ymax) ymax = e.ymax;
    if (e.ymin === e.ymax) {
      hline(canvas, e.xmin, e.ymin, e.xmax, ink);
      continue;
    }
    table.push(e);
  }
  if (ymin < 0) ymin = 0;
  if (ymax > canvas.height) ymax = canvas.height;

  const xx = new Float64Array(table.length * 2);
  for (; ymin <= ymax; ymin++) {
    let j = 0;
    for (let i = 0; i < table.length; i++) {
      const current = table[i];
      if (ymin < current.ymin || ymin > current.ymax) continue;
      xx[j++] = xAt(current, ymin);
      if (ymin === current.ymax && ymin < ymax) {
        // Pillow counts a vertex twice so that spans stay paired.
        xx[j] = xx[j - 1];
        j++;
      } else if ((ymin === current.ymin || ymin === current.ymax) && current.dx !== 0) {
        connectCorner(table, i, ymin, xx, j);
      }
    }
    const row = xx.subarray(0, j).sort();
    for (let i = 1; i < j; i += 2) {
      hline(canvas, roundUpF32(row[i - 1]), ymin, roundDownF32(row[i]), ink);
    }
  }
}

/** Pillow's "connect discontiguous corners": may move xx[j-1] by one pixel past a sharp vertex. */
function connectCorner(
  table: readonly Edge[],
  i: number,
  y: number,
  xx: Float64Array,
  j: number,
): void {
  const current = table[i];
  for (let k = 0; k < i; k++) {
    const other = table[k];
    if ((y !== other.ymin && y !== other.ymax) || other.dx === 0) continue;
    if (roundHalfAway(xx[j - 1]) !== roundHalfAway(xAt(other, y))) continue;
    const offset = y === current.ymax ? -1 : 1;
    const adjacent = xAt(current, y + offset);
    if (y + offset >= other.ymin && y + offset <= other.ymax) {
      const adjacentOther = xAt(other, y + offset);
      const x = xx[j - 1];
      if (x > f32(adjacent + 1) && x > f32(adjacentOther + 1)) {
        xx[j - 1] = f32(roundHalfAway(Math.max(adjacent, adjacentOther)) + 1);
      } else if (x < f32(adjacent - 1) && x < f32(adjacentOther - 1)) {
        xx[j - 1] = f32(roundHalfAway(Math.min(adjacent, adjacentOther)) - 1);
      }
      return;
    }
  }
}
