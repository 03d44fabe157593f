import { describe, expect, it } from "vitest";
import { arrayParam, floatParam, intParam, parseNcnnParam } from "./param";

const VALID = `7767517
4 5
Input            input.1   0 1 data
Split            split0    1 2 data a b
Convolution      conv      1 1 a c 0=8 1=3 4=1 5=1 6=216 9=2 -23310=1,2.000000e-01
Interp           up        1 1 b d 0=1 1=4.000000e+00 2=4.000000e+00
`;

describe("parseNcnnParam", () => {
  it("reads layers, blobs and int, float and array parameters", () => {
    const graph = parseNcnnParam(VALID);
    expect(graph.blobCount).toBe(5);
    expect(graph.layers.map((l) => [l.type, l.name, l.line])).toEqual([
      ["Input", "input.1", 3],
      ["Split", "split0", 4],
      ["Convolution", "conv", 5],
      ["Interp", "up", 6],
    ]);
    const [, split, conv, up] = graph.layers;
    expect(split.inputs).toEqual(["data"]);
    expect(split.outputs).toEqual(["a", "b"]);
    expect(intParam(conv, 0, 0)).toBe(8);
    expect(intParam(conv, 11, intParam(conv, 1, 0))).toBe(3); // kernel_h defaults to kernel_w
    // -23310 is the array form of parameter 10 (activation params).
    expect(arrayParam(conv, 10)).toEqual([0.2]);
    expect(conv.params.has(-23310)).toBe(false);
    expect(floatParam(up, 1, 1)).toBe(4);
  });

  it("accepts CRLF line ends and blank lines", () => {
    const graph = parseNcnnParam(VALID.replace(/\n/g, "\r\n").replace("4 5\r\n", "4 5\r\n\r\n"));
    expect(graph.layers).toHaveLength(4);
    expect(graph.layers[0].line).toBe(4);
  });

  it.each([
    [
      "a wrong magic number",
      VALID.replace("7767517", "7767518"),
      /line 1: expected the magic number 7767517/,
    ],
    [
      "a layer count that disagrees",
      VALID.replace("4 5", "5 5"),
      /line 2: header declares 5 layers, the file has 4/,
    ],
    [
      "a blob count that disagrees",
      VALID.replace("4 5", "4 6"),
      /line 2: header declares 6 blobs, the layers write 5/,
    ],
    [
      "a non-numeric value",
      VALID.replace("0=8", "0=eight"),
      /line 5: parameter 0: "eight" is not a number/,
    ],
    [
      "an array whose count is wrong",
      VALID.replace("-23310=1,", "-23310=2,"),
      /line 5: array parameter 10 declares 2 values, has 1/,
    ],
    ["a token without =", VALID.replace("5=1", "5:1"), /line 5: "5:1" is not key=value/],
    [
      "a repeated parameter",
      VALID.replace("5=1", "5=1 5=0"),
      /line 5: layer conv sets parameter 5 twice/,
    ],
    [
      "too few blobs",
      VALID.replace("1 2 data a b", "1 2 data a"),
      /line 4: layer split0 lists 2 blobs, needs 1 in \+ 2 out/,
    ],
    [
      "a blob read before it is written",
      VALID.replace("1 1 b d", "1 1 zz d"),
      /line 6: layer up reads blob zz before any layer writes it/,
    ],
    [
      "a blob written twice",
      VALID.replace("1 1 b d", "1 1 b c"),
      /line 6: blob c is written twice/,
    ],
  ])("names the line for %s", (_, text, message) => {
    expect(() => parseNcnnParam(text)).toThrow(message);
  });

  it("checks parameter types on access", () => {
    const [, , conv, up] = parseNcnnParam(VALID).layers;
    expect(() => intParam(up, 1, 1)).not.toThrow(); // 4.0 is a whole number
    expect(() => arrayParam(up, 1)).toThrow(/line 6: layer up: parameter 1 must be an array/);
    expect(() => floatParam(conv, 10, 0)).toThrow(
      /line 5: layer conv: parameter 10 must be a number/,
    );
    expect(() =>
      intParam(parseNcnnParam(VALID.replace("1=4.000000e+00", "1=2.5")).layers[3], 1, 0),
    ).toThrow(/parameter 1 must be an int/);
  });
});
