import type { BackendInfo, NodeResult } from "../../nodes/core/types";

/** `bypassed`: the node passed its input on without running (document version 2 node modes). */
export type NodeStatus =
  "queued" | "running" | "cached" | "done" | "error" | "skipped" | "cancelled" | "bypassed";

export interface NodeProgress {
  readonly value: number;
  readonly max: number;
  readonly message?: string;
}

/** What a run reports, in order. The worker forwards these to the editor. */
export type RunEvent =
  | {
      readonly type: "run-start";
      readonly runId: string;
      readonly backend: BackendInfo;
      /** The nodes this run schedules; a run to a node leaves the others as they were. */
      readonly nodeIds: readonly string[];
      /** Set for "run to here": the nodes the run stops at. */
      readonly targets?: readonly string[];
    }
  | {
      readonly type: "node-status";
      readonly runId: string;
      readonly nodeId: string;
      readonly status: NodeStatus;
      readonly message?: string;
      readonly elapsedMs?: number;
    }
  | {
      readonly type: "node-progress";
      readonly runId: string;
      readonly nodeId: string;
      readonly progress: NodeProgress;
    }
  | {
      readonly type: "node-result";
      readonly runId: string;
      readonly nodeId: string;
      readonly result: NodeResult;
      readonly cached: boolean;
    }
  | {
      readonly type: "run-end";
      readonly runId: string;
      readonly status: "done" | "error" | "cancelled";
      readonly stats: RunStats;
    };

export interface RunStats {
  readonly ran: number;
  readonly cached: number;
  readonly failed: number;
  readonly skipped: number;
  readonly ms: number;
}
