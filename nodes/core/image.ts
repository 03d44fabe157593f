/**
 * In-memory image values shared by every node. Pixels are plain typed arrays so the same node
 * code runs in the browser worker and under Node, and so buffers can be transferred between
 * threads without copying.
 */
export interface RgbaImage {
  readonly kind: "image";
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits per channel, row-major, not premultiplied. */
  readonly data: Uint8ClampedArray;
}

export interface Mask {
  readonly kind: "mask";
  readonly width: number;
  readonly height: number;
  /** One channel, 0 (keep) … 1 (selected), row-major. */
  readonly data: Float32Array;
}

export function createImage(width: number, height: number, data?: Uint8ClampedArray): RgbaImage {
  assertSize(width, height);
  const pixels = data ?? new Uint8ClampedArray(width * height * 4);
  if (pixels.length !== width * height * 4) {
    throw new Error(`image data has ${pixels.length} bytes, expected ${width * height * 4}`);
  }
  return { kind: "image", width, height, data: pixels };
}

export function createMask(width: number, height: number, data?: Float32Array): Mask {
  assertSize(width, height);
  const values = data ?? new Float32Array(width * height);
  if (values.length !== width * height) {
    throw new Error(`mask data has ${values.length} values, expected ${width * height}`);
  }
  return { kind: "mask", width, height, data: values };
}

function assertSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`invalid image size ${width}×${height}`);
  }
}

export function isImage(value: unknown): value is RgbaImage {
  return typeof value === "object" && value !== null && (value as RgbaImage).kind === "image";
}

export function isMask(value: unknown): value is Mask {
  return typeof value === "object" && value !== null && (value as Mask).kind === "mask";
}

/** Parses "#rgb" or "#rrggbb" into RGBA bytes (opaque). */
export function parseHexColor(hex: string): [number, number, number, number] {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) throw new Error(`invalid colour "${hex}": expected #rrggbb`);
  let digits = match[1];
  if (digits.length === 3) digits = [...digits].map((c) => c + c).join("");
  const n = Number.parseInt(digits, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}
