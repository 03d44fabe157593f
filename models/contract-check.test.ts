import * as ort from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { contractProblems, graphOutputName, type ValueMeta } from "./contract-check";
import type { Contract } from "./manifest/schema";
import { GraphBuilder } from "./onnx/builder";

ort.env.wasm.numThreads = 1;

const contract: Contract = {
  inputs: [{ name: "input", dtype: "float32", shape: [1, 3, "height", "width"], range: [0, 1] }],
  outputs: [{ name: "output", dtype: "float32", shape: [1, 3, "4*height", "4*width"] }],
  preprocess: "RGB in [0,1]",
  postprocess: "clamp to [0,1]",
};

const tensor = (name: string, type: string, shape: (number | string)[]): ValueMeta => ({
  name,
  isTensor: true,
  type,
  shape,
});

describe("contractProblems", () => {
  it("accepts a model with the same names, dtypes, ranks and fixed dims, whatever its symbols", () => {
    expect(
      contractProblems(contract, {
        inputs: [tensor("input", "float32", [1, 3, "h", "w"])],
        outputs: [tensor("output", "float32", [1, 3, 256, "w4"]), tensor("side", "float16", [1])],
      }),
    ).toEqual([]);
  });

  it("names the tensor and both shapes when a dtype, rank or fixed dim differs", () => {
    expect(
      contractProblems(contract, {
        inputs: [tensor("input", "float16", [1, 3, 512, 512])],
        outputs: [tensor("output", "float32", [1, 3, "H"])],
      }),
    ).toEqual([
      'input "input": expected float32 [1,3,height,width], model has float16 [1,3,512,512]',
      'output "output": expected float32 [1,3,4*height,4*width], model has float32 [1,3,H]',
    ]);
    expect(
      contractProblems(contract, {
        inputs: [tensor("input", "float32", [2, 3, "h", "w"])],
        outputs: [tensor("output", "float32", [1, 1, "a", "b"])],
      }),
    ).toEqual([
      'input "input": expected float32 [1,3,height,width], model has float32 [2,3,h,w]',
      'output "output": expected float32 [1,3,4*height,4*width], model has float32 [1,1,a,b]',
    ]);
  });

  it("reports missing tensors, non-tensors and inputs the contract does not list", () => {
    expect(
      contractProblems(contract, {
        inputs: [{ name: "input", isTensor: false }, tensor("mask", "uint8", [1, 1, "h", "w"])],
        outputs: [tensor("logits", "float32", [1, 3, "h", "w"])],
      }),
    ).toEqual([
      'input "input": expected float32 [1,3,height,width], model has a non-tensor value',
      'input "mask": the model requires it (uint8 [1,1,h,w]) but the contract does not list it',
      'output "output": expected float32 [1,3,4*height,4*width], model has no such output (it has "logits")',
    ]);
  });

  it("accepts a dtype the contract also accepts, and names every accepted dtype otherwise", () => {
    const either: Contract = {
      ...contract,
      inputs: [{ ...contract.inputs[0], dtype: "float16", alsoAccepts: ["float32"] }],
    };
    const output = tensor("output", "float32", [1, 3, "a", "b"]);
    expect(
      contractProblems(either, {
        inputs: [tensor("input", "float32", [1, 3, 8, 8])],
        outputs: [output],
      }),
    ).toEqual([]);
    expect(
      contractProblems(either, {
        inputs: [tensor("input", "float16", [1, 3, 8, 8])],
        outputs: [output],
      }),
    ).toEqual([]);
    expect(
      contractProblems(either, {
        inputs: [tensor("input", "int64", [1, 3, 8, 8])],
        outputs: [output],
      }),
    ).toEqual([
      'input "input": expected float16 or float32 [1,3,height,width], model has int64 [1,3,8,8]',
    ]);
  });

  it("does not hold a model that declares no shape to a rank, but holds it to the dtype", () => {
    expect(
      contractProblems(contract, {
        inputs: [tensor("input", "float32", [])],
        outputs: [tensor("output", "int64", [])],
      }),
    ).toEqual(['output "output": expected float32 [1,3,4*height,4*width], model has int64 []']);
  });

  it("lets an optional output be absent, and checks it when present", () => {
    const withFlow: Contract = {
      ...contract,
      outputs: [
        ...contract.outputs,
        { name: "flow_q_13", dtype: "float16", shape: [1, "n", 320], optional: true },
      ],
    };
    const output = tensor("output", "float32", [1, 3, "H", "W"]);
    const input = tensor("input", "float32", [1, 3, "h", "w"]);
    expect(contractProblems(withFlow, { inputs: [input], outputs: [output] })).toEqual([]);
    expect(
      contractProblems(withFlow, {
        inputs: [input],
        outputs: [output, tensor("flow_q_13", "float32", [1, "n", 320])],
      }),
    ).toEqual(['output "flow_q_13": expected float16 [1,n,320], model has float32 [1,n,320]']);
    // The required output stays required.
    expect(
      contractProblems(withFlow, {
        inputs: [input],
        outputs: [tensor("flow_q_13", "float16", [1, "n", 320])],
      }),
    ).toHaveLength(1);
  });

  describe("outputs read by position", () => {
    // SCHP's layout: Leffa reads output[1]; the graph's names are whatever the export gave.
    const positioned: Contract = {
      ...contract,
      outputs: [
        { name: "fusion", index: 1, dtype: "float32", shape: [1, 18, "h", "w"] },
        { name: "parsing", index: 0, dtype: "float32", shape: [1, 18, "h", "w"] },
      ],
    };
    const input = tensor("input", "float32", [1, 3, "h", "w"]);

    it("matches by position, not by name", () => {
      expect(
        contractProblems(positioned, {
          inputs: [input],
          outputs: [
            tensor("1582", "float32", [1, 18, 128, 128]),
            tensor("1602", "float32", [1, 18, 128, 128]),
            tensor("1614", "float32", [1, 2, 128, 128]),
          ],
        }),
      ).toEqual([]);
    });

    it("names every output the graph has when the one at the position is wrong", () => {
      expect(
        contractProblems(positioned, {
          inputs: [input],
          outputs: [
            tensor("parsing", "float32", [1, 18, 128, 128]),
            tensor("edge", "float32", [1, 2, 128, 128]),
            tensor("fusion", "float32", [1, 18, 128, 128]),
          ],
        }),
      ).toEqual([
        'output #1 ("fusion"): expected float32 [1,18,h,w], model has "edge" float32 [1,2,128,128] there ' +
          '(its outputs: #0 "parsing" float32 [1,18,128,128], #1 "edge" float32 [1,2,128,128], ' +
          '#2 "fusion" float32 [1,18,128,128])',
      ]);
    });

    it("says how many outputs there are when the position is past the end", () => {
      expect(
        contractProblems(positioned, {
          inputs: [input],
          outputs: [tensor("logits", "float32", [1, 18, 128, 128])],
        }),
      ).toEqual([
        'output #1 ("fusion"): expected float32 [1,18,h,w], model has 1 output ' +
          '(its outputs: #0 "logits" float32 [1,18,128,128])',
      ]);
    });

    it("gives the graph's name at the position, and a named output its own name", () => {
      const names = ["1582", "1602", "1614"];
      expect(graphOutputName(positioned.outputs[0], names)).toBe("1602");
      expect(graphOutputName(positioned.outputs[1], names)).toBe("1582");
      expect(graphOutputName(positioned.outputs[0], ["only"])).toBeUndefined();
      expect(graphOutputName(contract.outputs[0], names)).toBe("output");
    });
  });

  it("reads a real onnxruntime-web session's metadata", async () => {
    const g = new GraphBuilder("contract");
    const x = g.input("input", "float32", [1, 3, "h", "w"]);
    const extra = g.input("strength", "float32", [1]);
    const [scaled] = g.node("Mul", [x, extra]);
    g.node(
      "Resize",
      [scaled, "", g.initializer("s", new Float32Array([1, 1, 4, 4]), [4])],
      {
        mode: "nearest",
      },
      ["output"],
    );
    g.output("output", "float32", [1, 3, "H", "W"]);
    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ["wasm"],
    });
    // Symbolic dims come back as their names, fixed ones as numbers.
    expect(session.inputMetadata[0]).toEqual(tensor("input", "float32", [1, 3, "h", "w"]));
    expect(
      contractProblems(contract, {
        inputs: session.inputMetadata,
        outputs: session.outputMetadata,
      }),
    ).toEqual([
      'input "strength": the model requires it (float32 [1]) but the contract does not list it',
    ]);
    await session.release();
  });
});
