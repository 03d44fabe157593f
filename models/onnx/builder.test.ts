import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder";

ort.env.wasm.numThreads = 1;

describe("GraphBuilder", () => {
  it("builds a Conv → Relu → Add graph that onnxruntime runs, matching a plain reference", async () => {
    const g = new GraphBuilder("tiny");
    const x = g.input("x", "float32", ["batch", 1, 3, 3]);
    const w = g.initializer("w", new Float32Array([1, 0, -1, 2, 0, -2, 1, 0, -1]), [1, 1, 3, 3]);
    const b = g.initializer("b", new Float32Array([0.5]), [1]);
    const [conv] = g.node("Conv", [x, w, b], { pads: [1, 1, 1, 1] });
    const [relu] = g.node("Relu", [conv]);
    g.node("Add", [relu, b], {}, ["y"]);
    g.output("y", "float32", ["batch", 1, 3, 3]);

    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ["wasm"],
    });
    expect(session.inputNames).toEqual(["x"]);
    const input = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { y } = await session.run({ x: new ort.Tensor("float32", input, [1, 1, 3, 3]) });

    // Reference: the same 3×3 Sobel-like filter with zero padding, + bias, ReLU, + bias.
    const k = [1, 0, -1, 2, 0, -2, 1, 0, -1];
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0.5;
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            const rr = r + i - 1;
            const cc = c + j - 1;
            if (rr >= 0 && rr < 3 && cc >= 0 && cc < 3) sum += input[rr * 3 + cc] * k[i * 3 + j];
          }
        }
        expected.push(Math.max(0, sum) + 0.5);
      }
    }
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
    await session.release();
  });

  it("refuses duplicate names and initializers whose size does not match", () => {
    const g = new GraphBuilder("bad");
    g.input("x", "float32", [1]);
    expect(() => g.input("x", "float32", [1])).toThrow(/duplicate tensor name "x"/);
    expect(() => g.initializer("w", new Float32Array(3), [2, 2])).toThrow(
      /3 values for shape \[2, 2\]/,
    );
  });
});
