import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { findModel, UnknownModelError } from "@/models/manifest";
import { modelsDir, readInstalled } from "@/models/store";
import { HttpError } from "./http";

/**
 * Serving model files from the store: which file a request may name, and which bytes of it a
 * `Range` header asks for. The store holds multi-gigabyte files the browser fetches in pieces
 * (resumed downloads), so ranges matter; and the URL carries user input, so every name is checked
 * lexically first and then again on disk (a symlink could point anywhere).
 */

/** The model id and file name shapes the manifest allows; anything else is never a store path. */
const MODEL_ID = /^[a-z0-9][a-z0-9-]*$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks a model id or file name taken from a URL. Route params may arrive still percent-encoded
 * (`%2e%2e`, `%2f`) or already decoded (`..`, `/`), so both forms must fail: the allowed alphabet
 * has no `%`, `/`, `\`, NUL or leading dot, which rules out every traversal spelling at once.
 */
export function checkPathSegment(kind: "model id" | "file name", value: string): string {
  const pattern = kind === "model id" ? MODEL_ID : FILE_NAME;
  // ".." alone cannot match (leading dot), but "a..b" can and is a harmless plain name.
  if (!pattern.test(value) || value.length > 200) {
    throw new HttpError(400, `invalid ${kind} ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}

/** True when `candidate` is `root` itself or lies below it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  if (relative === "") return true;
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * The real path of `<store>/<modelId>/<name>`, refused unless it resolves (symlinks followed)
 * inside the model's own folder. Missing files are a 404; the caller has already checked that the
 * name is one the installed record lists.
 */
export async function resolveStoreFile(
  storeRoot: string,
  modelId: string,
  name: string,
): Promise<string> {
  checkPathSegment("model id", modelId);
  checkPathSegment("file name", name);
  const folder = path.join(storeRoot, modelId);
  const lexical = path.join(folder, name);
  if (!isInside(folder, lexical) || lexical === folder) {
    throw new HttpError(400, `invalid file name ${JSON.stringify(name)}`);
  }
  let real: string;
  let realFolder: string;
  try {
    [realFolder, real] = await Promise.all([realpath(folder), realpath(lexical)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new HttpError(404, `model file ${modelId}/${name} is missing from the store`);
    }
    throw err;
  }
  if (!isInside(realFolder, real) || real === realFolder) {
    throw new HttpError(403, `model file ${modelId}/${name} points outside the model store`);
  }
  if (!(await stat(real)).isFile()) {
    throw new HttpError(404, `model file ${modelId}/${name} is not a regular file`);
  }
  return real;
}

/** What a `Range` header asks of a file of `size` bytes. Offsets are inclusive, as on the wire. */
export type RangeRequest =
  | { readonly kind: "whole" }
  | { readonly kind: "partial"; readonly start: number; readonly end: number }
  | { readonly kind: "unsatisfiable" };

const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

/**
 * Parses a single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) per RFC 9110 §14. Headers the
 * server may ignore (other units, several ranges, malformed syntax) yield the whole file, as the
 * RFC allows; a well-formed range that starts past the end yields `unsatisfiable` (416).
 */
export function parseRange(header: string | null, size: number): RangeRequest {
  if (header === null) return { kind: "whole" };
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return { kind: "whole" };
  const [, first, last] = match;
  // Digits beyond 2^53 cannot name a real offset; treat them as malformed rather than round.
  if (first.length > 15 || last.length > 15) return { kind: "whole" };
  if (first === "" && last === "") return { kind: "whole" };

  if (first === "") {
    // A suffix: the last n bytes (all of them if the file is shorter).
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const lastPos = last === "" ? Infinity : Number(last);
  if (lastPos < start) return { kind: "whole" }; // an invalid range-spec is ignored, not refused
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(lastPos, size - 1) };
}

/**
 * Whether an `If-None-Match` header matches the file's entity tag. The comparison is weak (RFC
 * 9110 §13.1.2): a `W/` prefix on the client's copy does not stop a 304.
 */
export function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const wanted = header.trim();
  if (wanted === "*") return true;
  return wanted
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .includes(etag);
}

/**
 * Whether a `Range` may be honoured under `If-Range`: only when the validator is our strong
 * entity tag (dates are refused: the store keeps no trustworthy ones), otherwise the client's
 * partial copy is of another file and it must get the whole new one.
 */
export function ifRangeAllows(header: string | null, etag: string): boolean {
  return header === null || header.trim() === etag;
}

/** The store's answer to a GET or HEAD of one model file. */
export async function serveModelFile(
  request: Request,
  modelId: string,
  name: string,
): Promise<Response> {
  checkPathSegment("model id", modelId);
  checkPathSegment("file name", name);
  const entry = findModel(modelId);
  if (!entry) throw new HttpError(404, new UnknownModelError(modelId).message);
  const installed = await readInstalled(modelId);
  if (!installed) throw new HttpError(404, `model ${modelId} is not installed on this server`);
  // Only what the installer recorded is served: never installed.json, partial downloads or
  // anything else that happens to lie in the folder.
  const recorded = installed.files.find((f) => f.name === name);
  if (!recorded) {
    const names = installed.files.map((f) => f.name).join(", ");
    throw new HttpError(404, `model ${modelId} has no installed file "${name}" (it has: ${names})`);
  }

  const file = await resolveStoreFile(modelsDir(), modelId, name);
  const size = (await stat(file)).size;
  if (size !== recorded.bytes) {
    // The ETag promises the recorded sha256; serving other bytes under it would poison caches.
    throw new HttpError(
      500,
      `model file ${modelId}/${name} has changed since it was installed (${size} bytes, the ` +
        `record says ${recorded.bytes}); run \`npm run models -- verify ${modelId}\``,
    );
  }

  const etag = `"${recorded.sha256}"`;
  const headers = new Headers({
    "Content-Type": "application/octet-stream",
    ETag: etag,
    "Accept-Ranges": "bytes",
    // The URL names a file, not a version (a reinstall may change it): always revalidate, which
    // the ETag makes a cheap 304. The browser keeps its own verified copy in Cache Storage.
    "Cache-Control": "no-cache",
    // Model files come from outside (a manifest's URLs) and the name is the only thing checked:
    // opened in a tab, whatever their bytes are, they are a download, never a page of this origin.
    "Content-Disposition": `attachment; filename="${name}"`,
    "X-Content-Type-Options": "nosniff",
  });
  if (etagMatches(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }

  const range = ifRangeAllows(request.headers.get("if-range"), etag)
    ? parseRange(request.headers.get("range"), size)
    : ({ kind: "whole" } as const);
  if (range.kind === "unsatisfiable") {
    headers.set("Content-Range", `bytes */${size}`);
    headers.set("Content-Type", "application/json");
    const body = JSON.stringify({ error: `range not satisfiable: the file has ${size} bytes` });
    return new Response(body, { status: 416, headers });
  }
  const start = range.kind === "partial" ? range.start : 0;
  const end = range.kind === "partial" ? range.end : size - 1;
  headers.set("Content-Length", String(end - start + 1));
  if (range.kind === "partial") headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  const status = range.kind === "partial" ? 206 : 200;
  if (request.method === "HEAD" || size === 0) return new Response(null, { status, headers });
  return new Response(fileStream(file, start, end), { status, headers });
}

/** The bytes start..end (inclusive) as a web stream; closing the response closes the file. */
function fileStream(file: string, start: number, end: number): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>;
}
