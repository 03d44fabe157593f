import type { NodeRunState as ServerNodeState } from "@/workers/queue/contract";
import type { RunStats } from "@/workers/runtime/events";
import type { NodeRunState } from "../runs/run-store";

/**
 * A server run's node states in the shape the canvas shows a local run's (features/runs/
 * run-store.ts), so a node card looks the same whichever machine ran it.
 */

/** The server reports 0–1 within a node; the canvas draws value / max. */
export function toCanvasNode(state: ServerNodeState): NodeRunState {
  return {
    status: state.status,
    message: state.message,
    elapsedMs: state.elapsedMs,
    ...(state.progress !== undefined && state.status === "running"
      ? { progress: { value: Math.round(state.progress * 100), max: 100 } }
      : {}),
  };
}

/**
 * Every node of the document: its server state, or "queued" while the server has not reported
 * it yet (the run sends only the nodes it has reached).
 */
export function toCanvasNodes(
  nodeIds: readonly string[],
  states: Readonly<Record<string, ServerNodeState>>,
): Record<string, NodeRunState> {
  const nodes: Record<string, NodeRunState> = {};
  for (const id of nodeIds) {
    const state = states[id];
    nodes[id] = state ? toCanvasNode(state) : { status: "queued" };
  }
  for (const [id, state] of Object.entries(states)) {
    // Nodes inside subgraphs run under ids of their own ("<subgraph>/<inner>").
    if (!(id in nodes)) nodes[id] = toCanvasNode(state);
  }
  return nodes;
}

/** The run summary's counts, from the final node states. */
export function runStats(
  states: Readonly<Record<string, ServerNodeState>>,
  totalMs: number,
): RunStats {
  const all = Object.values(states);
  const count = (...statuses: string[]) => all.filter((s) => statuses.includes(s.status)).length;
  return {
    ran: count("done"),
    cached: count("cached"),
    failed: count("error"),
    skipped: count("skipped", "cancelled"),
    ms: totalMs,
  };
}
