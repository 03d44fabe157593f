import { z } from "zod";
import { modelUnavailable } from "../../models/availability";
import { findModel } from "../../models/manifest";
import type { ModelEntry } from "../../models/manifest/schema";
import type { ModelHost } from "../runtime/execute";
import {
  fetchModelFile,
  fetchModelFiles,
  listCachedModels,
  type ModelFileRef,
} from "./model-cache";
import { sessionFileNames } from "./model-files";
import {
  SessionPool,
  type ExecutionTarget,
  type LoadProgress,
  type ModelBytes,
  type OrtModule,
} from "./session-pool";

/** What the worker reads of `GET /api/models`: which files each installed model has. */
const serverModelsSchema = z.object({
  models: z.array(
    z.object({
      id: z.string(),
      installed: z
        .object({
          files: z.array(z.object({ name: z.string(), bytes: z.number(), sha256: z.string() })),
        })
        .nullable(),
    }),
  ),
});
type ServerModels = z.infer<typeof serverModelsSchema>;

/** How long the server's list is trusted before asking again (an install in the panel). */
const SERVER_LIST_TTL_MS = 5_000;

export interface BrowserModelHostOptions {
  /** onnxruntime-web proven on the current backend, and where its sessions run. */
  readonly runtime: () => Promise<{ ort: OrtModule; target: ExecutionTarget }>;
  /** Brings up a fresh device after a loss; false when there is none to be had. */
  readonly recover: () => Promise<boolean>;
  readonly budgetBytes: number;
}

/**
 * Models in the browser: a model can be used when the server has it installed (its files are
 * then downloaded once into the browser's cache) or when its files were imported into that cache.
 */
export function createBrowserModelHost(options: BrowserModelHostOptions): ModelHost {
  let server: { at: number; list: Promise<ServerModels> } | undefined;
  const serverModels = () => {
    if (!server || performance.now() - server.at > SERVER_LIST_TTL_MS) {
      const list = fetch("/api/models", { cache: "no-store" })
        .then((r) => {
          if (!r.ok) throw new Error(`the model list failed: HTTP ${r.status}`);
          return r.json();
        })
        .then((json) => serverModelsSchema.parse(json));
      // A failed request is not remembered: the next node asks again.
      list.catch(() => (server = undefined));
      server = { at: performance.now(), list };
    }
    return server.list;
  };

  /** The verified refs of the files a session needs, from the server or the browser cache. */
  const sessionFiles = async (entry: ModelEntry): Promise<ModelFileRef[] | undefined> => {
    const { graph, externalData } = sessionFileNames(entry);
    const wanted = [graph, ...externalData];
    const installed = (await serverModels().catch(() => undefined))?.models.find(
      (m) => m.id === entry.id,
    )?.installed;
    const known: readonly { name: string; bytes: number; sha256: string }[] =
      installed?.files ?? (await listCachedModels()).filter((f) => f.modelId === entry.id);
    const refs = wanted.map((name) => known.find((f) => f.name === name));
    return refs.every((r) => r !== undefined) ? (refs as ModelFileRef[]) : undefined;
  };

  const require = async (id: string) => {
    const entry = findModel(id);
    if (!entry?.onnx || !(await sessionFiles(entry))) throw modelUnavailable(id, "browser");
  };

  const load = async (entry: ModelEntry, onProgress?: LoadProgress): Promise<ModelBytes> => {
    const refs = await sessionFiles(entry);
    if (!refs) throw modelUnavailable(entry.id, "browser");
    const total = refs.reduce((n, r) => n + (r.bytes ?? 0), 0);
    const done = new Map<string, number>();
    const files = await fetchModelFiles(entry.id, refs, (p) => {
      done.set(p.name, p.loaded);
      const loaded = [...done.values()].reduce((a, b) => a + b, 0);
      onProgress?.(loaded, total, `loading ${entry.id} (${(loaded / 1024 ** 2).toFixed(1)} MB)`);
    });
    const { graph, externalData } = sessionFileNames(entry);
    return {
      model: files.get(graph)!,
      externalData: externalData.map((name) => ({ path: name, data: files.get(name)! })),
    };
  };

  // One pool per device: sessions hold buffers of the device they were made on.
  let pool: Promise<SessionPool> | undefined;
  const currentPool = () =>
    (pool ??= options
      .runtime()
      .then(
        ({ ort, target }) =>
          new SessionPool({ ort, target: () => target, load, budgetBytes: options.budgetBytes }),
      ));

  return {
    require,
    async load(id, onProgress) {
      await require(id);
      return (await currentPool()).get(findModel(id)!, onProgress);
    },
    async loadGenerated(graph) {
      return (await currentPool()).getGenerated(graph);
    },
    // A side file of the install, found like the session's files: the server's record, else
    // this browser's imported copy; undefined when neither has it (an older conversion).
    async file(id, name) {
      const installed = (await serverModels().catch(() => undefined))?.models.find(
        (m) => m.id === id,
      )?.installed;
      const known: readonly ModelFileRef[] =
        installed?.files ?? (await listCachedModels()).filter((f) => f.modelId === id);
      const ref = known.find((f) => f.name === name);
      return ref ? fetchModelFile(id, ref) : undefined;
    },
    // Queued before the node's own loads, which wait for the same pool.
    beginNode: () => void pool?.then((p) => p.beginNode()),
    async recover() {
      const dead = pool;
      pool = undefined;
      await dead?.then((p) => p.clear()).catch(() => {});
      return options.recover();
    },
  };
}
