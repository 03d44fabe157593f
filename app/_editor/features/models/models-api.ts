import type { InstallLine, InstallProgress } from "@/app/_server/install-stream";
import type { ModelSummary } from "@/app/_server/model-summary";
import type { InstalledRecord } from "@/models/store";
import type { CachedModelFile } from "@/workers/models/model-cache";
import { ApiError, apiCall } from "../../shared/api-client";

export type { CachedModelFile, InstalledRecord, InstallProgress, ModelSummary };

/** Calls to the models API (GET /api/models, install, remove) and what the panel derives. */

export async function fetchModels(): Promise<ModelSummary[]> {
  return (await apiCall<{ models: ModelSummary[] }>("/api/models")).models;
}

export async function removeModelOnServer(id: string): Promise<void> {
  await apiCall(`/api/models/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/**
 * Calls `onLine` with each JSON value of a newline-delimited stream as soon as its line is
 * complete; a last line without a newline counts too. Lines that are not JSON are an error.
 */
export async function readNdjson(
  stream: ReadableStream<Uint8Array>,
  onLine: (value: unknown) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = "";
  const emit = (line: string) => {
    if (line.trim() === "") return;
    try {
      onLine(JSON.parse(line));
    } catch (err) {
      if (err instanceof SyntaxError) throw new Error(`not a JSON line: ${line.slice(0, 80)}`);
      throw err;
    }
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    lines.forEach(emit);
  }
  emit(buffered + decoder.decode());
}

/**
 * Installs a model on the server, reporting its progress; resolves with the installed record, or
 * rejects with the installer's message (its code in `ApiError.status` is not meaningful: the
 * HTTP status was 200 before the install began).
 */
export async function installModelOnServer(
  id: string,
  onProgress: (p: InstallProgress) => void,
  signal?: AbortSignal,
): Promise<InstalledRecord> {
  // Aborting drops the stream, which cancels the install on the server (partial downloads stay).
  const res = await fetch(`/api/models/${encodeURIComponent(id)}/install`, {
    method: "POST",
    signal,
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status);
  }
  let result: InstallLine | undefined;
  await readNdjson(res.body, (value) => {
    const line = value as InstallLine;
    if (line.type === "progress") onProgress(line);
    else result = line;
  });
  if (result?.type === "done") return result.installed;
  if (result?.type === "error") throw new Error(`${result.message} (${result.code})`);
  throw new Error("the server stopped answering before the install finished");
}

/**
 * The files the browser needs of a model: the manifest's (the installed record may also list the
 * sources a file was built from, which only the server keeps), with the installed size and hash.
 */
export function wantedFiles(
  model: ModelSummary,
): { name: string; bytes: number | null; sha256: string | null }[] {
  const installed = (name: string) => model.installed?.files.find((i) => i.name === name);
  // An optional file the install lacks (converted before it was written) is not wanted.
  return model.files
    .filter((f) => !f.optional || installed(f.name))
    .map((f) => installed(f.name) ?? f);
}

/** Bytes of the model's files, or null while some size is unknown (converted, not installed). */
export function modelSize(model: ModelSummary): number | null {
  let total = 0;
  for (const f of wantedFiles(model)) {
    if (f.bytes === null) return null;
    total += f.bytes;
  }
  return total;
}

export interface BrowserCopy {
  /** Cached files that are what the server has now (or any copy when it has none). */
  readonly current: readonly CachedModelFile[];
  /** Cached files of an older version (another hash than the server's). */
  readonly stale: readonly CachedModelFile[];
  readonly bytes: number;
  /** Every wanted file has a current cached copy. */
  readonly complete: boolean;
}

/** What the browser's cache holds of a model, compared with what the server has installed. */
export function browserCopy(model: ModelSummary, cached: readonly CachedModelFile[]): BrowserCopy {
  const mine = cached.filter((c) => c.modelId === model.id);
  const installed = model.installed?.files;
  const isCurrent = (c: CachedModelFile) =>
    !installed || installed.some((f) => f.name === c.name && f.sha256 === c.sha256);
  const current = mine.filter(isCurrent);
  const stale = mine.filter((c) => !isCurrent(c));
  const complete = wantedFiles(model).every((f) => current.some((c) => c.name === f.name));
  return {
    current,
    stale,
    bytes: mine.reduce((sum, c) => sum + c.bytes, 0),
    complete: mine.length > 0 && complete,
  };
}

/**
 * Which of a model's files a picked local file is: the file of the same name, else the only file
 * of a single-file model (downloads are often renamed); otherwise an error naming the choices.
 */
export function importTarget(model: ModelSummary, fileName: string): string {
  const names = model.files.map((f) => f.name);
  if (names.includes(fileName)) return fileName;
  if (names.length === 1) return names[0];
  throw new Error(`"${fileName}" is none of ${model.id}'s files (${names.join(", ")}); rename it`);
}

export type LicenceFlag = "copyleft" | "non-commercial" | "commercial-unclear";

/** What a user must notice about a licence before using the model, most serious first. */
export function licenceFlags(licence: ModelSummary["licence"]): LicenceFlag[] {
  const flags: LicenceFlag[] = [];
  if (/\bA?GPL/i.test(licence.spdx)) flags.push("copyleft");
  if (licence.commercial === "no") flags.push("non-commercial");
  if (licence.commercial === "unclear") flags.push("commercial-unclear");
  return flags;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
