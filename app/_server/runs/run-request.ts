import { z } from "zod";
import type { WorkflowDocument } from "@/nodes/core/document";
import { paramToZod } from "@/nodes/core/params";
import { getNodeDefinition } from "@/nodes";
import { HttpError } from "../http";

/**
 * What POST /api/workflows/:id/runs asks for, checked against the workflow's document before
 * anything is stored or queued: inputs only for Load Image nodes of this document, overrides only
 * for params those nodes have, each value valid for its param. Every refusal names its field
 * (`inputs.<node id>`, `overrides.<node id>.<param>`) so a script can say what to fix.
 */

const LOAD_IMAGE = "load-image";
const ASSET_ID = /^[0-9a-f]{64}$/;

export const runBodySchema = z.strictObject({
  /** Load Image node id → id of an uploaded image (POST /api/assets). */
  inputs: z.record(z.string(), z.string()).optional(),
  /** Node id → param name → value. */
  overrides: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /** Groups the runs of one batch. */
  batchId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 letters, digits, '_' or '-'")
    .optional(),
});

export type RunBody = z.infer<typeof runBodySchema>;

export interface CheckedRunRequest {
  /** Load Image node id → asset id (sha256), the explicit inputs only. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function refuse(field: string, message: string, nodeId?: string): never {
  throw new HttpError(400, `${field}: ${message}`, field, nodeId);
}

/** A node id named by a request, checked against the document; returns the node. */
export function requireNode(document: WorkflowDocument, field: string, nodeId: string) {
  const node = document.nodes.find((n) => n.id === nodeId);
  if (!node) refuse(field, "no node with this id in the workflow");
  return node;
}

/** Checks one input's target: the node exists and is a Load Image. */
export function requireLoadImage(document: WorkflowDocument, nodeId: string): void {
  const field = `inputs.${nodeId}`;
  const node = requireNode(document, field, nodeId);
  if (node.type !== LOAD_IMAGE) {
    const title = getNodeDefinition(node.type)?.title ?? node.type;
    refuse(
      field,
      `node "${nodeId}" is a ${title}, not a Load Image; only those take inputs`,
      nodeId,
    );
  }
}

export function checkRunRequest(document: WorkflowDocument, body: RunBody): CheckedRunRequest {
  const inputs: Record<string, string> = {};
  for (const [nodeId, assetId] of Object.entries(body.inputs ?? {})) {
    requireLoadImage(document, nodeId);
    if (!ASSET_ID.test(assetId)) {
      refuse(`inputs.${nodeId}`, "must be the id of an uploaded image (POST /api/assets)", nodeId);
    }
    inputs[nodeId] = assetId;
  }
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const [nodeId, params] of Object.entries(body.overrides ?? {})) {
    const node = requireNode(document, `overrides.${nodeId}`, nodeId);
    const definition = getNodeDefinition(node.type);
    if (!definition) {
      refuse(`overrides.${nodeId}`, `node type "${node.type}" is unknown to this studio`, nodeId);
    }
    const checked: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params)) {
      const field = `overrides.${nodeId}.${name}`;
      const spec = Object.hasOwn(definition.params, name) ? definition.params[name] : undefined;
      if (!spec) {
        const known = Object.keys(definition.params);
        refuse(
          field,
          `${definition.title} has no parameter "${name}"` +
            (known.length ? ` (it has ${known.join(", ")})` : ""),
          nodeId,
        );
      }
      if (spec.widget === "image") {
        refuse(field, `send the image as inputs.${nodeId} instead`, nodeId);
      }
      const parsed = paramToZod(spec).safeParse(value);
      if (!parsed.success) {
        refuse(field, parsed.error.issues[0]?.message ?? "invalid value", nodeId);
      }
      checked[name] = parsed.data;
    }
    overrides[nodeId] = checked;
  }
  return { inputs, overrides };
}

/**
 * The images a run reads: the request's inputs, and for every other Load Image node the image
 * saved in the document, so a saved workflow with its pictures runs as it is. Node id → asset id.
 */
export function runImages(
  document: WorkflowDocument,
  explicit: Readonly<Record<string, string>>,
): Record<string, string> {
  const images: Record<string, string> = {};
  for (const node of document.nodes) {
    if (node.type !== LOAD_IMAGE) continue;
    const saved = node.params.image;
    const id = explicit[node.id] ?? (typeof saved === "string" && saved !== "" ? saved : undefined);
    if (id) images[node.id] = id;
  }
  return images;
}
