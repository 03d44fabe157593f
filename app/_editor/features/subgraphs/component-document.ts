import {
  WORKFLOW_VERSION,
  type SubgraphDefinition,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from "@/nodes/core/document";
import { subgraphKey, subgraphType } from "@/nodes/core/subgraph-structure";

/**
 * A component is a subgraph saved to the library on its own: a Workflow row tagged
 * COMPONENT_TAG whose document holds one node of the subgraph and its definitions. Its versions
 * are the workflow's versions; a workflow that uses it records `component: { id, version }` in
 * the definition it copied.
 */
export const COMPONENT_TAG = "component";

type Defs = Readonly<Record<string, SubgraphDefinition>>;

/** `key` and the subgraphs it holds (at most one level down). */
function closure(key: string, defs: Defs): string[] {
  const keys = [key];
  for (let i = 0; i < keys.length; i++) {
    for (const node of defs[keys[i]]?.nodes ?? []) {
      const inner = subgraphKey(node.type);
      if (inner !== undefined && !keys.includes(inner)) keys.push(inner);
    }
  }
  return keys;
}

/** The document saved for subgraph `key`: one node of it and the definitions it needs. */
export function componentDocument(key: string, defs: Defs): WorkflowDocument {
  const def = defs[key];
  if (!def) throw new Error(`no subgraph "${key}" in this workflow`);
  const subgraphs: Record<string, SubgraphDefinition> = {};
  for (const k of closure(key, defs)) {
    // The saved copy is the component itself, not a use of it.
    const { component: _use, ...rest } = defs[k];
    subgraphs[k] = rest;
  }
  return {
    version: WORKFLOW_VERSION,
    name: def.name,
    nodes: [{ id: "component", type: subgraphType(key), position: { x: 0, y: 0 }, params: {} }],
    edges: [],
    meta: { kind: COMPONENT_TAG },
    subgraphs,
  };
}

/** The key of the subgraph a component document is of; throws when it is no component. */
export function componentKey(doc: WorkflowDocument): string {
  const key = doc.nodes.length === 1 ? subgraphKey(doc.nodes[0].type) : undefined;
  if (key === undefined || !doc.subgraphs?.[key]) {
    throw new Error(`"${doc.name}" is not a component: it should hold one subgraph node`);
  }
  return key;
}

export interface Imported {
  /** The key the component's subgraph has in the workflow now. */
  readonly key: string;
  readonly subgraphs: Record<string, SubgraphDefinition>;
}

/** A key not in `taken`: `base`, `base_2`, … */
function freeKey(base: string, taken: ReadonlySet<string>): string {
  let key = base;
  for (let i = 2; taken.has(key); i++) key = `${base}_${i}`;
  return key;
}

/**
 * Copies a component's definitions into a workflow's (`defs`), recording `{ id, version }` on
 * the top one. Keys the workflow already uses for something else get a suffix. With `replace`,
 * the component's top definition takes that key instead (an update in place), and the nested
 * ones it held before are left for the caller to drop if unused.
 */
export function importComponent(
  doc: WorkflowDocument,
  origin: { readonly id: string; readonly version: number },
  defs: Defs,
  replace?: string,
): Imported {
  const top = componentKey(doc);
  const source = doc.subgraphs ?? {};
  const taken = new Set(Object.keys(defs));
  if (replace !== undefined) taken.delete(replace);
  const renamed = new Map<string, string>();
  for (const k of closure(top, source)) {
    const key = k === top && replace !== undefined ? replace : freeKey(k, taken);
    taken.add(key);
    renamed.set(k, key);
  }
  const retype = (n: WorkflowNode): WorkflowNode => {
    const k = subgraphKey(n.type);
    const to = k === undefined ? undefined : renamed.get(k);
    return to === undefined ? n : { ...n, type: subgraphType(to) };
  };
  const subgraphs: Record<string, SubgraphDefinition> = { ...defs };
  for (const [from, to] of renamed) {
    const def = source[from];
    subgraphs[to] = {
      ...def,
      nodes: def.nodes.map(retype),
      ...(from === top ? { component: { id: origin.id, version: origin.version } } : {}),
    };
  }
  return { key: renamed.get(top)!, subgraphs };
}

/**
 * After a subgraph's definition changed (a component updated): wires into or out of ports it no
 * longer exposes are dropped, and so are values of params it no longer exposes.
 */
export function fitUses(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
  key: string,
  def: SubgraphDefinition,
): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const type = subgraphType(key);
  const users = new Set(nodes.filter((n) => n.type === type).map((n) => n.id));
  const ins = new Set(def.inputs.map((m) => m.name));
  const outs = new Set(def.outputs.map((m) => m.name));
  const params = new Set(def.params.map((m) => m.name));
  return {
    nodes: nodes.map((n) =>
      users.has(n.id)
        ? {
            ...n,
            params: Object.fromEntries(Object.entries(n.params).filter(([k]) => params.has(k))),
          }
        : n,
    ),
    edges: edges.filter(
      (e) =>
        !(users.has(e.target) && !ins.has(e.targetHandle)) &&
        !(users.has(e.source) && !outs.has(e.sourceHandle)),
    ),
  };
}

/** Definitions no node (top level or inside another definition still used) refers to, dropped. */
export function dropUnused(
  nodes: readonly WorkflowNode[],
  defs: Defs,
): Record<string, SubgraphDefinition> {
  const used = new Set<string>();
  const visit = (list: readonly WorkflowNode[]) => {
    for (const n of list) {
      const k = subgraphKey(n.type);
      if (k === undefined || used.has(k) || !defs[k]) continue;
      used.add(k);
      visit(defs[k].nodes);
    }
  };
  visit(nodes);
  return Object.fromEntries(Object.entries(defs).filter(([k]) => used.has(k)));
}
