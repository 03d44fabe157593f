import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ModelFileError, readVerified, sha256Hex, throttleProgress } from "./verified-download";

const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
const SHA = createHash("sha256").update(BYTES).digest("hex");

/** The bytes in chunks of `size`, as a network body arrives. */
function chunked(bytes: Uint8Array, size = 128): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

describe("readVerified", () => {
  it("returns the bytes and reports progress up to the total", async () => {
    const seen: [number, number | null][] = [];
    const out = await readVerified(
      chunked(BYTES),
      { name: "m.onnx", bytes: 1000, sha256: SHA },
      "m/m.onnx",
      {
        onProgress: (loaded, total) => seen.push([loaded, total]),
      },
    );
    expect(out).toEqual(BYTES);
    expect(seen[0]).toEqual([0, 1000]);
    expect(seen.at(-1)).toEqual([1000, 1000]);
    expect(seen.length).toBe(1 + Math.ceil(1000 / 128));
  });

  it("works without a known size, using the declared length for progress", async () => {
    const seen: (number | null)[] = [];
    const out = await readVerified(
      chunked(BYTES),
      { name: "m.onnx", bytes: null, sha256: SHA },
      "m/m.onnx",
      {
        declaredTotal: 1000,
        onProgress: (_loaded, total) => seen.push(total),
      },
    );
    expect(out).toEqual(BYTES);
    expect(new Set(seen)).toEqual(new Set([1000]));
  });

  it("names the file on a checksum mismatch", async () => {
    const corrupt = BYTES.slice();
    corrupt[500] ^= 1;
    await expect(
      readVerified(chunked(corrupt), { name: "m.onnx", bytes: 1000, sha256: SHA }, "m/m.onnx"),
    ).rejects.toThrow(/m\/m\.onnx: checksum mismatch/);
  });

  it("refuses truncated and oversized downloads", async () => {
    const file = { name: "m.onnx", bytes: 1000, sha256: SHA };
    await expect(readVerified(chunked(BYTES.slice(0, 900)), file, "m/m.onnx")).rejects.toThrow(
      /stopped at 900 of 1000 bytes/,
    );
    const longer = new Uint8Array(1100);
    await expect(readVerified(chunked(longer), file, "m/m.onnx")).rejects.toBeInstanceOf(
      ModelFileError,
    );
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const stream = chunked(BYTES, 10);
    const pending = readVerified(stream, { name: "m.onnx", bytes: 1000, sha256: SHA }, "m", {
      signal: controller.signal,
      onProgress: (loaded) => {
        if (loaded >= 100) controller.abort(new Error("stop"));
      },
    });
    await expect(pending).rejects.toThrow("stop");
  });
});

describe("sha256Hex", () => {
  it("agrees with node:crypto", () => {
    expect(sha256Hex(BYTES)).toBe(SHA);
  });
});

describe("throttleProgress", () => {
  it("keeps the first, the last and one call per interval", () => {
    let t = 0;
    const calls: number[] = [];
    const report = throttleProgress(
      (loaded) => calls.push(loaded),
      100,
      () => t,
    );
    report(0, 10);
    t = 10;
    report(1, 10);
    t = 20;
    report(2, 10);
    t = 150;
    report(3, 10);
    t = 160;
    report(10, 10);
    expect(calls).toEqual([0, 3, 10]);
  });
});
