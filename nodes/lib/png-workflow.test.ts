import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { emptyWorkflow, parseWorkflow, type WorkflowDocument } from "../core/document";
import { DOCUMENT_LIMITS } from "../core/limits";
import {
  asciiJson,
  embedWorkflowInPng,
  extractWorkflowFromPng,
  WORKFLOW_PNG_KEYWORD,
} from "./png-workflow";

async function png(width = 8, height = 6): Promise<Uint8Array> {
  const { data } = await sharp({
    create: { width, height, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 1 } },
  })
    .png()
    .toUint8Array();
  return data;
}

function doc(name: string): WorkflowDocument {
  return {
    ...emptyWorkflow(name),
    nodes: [{ id: "a", type: "note", position: { x: 1, y: 2 }, params: { text: name } }],
  };
}

/** Chunk types in file order, read straight from the bytes. */
function chunkNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  for (let at = 8; at + 12 <= bytes.length; at += 12 + view.getUint32(at)) {
    names.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)));
  }
  return names;
}

describe("asciiJson", () => {
  it("escapes everything outside ASCII and parses back to the same value", () => {
    const value = { name: "Ünïcødé 試着 😀 \u007f", lone: "\ud800" };
    const text = asciiJson(value);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("PNG workflow chunk", () => {
  it("round-trips a workflow with non-ASCII text and keeps the image valid", async () => {
    const original = await png();
    const workflow = doc("Try-on: Zoë's 試着 😀");
    const embedded = embedWorkflowInPng(original, workflow);
    expect(extractWorkflowFromPng(embedded)).toEqual(workflow);
    const names = chunkNames(embedded);
    expect(names.at(-1)).toBe("IEND");
    expect(names.at(-2)).toBe("tEXt");
    const text = new TextDecoder("latin1").decode(embedded);
    expect(text).toContain(`${WORKFLOW_PNG_KEYWORD}\u0000{`);
    // The image still decodes to the same pixels.
    const before = await sharp(original).raw().toBuffer();
    const after = await sharp(embedded).raw().toBuffer();
    expect(after.equals(before)).toBe(true);
  });

  it("replaces an existing workflow instead of adding a second one", async () => {
    const once = embedWorkflowInPng(await png(), doc("first"));
    const twice = embedWorkflowInPng(once, doc("second"));
    expect(chunkNames(twice).filter((n) => n === "tEXt")).toHaveLength(1);
    expect(extractWorkflowFromPng(twice)).toEqual(doc("second"));
  });

  it("returns null without a workflow, for other files and for damaged PNGs", async () => {
    const plain = await png();
    expect(extractWorkflowFromPng(plain)).toBeNull();
    expect(extractWorkflowFromPng(new Uint8Array([1, 2, 3]))).toBeNull();
    const jpeg = (await sharp(plain).jpeg().toUint8Array()).data;
    expect(extractWorkflowFromPng(jpeg)).toBeNull();
    const embedded = embedWorkflowInPng(plain, doc("x"));
    expect(extractWorkflowFromPng(embedded.subarray(0, embedded.length - 20))).toBeNull();
    const flipped = Uint8Array.from(embedded);
    flipped[embedded.length - 30] ^= 0xff; // inside the tEXt payload: its CRC no longer matches
    expect(extractWorkflowFromPng(flipped)).toBeNull();
  });

  it("refuses a chunk length pointing far past the end without reading it", async () => {
    const bytes = Uint8Array.from(await png());
    new DataView(bytes.buffer).setUint32(33, 0xfffffff0); // the chunk after IHDR
    const started = performance.now();
    expect(extractWorkflowFromPng(bytes)).toBeNull();
    expect(performance.now() - started).toBeLessThan(100);
    expect(() => embedWorkflowInPng(bytes, doc("x"))).toThrow(/not a valid PNG/);
  });

  it("returns null when the chunk holds text that is not JSON", async () => {
    const { encode } = await import("png-chunk-text");
    const { default: encodeChunks } = await import("png-chunks-encode");
    const { default: extractChunks } = await import("png-chunks-extract");
    const chunks = extractChunks(await png());
    chunks.splice(-1, 0, encode(WORKFLOW_PNG_KEYWORD, "{not json"));
    expect(extractWorkflowFromPng(encodeChunks(chunks))).toBeNull();
  });

  it("refuses an embedded workflow over the document size limit, naming the limit", async () => {
    const huge = { ...doc("huge"), meta: { blob: "b".repeat(DOCUMENT_LIMITS.bytes) } };
    const embedded = embedWorkflowInPng(await png(), huge);
    expect(() => extractWorkflowFromPng(embedded)).toThrow(
      "the workflow in this PNG is larger than the 5 MB limit of a workflow document",
    );
  });

  it("hands a deeply nested workflow to parseWorkflow, which names the depth limit", async () => {
    const { encode } = await import("png-chunk-text");
    const { default: encodeChunks } = await import("png-chunks-encode");
    const { default: extractChunks } = await import("png-chunks-extract");
    const chunks = extractChunks(await png());
    const deep = `{"version":1,"name":"d","nodes":[],"edges":[],"meta":{"m":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`;
    chunks.splice(-1, 0, encode(WORKFLOW_PNG_KEYWORD, deep));
    const raw = extractWorkflowFromPng(encodeChunks(chunks));
    expect(() => parseWorkflow(raw)).toThrow(
      `meta.m: nested deeper than the ${DOCUMENT_LIMITS.depth}-level limit`,
    );
  });
});
