import { parseWorkflow } from "@/nodes/core/document";
import { readableBy, type Actor } from "../actor";
import { assetId, putAsset } from "../assets";
import type { PrismaClient } from "../db";
import { HttpError, notFound } from "../http";
import { couldBeId } from "../workflows";
import { uploadKey } from "./asset-keys";
import { getRunQueue } from "./queue-provider";
import type { RunRequestBody } from "./run-body";
import { checkRunRequest, requireLoadImage, runImages } from "./run-request";
import { failUnqueuedRun, insertRun, maxQueuedRuns, queuedRunCount } from "./runs";

/**
 * POST /api/workflows/:id/runs after its body is read: everything is checked (the workflow, each
 * input and override, the images it names, the actor's queue limit) before anything is written,
 * so a refused request stores nothing and queues nothing. Then the uploads, the Run row, and the
 * hand-over to the queue.
 */

/** Seconds a client over its queued-run limit is told to wait (Retry-After). */
export const QUEUE_FULL_RETRY_AFTER_S = 30;

export class QueueFullError extends HttpError {
  constructor(limit: number) {
    super(
      429,
      `you already have ${limit} runs waiting, the most allowed (LEFFA_MAX_QUEUED_RUNS); ` +
        "try again when some have started",
    );
  }
}

export async function startRun(
  prisma: PrismaClient,
  workflowId: string,
  request: RunRequestBody,
  actor: Actor,
): Promise<{ id: string }> {
  if (!couldBeId(workflowId)) throw notFound("workflow");
  // Templates count as readable: anyone may run an example as it is.
  const workflow = await prisma.workflow.findFirst({
    where: { id: workflowId, ...readableBy(actor) },
    select: { document: true, latestVersion: true },
  });
  if (!workflow) throw notFound("workflow");
  const document = parseWorkflow(JSON.parse(workflow.document));

  const checked = checkRunRequest(document, request.body);
  const uploaded: Record<string, string> = {};
  for (const [nodeId, upload] of request.uploads) {
    requireLoadImage(document, nodeId);
    // The id the upload will have (content-addressed), so it is checked like any other.
    uploaded[nodeId] = assetId(upload.bytes);
  }
  const images = runImages(document, { ...checked.inputs, ...uploaded });
  const stored = new Set(
    (
      await prisma.asset.findMany({
        where: { id: { in: Object.values(images) } },
        select: { id: true },
      })
    ).map((a) => a.id),
  );
  for (const [nodeId, assetId] of Object.entries(images)) {
    if (Object.hasOwn(uploaded, nodeId) || stored.has(assetId)) continue;
    const field = `inputs.${nodeId}`;
    throw new HttpError(
      400,
      Object.hasOwn(checked.inputs, nodeId)
        ? `${field}: no uploaded image has this id (upload it with POST /api/assets)`
        : `${field}: the image saved on this node is not on this server; send one`,
      field,
      nodeId,
    );
  }

  if (actor.userId !== null) {
    const limit = maxQueuedRuns();
    if ((await queuedRunCount(prisma, actor)) >= limit) throw new QueueFullError(limit);
  }

  for (const upload of request.uploads.values()) {
    await putAsset(prisma, upload.bytes, upload.mime);
  }
  const inputs = Object.fromEntries(
    Object.entries(images).map(([nodeId, assetId]) => [nodeId, uploadKey(assetId)]),
  );
  const run = await insertRun(
    prisma,
    {
      workflowId,
      workflowVersion: workflow.latestVersion,
      document: workflow.document,
      inputs,
      overrides: checked.overrides,
      batchId: request.body.batchId,
    },
    actor,
  );
  try {
    await (await getRunQueue()).enqueue(run.id);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await failUnqueuedRun(prisma, run.id, why);
    throw new HttpError(503, `the run could not be queued: ${why}`);
  }
  return run;
}
