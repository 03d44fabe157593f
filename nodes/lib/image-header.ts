/**
 * Reads an image's format and pixel size from its first bytes, without decoding it. Load Image
 * uses this to refuse huge images before a decoder allocates width × height × 4 bytes for them.
 */
export type ImageFormat = "png" | "jpeg" | "webp";

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Returns the header of a PNG, JPEG or WebP file, or null when the signature is unknown or the
 * header is truncated or malformed (the caller reports both the same way: unusable file).
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  let header: ImageHeader | null = null;
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) header = readPng(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8) header = readJpeg(bytes);
  else if (fourCC(bytes, 0) === "RIFF" && fourCC(bytes, 8) === "WEBP") header = readWebp(bytes);
  return header && header.width > 0 && header.height > 0 ? header : null;
}

function fourCC(bytes: Uint8Array, at: number): string {
  if (at + 4 > bytes.length) return "";
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function u16be(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function u32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function u24le(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
}

/** The spec requires IHDR to be the first chunk: length (4) "IHDR" (4) width (4) height (4). */
function readPng(bytes: Uint8Array): ImageHeader | null {
  if (bytes.length < 24 || fourCC(bytes, 12) !== "IHDR") return null;
  return { format: "png", width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

/** Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Walks the marker segments up to the first SOFn. EXIF (APP1), ICC profiles and thumbnails come
 * before it, so the walk skips them by length rather than scanning for FF C0 bytes, which also
 * occur inside embedded thumbnails.
 */
function readJpeg(bytes: Uint8Array): ImageHeader | null {
  let i = 2;
  while (i < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    // Any number of 0xFF fill bytes may precede a marker.
    while (i < bytes.length && bytes[i] === 0xff) i++;
    if (i >= bytes.length) return null;
    const marker = bytes[i++];
    // Standalone markers (TEM, RSTn, a repeated SOI) have no length field.
    if (marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    // End of image or start of scan before any frame header: there is no size to read.
    if (marker === 0xd9 || marker === 0xda) return null;
    if (i + 2 > bytes.length) return null;
    const length = u16be(bytes, i);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      // Segment: length (2) precision (1) height (2) width (2) …
      if (i + 7 > bytes.length) return null;
      return { format: "jpeg", width: u16be(bytes, i + 5), height: u16be(bytes, i + 3) };
    }
    i += length;
  }
  return null;
}

/** RIFF "WEBP", then the first chunk decides the layout: lossy VP8, lossless VP8L or extended VP8X. */
function readWebp(bytes: Uint8Array): ImageHeader | null {
  const chunk = fourCC(bytes, 12);
  if (chunk === "VP8 ") {
    // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height (2 scale bits each).
    if (bytes.length < 30 || bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) {
      return null;
    }
    const width = (bytes[26] | (bytes[27] << 8)) & 0x3fff;
    const height = (bytes[28] | (bytes[29] << 8)) & 0x3fff;
    return { format: "webp", width, height };
  }
  if (chunk === "VP8L") {
    // Signature 0x2F, then width − 1 and height − 1 as two 14-bit fields, little-endian bits.
    if (bytes.length < 25 || bytes[20] !== 0x2f) return null;
    const bits = (bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24)) >>> 0;
    return { format: "webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    // Flags (1), reserved (3), canvas width − 1 (24-bit LE), canvas height − 1 (24-bit LE).
    if (bytes.length < 30) return null;
    return { format: "webp", width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 };
  }
  return null;
}
