import { describe, expect, it } from "vitest";
import { batchCsv, csvField, toCsv } from "./batch-csv";

describe("csvField", () => {
  it("quotes only what needs it and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(0.25)).toBe("0.25");
    expect(csvField(null)).toBe("");
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });

  it("joins rows with CRLF", () => {
    expect(
      toCsv([
        ["a", "b"],
        [1, 2],
      ]),
    ).toBe("a,b\r\n1,2\r\n");
  });
});

describe("batchCsv", () => {
  it("lists one row per run with input, param and output columns", () => {
    const csv = batchCsv([
      {
        id: "r1",
        status: "done",
        inputs: { person: "inputs/person/p1.png", garment: "inputs/garment/g1.png" },
        params: { sampler: { steps: 4 } },
        outputs: ["r1/save-out.png", "r1/flow-image-0.png"],
        leffaLoss: 0.0123,
        worker: "host:1",
        seconds: 1.5,
      },
      {
        id: "r2",
        status: "error",
        inputs: { person: "inputs/person/p2.png", garment: "inputs/garment/g1.png" },
        params: { sampler: { steps: 4, seed: 7 } },
        outputs: [],
        error: "Leffa Sampler: out of memory, try 512×384",
      },
    ]);
    const lines = csv.split("\r\n");
    expect(lines).toHaveLength(4); // header, two runs, the final empty string
    expect(lines[0]).toBe(
      "run,status,input:person,input:garment,sampler.steps,sampler.seed,outputs,leffa_loss,error,worker,seconds",
    );
    expect(lines[1]).toBe(
      "r1,done,inputs/person/p1.png,inputs/garment/g1.png,4,,r1/save-out.png r1/flow-image-0.png,0.0123,,host:1,1.5",
    );
    expect(lines[2]).toBe(
      'r2,error,inputs/person/p2.png,inputs/garment/g1.png,4,7,,,"Leffa Sampler: out of memory, try 512×384",,',
    );
  });

  it("has only the header for no runs", () => {
    expect(batchCsv([])).toBe("run,status,outputs,leffa_loss,error,worker,seconds\r\n");
  });
});
