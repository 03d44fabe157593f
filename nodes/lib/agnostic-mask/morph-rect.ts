/**
 * OpenCV's `cv2.dilate` / `cv2.erode` with an all-ones kw×kh kernel, default anchor and
 * `iterations`, on binary images (nonzero = set; the result is 0/1).
 *
 * OpenCV turns n iterations of a full rectangle into one pass with a kernel of
 * k + (n-1)(k-1) pixels and anchor n·⌊k/2⌋. For even k the anchor is off-centre, so a dilation
 * reaches further right/down than left/up: 10×10 ×5 → window [x-25, x+20], i.e. a set pixel
 * spreads 20 px left/up and 25 px right/down. The default border value never lets the outside
 * dilate in or erode away, which here means windows are simply clipped to the image.
 */
export interface RectKernel {
  readonly width: number;
  readonly height: number;
  readonly iterations: number;
}

/** The single-pass window OpenCV uses along one axis: offsets [-anchor, size-1-anchor]. */
export function effectiveWindow(k: number, iterations: number): { size: number; anchor: number } {
  return { size: k + (iterations - 1) * (k - 1), anchor: Math.floor(k / 2) * iterations };
}

export function dilateRect(
  src: Uint8Array,
  width: number,
  height: number,
  kernel: RectKernel,
): Uint8Array {
  return morph(src, width, height, kernel, true);
}

export function erodeRect(
  src: Uint8Array,
  width: number,
  height: number,
  kernel: RectKernel,
): Uint8Array {
  return morph(src, width, height, kernel, false);
}

function morph(
  src: Uint8Array,
  width: number,
  height: number,
  kernel: RectKernel,
  dilate: boolean,
): Uint8Array {
  if (src.length !== width * height) {
    throw new Error(`morph-rect: expected ${width * height} pixels, got ${src.length}`);
  }
  const out = new Uint8Array(src.length);
  if (kernel.iterations <= 0 || kernel.width * kernel.height === 1) {
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
    return out;
  }
  const wx = effectiveWindow(kernel.width, kernel.iterations);
  const wy = effectiveWindow(kernel.height, kernel.iterations);
  // Erosion with a never-eroding border is the complement of dilating the complement, so the
  // row pass reads unset pixels and the column pass writes the complement back.
  const rows = dilateRows(src, width, height, wx.size, wx.anchor, !dilate);
  dilateColumns(rows, width, height, wy.size, wy.anchor, out, !dilate);
  return out;
}

/**
 * Row pass: out[x] = 1 when a selected sample lies in [x - anchor, x - anchor + size - 1]. Each
 * run of selected samples [a, b] simply widens to [a - (size - 1 - anchor), b + anchor].
 */
function dilateRows(
  src: Uint8Array,
  width: number,
  height: number,
  size: number,
  anchor: number,
  selectUnset: boolean,
): Uint8Array {
  const out = new Uint8Array(src.length);
  const reach = size - 1 - anchor;
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let x = 0;
    while (x < width) {
      while (x < width && (src[base + x] !== 0) === selectUnset) x++;
      if (x >= width) break;
      const a = x;
      while (x < width && (src[base + x] !== 0) !== selectUnset) x++;
      const from = a - reach < 0 ? 0 : a - reach;
      const to = x - 1 + anchor >= width ? width - 1 : x - 1 + anchor;
      out.fill(1, base + from, base + to + 1);
    }
  }
  return out;
}

/**
 * Column pass: out[y] = OR of rows [y - anchor, y - anchor + size - 1] (rows outside are empty),
 * by van Herk / Gil–Werman: in blocks of `size` rows, a prefix OR and a suffix OR; every window
 * spans at most two blocks, so it is suffix | prefix — three word operations per pixel group
 * whatever the kernel size. Rows are processed four pixels per 32-bit word when the width allows.
 */
function dilateColumns(
  src: Uint8Array,
  width: number,
  height: number,
  size: number,
  anchor: number,
  out: Uint8Array,
  invert: boolean,
): void {
  const packed = width % 4 === 0 && src.byteOffset % 4 === 0 && out.byteOffset % 4 === 0;
  if (packed) {
    const lanes = width / 4;
    vhgw(
      new Uint32Array(src.buffer, src.byteOffset, lanes * height),
      new Uint32Array(out.buffer, out.byteOffset, lanes * height),
      lanes,
      height,
      size,
      anchor,
      invert ? 0x01010101 : 0,
      (n) => new Uint32Array(n),
    );
  } else {
    vhgw(src, out, width, height, size, anchor, invert ? 1 : 0, (n) => new Uint8Array(n));
  }
}

function vhgw<T extends Uint8Array | Uint32Array>(
  src: T,
  out: T,
  lanes: number,
  height: number,
  size: number,
  anchor: number,
  flip: number,
  alloc: (n: number) => T,
): void {
  // Extended row e holds source row e - anchor (empty outside the image), so the window of
  // output row y is extended rows [y, y + size - 1].
  const rows = height + size - 1;
  const prefix = alloc(rows * lanes);
  const suffix = alloc(rows * lanes);
  for (let e = 0; e < rows; e++) {
    const r = e - anchor;
    const base = e * lanes;
    if (e % size === 0) {
      if (r >= 0 && r < height) prefix.set(src.subarray(r * lanes, (r + 1) * lanes), base);
    } else if (r >= 0 && r < height) {
      for (let i = 0; i < lanes; i++)
        prefix[base + i] = prefix[base - lanes + i] | src[r * lanes + i];
    } else {
      prefix.copyWithin(base, base - lanes, base);
    }
  }
  for (let e = rows - 1; e >= 0; e--) {
    const r = e - anchor;
    const base = e * lanes;
    if (e % size === size - 1 || e === rows - 1) {
      if (r >= 0 && r < height) suffix.set(src.subarray(r * lanes, (r + 1) * lanes), base);
    } else if (r >= 0 && r < height) {
      for (let i = 0; i < lanes; i++)
        suffix[base + i] = suffix[base + lanes + i] | src[r * lanes + i];
    } else {
      suffix.copyWithin(base, base + lanes, base + 2 * lanes);
    }
  }
  for (let y = 0; y < height; y++) {
    const a = y * lanes;
    const b = (y + size - 1) * lanes;
    for (let i = 0; i < lanes; i++) out[a + i] = (suffix[a + i] | prefix[b + i]) ^ flip;
  }
}
