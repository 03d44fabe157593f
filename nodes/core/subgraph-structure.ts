import type { SubgraphDefinition, WorkflowDocument } from "./document";

/** A node of type `subgraph:<key>` stands for the document's `subgraphs[key]`. */
export const SUBGRAPH_TYPE_PREFIX = "subgraph:";

/** How deep subgraphs may go: a subgraph may hold a subgraph, which may not hold another. */
export const MAX_SUBGRAPH_DEPTH = 2;

/** The subgraph key a node type names, or undefined for an ordinary node type. */
export function subgraphKey(type: string): string | undefined {
  return type.startsWith(SUBGRAPH_TYPE_PREFIX)
    ? type.slice(SUBGRAPH_TYPE_PREFIX.length)
    : undefined;
}

export function subgraphType(key: string): string {
  return `${SUBGRAPH_TYPE_PREFIX}${key}`;
}

export interface StructureIssue {
  readonly field: string;
  readonly message: string;
}

function duplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

/** Ids, wires and mappings of one definition, without the node registry. */
function definitionIssue(key: string, def: SubgraphDefinition): StructureIssue | undefined {
  const at = `subgraphs.${key}`;
  const where = `subgraph "${def.name}"`;
  const ids = new Set<string>();
  for (const node of def.nodes) {
    if (ids.has(node.id)) {
      return { field: `${at}.nodes`, message: `${where}: duplicate node id "${node.id}"` };
    }
    ids.add(node.id);
  }
  const wiredInputs = new Set<string>();
  for (const edge of def.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!ids.has(end)) {
        return {
          field: `${at}.edges`,
          message: `${where}: wire "${edge.id}" refers to node "${end}", which is not in the subgraph`,
        };
      }
    }
    wiredInputs.add(`${edge.target}\u0000${edge.targetHandle}`);
  }
  for (const kind of ["inputs", "outputs", "params"] as const) {
    const list = def[kind];
    const dup = duplicate(list.map((m) => m.name));
    if (dup !== undefined) {
      return {
        field: `${at}.${kind}`,
        message: `${where}: two exposed ${kind} are named "${dup}"`,
      };
    }
    for (const [i, m] of list.entries()) {
      if (!ids.has(m.node)) {
        return {
          field: `${at}.${kind}[${i}].node`,
          message: `${where}: exposed ${kind.slice(0, -1)} "${m.name}" maps to node "${m.node}", which is not in the subgraph`,
        };
      }
    }
  }
  const mappedInputs = new Set<string>();
  for (const [i, m] of def.inputs.entries()) {
    const slot = `${m.node}\u0000${m.port}`;
    if (wiredInputs.has(slot) || mappedInputs.has(slot)) {
      return {
        field: `${at}.inputs[${i}]`,
        message: `${where}: exposed input "${m.name}" maps to input "${m.port}" of node "${m.node}", which already has a wire`,
      };
    }
    mappedInputs.add(slot);
  }
  return undefined;
}

/**
 * The checks of the subgraphs a document holds that need no node registry: ids, wires and
 * exposed mappings inside each definition point at nodes it has, every `subgraph:<key>` node
 * names a definition, and no subgraph holds itself or nests deeper than MAX_SUBGRAPH_DEPTH.
 * Types, ports and cycles are checked against the registry by subgraphIssues (subgraph.ts).
 */
export function subgraphStructureIssue(
  doc: Pick<WorkflowDocument, "nodes" | "subgraphs">,
): StructureIssue | undefined {
  const defs = doc.subgraphs ?? {};
  const missing = (type: string, field: string): StructureIssue | undefined => {
    const key = subgraphKey(type);
    if (key === undefined || Object.hasOwn(defs, key)) return undefined;
    return {
      field,
      message: `node type "${type}" names subgraph "${key}", which the workflow does not define`,
    };
  };
  for (const [i, node] of doc.nodes.entries()) {
    const issue = missing(node.type, `nodes[${i}].type`);
    if (issue) return issue;
  }
  for (const [key, def] of Object.entries(defs)) {
    const issue = definitionIssue(key, def);
    if (issue) return issue;
    for (const [i, node] of def.nodes.entries()) {
      const inner = missing(node.type, `subgraphs.${key}.nodes[${i}].type`);
      if (inner) return inner;
    }
  }

  // Depth of each definition: 1 plus the deepest subgraph it holds.
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (key: string): number | StructureIssue => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) {
      return {
        field: `subgraphs.${key}`,
        message: `subgraph "${defs[key].name}" contains itself`,
      };
    }
    visiting.add(key);
    let deepest = 0;
    for (const node of defs[key].nodes) {
      const inner = subgraphKey(node.type);
      if (inner === undefined) continue;
      const d = depthOf(inner);
      if (typeof d !== "number") return d;
      deepest = Math.max(deepest, d);
    }
    visiting.delete(key);
    depth.set(key, deepest + 1);
    return deepest + 1;
  };
  for (const key of Object.keys(defs)) {
    const d = depthOf(key);
    if (typeof d !== "number") return d;
    if (d > MAX_SUBGRAPH_DEPTH) {
      return {
        field: `subgraphs.${key}`,
        message: `subgraph "${defs[key].name}" nests subgraphs ${d} deep; a subgraph may hold a subgraph, but that one may not hold another`,
      };
    }
  }
  return undefined;
}
