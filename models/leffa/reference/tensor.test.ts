import { describe, expect, it } from "vitest";
import {
  add,
  batchElement,
  concatAxis1,
  fromArray,
  fromTokens,
  param,
  sliceAxis1,
  toTokens,
} from "./tensor";

describe("tensor helpers", () => {
  it("takes one batch element as a batch of one", () => {
    const x = fromArray([2, 2, 1], [1, 2, 3, 4]);
    expect(batchElement(x, 1)).toEqual(fromArray([1, 2, 1], [3, 4]));
    expect(batchElement(x, 0)).toEqual(fromArray([1, 2, 1], [1, 2]));
    expect(() => batchElement(x, 2)).toThrow("batch element 2 of a batch of 2");
  });

  it("turns NCHW into row-major tokens [B, H·W, C] and back", () => {
    // One sample, 2 channels of 1×2: channel 0 = [1, 2], channel 1 = [3, 4].
    const x = fromArray([1, 2, 1, 2], [1, 2, 3, 4]);
    const tokens = toTokens(x);
    expect(tokens.shape).toEqual([1, 2, 2]);
    expect(Array.from(tokens.data)).toEqual([1, 3, 2, 4]);
    expect(fromTokens(tokens, 1, 2)).toEqual(x);
  });

  it("concatenates and slices on axis 1 per batch element", () => {
    const a = fromArray([2, 1, 2], [1, 2, 3, 4]);
    const b = fromArray([2, 2, 2], [5, 6, 7, 8, 9, 10, 11, 12]);
    const joined = concatAxis1([a, b]);
    expect(joined.shape).toEqual([2, 3, 2]);
    expect(Array.from(joined.data)).toEqual([1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
    expect(sliceAxis1(joined, 0, 1)).toEqual(a);
    expect(sliceAxis1(joined, 1, 3)).toEqual(b);
  });

  it("adds element-wise and refuses mismatched shapes", () => {
    const a = fromArray([2], [1, 2]);
    expect(Array.from(add(a, fromArray([2], [10, 20])).data)).toEqual([11, 22]);
    expect(() => add(a, fromArray([1, 2], [1, 2]))).toThrow(/shape \[1, 2\], expected \[2\]/);
  });

  it("looks weights up by key with a shape check", () => {
    const w = new Map([["a.weight", { shape: [2, 3], data: new Float64Array(6) }]]);
    expect(param(w, "a.weight", [2, -1]).shape).toEqual([2, 3]);
    expect(() => param(w, "b.weight")).toThrow('missing weight "b.weight"');
    expect(() => param(w, "a.weight", [3, 2])).toThrow(/has shape \[2, 3\], expected \[3, 2\]/);
  });
});
