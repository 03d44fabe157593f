import { describe, expect, it } from "vitest";
import { WORKFLOW_VERSION, type WorkflowDocument } from "@/nodes/core/document";
import { HttpError } from "../http";
import { checkRunRequest, runImages } from "./run-request";

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

const doc: WorkflowDocument = {
  version: WORKFLOW_VERSION,
  name: "t",
  nodes: [
    { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    { id: "garment", type: "load-image", position: { x: 0, y: 0 }, params: { image: HASH_B } },
    { id: "size", type: "resize", position: { x: 0, y: 0 }, params: { width: 512 } },
  ],
  edges: [],
  meta: {},
};

function refusal(run: () => unknown): { status: number; field?: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof HttpError)
      return { status: err.status, field: err.field, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("checkRunRequest", () => {
  it("accepts inputs for Load Image nodes and valid overrides", () => {
    expect(
      checkRunRequest(doc, {
        inputs: { person: HASH_A },
        overrides: { size: { width: 1024, mode: "fill" } },
      }),
    ).toEqual({ inputs: { person: HASH_A }, overrides: { size: { width: 1024, mode: "fill" } } });
  });

  it("names the field of an unknown node, a wrong node type and a bad asset id", () => {
    expect(refusal(() => checkRunRequest(doc, { inputs: { ghost: HASH_A } }))).toMatchObject({
      status: 400,
      field: "inputs.ghost",
      message: expect.stringMatching(/no node with this id/),
    });
    expect(refusal(() => checkRunRequest(doc, { inputs: { size: HASH_A } }))).toMatchObject({
      field: "inputs.size",
      message: expect.stringMatching(/is a Resize, not a Load Image/),
    });
    expect(refusal(() => checkRunRequest(doc, { inputs: { person: "x.png" } }))).toMatchObject({
      field: "inputs.person",
    });
    expect(refusal(() => checkRunRequest(doc, { overrides: { ghost: { a: 1 } } }))).toMatchObject({
      field: "overrides.ghost",
    });
  });

  it("checks each override against the node's param schema", () => {
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { width: 0 } } })),
    ).toMatchObject({ status: 400, field: "overrides.size.width" });
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { width: 100000 } } })),
    ).toMatchObject({ field: "overrides.size.width" });
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { width: 1.5 } } })),
    ).toMatchObject({ field: "overrides.size.width" });
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { mode: "sideways" } } })),
    ).toMatchObject({ field: "overrides.size.mode", message: expect.stringMatching(/one of/) });
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { depth: 3 } } })),
    ).toMatchObject({ field: "overrides.size.depth", message: expect.stringMatching(/width/) });
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { size: { toString: 3 } } })),
    ).toMatchObject({ field: "overrides.size.toString" });
    // An image goes in as an input, where it is checked as one.
    expect(
      refusal(() => checkRunRequest(doc, { overrides: { person: { image: HASH_A } } })),
    ).toMatchObject({ field: "overrides.person.image" });
  });
});

describe("runImages", () => {
  it("takes the request's input, else the image saved on the node", () => {
    expect(runImages(doc, {})).toEqual({ garment: HASH_B });
    expect(runImages(doc, { person: HASH_A, garment: HASH_A })).toEqual({
      person: HASH_A,
      garment: HASH_A,
    });
  });
});
