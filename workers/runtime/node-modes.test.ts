import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import type { NodeMode, WorkflowDocument } from "../../nodes/core/document";
import { isImage } from "../../nodes/core/image";
import { imageFrom } from "../../tests/helpers/images";
import { nodeCodec } from "../codec/node-codec";
import { createNodeHost } from "../node-host";
import { compileWorkflow } from "./compile";
import type { RunEvent } from "./events";
import { executeWorkflow } from "./execute";

type Spec = readonly [id: string, type: string, params?: Record<string, unknown>];
type Wire = readonly [source: string, sourceHandle: string, target: string, targetHandle: string];

function doc(
  specs: readonly Spec[],
  wires: readonly Wire[],
  modes: Record<string, NodeMode> = {},
): WorkflowDocument {
  return {
    version: 2,
    name: "modes",
    meta: {},
    nodes: specs.map(([id, type, params]) => ({
      id,
      type,
      position: { x: 0, y: 0 },
      params: params ?? {},
      ...(modes[id] ? { mode: modes[id] } : {}),
    })),
    edges: wires.map(([source, sourceHandle, target, targetHandle], i) => ({
      id: `e${i}`,
      source,
      sourceHandle,
      target,
      targetHandle,
    })),
  };
}

function plan(d: WorkflowDocument) {
  return Object.fromEntries(
    compileWorkflow(d, getNodeDefinition).order.map((n) => [
      n.id,
      {
        skip: n.skip,
        error: n.error,
        inputs: n.inputs.map((i) => `${i.source}.${i.sourceHandle}`),
      },
    ]),
  );
}

const RESIZE = { mode: "stretch", width: 10, height: 5 };

/** load → a → b → view, plus load → side → sideView, and an optional mask from `m` into `comp`. */
function chain(modes: Record<string, NodeMode> = {}) {
  return doc(
    [
      ["load", "load-image", { image: "x" }],
      ["a", "resize", RESIZE],
      ["b", "crop", { x: 0, y: 0, width: 4, height: 4 }],
      ["view", "preview"],
      ["side", "resize", { ...RESIZE, width: 12 }],
      ["sideView", "preview"],
      ["m", "mask-from-alpha"],
      ["comp", "composite"],
      ["compView", "preview"],
    ],
    [
      ["load", "image", "a", "image"],
      ["a", "image", "b", "image"],
      ["b", "image", "view", "image"],
      ["load", "image", "side", "image"],
      ["side", "image", "sideView", "image"],
      ["a", "image", "m", "image"],
      ["load", "image", "comp", "base"],
      ["side", "image", "comp", "overlay"],
      ["m", "mask", "comp", "mask"],
      ["comp", "image", "compView", "image"],
    ],
    modes,
  );
}

describe("mute propagation", () => {
  it("skips the muted node and every node that needs it, and nothing else", () => {
    const p = plan(chain({ a: "mute" }));
    expect(p.a.skip).toBe("muted");
    expect(p.b.skip).toBe('needs "a", which is muted');
    expect(p.view.skip).toBe('needs "a", which is muted');
    expect(p.m.skip).toBe('needs "a", which is muted');
    // Composite reads the muted branch only on its optional mask: it runs without it.
    expect(p.comp).toEqual({
      skip: undefined,
      error: undefined,
      inputs: ["load.image", "side.image"],
    });
    for (const id of ["load", "side", "sideView", "compView"]) expect(p[id].skip).toBeUndefined();
  });

  it("a muted leaf skips only itself", () => {
    const p = plan(chain({ view: "mute" }));
    expect(
      Object.entries(p)
        .filter(([, n]) => n.skip)
        .map(([id]) => id),
    ).toEqual(["view"]);
  });
});

describe("bypass in the plan", () => {
  it("wires readers of a bypassed node to the input it passes on, through chains", () => {
    const p = plan(chain({ a: "bypass", b: "bypass" }));
    expect(p.view.inputs).toEqual(["load.image"]);
    expect(p.m.inputs).toEqual(["load.image"]);
    expect(p.view.error).toBeUndefined();
  });

  it("names the bypassed node when an output has nothing to pass on", () => {
    // Load → Mask Generator (bypassed) → Mask Ops: a MASK output with no MASK input.
    const d = doc(
      [
        ["load", "load-image", { image: "x" }],
        ["gen", "mask-generator"],
        ["ops", "mask-ops"],
      ],
      [
        ["load", "image", "gen", "image"],
        ["gen", "mask", "ops", "mask"],
      ],
      { gen: "bypass" },
    );
    expect(plan(d).ops.error).toBe(
      'input "mask": "gen" is bypassed and has no input of the type of its "mask" output to pass on',
    );
  });

  it("refuses to bypass a node with no matching pair, saying why", () => {
    const d = doc(
      [
        ["load", "load-image", { image: "x" }],
        ["m", "mask-from-alpha"],
      ],
      [["load", "image", "m", "image"]],
      { m: "bypass" },
    );
    expect(plan(d).m.error).toMatch(/^Mask From Alpha cannot be bypassed/);
  });
});

async function asset() {
  const bytes = await nodeCodec.encodePng(imageFrom(40, 30, (x, y) => [x * 6, y * 8, 90, 255]));
  return { id: bytesToHex(sha256(bytes)), bytes };
}

function statuses(events: RunEvent[]) {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === "node-status") out[e.nodeId] = e.status;
  return out;
}

describe("running with node modes", () => {
  it("a bypassed Resize shows the input unchanged, and the reader hits a direct wire's cache", async () => {
    const { id, bytes } = await asset();
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    const direct = doc(
      [
        ["load", "load-image", { image: id }],
        ["view", "preview"],
      ],
      [["load", "image", "view", "image"]],
    );
    const first = await executeWorkflow(direct, host, { runId: "direct" });
    const original = first.results.get("view")?.ui?.images?.[0];

    const viaBypass = doc(
      [
        ["load", "load-image", { image: id }],
        ["small", "resize", RESIZE],
        ["view", "preview"],
      ],
      [
        ["load", "image", "small", "image"],
        ["small", "image", "view", "image"],
      ],
      { small: "bypass" },
    );
    const events: RunEvent[] = [];
    const outcome = await executeWorkflow(viaBypass, host, {
      runId: "bypass",
      onEvent: (e) => events.push(e),
    });
    expect(statuses(events)).toEqual({ load: "cached", small: "bypassed", view: "cached" });
    expect(outcome.status).toBe("done");
    const shown = outcome.results.get("view")?.ui?.images?.[0];
    expect(shown && isImage(shown) && [shown.width, shown.height]).toEqual([40, 30]);
    expect(shown).toBe(original);
    expect(outcome.statuses.get("small")?.message).toBe(
      'bypassed: passes "image" → "image", "mask" → "mask"',
    );
  });

  it("a mute skips its dependants with a message, leaves the run done and other keys unchanged", async () => {
    const { id, bytes } = await asset();
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    const withAsset = (modes: Record<string, NodeMode>) => {
      const d = chain(modes);
      return {
        ...d,
        nodes: d.nodes.map((n) => (n.id === "load" ? { ...n, params: { image: id } } : n)),
      };
    };
    const normal = await executeWorkflow(withAsset({}), host, { runId: "normal" });
    expect(normal.status).toBe("done");
    expect(normal.stats.ran).toBe(9);

    const events: RunEvent[] = [];
    const outcome = await executeWorkflow(withAsset({ a: "mute" }), host, {
      runId: "muted",
      onEvent: (e) => events.push(e),
    });
    expect(statuses(events)).toEqual({
      load: "cached",
      a: "skipped",
      b: "skipped",
      view: "skipped",
      side: "cached",
      sideView: "cached",
      m: "skipped",
      // Composite lost its mask: a different input, so a different key, so it runs.
      comp: "done",
      compView: "done",
    });
    expect(outcome.status).toBe("done");
    expect(outcome.stats).toMatchObject({ skipped: 4, failed: 0, ran: 2, cached: 3 });
    expect(outcome.statuses.get("view")?.message).toBe('needs "a", which is muted');
  });
});
