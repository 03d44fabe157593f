import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { create } from "zustand";
import { validateConnection, type ConnectionVerdict, type Lookup } from "@/nodes/core/connection";
import type {
  SubgraphDefinition,
  WorkflowDocument,
  WorkflowEdge,
  WorkflowNode,
} from "@/nodes/core/document";
import { subgraphLookup } from "@/nodes/core/subgraph";
import { defaultParams } from "@/nodes/core/params";
import { getNodeDefinition } from "@/nodes";
import { instantiate, parseClipboard, serializeSelection } from "./clipboard";
import {
  fromFlowEdge,
  fromFlowNode,
  toDocument,
  toFlowEdge,
  toFlowNode,
  type StudioEdge,
  type StudioNode,
} from "./flow-mapping";
import { switchMode, type SwitchableMode } from "./node-modes";
import { enter, leave, stitch, type ScopeFrame } from "../subgraphs/scope";
import { emptyHistory, record, redo, undo, type History } from "./undo-history";

interface Snapshot {
  readonly name: string;
  readonly nodes: readonly WorkflowNode[];
  readonly edges: readonly WorkflowEdge[];
  readonly subgraphs: Readonly<Record<string, SubgraphDefinition>>;
}

export interface EditorState {
  workflowId: string | null;
  name: string;
  meta: Record<string, unknown>;
  nodes: StudioNode[];
  edges: StudioEdge[];
  /** The document's subgraph definitions (features/subgraphs/); the canvas may be inside one. */
  subgraphs: Readonly<Record<string, SubgraphDefinition>>;
  /** The subgraphs opened for editing inside, outermost first; empty at the workflow's level. */
  scope: readonly ScopeFrame[];
  history: History<Snapshot>;
  /** Bumped by every recorded edit; the document is dirty while it differs from `savedRevision`. */
  revision: number;
  savedRevision: number;
  /** Snapshot taken when a drag or resize starts, recorded when it ends. */
  gestureStart: Snapshot | null;
  /**
   * The saved version the edits are based on, sent with every save so the server can refuse one
   * that would overwrite a newer version saved elsewhere; null for a workflow not saved yet.
   */
  baseVersion: number | null;

  /**
   * Replaces the document. `baseVersion` defaults to the current one when the same workflow is
   * reloaded (a draft restored over it), else to null.
   */
  load(
    doc: WorkflowDocument,
    workflowId: string | null,
    opts?: { dirty?: boolean; baseVersion?: number | null },
  ): void;
  /** The document as it is now was saved as `version` of `workflowId`. */
  markSaved(workflowId: string, version?: number, revision?: number): void;
  setName(name: string): void;
  onNodesChange(changes: NodeChange<StudioNode>[]): void;
  onEdgesChange(changes: EdgeChange<StudioEdge>[]): void;
  /** The connection rule for a wire being drawn (nodes/core/connection.ts). */
  canConnect(c: Connection | Edge): ConnectionVerdict;
  /** Draws the wire, replacing one already in that input; returns why not when refused. */
  connect(c: Connection): string | null;
  addNode(
    type: string,
    position: { x: number; y: number },
    params?: Record<string, unknown>,
  ): string;
  setParam(nodeId: string, key: string, value: unknown): void;
  /**
   * Bypass or mute `ids` (the selection when absent), or return them to normal when all already
   * have the mode (node-modes.ts). One undo step; returns why nothing changed, if nothing did.
   */
  toggleMode(mode: SwitchableMode, ids?: readonly string[]): string | undefined;
  deleteSelection(): void;
  copySelection(): string | null;
  paste(text: string, at: { x: number; y: number }): boolean;
  duplicateSelection(): void;
  selectAll(): void;
  /**
   * Replaces the graph on the canvas and the subgraph definitions in one undo step (making a
   * subgraph, updating a component); `select` are selected afterwards.
   */
  replaceGraph(
    nodes: readonly WorkflowNode[],
    edges: readonly WorkflowEdge[],
    subgraphs: Readonly<Record<string, SubgraphDefinition>>,
    select?: readonly string[],
  ): void;
  /** Opens a subgraph node to edit inside; returns why not. Undo starts afresh inside. */
  enterSubgraph(nodeId: string): string | undefined;
  /** Back out to `depth` (0 = the workflow), writing the edited definitions back. */
  leaveSubgraph(depth: number): void;
  undo(): void;
  redo(): void;
  document(): WorkflowDocument;
}

let counter = 0;
/** Short, readable, unique-enough ids: they appear in error messages and the CLI's --input. */
export function newId(prefix = "n"): string {
  counter = (counter + 1) % 1_000_000;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

function snapshot(s: Pick<EditorState, "name" | "nodes" | "edges" | "subgraphs">): Snapshot {
  return {
    name: s.name,
    nodes: s.nodes.map(fromFlowNode),
    edges: s.edges.map(fromFlowEdge),
    subgraphs: s.subgraphs,
  };
}

function restore(snap: Snapshot): Pick<EditorState, "name" | "nodes" | "edges" | "subgraphs"> {
  return {
    name: snap.name,
    nodes: snap.nodes.map((n) => toFlowNode(n)),
    edges: snap.edges.map((e) => toFlowEdge(e, snap.nodes, false, subgraphAware(snap.subgraphs))),
    subgraphs: snap.subgraphs,
  };
}

let lookupFor: { subgraphs: Snapshot["subgraphs"]; lookup: Lookup } | null = null;

/** The registry's lookup, knowing these subgraph node types too (one per definitions map). */
function subgraphAware(subgraphs: Snapshot["subgraphs"]): Lookup {
  if (lookupFor?.subgraphs !== subgraphs) {
    lookupFor = { subgraphs, lookup: subgraphLookup(subgraphs, getNodeDefinition) };
  }
  return lookupFor.lookup;
}

/**
 * The definition of a node type in the document being edited: a registry type, or one of its
 * subgraphs (`subgraph:<key>`, with the ports and params it exposes).
 */
export function lookupNode(type: string) {
  return subgraphAware(useEditor.getState().subgraphs)(type);
}

const lookup: Lookup = (type) => lookupNode(type);

export const useEditor = create<EditorState>()((set, get) => {
  /** Records the current state as an undo step, then applies `patch`. */
  const commit = (patch: Partial<EditorState>, groupKey?: string) => {
    const s = get();
    set({
      ...patch,
      history: record(s.history, snapshot(s), groupKey),
      revision: s.revision + 1,
    });
  };

  return {
    workflowId: null,
    name: "Untitled workflow",
    meta: {},
    nodes: [],
    edges: [],
    subgraphs: {},
    scope: [],
    history: emptyHistory(),
    revision: 0,
    savedRevision: 0,
    gestureStart: null,
    baseVersion: null,

    load(doc, workflowId, opts) {
      const s = get();
      const sameWorkflow = workflowId !== null && workflowId === s.workflowId;
      set({
        baseVersion:
          opts?.baseVersion !== undefined ? opts.baseVersion : sameWorkflow ? s.baseVersion : null,
        workflowId,
        name: doc.name,
        meta: doc.meta,
        subgraphs: doc.subgraphs ?? {},
        scope: [],
        nodes: doc.nodes.map((n) => toFlowNode(n)),
        edges: doc.edges.map((e) =>
          toFlowEdge(e, doc.nodes, false, subgraphAware(doc.subgraphs ?? {})),
        ),
        history: emptyHistory(),
        revision: opts?.dirty ? 1 : 0,
        savedRevision: 0,
        gestureStart: null,
      });
    },

    markSaved(workflowId, version, revision) {
      const s = get();
      set({
        workflowId,
        // The revision the save started from: edits made while it was in flight stay unsaved.
        savedRevision: revision ?? s.revision,
        baseVersion: version ?? s.baseVersion,
      });
    },

    setName(name) {
      commit({ name }, "name");
    },

    onNodesChange(changes) {
      const s = get();
      // Selection and measured sizes are view state: applied, never recorded.
      const gestureMoves = changes.filter(
        (c) => (c.type === "position" && c.dragging) || (c.type === "dimensions" && c.resizing),
      );
      const gestureEnds = changes.filter(
        (c) =>
          (c.type === "position" && c.dragging === false) ||
          (c.type === "dimensions" && c.resizing === false),
      );
      const removals = changes.some((c) => c.type === "remove");
      const nodes = applyNodeChanges(changes, s.nodes);
      if (gestureMoves.length && !s.gestureStart) {
        set({ nodes, gestureStart: snapshot(s) });
      } else if (gestureEnds.length && s.gestureStart) {
        set({
          nodes,
          gestureStart: null,
          history: record(s.history, s.gestureStart),
          revision: s.revision + 1,
        });
      } else if (removals) {
        const removed = new Set(changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
        commit({
          nodes,
          edges: s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
        });
      } else {
        set({ nodes });
      }
    },

    onEdgesChange(changes) {
      const s = get();
      const edges = applyEdgeChanges(changes, s.edges);
      if (changes.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace"))
        commit({ edges });
      else set({ edges });
    },

    canConnect(c) {
      if (!c.sourceHandle || !c.targetHandle)
        return { ok: false, reason: "a wire needs two ports" };
      const s = get();
      const wire = {
        source: c.source,
        sourceHandle: c.sourceHandle,
        target: c.target,
        targetHandle: c.targetHandle,
      };
      const docNodes = s.nodes.map((n) => ({ id: n.id, type: n.data.nodeType }));
      return validateConnection(wire, docNodes, s.edges.map(fromFlowEdge), lookup);
    },

    connect(c) {
      const s = get();
      const verdict = s.canConnect(c);
      if (!verdict.ok) return verdict.reason;
      const conn = {
        source: c.source,
        sourceHandle: c.sourceHandle!,
        target: c.target,
        targetHandle: c.targetHandle!,
      };
      const kept = s.edges.filter((e) => !verdict.replaces.includes(e.id));
      const edge = toFlowEdge(
        { id: newId("e"), ...conn },
        s.nodes.map(fromFlowNode),
        false,
        lookup,
      );
      commit({ edges: addEdge(edge, kept) });
      return null;
    },

    addNode(type, position, params) {
      const def = lookupNode(type);
      const id = newId();
      const node = toFlowNode(
        { id, type, position, params: { ...(def ? defaultParams(def.params) : {}), ...params } },
        true,
      );
      const s = get();
      commit({
        nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
      });
      return id;
    },

    setParam(nodeId, key, value) {
      const s = get();
      const nodes = s.nodes.map((n) =>
        n.id === nodeId
          ? { ...n, data: { ...n.data, params: { ...n.data.params, [key]: value } } }
          : n,
      );
      commit({ nodes }, `param:${nodeId}:${key}`);
    },

    toggleMode(mode, ids) {
      const s = get();
      const chosen = ids ? new Set(ids) : null;
      const targets = s.nodes
        .filter((n) => (chosen ? chosen.has(n.id) : n.selected))
        .map((n) => ({ id: n.id, def: lookupNode(n.data.nodeType), mode: n.data.mode }));
      const change = switchMode(targets, mode);
      if (!change.ok) return change.reason;
      const nodes = s.nodes.map((n) => {
        if (!change.modes.has(n.id)) return n;
        const { mode: _old, ...data } = n.data;
        const next = change.modes.get(n.id);
        return { ...n, data: next ? { ...data, mode: next } : data };
      });
      commit({ nodes });
      return undefined;
    },

    deleteSelection() {
      const s = get();
      const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const edges = s.edges.filter(
        (e) => !e.selected && !gone.has(e.source) && !gone.has(e.target),
      );
      if (!gone.size && edges.length === s.edges.length) return;
      commit({ nodes: s.nodes.filter((n) => !gone.has(n.id)), edges });
    },

    copySelection() {
      const s = get();
      const selected = s.nodes.filter((n) => n.selected).map(fromFlowNode);
      return serializeSelection(selected, s.edges.map(fromFlowEdge));
    },

    paste(text, at) {
      const selection = parseClipboard(text);
      if (!selection) return false;
      const pasted = instantiate(selection, at, () => newId());
      const s = get();
      const allDoc = [...s.nodes.map(fromFlowNode), ...pasted.nodes];
      commit({
        nodes: [
          ...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          ...pasted.nodes.map((n) => toFlowNode(n, true)),
        ],
        edges: [
          ...s.edges.map((e) => ({ ...e, selected: false })),
          ...pasted.edges.map((e) => toFlowEdge(e, allDoc, false, lookup)),
        ],
      });
      return true;
    },

    duplicateSelection() {
      const s = get();
      const text = s.copySelection();
      if (!text) return;
      const first = s.nodes
        .filter((n) => n.selected)
        .reduce((p, n) => ({ x: Math.min(p.x, n.position.x), y: Math.min(p.y, n.position.y) }), {
          x: Infinity,
          y: Infinity,
        });
      s.paste(text, { x: first.x + 40, y: first.y + 40 });
    },

    selectAll() {
      set({ nodes: get().nodes.map((n) => ({ ...n, selected: true })) });
    },

    replaceGraph(nodes, edges, subgraphs, select = []) {
      const chosen = new Set(select);
      const look = subgraphAware(subgraphs);
      commit({
        subgraphs,
        nodes: nodes.map((n) => toFlowNode(n, chosen.has(n.id))),
        edges: edges.map((e) => toFlowEdge(e, nodes, false, look)),
      });
    },

    enterSubgraph(nodeId) {
      const s = get();
      const level = { nodes: s.nodes.map(fromFlowNode), edges: s.edges.map(fromFlowEdge) };
      const opened = enter(level, nodeId, s.subgraphs);
      if (!opened.ok) return opened.reason;
      const look = subgraphAware(s.subgraphs);
      set({
        scope: [...s.scope, opened.frame],
        nodes: opened.inner.nodes.map((n) => toFlowNode(n)),
        edges: opened.inner.edges.map((e) => toFlowEdge(e, opened.inner.nodes, false, look)),
        history: emptyHistory(),
        gestureStart: null,
      });
      return undefined;
    },

    leaveSubgraph(depth) {
      const s = get();
      if (depth >= s.scope.length) return;
      const current = { nodes: s.nodes.map(fromFlowNode), edges: s.edges.map(fromFlowEdge) };
      const out = leave(s.scope, current, s.subgraphs, depth);
      const look = subgraphAware(out.subgraphs);
      set({
        scope: out.scope,
        subgraphs: out.subgraphs,
        nodes: out.level.nodes.map((n) => toFlowNode(n)),
        edges: out.level.edges.map((e) => toFlowEdge(e, out.level.nodes, false, look)),
        history: emptyHistory(),
        gestureStart: null,
      });
    },

    undo() {
      const s = get();
      const step = undo(s.history, snapshot(s));
      if (step) set({ ...restore(step.state), history: step.history, revision: s.revision + 1 });
    },

    redo() {
      const s = get();
      const step = redo(s.history, snapshot(s));
      if (step) set({ ...restore(step.state), history: step.history, revision: s.revision + 1 });
    },

    document() {
      const s = get();
      const doc = toDocument(s.name, s.nodes, s.edges, s.meta);
      // Inside a subgraph, the document is the whole workflow with the edits inside written in.
      const { top, subgraphs } = stitch(s.scope, doc, s.subgraphs);
      const used = Object.keys(subgraphs).length > 0;
      return {
        ...doc,
        nodes: [...top.nodes],
        edges: [...top.edges],
        ...(used ? { subgraphs: { ...subgraphs } } : {}),
      };
    },
  };
});
