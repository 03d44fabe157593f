import { readFile } from "node:fs/promises";
import { getNodeDefinition } from "../nodes";
import { nodeCodec } from "./codec/node-codec";
import type { RuntimeHost } from "./runtime/execute";
import { WASM_HEAP_BYTES } from "../nodes/core/types";
import { createStoreModelHost, runtimeDetail, type NodeRuntime } from "./models/store-models";
import { ResultCache } from "./runtime/result-cache";

/**
 * The runtime host under Node (CLI and tests): sharp as the codec, the CPU as the backend, and
 * assets from an in-memory map, then from files named by the caller.
 */
export function createNodeHost(
  options: {
    assets?: ReadonlyMap<string, Uint8Array>;
    assetFiles?: ReadonlyMap<string, string>;
    cacheBytes?: number;
    /** How models run (store-models.ts): "wasm" (default, as in the browser) or "native". */
    runtime?: NodeRuntime;
  } = {},
): RuntimeHost {
  const runtime = options.runtime ?? "wasm";
  return {
    lookup: getNodeDefinition,
    backend: {
      name: "cpu",
      detail: `headless: models on ${runtimeDetail(runtime)}`,
      ...(runtime === "wasm" ? { modelBytesLimit: WASM_HEAP_BYTES } : {}),
    },
    codec: nodeCodec,
    cache: new ResultCache(options.cacheBytes ?? 2 * 1024 ** 3),
    async asset(id) {
      const bytes = options.assets?.get(id);
      if (bytes) return bytes;
      const file = options.assetFiles?.get(id);
      if (file) return new Uint8Array(await readFile(file));
      throw new Error(
        `image ${id.slice(0, 12)}… is not available: pass it with --input <nodeId>=<file>`,
      );
    },
    models: createStoreModelHost({ runtime }),
  };
}
