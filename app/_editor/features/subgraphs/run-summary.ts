import type { NodeStatus } from "@/workers/runtime/events";
import { FLAT_ID_SEPARATOR } from "@/nodes/core/flatten";

/** The part of a node's run state a summary is made of. */
export interface StatusLike {
  readonly status: NodeStatus;
  readonly message?: string;
}

/**
 * The prefix of run-state ids on the canvas: empty at the workflow's level; inside subgraphs,
 * the opened nodes' ids, so an inner node shows the state of its flattened id.
 */
export function runIdPrefix(scope: readonly { readonly nodeId: string }[]): string {
  return scope.map((f) => `${f.nodeId}${FLAT_ID_SEPARATOR}`).join("");
}

/** Which inner status a subgraph node shows: the first of these any inner node has. */
const PRECEDENCE: readonly NodeStatus[] = [
  "error",
  "running",
  "cancelled",
  "queued",
  "skipped",
  "done",
  "cached",
  "bypassed",
];

/**
 * The run state a node shows. A subgraph node runs as its inner nodes (their ids are
 * `<node>/<inner>`, nodes/core/flatten.ts), so it shows the most telling of theirs — an error
 * first, then what is running — with that node's message, which names it ("Crop inside Prep: …").
 * Done only when every inner node is done or cached.
 */
export function nodeRunState<T extends StatusLike>(
  states: Readonly<Record<string, T>>,
  id: string,
): T | undefined {
  const own = states[id];
  if (own) return own;
  const prefix = `${id}${FLAT_ID_SEPARATOR}`;
  let best: T | undefined;
  let rank = PRECEDENCE.length;
  for (const key in states) {
    if (!key.startsWith(prefix)) continue;
    const state = states[key];
    const r = PRECEDENCE.indexOf(state.status);
    if (r < rank) {
      rank = r;
      best = state;
    }
  }
  return best;
}
