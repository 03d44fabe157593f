import {
  FINISHED_RUN_STATUSES,
  type NodeRunState,
  type RunOutput,
  type RunStatus,
} from "@/workers/queue/contract";
import type { Actor } from "../actor";
import type { PrismaClient } from "../db";
import { couldBeId } from "../workflows";
import { toRunStatus } from "./run-records";

/**
 * The Run table as the API sees it: create, read, list and cancel, each for one actor. With
 * accounts on, a run is its starter's alone: someone else's is simply not there (null → 404,
 * which does not confirm it exists). In local mode the one person at the keyboard sees all.
 */

type Env = Readonly<Record<string, string | undefined>>;

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** LEFFA_RUN_TIMEOUT_MS: how long a started run may take (default 30 minutes). */
export function runTimeoutMs(env: Env = process.env): number {
  return positiveInt(env.LEFFA_RUN_TIMEOUT_MS, 30 * 60_000);
}

/** LEFFA_MAX_QUEUED_RUNS: how many runs one user may have waiting at once (default 100). */
export function maxQueuedRuns(env: Env = process.env): number {
  return positiveInt(env.LEFFA_MAX_QUEUED_RUNS, 100);
}

export function isFinished(status: RunStatus): boolean {
  return FINISHED_RUN_STATUSES.includes(status);
}

/** Prisma filter: the runs an actor may see. */
function visibleTo(actor: Actor) {
  return actor.userId === null ? {} : { userId: actor.userId };
}

export interface NewRun {
  readonly workflowId: string;
  readonly workflowVersion: number;
  /** The document text exactly as stored for that version. */
  readonly document: string;
  /** Load Image node id → asset-store key. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly batchId?: string;
}

export async function insertRun(
  prisma: PrismaClient,
  run: NewRun,
  actor: Actor,
): Promise<{ id: string }> {
  return prisma.run.create({
    data: {
      workflowId: run.workflowId,
      workflowVersion: run.workflowVersion,
      document: run.document,
      inputs: JSON.stringify(run.inputs),
      overrides: JSON.stringify(run.overrides),
      batchId: run.batchId ?? null,
      userId: actor.userId,
      timeoutMs: runTimeoutMs(),
    },
    select: { id: true },
  });
}

/** How many of the actor's runs wait in the queue (for the per-user limit). */
export function queuedRunCount(prisma: PrismaClient, actor: Actor): Promise<number> {
  return prisma.run.count({ where: { ...visibleTo(actor), status: "queued" } });
}

const rowFields = {
  id: true,
  workflowId: true,
  workflowVersion: true,
  status: true,
  progress: true,
  nodeStates: true,
  outputs: true,
  errorMessage: true,
  errorNodeId: true,
  timings: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  worker: true,
  batchId: true,
  cancelRequested: true,
  attempts: true,
} as const;

export interface RunRow {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: string;
  progress: number;
  nodeStates: string;
  outputs: string;
  errorMessage: string | null;
  errorNodeId: string | null;
  timings: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  worker: string | null;
  batchId: string | null;
  cancelRequested: boolean;
  attempts: number;
}

export async function findRun(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<RunRow | null> {
  if (!couldBeId(id)) return null;
  return prisma.run.findFirst({ where: { id, ...visibleTo(actor) }, select: rowFields });
}

/** The exact document a run ran, for re-opening it in the editor. */
export async function findRunDocument(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<string | null> {
  if (!couldBeId(id)) return null;
  const row = await prisma.run.findFirst({
    where: { id, ...visibleTo(actor) },
    select: { document: true },
  });
  return row?.document ?? null;
}

export interface RunListQuery {
  readonly workflowId?: string;
  readonly batchId?: string;
  readonly offset: number;
  readonly limit: number;
}

/** One page of the actor's runs, newest first. */
export async function listRuns(
  prisma: PrismaClient,
  query: RunListQuery,
  actor: Actor,
): Promise<{ runs: RunRow[]; nextOffset: number | null }> {
  if (query.workflowId !== undefined && !couldBeId(query.workflowId)) {
    return { runs: [], nextOffset: null };
  }
  const rows = await prisma.run.findMany({
    where: {
      ...visibleTo(actor),
      ...(query.workflowId !== undefined ? { workflowId: query.workflowId } : {}),
      ...(query.batchId !== undefined ? { batchId: query.batchId } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: query.offset,
    take: query.limit + 1,
    select: rowFields,
  });
  const more = rows.length > query.limit;
  return { runs: rows.slice(0, query.limit), nextOffset: more ? query.offset + query.limit : null };
}

/**
 * Asks for the run to stop: the flag the executor polls, and a queued run becomes cancelled at
 * once (the conditional update loses to a worker that started it meanwhile; the flag then stops
 * it within a step). Null when the actor has no such run.
 */
export async function requestCancel(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<RunRow | null> {
  const row = await findRun(prisma, id, actor);
  if (!row) return null;
  if (isFinished(toRunStatus(row.status))) return row;
  await prisma.run.updateMany({
    where: { id, status: { in: ["queued", "running"] } },
    data: { cancelRequested: true },
  });
  await prisma.run.updateMany({
    where: { id, status: "queued" },
    data: { status: "cancelled", finishedAt: new Date(), errorMessage: null },
  });
  return findRun(prisma, id, actor);
}

/** A run that could not be handed to the queue: finished as an error, so it never waits forever. */
export async function failUnqueuedRun(prisma: PrismaClient, id: string, why: string) {
  await prisma.run.updateMany({
    where: { id, status: "queued" },
    data: {
      status: "error",
      errorMessage: `could not be queued: ${why}`.slice(0, 2000),
      finishedAt: new Date(),
    },
  });
}

export interface RunOutputView extends RunOutput {
  /** Where to fetch it (GET, streamed from the asset store). */
  readonly url: string;
}

export interface RunView {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: RunStatus;
  progress: number;
  /** 1-based place among waiting runs while queued; null otherwise. */
  position: number | null;
  nodes: Record<string, NodeRunState>;
  outputs: RunOutputView[];
  error: { message: string; nodeId: string | null } | null;
  timings: { totalMs: number; nodes: Record<string, number> } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  worker: string | null;
  batchId: string | null;
  cancelRequested: boolean;
  attempts: number;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function outputUrl(runId: string, output: Pick<RunOutput, "nodeId" | "name">): string {
  return `/api/runs/${encodeURIComponent(runId)}/outputs/${encodeURIComponent(output.nodeId)}/${encodeURIComponent(output.name)}`;
}

export function toRunView(row: RunRow, position: number | null): RunView {
  const status = toRunStatus(row.status);
  const outputs = parseJson<RunOutput[]>(row.outputs, []);
  const error =
    status === "error" || status === "cancelled"
      ? row.errorMessage
        ? { message: row.errorMessage, nodeId: row.errorNodeId }
        : null
      : null;
  return {
    id: row.id,
    workflowId: row.workflowId,
    workflowVersion: row.workflowVersion,
    status,
    progress: row.progress,
    position: status === "queued" ? position : null,
    nodes: parseJson<Record<string, NodeRunState>>(row.nodeStates, {}),
    outputs: outputs.map((o) => ({ ...o, url: outputUrl(row.id, o) })),
    error,
    timings: parseJson(row.timings, null),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    worker: row.worker,
    batchId: row.batchId,
    cancelRequested: row.cancelRequested,
    attempts: row.attempts,
  };
}

/** Finds one output of a run the actor may see; null when there is no such output. */
export async function findRunOutput(
  prisma: PrismaClient,
  runId: string,
  nodeId: string,
  name: string,
  actor: Actor,
): Promise<RunOutput | null> {
  const row = await findRun(prisma, runId, actor);
  if (!row) return null;
  const outputs = parseJson<RunOutput[]>(row.outputs, []);
  return outputs.find((o) => o.nodeId === nodeId && o.name === name) ?? null;
}
