import { bypassPlan, type BypassRoutes } from "../../nodes/core/bypass";
import type { Lookup } from "../../nodes/core/connection";
import { nodeMode, type NodeMode, type WorkflowDocument } from "../../nodes/core/document";
import { topologicalOrder, validateGraph } from "../../nodes/core/graph";
import { resolveParams } from "../../nodes/core/params";
import type { NodeDefinition } from "../../nodes/core/types";

export interface CompiledInput {
  readonly port: string;
  readonly source: string;
  readonly sourceHandle: string;
}

export interface CompiledNode {
  readonly id: string;
  readonly type: string;
  readonly def: NodeDefinition | undefined;
  readonly params: Record<string, unknown>;
  /**
   * Where each input is read from. A wire from a bypassed node is followed back to the node that
   * feeds it, so the reader gets the bypassed node's input itself, and its cache key is the one a
   * direct wire would give.
   */
  readonly inputs: readonly CompiledInput[];
  readonly mode: NodeMode;
  /** Set when the node cannot run: unknown type, bad params, missing input, bad wire, cycle. */
  readonly error?: string;
  /** Set when the node is left unrun because it is muted or needs a muted node: says which. */
  readonly skip?: string;
  /** Set for a bypassed node: which input each output passes on (nodes/core/bypass.ts). */
  readonly bypass?: BypassRoutes;
}

export interface CompiledGraph {
  /** Executable nodes in dependency order (notes are left out). */
  readonly order: readonly CompiledNode[];
}

/** The end of a wire once bypassed nodes are looked through, or why it ends in nothing. */
type Resolved =
  | { readonly ok: true; readonly input: CompiledInput }
  | { readonly ok: false; readonly reason: string };

/**
 * Turns a document into an execution plan. Problems are attached to the node they belong to
 * rather than thrown, so the rest of the graph can still run and the editor can mark the node.
 *
 * Node modes (document version 2): a muted node is left unrun, and so is every node that needs
 * its output on a required input, directly or through other such nodes; an optional input fed
 * by one is left unconnected and its node runs. A bypassed node is left unrun and its readers
 * are wired to the inputs it passes on.
 */
export function compileWorkflow(doc: WorkflowDocument, lookup: Lookup): CompiledGraph {
  const problems = new Map<string, string>();
  const badEdges = new Set<string>();
  for (const issue of validateGraph(doc, lookup)) {
    if (issue.edgeId) badEdges.add(issue.edgeId);
    if (issue.nodeId && !problems.has(issue.nodeId)) problems.set(issue.nodeId, issue.message);
  }
  const edges = doc.edges.filter((e) => !badEdges.has(e.id));
  const inputsByNode = new Map<string, CompiledInput[]>();
  for (const e of edges) {
    const list = inputsByNode.get(e.target) ?? [];
    list.push({ port: e.targetHandle, source: e.source, sourceHandle: e.sourceHandle });
    inputsByNode.set(e.target, list);
  }
  const { order, cycle } = topologicalOrder(
    doc.nodes.map((n) => n.id),
    edges,
  );
  for (const id of cycle) if (!problems.has(id)) problems.set(id, "part of a cycle");
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));

  /** Bypassed nodes that can be looked through: their routes. */
  const bypassed = new Map<string, BypassRoutes>();
  /** Nodes left unrun because of a mute: the muted node behind it. */
  const muted = new Map<string, string>();

  const resolve = (input: CompiledInput): Resolved => {
    let at = input;
    // Bounded by the node count: a chain of bypassed nodes cannot be longer (cycles are errors).
    for (let hops = 0; hops <= doc.nodes.length; hops++) {
      const routes = bypassed.get(at.source);
      if (!routes) return { ok: true, input: at };
      const port = routes[at.sourceHandle];
      if (port === undefined) {
        return {
          ok: false,
          reason: `"${at.source}" is bypassed and has no input of the type of its "${at.sourceHandle}" output to pass on`,
        };
      }
      const next = inputsByNode.get(at.source)?.find((i) => i.port === port);
      if (!next) {
        return {
          ok: false,
          reason: `"${at.source}" is bypassed and its "${port}" input, which it passes on, is not connected`,
        };
      }
      at = { port: input.port, source: next.source, sourceHandle: next.sourceHandle };
    }
    return { ok: false, reason: "a loop of bypassed nodes" };
  };

  const compiled: CompiledNode[] = [];
  for (const id of [...order, ...cycle]) {
    const node = byId.get(id)!;
    const def = lookup(node.type);
    if (def?.executable === false) continue;
    const mode = nodeMode(node);
    // Every plan entry is built by `entry` with one literal shape, so the run loop over them
    // stays monomorphic (spreads of differing shapes made the cached rerun measurably slower).
    const entry = (
      params: Record<string, unknown>,
      inputs: readonly CompiledInput[],
      error: string | undefined,
      skip?: string,
      bypass?: BypassRoutes,
    ): CompiledNode => ({ id, type: node.type, def, params, inputs, mode, error, skip, bypass });
    if (mode === "mute") {
      muted.set(id, id);
      compiled.push(entry(node.params, [], undefined, "muted"));
      continue;
    }

    let error = problems.get(id);
    let skip: string | undefined;
    const inputs: CompiledInput[] = [];
    for (const raw of inputsByNode.get(id) ?? []) {
      const optional = def?.inputs[raw.port]?.optional === true;
      const resolved = resolve(raw);
      if (!resolved.ok) {
        if (!optional) error ??= `input "${raw.port}": ${resolved.reason}`;
        continue;
      }
      const root = muted.get(resolved.input.source);
      if (root !== undefined) {
        if (!optional && skip === undefined) {
          muted.set(id, root);
          skip = `needs "${root}", which is muted`;
        }
        continue;
      }
      inputs.push(resolved.input);
    }
    if (skip !== undefined) {
      compiled.push(entry(node.params, inputs, undefined, skip));
      continue;
    }

    if (mode === "bypass") {
      if (def && !error) {
        const plan = bypassPlan(def);
        if (plan.ok) bypassed.set(id, plan.routes);
        else error = plan.reason;
      }
      compiled.push(
        entry(
          node.params,
          inputs,
          error ?? (def ? undefined : `missing node type "${node.type}"`),
          undefined,
          bypassed.get(id),
        ),
      );
      continue;
    }

    let params: Record<string, unknown> = node.params;
    if (def && !error) {
      const resolved = resolveParams(def.params, node.params);
      if (resolved.ok) params = resolved.values;
      else error = resolved.issues.map((i) => `${i.param}: ${i.message}`).join("; ");
    }
    if (def && !error) {
      const missing = Object.entries(def.inputs)
        .filter(([port, spec]) => !spec.optional && !inputs.some((i) => i.port === port))
        .map(([port, spec]) => spec.label ?? port);
      if (missing.length)
        error = `input ${missing.map((m) => `"${m}"`).join(", ")} is not connected`;
    }
    compiled.push(entry(params, inputs, error));
  }
  return { order: compiled };
}
