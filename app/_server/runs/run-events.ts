import { isFinished, toRunView, type RunRow, type RunView } from "./runs";
import { toRunStatus } from "./run-records";

/**
 * GET /api/runs/:id/events: server-sent events for one run, read by polling its row (every
 * worker writes progress there, so this works the same whichever machine runs it):
 *
 *   event: queued    data: { "position": 3 }               while it waits, when the place changes
 *   event: progress  data: { "status", "progress", "nodes" } while it runs, when anything changes
 *   event: done      data: the run (GET /api/runs/:id)     once finished; the stream then ends
 *   event: gone      data: { "error" }                     the run was deleted (its workflow was)
 *
 * A comment line every `keepAliveMs` keeps proxies from closing a quiet stream. The stream stops
 * polling as soon as the client goes away.
 */

export interface RunEventSource {
  readonly load: () => Promise<RunRow | null>;
  readonly position: () => Promise<number | null>;
  readonly signal: AbortSignal;
  readonly intervalMs?: number;
  readonly keepAliveMs?: number;
}

export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export function runEventStream(source: RunEventSource): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const interval = source.intervalMs ?? 250;
  const keepAlive = source.keepAliveMs ?? 15_000;
  // Aborted by the request's signal or by the stream's own cancel (either means: client gone).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  source.signal.addEventListener("abort", onAbort, { once: true });

  return new ReadableStream<Uint8Array>({
    start(controller) {
      // Not awaited: start() must return for the stream to be read while the loop goes on.
      void pollLoop(controller);
    },
    cancel() {
      stop.abort();
    },
  });

  async function pollLoop(controller: ReadableStreamDefaultController<Uint8Array>) {
    const send = (text: string) => {
      if (!stop.signal.aborted) controller.enqueue(encoder.encode(text));
    };
    let lastQueued: string | undefined;
    let lastProgress: string | undefined;
    let lastSent = Date.now();
    try {
      while (!stop.signal.aborted) {
        const row = await source.load();
        if (!row) {
          send(sseMessage("gone", { error: "run not found" }));
          break;
        }
        const status = toRunStatus(row.status);
        if (isFinished(status)) {
          send(sseMessage("done", toRunView(row, null) satisfies RunView));
          break;
        }
        let message: string | undefined;
        if (status === "queued") {
          const text = sseMessage("queued", { position: await source.position() });
          if (text !== lastQueued) message = lastQueued = text;
        } else {
          const view = toRunView(row, null);
          const text = sseMessage("progress", {
            status: view.status,
            progress: view.progress,
            nodes: view.nodes,
          });
          if (text !== lastProgress) message = lastProgress = text;
        }
        if (message) {
          send(message);
          lastSent = Date.now();
        } else if (Date.now() - lastSent >= keepAlive) {
          send(": keep-alive\n\n");
          lastSent = Date.now();
        }
        await sleep(interval, stop.signal);
      }
    } catch (err) {
      send(sseMessage("error", { error: (err as Error).message }));
    } finally {
      source.signal.removeEventListener("abort", onAbort);
      try {
        controller.close();
      } catch {
        // Already cancelled by the client.
      }
    }
  }
}
