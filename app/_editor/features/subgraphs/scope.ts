import type { SubgraphDefinition, WorkflowEdge, WorkflowNode } from "@/nodes/core/document";
import { subgraphKey } from "@/nodes/core/subgraph-structure";

/** The graph on the canvas at one level: the workflow's, or a subgraph's inside. */
export interface Level {
  readonly nodes: readonly WorkflowNode[];
  readonly edges: readonly WorkflowEdge[];
}

/** One step into a subgraph: which definition is open, and the level it was opened from. */
export interface ScopeFrame {
  readonly key: string;
  readonly name: string;
  /** The subgraph node that was opened, in the parent level. */
  readonly nodeId: string;
  readonly parent: Level;
}

export type Subgraphs = Readonly<Record<string, SubgraphDefinition>>;

/**
 * A definition with the inner graph as edited: mappings to nodes that are gone, and exposed
 * inputs now wired inside, are dropped, so the definition stays valid.
 */
export function withInner(def: SubgraphDefinition, level: Level): SubgraphDefinition {
  const ids = new Set(level.nodes.map((n) => n.id));
  const wired = new Set(level.edges.map((e) => `${e.target}\u0000${e.targetHandle}`));
  return {
    ...def,
    nodes: [...level.nodes],
    edges: [...level.edges],
    inputs: def.inputs.filter((m) => ids.has(m.node) && !wired.has(`${m.node}\u0000${m.port}`)),
    outputs: def.outputs.filter((m) => ids.has(m.node)),
    params: def.params.filter((m) => ids.has(m.node)),
  };
}

/**
 * The whole workflow while `scope` is open and `current` is on the canvas: each open
 * definition gets the level above it (the innermost gets `current`), and the top level is the
 * first frame's parent.
 */
export function stitch(
  scope: readonly ScopeFrame[],
  current: Level,
  subgraphs: Subgraphs,
): { top: Level; subgraphs: Subgraphs } {
  if (scope.length === 0) return { top: current, subgraphs };
  const next: Record<string, SubgraphDefinition> = { ...subgraphs };
  for (let i = scope.length - 1; i >= 0; i--) {
    const level = i === scope.length - 1 ? current : scope[i + 1].parent;
    const def = next[scope[i].key];
    if (def) next[scope[i].key] = withInner(def, level);
  }
  return { top: scope[0].parent, subgraphs: next };
}

export type EnterResult =
  | { readonly ok: true; readonly frame: ScopeFrame; readonly inner: Level }
  | { readonly ok: false; readonly reason: string };

/** Opens the subgraph node `nodeId` of `level` for editing inside. */
export function enter(level: Level, nodeId: string, subgraphs: Subgraphs): EnterResult {
  const node = level.nodes.find((n) => n.id === nodeId);
  const key = node ? subgraphKey(node.type) : undefined;
  const def = key !== undefined && Object.hasOwn(subgraphs, key) ? subgraphs[key] : undefined;
  if (!node || key === undefined || !def) {
    return { ok: false, reason: "only a subgraph node can be opened" };
  }
  return {
    ok: true,
    frame: { key, name: def.name, nodeId, parent: level },
    inner: { nodes: def.nodes, edges: def.edges },
  };
}

/**
 * Goes back out to `depth` (0 = the workflow's own level): the definitions edited on the way
 * are written back, and the level at `depth` is on the canvas again.
 */
export function leave(
  scope: readonly ScopeFrame[],
  current: Level,
  subgraphs: Subgraphs,
  depth: number,
): { scope: ScopeFrame[]; level: Level; subgraphs: Subgraphs } {
  if (depth >= scope.length) return { scope: [...scope], level: current, subgraphs };
  const stitched = stitch(scope, current, subgraphs);
  return {
    scope: scope.slice(0, depth),
    level: scope[depth].parent,
    subgraphs: stitched.subgraphs,
  };
}
