// The png-chunks packages ship plain CommonJS without types (and @types packages are not
// installed), so these declarations cover exactly the parts the studio uses.

declare module "png-chunks-extract" {
  /** One PNG chunk: its four-letter type and its payload (without length and CRC). */
  export interface PngChunk {
    name: string;
    data: Uint8Array;
  }
  /** Splits a PNG into chunks up to IEND; throws on a bad signature, a bad CRC or truncation. */
  export default function extractChunks(data: Uint8Array): PngChunk[];
}

declare module "png-chunks-encode" {
  import type { PngChunk } from "png-chunks-extract";
  /** Writes the PNG signature followed by the chunks, computing each CRC. */
  export default function encodeChunks(chunks: readonly PngChunk[]): Uint8Array;
}

declare module "png-chunk-text" {
  import type { PngChunk } from "png-chunks-extract";
  /** Builds a tEXt chunk; keyword and text must be Latin-1 without NUL characters. */
  export function encode(keyword: string, text: string): PngChunk;
  /** Reads a tEXt chunk (or its payload) back into keyword and text. */
  export function decode(chunk: PngChunk | Uint8Array): { keyword: string; text: string };
}
