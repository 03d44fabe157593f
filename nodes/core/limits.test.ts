import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWorkflow, parseWorkflowJson, WorkflowParseError } from "./document";
import { DOCUMENT_LIMITS as L, documentLimitIssue, nestingIssue } from "./limits";

function node(id: string, params: Record<string, unknown> = {}) {
  return { id, type: "note", position: { x: 0, y: 0 }, params };
}

function doc(extra: Record<string, unknown> = {}) {
  return { version: 1, name: "w", nodes: [node("a")], edges: [], meta: {}, ...extra };
}

/** `levels` arrays inside each other, built without recursion. */
function nestedArrays(levels: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

function refusal(raw: unknown): WorkflowParseError {
  try {
    parseWorkflow(raw);
  } catch (err) {
    if (err instanceof WorkflowParseError) return err;
    throw err;
  }
  throw new Error("expected the document to be refused");
}

describe("document limits", () => {
  it("lets every seeded template through", () => {
    const dir = new URL("../../prisma/examples/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const raw = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as unknown;
      expect(documentLimitIssue(raw), file).toBeNull();
    }
  });

  it("refuses 100,000 nested arrays in a param, naming the param and the depth limit", () => {
    // JSON.parse itself copes with this; JSON.stringify and structuredClone overflow the stack.
    const text = JSON.stringify(doc()).replace(
      '"params":{}',
      `"params":{"text":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    );
    const raw = JSON.parse(text) as unknown;
    const e = refusal(raw);
    expect(e.field).toBe("nodes[0].params.text");
    expect(e.message).toBe(`nodes[0].params.text: nested deeper than the ${L.depth}-level limit`);
  });

  it("counts the document as level 1 and allows exactly the limit", () => {
    // document(1) > nodes(2) > node(3) > params(4) > value(5…)
    const fits = doc({ nodes: [node("a", { v: nestedArrays(L.depth - 4) })] });
    expect(() => parseWorkflow(fits)).not.toThrow();
    const deeper = doc({ nodes: [node("a", { v: nestedArrays(L.depth - 3) })] });
    expect(refusal(deeper).field).toBe("nodes[0].params.v");
    const deepMeta = doc({ meta: { m: nestedArrays(L.depth) } });
    expect(refusal(deepMeta).field).toBe("meta.m");
  });

  it("names the node and edge count limits", () => {
    const nodes = Array.from({ length: L.nodes + 1 }, (_, i) => node(`n${i}`));
    expect(refusal(doc({ nodes })).message).toBe(`nodes: more than the ${L.nodes}-node limit`);
    const edges = Array.from({ length: L.edges + 1 }, () => ({}));
    expect(refusal(doc({ edges })).message).toBe(`edges: more than the ${L.edges}-edge limit`);
  });

  it("names the string limits of names, ids, types and handles", () => {
    expect(refusal(doc({ name: "n".repeat(L.nameLength + 1) })).message).toBe(
      `name: longer than the ${L.nameLength}-character limit`,
    );
    const longId = "i".repeat(L.idLength + 1);
    expect(refusal(doc({ nodes: [node(longId)] })).message).toContain(
      `nodes[0].id: longer than the ${L.idLength}-character limit`,
    );
    const longType = { ...node("a"), type: "t".repeat(L.typeLength + 1) };
    expect(refusal(doc({ nodes: [longType] })).message).toBe(
      `node "a": nodes[0].type: longer than the ${L.typeLength}-character limit`,
    );
    const edge = {
      id: "e",
      source: "a",
      target: "a",
      sourceHandle: "h".repeat(101),
      targetHandle: "x",
    };
    expect(refusal(doc({ edges: [edge] })).field).toBe("edges[0].sourceHandle");
  });

  it("names a note's text, a nested string, an array, an object and a param's JSON size", () => {
    const text = "t".repeat(L.stringLength + 1);
    expect(refusal(doc({ nodes: [node("a"), node("b", { text })] })).message).toBe(
      `nodes[1].params.text: longer than the ${L.stringLength}-character limit`,
    );
    expect(refusal(doc({ nodes: [node("a", { list: ["ok", { deep: text }] })] })).field).toBe(
      "nodes[0].params.list[1].deep",
    );
    const array = new Array<number>(L.arrayLength + 1).fill(0);
    expect(refusal(doc({ nodes: [node("a", { array })] })).message).toBe(
      `nodes[0].params.array: more than the ${L.arrayLength}-element limit`,
    );
    const object = Object.fromEntries(
      Array.from({ length: L.objectKeys + 1 }, (_, i) => [`k${i}`, 0]),
    );
    expect(refusal(doc({ nodes: [node("a", { object })] })).message).toBe(
      `nodes[0].params.object: more than the ${L.objectKeys}-key limit`,
    );
    // Each string and the array within their limits, together over the param's size.
    const big = Array.from({ length: 20 }, () => "b".repeat(L.stringLength));
    expect(refusal(doc({ nodes: [node("a", { big })] })).message).toBe(
      "nodes[0].params.big: larger than the 256 KB limit as JSON",
    );
    const params = Object.fromEntries(
      Array.from({ length: L.paramsPerNode + 1 }, (_, i) => [`p${i}`, 0]),
    );
    expect(refusal(doc({ nodes: [node("a", params)] })).message).toBe(
      `nodes[0].params: more than the ${L.paramsPerNode}-param limit`,
    );
  });

  it("names the meta's limits", () => {
    const meta = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, "m".repeat(L.stringLength)]),
    );
    expect(refusal(doc({ meta })).message).toBe("meta: larger than the 256 KB limit as JSON");
    expect(refusal(doc({ meta: { notes: "m".repeat(L.stringLength + 1) } })).field).toBe(
      "meta.notes",
    );
  });

  it("refuses JSON text over the document size before parsing it", () => {
    const text = " ".repeat(L.bytes + 1);
    expect(() => parseWorkflowJson(text)).toThrow(
      /larger than the 5 MB limit of a workflow document/,
    );
  });

  it("refuses a __proto__ param or meta key, which the schema would silently drop", () => {
    const raw = JSON.parse(
      JSON.stringify(doc()).replace('"params":{}', '"params":{"__proto__":{"x":1}}'),
    ) as unknown;
    expect(refusal(raw).field).toBe("nodes[0].params.__proto__");
    const meta = JSON.parse(
      '{"version":1,"name":"w","nodes":[],"edges":[],"meta":{"__proto__":1}}',
    ) as unknown;
    expect(refusal(meta).field).toBe("meta.__proto__");
  });

  it("refuses names the database cannot store", () => {
    expect(refusal(doc({ name: "a\u0000b" })).field).toBe("name");
    expect(refusal(doc({ name: "lone \ud800" })).field).toBe("name");
    // A well-formed pair (an emoji) is fine.
    expect(parseWorkflow(doc({ name: "smile \ud83d\ude00" })).name).toBe("smile 😀");
  });

  it("walks a 200,000-element array without recursion and finds nothing wrong in it", () => {
    expect(nestingIssue(new Array(200_000).fill([1]), 3)).toBeNull();
  });
});
