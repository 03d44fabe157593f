import type { ModelEntry } from "../../models/manifest/schema";

/**
 * The files a session loads: the entry's ONNX graph and its external-data companions (named
 * `<graph>_data…`, as the studio's graph writer names them). Source files kept beside an installed
 * model (an ncnn .param/.bin) are not loaded.
 */
export function sessionFileNames(entry: ModelEntry): { graph: string; externalData: string[] } {
  const graph = entry.onnx;
  if (!graph) throw new Error(`${entry.id} has no ONNX graph to load`);
  return {
    graph,
    externalData: entry.files.map((f) => f.name).filter((n) => n.startsWith(`${graph}_data`)),
  };
}
