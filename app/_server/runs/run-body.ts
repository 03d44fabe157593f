import { ASSET_BYTES_LIMIT, sniffImageMime, type AssetMime } from "../assets";
import { HttpError, parseBody, readBytes } from "../http";
import { runBodySchema, type RunBody } from "./run-request";

/**
 * Reads the body of POST /api/workflows/:id/runs, in one of two forms:
 *
 * - JSON: `{ "inputs": { nodeId: assetId }, "overrides": { nodeId: { param: value } } }`, the
 *   images uploaded before with POST /api/assets; an empty body runs the saved images as they are.
 * - multipart/form-data: one file part per Load Image node, named by its node id, and optional
 *   text parts `inputs` and `overrides` holding the same JSON as above, and `batchId`.
 *
 * Nothing is stored here: the caller checks everything against the workflow first.
 */

/** A person and a garment at the single-upload limit each, and room for the form's framing. */
export const RUN_UPLOAD_LIMIT = 2 * ASSET_BYTES_LIMIT + 1024 * 1024;
const JSON_LIMIT = 1024 * 1024;
const MB = 1024 * 1024;

export interface RunUpload {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly mime: AssetMime;
}

export interface RunRequestBody {
  readonly body: RunBody;
  /** Load Image node id → the image sent for it in this request. */
  readonly uploads: ReadonlyMap<string, RunUpload>;
}

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** Reads the body, turning a too-large one into a refusal that names it. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await readBytes(request, limit);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) {
      throw new HttpError(413, `body: ${err.message}`, "body");
    }
    throw err;
  }
}

function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `${field}: not valid JSON: ${(err as Error).message}`, field);
  }
}

export async function readRunBody(request: Request): Promise<RunRequestBody> {
  const type = mediaType(request);
  if (type === "multipart/form-data") return readMultipart(request);
  if (type !== "application/json" && type !== "") {
    throw new HttpError(
      415,
      `Content-Type: send application/json or multipart/form-data, not "${type.slice(0, 100)}"`,
      "content-type",
    );
  }
  const bytes = await readLimited(request, JSON_LIMIT);
  if (bytes.byteLength === 0) return { body: {}, uploads: new Map() };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "body: not UTF-8 text", "body");
  }
  return { body: parseBody(runBodySchema, parseJsonText(text, "body")), uploads: new Map() };
}

async function readMultipart(request: Request): Promise<RunRequestBody> {
  const contentType = request.headers.get("content-type") ?? "";
  const bytes = await readLimited(request, RUN_UPLOAD_LIMIT);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch (err) {
    throw new HttpError(
      400,
      `body: malformed multipart/form-data (${(err as Error).message})`,
      "body",
    );
  }
  const raw: Record<string, unknown> = {};
  const uploads = new Map<string, RunUpload>();
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      const field = name.slice(0, 100);
      if (field in raw) throw new HttpError(400, `${field}: sent more than once`, field);
      if (name === "inputs" || name === "overrides") raw[name] = parseJsonText(value, name);
      else if (name === "batchId") raw[name] = value;
      else throw new HttpError(400, `${field}: not a field this request takes`, field);
      continue;
    }
    const field = `inputs.${name.slice(0, 100)}`;
    if (uploads.has(name)) throw new HttpError(400, `${field}: more than one file`, field);
    if (value.size > ASSET_BYTES_LIMIT) {
      throw new HttpError(
        413,
        `${field}: the file is larger than the ${ASSET_BYTES_LIMIT / MB} MB limit`,
        field,
      );
    }
    if (value.size === 0) throw new HttpError(400, `${field}: the file is empty`, field);
    const fileBytes = new Uint8Array(await value.arrayBuffer());
    // The bytes decide, not the part's declared type.
    const mime = sniffImageMime(fileBytes);
    if (!mime) {
      throw new HttpError(415, `${field}: not a PNG, JPEG or WebP image`, field);
    }
    uploads.set(name, { bytes: fileBytes, mime });
  }
  const body = parseBody(runBodySchema, raw);
  for (const nodeId of uploads.keys()) {
    if (body.inputs && Object.hasOwn(body.inputs, nodeId)) {
      const field = `inputs.${nodeId}`;
      throw new HttpError(400, `${field}: sent both as a file and as an image id`, field);
    }
  }
  return { body, uploads };
}
