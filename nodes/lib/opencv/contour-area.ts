/**
 * OpenCV's `contourArea`: the shoelace sum over the polygon's vertices (closing edge first), in
 * doubles, halved. `oriented` keeps the sign: negative for `findContours`' outer borders (traced
 * counter-clockwise on screen), positive for its holes.
 */
export function contourArea(points: Int32Array, oriented = false): number {
  const n = points.length >> 1;
  if (n === 0) return 0;
  let px = points[2 * n - 2];
  let py = points[2 * n - 1];
  let a = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    a += px * y - py * x;
    px = x;
    py = y;
  }
  a *= 0.5;
  return oriented ? a : Math.abs(a);
}
