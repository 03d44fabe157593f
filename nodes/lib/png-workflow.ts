import extractChunks from "png-chunks-extract";
import encodeChunks from "png-chunks-encode";
import { decode as decodeText, encode as encodeText } from "png-chunk-text";
import { WorkflowParseError, type WorkflowDocument } from "../core/document";
import { documentSizeIssue } from "../core/limits";

/**
 * The workflow travels inside saved PNGs as a tEXt chunk, so dropping a result back onto the
 * editor restores the graph that made it.
 */
export const WORKFLOW_PNG_KEYWORD = "leffa-studio-workflow";

const SIGNATURE_LENGTH = 8;
/** Length (4) + type (4) + CRC (4) around each chunk's payload. */
const CHUNK_OVERHEAD = 12;

/**
 * JSON text that is pure ASCII: tEXt is Latin-1, so every character from U+007F up (names in any
 * script, emoji, lone surrogates) becomes a \uXXXX escape, which JSON.parse turns back into the
 * same string. Outside strings JSON.stringify only emits ASCII, so escaping is always valid.
 */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error("the value cannot be written as JSON");
  return text.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Checks that every chunk length up to IEND stays inside the bytes. png-chunks-extract trusts the
 * length fields, so a crafted length near 4 GiB would make it allocate and loop for that long
 * before noticing the file is short; files from strangers (drag and drop) are checked first.
 */
function hasSaneChunkLayout(bytes: Uint8Array): boolean {
  if (bytes.length < SIGNATURE_LENGTH || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    return false;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = SIGNATURE_LENGTH;
  while (offset + CHUNK_OVERHEAD <= bytes.length) {
    const length = view.getUint32(offset);
    const end = offset + CHUNK_OVERHEAD + length;
    if (end > bytes.length) return false;
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === "IEND") return true;
    offset = end;
  }
  return false;
}

/** png-chunks-extract behind the layout check; throws on anything that is not a whole PNG. */
function readChunks(bytes: Uint8Array): ReturnType<typeof extractChunks> {
  if (!hasSaneChunkLayout(bytes)) throw new Error("not a valid PNG file");
  return extractChunks(bytes);
}

function isWorkflowChunk(chunk: { name: string; data: Uint8Array }): boolean {
  if (chunk.name !== "tEXt") return false;
  try {
    return decodeText(chunk.data).keyword === WORKFLOW_PNG_KEYWORD;
  } catch {
    // A tEXt chunk with a NUL in its text is malformed, and certainly not ours.
    return false;
  }
}

/**
 * Returns a copy of `png` with the workflow in a tEXt chunk just before IEND, replacing any
 * workflow already embedded. The other chunks are copied byte for byte rather than re-encoded:
 * png-chunks-encode copies each payload into a plain array to compute its CRC, which is slow and
 * memory-hungry for large images, so it only encodes the new chunk. Throws on an invalid PNG.
 */
export function embedWorkflowInPng(png: Uint8Array, doc: WorkflowDocument): Uint8Array {
  const chunks = readChunks(png);
  const textChunk = encodeChunks([encodeText(WORKFLOW_PNG_KEYWORD, asciiJson(doc))]).subarray(
    SIGNATURE_LENGTH,
  );
  const parts: Uint8Array[] = [png.subarray(0, SIGNATURE_LENGTH)];
  let offset = SIGNATURE_LENGTH;
  for (const chunk of chunks) {
    const size = CHUNK_OVERHEAD + chunk.data.length;
    const bytes = png.subarray(offset, offset + size);
    offset += size;
    if (chunk.name === "IEND") parts.push(textChunk);
    if (!isWorkflowChunk(chunk)) parts.push(bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The workflow JSON value embedded by `embedWorkflowInPng`, or null when the bytes are not a
 * valid PNG, carry no workflow, or carry text that is not JSON. An embedded workflow over the
 * document size limit (nodes/core/limits.ts) is refused with a WorkflowParseError naming it,
 * before its text is decoded. The value is not validated here: callers pass it through
 * parseWorkflow, which applies the other limits and migrates older versions.
 */
export function extractWorkflowFromPng(bytes: Uint8Array): unknown | null {
  let chunks: ReturnType<typeof extractChunks>;
  try {
    chunks = readChunks(bytes);
  } catch {
    return null;
  }
  const chunk = chunks.find(isWorkflowChunk);
  if (!chunk) return null;
  // The chunk holds the keyword and a NUL before the text; a few bytes over is still too large.
  const tooLarge = documentSizeIssue(
    chunk.data.byteLength - WORKFLOW_PNG_KEYWORD.length - 1,
    "the workflow in this PNG",
  );
  if (tooLarge) throw new WorkflowParseError(tooLarge);
  try {
    return JSON.parse(decodeText(chunk.data).text) as unknown;
  } catch {
    return null;
  }
}
