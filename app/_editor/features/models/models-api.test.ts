import { describe, expect, it } from "vitest";
import {
  browserCopy,
  formatBytes,
  importTarget,
  licenceFlags,
  modelSize,
  readNdjson,
  wantedFiles,
  type CachedModelFile,
  type ModelSummary,
} from "./models-api";

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(encoder.encode(p));
      c.close();
    },
  });
}

async function lines(...parts: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  await readNdjson(streamOf(...parts), (v) => out.push(v));
  return out;
}

describe("readNdjson", () => {
  it("splits lines across chunk boundaries and keeps a last line without newline", async () => {
    expect(await lines('{"a":1}\n{"b"', ':2}\n\n{"c":', "3}")).toEqual([
      { a: 1 },
      { b: 2 },
      { c: 3 },
    ]);
  });

  it("decodes a multi-byte character split between chunks", async () => {
    const bytes = new TextEncoder().encode('{"t":"é"}\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7));
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    const out: unknown[] = [];
    await readNdjson(stream, (v) => out.push(v));
    expect(out).toEqual([{ t: "é" }]);
  });

  it("rejects a line that is not JSON", async () => {
    await expect(lines('{"a":1}\n<html>\n')).rejects.toThrow("not a JSON line: <html>");
  });
});

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

function model(over: Partial<ModelSummary> = {}): ModelSummary {
  return {
    id: "m",
    title: "M",
    task: "upscale",
    description: "d",
    licence: { spdx: "MIT", url: "https://example.com", commercial: "yes", notice: null },
    optional: false,
    files: [{ name: "model.onnx", bytes: null, sha256: null }],
    source: { kind: "npm", label: "npm:x@1.0.0" },
    onnx: "model.onnx",
    notes: null,
    installed: null,
    ...over,
  };
}

const installed = {
  id: "m",
  installedAt: "2026-01-01T00:00:00Z",
  source: "npm:x@1.0.0",
  files: [{ name: "model.onnx", bytes: 100, sha256: SHA_A }],
};

function cached(sha256: string, over: Partial<CachedModelFile> = {}): CachedModelFile {
  const base = {
    modelId: "m",
    name: "model.onnx",
    bytes: 100,
    sha256,
    cachedAt: "",
    origin: "server" as const,
  };
  return { ...base, ...over };
}

describe("browserCopy", () => {
  it("is complete when every installed file is cached with the installed hash", () => {
    const copy = browserCopy(model({ installed }), [
      cached(SHA_A),
      cached(SHA_A, { modelId: "other" }),
    ]);
    expect(copy).toMatchObject({ complete: true, bytes: 100 });
    expect(copy.stale).toEqual([]);
  });

  it("calls a copy with another hash stale", () => {
    const copy = browserCopy(model({ installed }), [cached(SHA_B)]);
    expect(copy.complete).toBe(false);
    expect(copy.stale).toHaveLength(1);
  });

  it("counts an imported copy when the server has none", () => {
    expect(browserCopy(model(), [cached(SHA_B)]).complete).toBe(true);
    expect(browserCopy(model(), []).complete).toBe(false);
  });
});

describe("model facts", () => {
  it("sizes a model from the installed record, else the manifest when known", () => {
    expect(modelSize(model({ installed }))).toBe(100);
    // Sources the server kept beside the built file are not part of what the browser needs.
    const withSources = {
      ...installed,
      files: [...installed.files, { name: "model.param", bytes: 5000, sha256: SHA_B }],
    };
    expect(modelSize(model({ installed: withSources }))).toBe(100);
    expect(wantedFiles(model({ installed: withSources }))).toEqual([
      { name: "model.onnx", bytes: 100, sha256: SHA_A },
    ]);
    expect(modelSize(model())).toBeNull();
    expect(
      modelSize(
        model({
          files: [
            { name: "a", bytes: 5, sha256: null },
            { name: "b", bytes: 7, sha256: null },
          ],
        }),
      ),
    ).toBe(12);
  });

  it("matches a picked file by name, or to the only file", () => {
    expect(importTarget(model(), "renamed.onnx")).toBe("model.onnx");
    const two = model({
      files: [
        { name: "model.onnx", bytes: null, sha256: null },
        { name: "model.onnx.data", bytes: null, sha256: null },
      ],
    });
    expect(importTarget(two, "model.onnx.data")).toBe("model.onnx.data");
    expect(() => importTarget(two, "x.onnx")).toThrow(
      /none of m's files \(model\.onnx, model\.onnx\.data\)/,
    );
  });

  it("flags copyleft and non-commercial licences", () => {
    const lic = (spdx: string, commercial: "yes" | "no" | "unclear") => ({
      spdx,
      commercial,
      url: "https://x",
      notice: null,
    });
    expect(licenceFlags(lic("AGPL-3.0-only", "unclear"))).toEqual([
      "copyleft",
      "commercial-unclear",
    ]);
    expect(licenceFlags(lic("CC-BY-NC-SA-4.0", "no"))).toEqual(["non-commercial"]);
    expect(licenceFlags(lic("BSD-3-Clause", "yes"))).toEqual([]);
  });

  it("formats sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2.5 * 1024 * 1024)).toBe("2.5 MB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3.00 GB");
  });
});
