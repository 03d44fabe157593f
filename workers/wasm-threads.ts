/**
 * How many threads onnxruntime-web's WASM backend gets. Threads need SharedArrayBuffer, which a
 * browser gives only to a cross-origin isolated page (the studio's COOP/COEP headers); a studio
 * opened over plain HTTP from another machine is not a secure context and is never isolated, so it
 * runs single-threaded and says why. Four threads is where onnxruntime-web's gains flatten out;
 * fewer cores than that get one thread each.
 */
export const MAX_WASM_THREADS = 4;
/** The most an explicit override may ask for (onnxruntime-web's own pool stops being useful). */
export const MAX_WASM_THREADS_OVERRIDE = 16;

export interface WasmThreadInputs {
  /** `globalThis.crossOriginIsolated`: whether SharedArrayBuffer is available. */
  readonly isolated: boolean;
  /** `navigator.hardwareConcurrency`; 0 or undefined where the browser hides it. */
  readonly hardwareConcurrency: number | undefined;
  /** A thread count asked for explicitly (`?threads=N` on the studio's URL); ignored if invalid. */
  readonly override?: number;
}

export interface WasmThreadChoice {
  readonly threads: number;
  /** Why the count is not the default `min(4, cores)`, for the backend badge; absent otherwise. */
  readonly note?: string;
}

export function chooseWasmThreads({
  isolated,
  hardwareConcurrency,
  override,
}: WasmThreadInputs): WasmThreadChoice {
  if (!isolated) {
    return {
      threads: 1,
      note: "the page is not cross-origin isolated, so no SharedArrayBuffer for threads",
    };
  }
  if (override !== undefined && Number.isInteger(override) && override >= 1) {
    const threads = Math.min(override, MAX_WASM_THREADS_OVERRIDE);
    return { threads, note: `set by ?threads=${override}` };
  }
  const cores =
    hardwareConcurrency && Number.isFinite(hardwareConcurrency) && hardwareConcurrency >= 1
      ? Math.floor(hardwareConcurrency)
      : 1;
  return { threads: Math.min(MAX_WASM_THREADS, cores) };
}

/** "onnxruntime-web WASM, 2 threads", with the note in parentheses when there is one. */
export function describeWasmThreads({ threads, note }: WasmThreadChoice): string {
  const count = `${threads} thread${threads === 1 ? "" : "s"}`;
  return `onnxruntime-web WASM, ${count}${note ? ` (${note})` : ""}`;
}

/** Reads `?threads=N` from a URL's query; undefined when absent or not a positive integer. */
export function threadsOverrideFromQuery(search: string): number | undefined {
  const raw = new URLSearchParams(search).get("threads");
  if (raw === null || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 ? n : undefined;
}
