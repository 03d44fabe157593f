import type { InstalledRecord } from "@/models/store";

/**
 * `POST /api/models/:id/install` as a stream of NDJSON lines, so the Models panel can draw a
 * progress bar while the server downloads, extracts, builds and verifies. One line per event:
 *
 *   {"type":"progress","modelId":…,"file":…,"phase":"download","bytes":…,"total":…}
 *   {"type":"done","installed":{…}}            (last line on success)
 *   {"type":"error","code":…,"message":…}      (last line on failure)
 *
 * The HTTP status is sent before the install starts, so failures travel in-band.
 */

export interface InstallProgress {
  readonly modelId: string;
  readonly file: string;
  readonly phase: "download" | "extract" | "build" | "verify" | "convert";
  readonly bytes: number;
  readonly total: number | null;
}

export type InstallLine =
  | ({ readonly type: "progress" } & InstallProgress)
  | { readonly type: "done"; readonly installed: InstalledRecord }
  | { readonly type: "error"; readonly code: string; readonly message: string };

export type Installer = (
  id: string,
  options: { onProgress: (p: InstallProgress) => void; signal: AbortSignal },
) => Promise<InstalledRecord>;

/** The installer reports every chunk; the client needs a few updates a second, not thousands. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Decides which progress reports are sent: always the first of each file and phase and the last
 * (bytes reach total), otherwise at most one per `intervalMs`.
 */
export function progressThrottle(
  intervalMs = PROGRESS_INTERVAL_MS,
  now: () => number = () => performance.now(),
): (p: InstallProgress) => boolean {
  let lastKey = "";
  let lastAt = -Infinity;
  return (p) => {
    const key = `${p.file}\u0000${p.phase}`;
    const t = now();
    const send = key !== lastKey || p.bytes === p.total || t - lastAt >= intervalMs;
    if (send) {
      lastKey = key;
      lastAt = t;
    }
    return send;
  };
}

// Installs in flight, per model id. On globalThis because Next may load a route's modules more
// than once (hot reload, one bundle per route); an install and a removal must see the same set.
const state = globalThis as typeof globalThis & { __leffaInstalling?: Set<string> };
const installing = (state.__leffaInstalling ??= new Set<string>());

export function isInstalling(id: string): boolean {
  return installing.has(id);
}

function errorLine(err: unknown): InstallLine {
  const code = (err as { code?: unknown }).code;
  return {
    type: "error",
    code: typeof code === "string" ? code : "internal",
    message: err instanceof Error ? err.message : String(err),
  };
}

/**
 * Runs `install(id)` and returns its NDJSON stream. The install is cancelled when the client goes
 * away (the body stream is cancelled) or `signal` aborts. The caller checks `isInstalling` first.
 */
export function installStream(
  id: string,
  install: Installer,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const stop = () => abort.abort(new Error("the client went away"));
  signal?.addEventListener("abort", stop, { once: true });
  const shouldSend = progressThrottle();
  installing.add(id);
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (line: InstallLine) => {
        // After a cancel the stream is closed; late progress reports have nowhere to go.
        if (abort.signal.aborted) return;
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      };
      try {
        const installed = await install(id, {
          signal: abort.signal,
          onProgress: (p) => {
            if (shouldSend(p)) send({ type: "progress", ...p });
          },
        });
        send({ type: "done", installed });
      } catch (err) {
        send(errorLine(err));
      } finally {
        installing.delete(id);
        signal?.removeEventListener("abort", stop);
        if (!abort.signal.aborted) controller.close();
      }
    },
    cancel() {
      stop();
    },
  });
}
