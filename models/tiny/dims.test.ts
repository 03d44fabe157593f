import { describe, expect, it } from "vitest";
import {
  collectAliases,
  concreteValues,
  constant,
  evaluate,
  parseDim,
  ratio,
  symbol,
} from "./dims";

describe("parseDim", () => {
  it("reads products, quotients, aliases and the _xN suffix", () => {
    expect(parseDim(512)).toEqual(constant(512));
    expect(parseDim("height")).toEqual(symbol("height"));
    expect(parseDim("height/4")).toEqual({ num: 1, den: 4, powers: { height: 1 } });
    expect(parseDim("4*width")).toEqual({ num: 4, den: 1, powers: { width: 1 } });
    expect(parseDim("width × 2")).toEqual({ num: 2, den: 1, powers: { width: 1 } });
    expect(parseDim("height_x4")).toEqual({ num: 4, den: 1, powers: { height: 1 } });
    expect(parseDim("h*w/16")).toEqual({ num: 1, den: 16, powers: { h: 1, w: 1 } });
    expect(parseDim("(h/2)*(w/2)")).toEqual({ num: 1, den: 4, powers: { h: 1, w: 1 } });
    expect(parseDim("h=H/8")).toEqual({ num: 1, den: 8, powers: { H: 1 } });
  });

  it("keeps text it cannot read as one opaque symbol", () => {
    expect(parseDim("H+2")).toEqual(symbol("H+2"));
    expect(parseDim("num boxes")).toEqual(symbol("num boxes"));
    expect(parseDim("0*h")).toEqual(symbol("0*h"));
  });

  it("resolves a bare alias through the contract's definitions", () => {
    const aliases = collectAliases(["B", 4, "h=H/8", "w=W/8"]);
    expect(parseDim("h*w/4", aliases)).toEqual({ num: 1, den: 256, powers: { H: 1, W: 1 } });
    expect(ratio(parseDim("H", aliases), parseDim("h", aliases))).toBe(8);
  });
});

describe("ratio and evaluate", () => {
  it("gives a plain factor only when the symbols cancel", () => {
    expect(ratio(parseDim("height_x4"), parseDim("height"))).toBe(4);
    expect(ratio(parseDim("height/4"), parseDim("height"))).toBe(0.25);
    expect(ratio(parseDim("h*w/16"), parseDim("h*w"))).toBe(1 / 16);
    expect(ratio(parseDim("out_h"), parseDim("height"))).toBeNull();
    expect(ratio(constant(128), constant(512))).toBe(0.25);
    expect(evaluate(parseDim("h*w/16"), { h: 32, w: 64 })).toBe(128);
    expect(() => evaluate(symbol("x"), {})).toThrow(/"x"/);
  });
});

describe("concreteValues", () => {
  it("gives batch symbols 2 and the rest the smallest size ≥ the minimum every dim divides", () => {
    const shapes = [
      [symbol("B"), constant(4), symbol("h"), symbol("w")],
      [symbol("B"), parseDim("h*w/64"), constant(1280)],
      [symbol("B")],
    ];
    expect(concreteValues(shapes)).toEqual({ B: 2, h: 32, w: 32 });
    expect(concreteValues(shapes, 12)).toEqual({ B: 2, h: 16, w: 16 });
    expect(concreteValues([[symbol("n"), symbol("n")]])).toEqual({ n: 32 });
    expect(concreteValues([[constant(1), parseDim("H/48")]])).toEqual({ H: 48 });
  });
});
