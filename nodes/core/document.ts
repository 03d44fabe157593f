import { z } from "zod";
import { DOCUMENT_LIMITS as L, documentLimitIssue, documentSizeIssue, formatPath } from "./limits";
import { subgraphStructureIssue } from "./subgraph-structure";

/**
 * The workflow document: the one format the editor edits, the API stores, a PNG embeds and the
 * runtime compiles. Layout (positions, sizes, viewport) lives here but never enters a cache key.
 */
export const WORKFLOW_VERSION = 2;

/**
 * How a node takes part in a run (version 2). `normal` runs it; `bypass` passes its matching
 * input through to its output without running it (IMAGE to IMAGE, MASK to MASK; see
 * workers/runtime/bypass.ts); `mute` leaves it and what needs its output unrun. A document stores
 * only the non-normal modes, so a node that was never switched off looks as it did in version 1.
 */
export const NODE_MODES = ["normal", "bypass", "mute"] as const;
export type NodeMode = (typeof NODE_MODES)[number];

function longer(limit: number): string {
  return `longer than the ${limit}-character limit`;
}

const id = z
  .string()
  .min(1, "must not be empty")
  .max(L.idLength, longer(L.idLength))
  .regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, '_' and '-'");

const handle = z.string().min(1, "must not be empty").max(L.handleLength, longer(L.handleLength));

/**
 * NUL and unpaired surrogates: neither survives a trip through the database (PostgreSQL refuses
 * both in text, SQLite turns a lone surrogate into U+FFFD), so text stored in a column of its own
 * (the name) is refused with them rather than changed or failing on save.
 */
const UNSTORABLE = /[\0\p{Cs}]/u;

/** Text stored in a database column: no NUL, no unpaired surrogate (see UNSTORABLE). */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

export const STORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

const finite = z.number().refine(Number.isFinite, "must be a finite number");

export const nodeSchema = z.strictObject({
  id,
  type: z.string().min(1, "must not be empty").max(L.typeLength, longer(L.typeLength)),
  position: z.strictObject({ x: finite, y: finite }),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Width/height the person gave the node (notes are resizable); absent = automatic. */
  size: z.strictObject({ width: finite, height: finite }).optional(),
  /** Since version 2; absent = "normal". */
  mode: z.enum(NODE_MODES).optional(),
});

export const edgeSchema = z.strictObject({
  id,
  source: id,
  sourceHandle: handle,
  target: id,
  targetHandle: handle,
});

const label = z.string().max(L.nameLength, longer(L.nameLength)).optional();

/** An exposed port of a subgraph: the subgraph node's port `name` is the inner node's `port`. */
export const subgraphPortSchema = z.strictObject({ name: handle, label, node: id, port: handle });

/** An exposed param: the subgraph node's param `name` sets the inner node's param `param`. */
export const subgraphParamSchema = z.strictObject({ name: handle, label, node: id, param: handle });

/**
 * A subgraph's definition (version 2): its own nodes and wires, and which inner ports and params
 * its node shows. A node of type `subgraph:<key>` stands for `subgraphs[key]`; the runtime
 * flattens it before compiling (nodes/core/flatten.ts). `component` records the library
 * component and version it came from, so a newer version can be offered.
 */
export const subgraphSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(L.nameLength, longer(L.nameLength))
    .refine(isStorableText, STORABLE_TEXT_MESSAGE),
  nodes: z.array(nodeSchema).max(L.nodes, `more than the ${L.nodes}-node limit`),
  edges: z.array(edgeSchema).max(L.edges, `more than the ${L.edges}-edge limit`),
  inputs: z.array(subgraphPortSchema).default([]),
  outputs: z.array(subgraphPortSchema).default([]),
  params: z.array(subgraphParamSchema).default([]),
  component: z
    .strictObject({ id: z.string().min(1).max(L.idLength), version: z.number().int().min(1) })
    .optional(),
});

export const workflowSchema = z.strictObject({
  version: z.literal(WORKFLOW_VERSION),
  name: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(L.nameLength, longer(L.nameLength))
    .refine(isStorableText, STORABLE_TEXT_MESSAGE),
  nodes: z.array(nodeSchema).max(L.nodes, `more than the ${L.nodes}-node limit`),
  edges: z.array(edgeSchema).max(L.edges, `more than the ${L.edges}-edge limit`),
  viewport: z.strictObject({ x: finite, y: finite, zoom: finite }).optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
  /** Since version 2 (optional): subgraph definitions by key, see subgraphSchema. */
  subgraphs: z.record(id, subgraphSchema).optional(),
});

export type SubgraphDefinition = z.infer<typeof subgraphSchema>;
export type WorkflowNode = z.infer<typeof nodeSchema>;
export type WorkflowEdge = z.infer<typeof edgeSchema>;
export type WorkflowDocument = z.infer<typeof workflowSchema>;

export class WorkflowParseError extends Error {
  override readonly name = "WorkflowParseError";
  constructor(
    message: string,
    /** Dotted path of the offending field, e.g. "nodes[2].position.x". */
    readonly field?: string,
    /** The node the problem belongs to, when there is one. */
    readonly nodeId?: string,
  ) {
    super(message);
  }
}

/** The mode of a node, "normal" where the document leaves it out. */
export function nodeMode(node: Pick<WorkflowNode, "mode">): NodeMode {
  return node.mode ?? "normal";
}

/**
 * Version 1 had no node modes: every node ran. Its nodes carry over unchanged (no `mode` means
 * normal); a version-1 node that already has a `mode` field was never valid and is refused here,
 * so the upgrade cannot switch a node off that its author left on.
 */
function migrateV1toV2(doc: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(doc.nodes)) {
    doc.nodes.forEach((node: unknown, i) => {
      if (typeof node === "object" && node !== null && "mode" in node) {
        throw new WorkflowParseError(
          `nodes[${i}].mode: node modes (bypass, mute) arrived in version 2; this document says version 1`,
          `nodes[${i}].mode`,
        );
      }
    });
  }
  if ("subgraphs" in doc) {
    throw new WorkflowParseError(
      "subgraphs: subgraphs arrived in version 2; this document says version 1",
      "subgraphs",
    );
  }
  return { ...doc, version: 2 };
}

/**
 * Upgrades older documents step by step: `MIGRATIONS[n]` takes a version-n document and returns
 * version n + 1. A version bump adds its step here together with a test that upgrades a document
 * of the old version (document.test.ts, tests/examples.test.ts, png-workflow.test.ts).
 */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  1: migrateV1toV2,
};

export function migrateWorkflow(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new WorkflowParseError("a workflow must be a JSON object");
  }
  let doc = raw as Record<string, unknown>;
  let version = doc.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new WorkflowParseError("version: must be a whole number of at least 1", "version");
  }
  if (version > WORKFLOW_VERSION) {
    throw new WorkflowParseError(
      `this workflow was saved by a newer studio (version ${version}; this one reads up to ${WORKFLOW_VERSION})`,
      "version",
    );
  }
  while (version < WORKFLOW_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new WorkflowParseError(`no migration from version ${version}`, "version");
    doc = step(doc);
    version += 1;
  }
  return doc;
}

function describePath(path: readonly PropertyKey[]): string {
  return formatPath(path.map((p) => (typeof p === "number" ? p : String(p))));
}

/**
 * Parses (and migrates) any input into a valid document, or throws a `WorkflowParseError` whose
 * message names the node or field at fault. The limits (limits.ts) come first, before anything
 * recursive touches the value. Structural checks only: node types, cycles and port types are
 * checked against the registry by `validateGraph`.
 */
export function parseWorkflow(raw: unknown): WorkflowDocument {
  const limit = documentLimitIssue(raw);
  if (limit) throw new WorkflowParseError(limit.message, limit.field);
  const migrated = migrateWorkflow(raw);
  const result = workflowSchema.safeParse(migrated);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = describePath(issue.path);
    let nodeId: string | undefined;
    if (issue.path[0] === "nodes" && typeof issue.path[1] === "number") {
      const node = (migrated as { nodes?: unknown[] }).nodes?.[issue.path[1]] as
        { id?: unknown } | undefined;
      if (typeof node?.id === "string") nodeId = node.id;
    }
    const where = nodeId ? `node "${nodeId}": ${field}` : field || "document";
    throw new WorkflowParseError(`${where}: ${issue.message}`, field, nodeId);
  }
  const doc = result.data;
  const seen = new Set<string>();
  for (const node of doc.nodes) {
    if (seen.has(node.id)) {
      throw new WorkflowParseError(`duplicate node id "${node.id}"`, "nodes", node.id);
    }
    seen.add(node.id);
  }
  for (const edge of doc.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!seen.has(end)) {
        throw new WorkflowParseError(
          `edge "${edge.id}" refers to node "${end}", which is not in the workflow`,
          "edges",
        );
      }
    }
  }
  const subgraphIssue = subgraphStructureIssue(doc);
  if (subgraphIssue) throw new WorkflowParseError(subgraphIssue.message, subgraphIssue.field);
  return doc;
}

/** Parses JSON text; malformed JSON is reported as such, not as a schema error. */
export function parseWorkflowJson(text: string): WorkflowDocument {
  const tooLarge = documentSizeIssue(new TextEncoder().encode(text).byteLength, "the workflow");
  if (tooLarge) throw new WorkflowParseError(tooLarge);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WorkflowParseError(`not valid JSON: ${(err as Error).message}`);
  }
  return parseWorkflow(raw);
}

export function emptyWorkflow(name = "Untitled workflow"): WorkflowDocument {
  return { version: WORKFLOW_VERSION, name, nodes: [], edges: [], meta: {} };
}
