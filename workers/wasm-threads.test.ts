import { describe, expect, it } from "vitest";
import { chooseWasmThreads, describeWasmThreads, threadsOverrideFromQuery } from "./wasm-threads";

describe("chooseWasmThreads", () => {
  it("uses min(4, cores) on a cross-origin isolated page", () => {
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 2 })).toEqual({ threads: 2 });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 4 })).toEqual({ threads: 4 });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 32 })).toEqual({ threads: 4 });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 1 })).toEqual({ threads: 1 });
  });

  it("falls back to one thread when the browser hides the core count", () => {
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: undefined })).toEqual({
      threads: 1,
    });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 0 })).toEqual({ threads: 1 });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: NaN })).toEqual({
      threads: 1,
    });
  });

  it("runs one thread and says why when the page is not isolated, whatever was asked", () => {
    for (const choice of [
      chooseWasmThreads({ isolated: false, hardwareConcurrency: 16 }),
      chooseWasmThreads({ isolated: false, hardwareConcurrency: 16, override: 4 }),
    ]) {
      expect(choice.threads).toBe(1);
      expect(choice.note).toMatch(/not cross-origin isolated.*SharedArrayBuffer/);
    }
  });

  it("honours a valid override on an isolated page, even past the core count", () => {
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 2, override: 4 })).toEqual({
      threads: 4,
      note: "set by ?threads=4",
    });
    expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 8, override: 1 }).threads).toBe(
      1,
    );
    expect(
      chooseWasmThreads({ isolated: true, hardwareConcurrency: 8, override: 500 }).threads,
    ).toBe(16);
  });

  it("ignores an invalid override", () => {
    for (const override of [0, -2, 1.5, NaN]) {
      expect(chooseWasmThreads({ isolated: true, hardwareConcurrency: 8, override })).toEqual({
        threads: 4,
      });
    }
  });
});

describe("describeWasmThreads", () => {
  it("names the count, singular for one, with the note in parentheses", () => {
    expect(describeWasmThreads({ threads: 4 })).toBe("onnxruntime-web WASM, 4 threads");
    expect(describeWasmThreads({ threads: 1, note: "why" })).toBe(
      "onnxruntime-web WASM, 1 thread (why)",
    );
  });
});

describe("threadsOverrideFromQuery", () => {
  it("reads a positive integer and nothing else", () => {
    expect(threadsOverrideFromQuery("?backend=wasm&threads=3")).toBe(3);
    expect(threadsOverrideFromQuery("?threads=0")).toBeUndefined();
    expect(threadsOverrideFromQuery("?threads=two")).toBeUndefined();
    expect(threadsOverrideFromQuery("?threads=-1")).toBeUndefined();
    expect(threadsOverrideFromQuery("")).toBeUndefined();
  });
});
