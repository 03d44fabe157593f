import { concatBytes } from "@noble/hashes/utils.js";
import type { z } from "zod";
import { WorkflowParseError } from "@/nodes/core/document";
import { DOCUMENT_LIMITS, formatPath } from "@/nodes/core/limits";

/** The JSON body of every error response. `nodeId` names the workflow node at fault, if any. */
export interface ErrorBody {
  error: string;
  field?: string;
  nodeId?: string;
}

/** An error that already knows its HTTP status; anything else thrown in a handler becomes a 500. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly nodeId?: string,
  ) {
    super(message);
  }
}

const MB = 1024 * 1024;

/** A library thumbnail is a few hundred pixels wide; this leaves ample room. */
export const THUMBNAIL_LIMIT = 512 * 1024;

/** Workflow bodies: the document's own size limit (nodes/core/limits.ts) bounds them too. */
export const WORKFLOW_BODY_LIMIT = DOCUMENT_LIMITS.bytes;

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

export function jsonError(status: number, body: ErrorBody): Response {
  // Drop absent keys so clients can test `"nodeId" in body`.
  const clean: ErrorBody = { error: body.error };
  if (body.field) clean.field = body.field;
  if (body.nodeId) clean.nodeId = body.nodeId;
  return Response.json(clean, { status });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    return jsonError(err.status, { error: err.message, field: err.field, nodeId: err.nodeId });
  }
  // Every workflow body goes through parseWorkflow, so its errors are the client's fault.
  if (err instanceof WorkflowParseError) {
    return jsonError(400, { error: err.message, field: err.field, nodeId: err.nodeId });
  }
  console.error("unhandled error in API route:", err);
  return jsonError(500, { error: "internal server error" });
}

/** Runs a handler body and turns whatever it throws into a JSON error response. */
export async function handle(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    return errorResponse(err);
  }
}

function formatLimit(bytes: number): string {
  return bytes >= MB ? `${bytes / MB} MB` : `${bytes / 1024} KB`;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than the ${formatLimit(limit)} limit`);
}

/**
 * Reads the whole body, refusing it with 413 once it passes `limit` bytes. Content-Length is
 * checked first to refuse honest clients cheaply, and the bytes are counted as they arrive because
 * the header may be absent (chunked uploads) or wrong.
 */
export async function readBytes(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}

/** Reads and parses a JSON body of at most `limit` bytes; malformed JSON is a 400. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const bytes = await readBytes(request, limit);
  if (bytes.byteLength === 0) throw new HttpError(400, "request body is empty; expected JSON");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "not valid JSON: the body is not UTF-8 text");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `not valid JSON: ${(err as Error).message}`);
  }
}

function describePath(path: readonly PropertyKey[]): string {
  return formatPath(path.map((p) => (typeof p === "number" ? p : String(p))));
}

/** Checks a request body's envelope (not the workflow inside it) and reports the first problem. */
export function parseBody<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    // The unknown key is the field at fault, not the object holding it.
    const field = describePath([...issue.path, issue.keys[0]]);
    throw new HttpError(400, `${field}: not a field this request takes`, field);
  }
  const field = describePath(issue.path);
  // zod reports a missing required key as "expected nonoptional", which helps nobody.
  const missing = issue.code === "invalid_type" && issue.expected === "nonoptional";
  const message = missing ? "is required" : issue.message;
  throw new HttpError(400, field ? `${field}: ${message}` : `request body: ${message}`, field);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a base64 PNG sent inside a JSON body (a `data:image/png;base64,` prefix is allowed, as
 * canvas.toDataURL produces one). Strict, because Buffer.from silently skips invalid characters.
 */
export function decodeBase64Png(
  value: string,
  limit: number,
  field: string,
): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/^data:image\/png;base64,/, "");
  // Four base64 characters carry three bytes; refuse before decoding anything huge.
  if ((base64.length / 4) * 3 > limit + 2) {
    throw new HttpError(413, `${field}: larger than the ${formatLimit(limit)} limit`, field);
  }
  if (!BASE64.test(base64)) throw new HttpError(400, `${field}: not valid base64`, field);
  const bytes = new Uint8Array(Buffer.from(base64, "base64"));
  if (bytes.byteLength > limit) {
    throw new HttpError(413, `${field}: larger than the ${formatLimit(limit)} limit`, field);
  }
  if (!isPng(bytes)) throw new HttpError(400, `${field}: not a PNG image`, field);
  return bytes;
}
