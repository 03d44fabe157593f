/**
 * Where a run's outputs live in the asset store. The key depends only on the run, the node and
 * the output's name, so a retried job writes over what an earlier attempt left: never a second copy.
 */
export function outputKey(runId: string, nodeId: string, name: string): string {
  return ["runs", runId, nodeId, name].map(segment).join("/");
}

/** The prefix under which every output of a run lies (for listing or deleting them). */
export function runOutputPrefix(runId: string): string {
  return `runs/${segment(runId)}/`;
}

/** One path segment: slashes and dot-segments cannot escape it, on a filesystem or in S3. */
function segment(part: string): string {
  if (part === "" || part === "." || part === "..") {
    throw new Error(`"${part}" cannot name a part of an asset key`);
  }
  return encodeURIComponent(part);
}
