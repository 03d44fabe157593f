import { z } from "zod";
import { emptyWorkflow } from "../../../nodes/core/document";
import { getPrisma } from "../../_server/db";
import { requireActor } from "../../_server/actor";
import {
  decodeBase64Png,
  handle,
  parseBody,
  readJson,
  THUMBNAIL_LIMIT,
  WORKFLOW_BODY_LIMIT,
} from "../../_server/http";
import { libraryQuerySchema, searchParamsRecord } from "../../_server/library-query";
import {
  createWorkflow,
  documentFieldSchema,
  listWorkflows,
  workflowNameSchema,
} from "../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * All optional: `{}` makes an empty "Untitled workflow", `{ name }` an empty one so named. An
 * absent document means an empty one; `"document": null` is a mistake and refused.
 */
const createBody = z.strictObject({
  name: workflowNameSchema.optional(),
  document: documentFieldSchema.optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).max(100).optional(),
  /** Base64 PNG (a data: URL is fine), stored with version 1. */
  thumbnail: z.string().optional(),
});

/** The library: `?q=&tag=&sort=updated|created|name|opened&kind=mine|templates&limit=&offset=`. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const params = searchParamsRecord(new URL(request.url).searchParams);
    const query = parseBody(libraryQuerySchema, params);
    const actor = await requireActor(request, { bearer: true });
    return Response.json(await listWorkflows(getPrisma(), query, actor));
  });
}

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request);
    const body = parseBody(createBody, await readJson(request, WORKFLOW_BODY_LIMIT));
    const workflow = await createWorkflow(
      getPrisma(),
      {
        document: body.document === undefined ? emptyWorkflow(body.name) : body.document,
        name: body.name,
        description: body.description,
        tags: body.tags,
        thumbnail:
          body.thumbnail === undefined
            ? undefined
            : decodeBase64Png(body.thumbnail, THUMBNAIL_LIMIT, "thumbnail"),
      },
      actor,
    );
    return Response.json(workflow, {
      status: 201,
      headers: { Location: `/api/workflows/${workflow.id}` },
    });
  });
}
