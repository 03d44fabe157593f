import type { WorkflowDocument } from "../../nodes/core/document";
import { PORT_COLORS } from "../../nodes/core/ports";
import type { NodeDefinition } from "../../nodes/core/types";

/**
 * A static drawing of a workflow for the read-only share page: boxes where the editor put the
 * nodes, ports down their sides, wires as curves between ports. Pure geometry, so the page can
 * render it on the server as SVG without loading the editor.
 */

export const NODE_WIDTH = 220;
const HEADER = 28;
const ROW = 18;
const PAD = 8;
const PARAMS_SHOWN = 4;
const MARGIN = 40;
const UNKNOWN_COLOR = "#999";

export interface LaidPort {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly color: string;
}

export interface LaidNode {
  readonly id: string;
  readonly title: string;
  readonly type: string;
  /** Node types this studio does not know are drawn as placeholders. */
  readonly known: boolean;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly inputs: readonly LaidPort[];
  readonly outputs: readonly LaidPort[];
  /** A few "key: value" lines (a note's text first); the rest is summarised. */
  readonly lines: readonly string[];
}

export interface LaidEdge {
  readonly id: string;
  readonly path: string;
  readonly color: string;
}

export interface GraphLayout {
  readonly viewBox: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
}

function short(value: unknown, max = 28): string {
  const text =
    typeof value === "string" ? value : value === undefined ? "" : (JSON.stringify(value) ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function paramLines(params: Record<string, unknown>): string[] {
  const entries = Object.entries(params).filter(
    ([, v]) => v !== null && v !== undefined && v !== "",
  );
  const lines = entries.slice(0, PARAMS_SHOWN).map(([k, v]) => `${k}: ${short(v)}`);
  if (entries.length > PARAMS_SHOWN) lines.push(`… ${entries.length - PARAMS_SHOWN} more`);
  return lines;
}

export function layoutGraph(
  doc: WorkflowDocument,
  lookup: (type: string) => NodeDefinition | undefined,
): GraphLayout {
  const nodes: LaidNode[] = doc.nodes.map((n) => {
    const def = lookup(n.type);
    const width = n.size?.width ?? NODE_WIDTH;
    const inputNames = Object.keys(def?.inputs ?? {});
    const outputNames = Object.keys(def?.outputs ?? {});
    const rows = Math.max(inputNames.length, outputNames.length);
    const lines = paramLines(n.params);
    const height = n.size?.height ?? HEADER + rows * ROW + lines.length * ROW + PAD * 2;
    const portY = (i: number) => n.position.y + HEADER + PAD + i * ROW + ROW / 2;
    return {
      id: n.id,
      title: def?.title ?? n.type,
      type: n.type,
      known: def !== undefined,
      x: n.position.x,
      y: n.position.y,
      width,
      height,
      inputs: inputNames.map((name, i) => ({
        name,
        x: n.position.x,
        y: portY(i),
        color: PORT_COLORS[def!.inputs[name].type] ?? UNKNOWN_COLOR,
      })),
      outputs: outputNames.map((name, i) => ({
        name,
        x: n.position.x + width,
        y: portY(i),
        color: PORT_COLORS[def!.outputs[name].type] ?? UNKNOWN_COLOR,
      })),
      lines,
    };
  });

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: LaidEdge[] = [];
  for (const e of doc.edges) {
    const from = byId.get(e.source)?.outputs.find((p) => p.name === e.sourceHandle);
    const to = byId.get(e.target)?.inputs.find((p) => p.name === e.targetHandle);
    // A wire to a port this studio does not know has nowhere to be drawn.
    if (!from || !to) continue;
    const bend = Math.max(40, Math.abs(to.x - from.x) / 2);
    edges.push({
      id: e.id,
      path: `M ${from.x} ${from.y} C ${from.x + bend} ${from.y}, ${to.x - bend} ${to.y}, ${to.x} ${to.y}`,
      color: from.color,
    });
  }

  if (nodes.length === 0) {
    return { viewBox: { x: 0, y: 0, width: 400, height: 200 }, nodes, edges };
  }
  const minX = Math.min(...nodes.map((n) => n.x)) - MARGIN;
  const minY = Math.min(...nodes.map((n) => n.y)) - MARGIN;
  const maxX = Math.max(...nodes.map((n) => n.x + n.width)) + MARGIN;
  const maxY = Math.max(...nodes.map((n) => n.y + n.height)) + MARGIN;
  return { viewBox: { x: minX, y: minY, width: maxX - minX, height: maxY - minY }, nodes, edges };
}
