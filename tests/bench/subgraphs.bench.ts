/**
 * npm run bench:subgraphs — the editor with subgraphs, in the production build (`npm run build`
 * first): a workflow of 10 subgraph nodes of 30 inner nodes each opens in under 1 s and a
 * subgraph node drags at 50 fps or more. The same 300 nodes as a flat workflow are the baseline,
 * measured in the same run; and the runtime's flattening of it is timed too.
 */
import { chromium } from "playwright-core";
import { getNodeDefinition } from "../../nodes";
import type { SubgraphDefinition, WorkflowDocument } from "../../nodes/core/document";
import { flattenWorkflow } from "../../nodes/core/flatten";
import { serveBuild } from "../helpers/serve-build";
import { CHROMIUM } from "../e2e/browser";
import { dragOnce } from "./drag-fps";

const PORT = Number(process.env.BENCH_PORT ?? 3142);
const SUBGRAPHS = 10;
const INNER = 30;

/** A chain of `INNER` Resize nodes, its first input and last output exposed, and two params. */
function definition(i: number): SubgraphDefinition {
  const nodes = Array.from({ length: INNER }, (_, k) => ({
    id: `r${k}`,
    type: "resize",
    position: { x: (k % 6) * 320, y: Math.floor(k / 6) * 420 },
    params: { mode: "stretch", width: 64 + k, height: 48 },
  }));
  const edges = nodes.slice(1).map((n, k) => ({
    id: `w${k}`,
    source: `r${k}`,
    sourceHandle: "image",
    target: n.id,
    targetHandle: "image",
  }));
  return {
    name: `Stage ${i + 1}`,
    nodes,
    edges,
    inputs: [{ name: "image", node: "r0", port: "image" }],
    outputs: [{ name: "image", node: `r${INNER - 1}`, port: "image" }],
    params: [
      { name: "width", node: "r0", param: "width" },
      { name: "height", node: "r0", param: "height" },
    ],
  };
}

/** Load Image → 10 subgraph nodes in a chain → Preview. */
function withSubgraphs(): WorkflowDocument {
  const subgraphs = Object.fromEntries(
    Array.from({ length: SUBGRAPHS }, (_, i) => [`stage${i}`, definition(i)]),
  );
  const ids = ["load", ...Array.from({ length: SUBGRAPHS }, (_, i) => `n${i}`), "view"];
  const nodes = ids.map((id, i) => ({
    id,
    type: id === "load" ? "load-image" : id === "view" ? "preview" : `subgraph:stage${i - 1}`,
    position: { x: (i % 4) * 360, y: Math.floor(i / 4) * 420 },
    params: {},
  }));
  const edges = ids.slice(1).map((id, i) => ({
    id: `e${i}`,
    source: ids[i],
    sourceHandle: "image",
    target: id,
    targetHandle: "image",
  }));
  return { version: 2, name: "subgraph bench", nodes, edges, meta: {}, subgraphs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const doc = withSubgraphs();
  // The flat baseline as a document of its own: namespaced ids use "/", which ids cannot.
  const flattened = flattenWorkflow(doc, getNodeDefinition).doc;
  const plain = (id: string) => id.replaceAll("/", "_");
  const flat: WorkflowDocument = {
    ...flattened,
    nodes: flattened.nodes.map((n) => ({ ...n, id: plain(n.id) })),
    edges: flattened.edges.map((e) => ({
      ...e,
      id: plain(e.id),
      source: plain(e.source),
      target: plain(e.target),
    })),
  };
  const flattenMs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    flattenWorkflow(doc, getNodeDefinition);
    flattenMs.push(performance.now() - t);
  }
  console.log(
    `flatten: ${SUBGRAPHS} subgraphs × ${INNER} nodes → ${flat.nodes.length} nodes, median ${median(flattenMs).toFixed(3)} ms`,
  );

  // The page's own cost: the same top level with a plain Resize where each subgraph node is.
  const plainTop: WorkflowDocument = {
    ...doc,
    name: "subgraph bench, top level only",
    nodes: doc.nodes.map((n) => (n.type.startsWith("subgraph:") ? { ...n, type: "resize" } : n)),
    subgraphs: undefined,
  };
  delete plainTop.subgraphs;

  const { base, stop } = await serveBuild(PORT);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--enable-unsafe-webgpu"],
  });
  try {
    const open = { sub: [] as number[], flat: [] as number[], top: [] as number[] };
    // The first page load warms the server's routes and chunks: not counted.
    await dragOnce(browser, base, doc, "n1");
    for (let i = 0; i < 3; i++) {
      await dragOnce(browser, base, flat, "load", (ms) => open.flat.push(ms));
      await dragOnce(browser, base, doc, "n1", (ms) => open.sub.push(ms));
      await dragOnce(browser, base, plainTop, "n1", (ms) => open.top.push(ms));
    }
    const subFps = await dragOnce(browser, base, doc, "n1");
    const flatFps = await dragOnce(browser, base, flat, "n1_r1");
    const topFps = await dragOnce(browser, base, plainTop, "n1");
    const subOpen = median(open.sub);
    const flatOpen = median(open.flat);
    console.log(
      `open: ${SUBGRAPHS}×${INNER} in subgraphs ${subOpen} ms (runs ${open.sub.join(", ")}; target < 1000) vs the same ${flat.nodes.length} nodes flat ${flatOpen} ms — ratio ${(subOpen / flatOpen).toFixed(2)}`,
    );
    console.log(
      `open: the same 12 top-level nodes without subgraphs ${median(open.top)} ms (runs ${open.top.join(", ")}): the page's own cost`,
    );
    console.log(
      `drag a subgraph node: median ${subFps.median} fps, worst ${subFps.worst} fps (target ≥ 50) vs flat: median ${flatFps.median}, worst ${flatFps.worst}; 12 plain nodes: median ${topFps.median}, worst ${topFps.worst}`,
    );
  } finally {
    await browser.close();
    stop();
  }
}

void main();
