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
  const reason = checkPorts(source.type, c.sourceHandle, target.type, c.targetHandle, lookup);
  if (reason) return { ok: false, reason };
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

/** The per-wire part of the rules (types and ports exist, types compatible); null when fine. */
export function checkPorts(
  sourceType: string,
  sourceHandle: string,
  targetType: string,
  targetHandle: string,
  lookup: Lookup,
): string | null {
  const sourceDef = lookup(sourceType);
  const targetDef = lookup(targetType);
  if (!sourceDef) return `unknown node type "${sourceType}"`;
  if (!targetDef) return `unknown node type "${targetType}"`;
  const out = sourceDef.outputs[sourceHandle];
  const inp = targetDef.inputs[targetHandle];
  if (!out) return `${sourceDef.title} has no output "${sourceHandle}"`;
  if (!inp) return `${targetDef.title} has no input "${targetHandle}"`;
  if (!isPortCompatible(out.type, inp.type)) {
    return `type mismatch: ${out.type} cannot connect to ${inp.type}`;
  }
  return null;
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
