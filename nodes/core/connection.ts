import { isPortCompatible } from "./ports";
import type { NodeDefinition } from "./types";

/** The minimal graph shape the rules need; the editor and the runtime both provide it. */
export interface GraphNodeRef {
  readonly id: string;
  readonly type: string;
}
export interface GraphEdgeRef {
  readonly id: string;
  readonly source: string;
  readonly sourceHandle: string;
  readonly target: string;
  readonly targetHandle: string;
}
export interface Connection {
  readonly source: string;
  readonly sourceHandle: string;
  readonly target: string;
  readonly targetHandle: string;
}

export type Lookup = (type: string) => NodeDefinition | undefined;

export type ConnectionVerdict =
  | {
      readonly ok: true;
      /** Edges the new wire replaces (a single input keeps one wire). */ readonly replaces: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Decides whether a wire may be drawn: the one rule used while dragging, on connect and when a
 * document is validated. Refuses unknown nodes and ports, incompatible types, self-loops and any
 * wire that would close a cycle; a wire into an input that already has one replaces it.
 */
export function validateConnection(
  c: Connection,
  nodes: readonly GraphNodeRef[],
  edges: readonly GraphEdgeRef[],
  lookup: Lookup,
): ConnectionVerdict {
  const source = nodes.find((n) => n.id === c.source);
  const target = nodes.find((n) => n.id === c.target);
  if (!source || !target) return { ok: false, reason: "node not found" };
  const sourceDef = lookup(source.type);
  const targetDef = lookup(target.type);
  if (!sourceDef) return { ok: false, reason: `unknown node type "${source.type}"` };
  if (!targetDef) return { ok: false, reason: `unknown node type "${target.type}"` };
  const out = sourceDef.outputs[c.sourceHandle];
  const inp = targetDef.inputs[c.targetHandle];
  if (!out) return { ok: false, reason: `${sourceDef.title} has no output "${c.sourceHandle}"` };
  if (!inp) return { ok: false, reason: `${targetDef.title} has no input "${c.targetHandle}"` };
  if (!isPortCompatible(out.type, inp.type)) {
    return { ok: false, reason: `type mismatch: ${out.type} cannot connect to ${inp.type}` };
  }
  if (c.source === c.target) return { ok: false, reason: "a node cannot feed itself" };
  const replaces = edges
    .filter((e) => e.target === c.target && e.targetHandle === c.targetHandle)
    .map((e) => e.id);
  const remaining = edges.filter((e) => !replaces.includes(e.id));
  if (reaches(c.target, c.source, remaining)) {
    return { ok: false, reason: "this wire would create a cycle" };
  }
  return { ok: true, replaces };
}

/** True when `to` can be reached from `from` by following edges downstream. */
export function reaches(from: string, to: string, edges: readonly GraphEdgeRef[]): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.source);
    if (list) list.push(e.target);
    else next.set(e.source, [e.target]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return false;
}
