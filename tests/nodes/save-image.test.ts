import { describe, expect, it } from "vitest";
import { emptyWorkflow, parseWorkflow, type WorkflowDocument } from "../../nodes/core/document";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";
import { saveImageNode } from "../../nodes/save-image";
import { nodeCodec } from "../../workers/codec/node-codec";
import { imageFrom } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

const workflow: WorkflowDocument = {
  ...emptyWorkflow("Zoë's try-on 試着"),
  nodes: [
    { id: "load", type: "load-image", position: { x: 0, y: 0 }, params: { image: "" } },
    { id: "save", type: "save-image", position: { x: 300, y: 0 }, params: { filename: "out" } },
  ],
  edges: [
    { id: "e1", source: "load", sourceHandle: "image", target: "save", targetHandle: "image" },
  ],
};

const image = imageFrom(6, 4, (x, y) => [x * 40, y * 60, 7, x === 0 ? 0 : 255]);

describe("save-image", () => {
  it("offers a lossless PNG that carries the workflow", async () => {
    const ctx = makeTestContext({ workflow });
    const result = await runNode(saveImageNode, { image }, {}, ctx);
    expect(result.outputs).toEqual({});
    expect(result.ui?.images).toEqual([image]);
    const [file] = result.ui?.files ?? [];
    expect(file).toMatchObject({ name: "leffa.png", mime: "image/png" });
    expect(parseWorkflow(extractWorkflowFromPng(file.bytes))).toEqual(workflow);
    const decoded = await nodeCodec.decode(file.bytes);
    expect(decoded.data).toEqual(image.data);
  });

  it("leaves the workflow out on request", async () => {
    const ctx = makeTestContext({ workflow });
    const result = await runNode(saveImageNode, { image }, { embedWorkflow: false }, ctx);
    const bytes = result.ui?.files?.[0].bytes ?? new Uint8Array();
    expect(extractWorkflowFromPng(bytes)).toBeNull();
    expect((await nodeCodec.decode(bytes)).data).toEqual(image.data);
  });

  it("sanitises the filename", async () => {
    const name = async (filename: string) =>
      (await runNode(saveImageNode, { image }, { filename })).ui?.files?.[0].name;
    expect(await name("../secret/result.png")).toBe("_secret_result.png");
    expect(await name("   ")).toBe("leffa.png");
    expect(await name("look 2")).toBe("look 2.png");
  });
});
