/**
 * An 8-bit single-channel drawing surface with Pillow's clipping rules (mode "L" image), and
 * the C rounding helpers Pillow's drawing code relies on. Every PIL primitive in this folder
 * draws through `hline`/`point`, so out-of-image shapes clip exactly as in `libImaging/Draw.c`.
 */
export interface GrayCanvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function createCanvas(width: number, height: number): GrayCanvas {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Pillow's `point8`: silently ignores pixels outside the image. */
export function point(canvas: GrayCanvas, x: number, y: number, ink: number): void {
  if (x >= 0 && x < canvas.width && y >= 0 && y < canvas.height) {
    canvas.data[y * canvas.width + x] = ink;
  }
}

/** Pillow's `hline8`: inclusive span x0..x1 on row y, clipped to the image. */
export function hline(canvas: GrayCanvas, x0: number, y: number, x1: number, ink: number): void {
  if (y < 0 || y >= canvas.height) return;
  if (x0 < 0) x0 = 0;
  else if (x0 >= canvas.width) return;
  if (x1 < 0) return;
  if (x1 >= canvas.width) x1 = canvas.width - 1;
  if (x0 <= x1) canvas.data.fill(ink, y * canvas.width + x0, y * canvas.width + x1 + 1);
}

/** Rounds to float32, as C does when it stores into a `float`. */
export const f32 = Math.fround;

/** C `roundf`/`lround`: halves away from zero (unlike `Math.round`). */
export function roundHalfAway(v: number): number {
  return v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5);
}

/*
 * Pillow's ROUND_UP / ROUND_DOWN macros. With a `float` argument the positive branch adds 0.5F
 * in float arithmetic while the negative branch goes through `fabs` (double), hence two variants.
 */
export function roundUpF32(v: number): number {
  return v >= 0 ? Math.floor(f32(v + 0.5)) : -Math.floor(Math.abs(v) + 0.5);
}

export function roundDownF32(v: number): number {
  return v >= 0 ? Math.ceil(f32(v - 0.5)) : -Math.ceil(Math.abs(v) - 0.5);
}

export function roundUpF64(v: number): number {
  return v >= 0 ? Math.floor(v + 0.5) : -Math.floor(Math.abs(v) + 0.5);
}

export function roundDownF64(v: number): number {
  return v >= 0 ? Math.ceil(v - 0.5) : -Math.ceil(Math.abs(v) - 0.5);
}

/** C's `(int)` cast of a double: truncation toward zero. */
export function cInt(v: number): number {
  return Math.trunc(v);
}
