import { describe, expect, it } from "vitest";
import { DOCUMENT_LIMITS } from "@/nodes/core/limits";
import { readWorkflowFile } from "./import-document";

/** The editor's import applies the document limits (nodes/core/limits.ts) as the server does. */
describe("readWorkflowFile", () => {
  const valid = { version: 1, name: "Imported", nodes: [], edges: [], meta: {} };

  it("reads a workflow JSON file", async () => {
    const file = new File([JSON.stringify(valid)], "w.json", { type: "application/json" });
    expect((await readWorkflowFile(file))?.name).toBe("Imported");
  });

  it("refuses a JSON file over the size limit before reading it, naming the limit", async () => {
    const file = new File([new Uint8Array(DOCUMENT_LIMITS.bytes + 1)], "big.json");
    await expect(readWorkflowFile(file)).rejects.toThrow(
      "big.json is larger than the 5 MB limit of a workflow document",
    );
  });

  it("refuses a deeply nested document, naming the field and the depth limit", async () => {
    const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const text = JSON.stringify({
      ...valid,
      nodes: [{ id: "n", type: "note", position: { x: 0, y: 0 }, params: {} }],
    }).replace('"params":{}', `"params":{"text":${nested}}`);
    const file = new File([text], "deep.json", { type: "application/json" });
    await expect(readWorkflowFile(file)).rejects.toMatchObject({
      field: "nodes[0].params.text",
      message: `nodes[0].params.text: nested deeper than the ${DOCUMENT_LIMITS.depth}-level limit`,
    });
  });

  it("refuses a note longer than the string limit", async () => {
    const note = {
      id: "n",
      type: "note",
      position: { x: 0, y: 0 },
      params: { text: "t".repeat(DOCUMENT_LIMITS.stringLength + 1) },
    };
    const file = new File([JSON.stringify({ ...valid, nodes: [note] })], "long.json");
    await expect(readWorkflowFile(file)).rejects.toThrow(
      `nodes[0].params.text: longer than the ${DOCUMENT_LIMITS.stringLength}-character limit`,
    );
  });
});
