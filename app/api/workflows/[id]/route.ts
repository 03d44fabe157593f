import { z } from "zod";
import { getPrisma } from "../../../_server/db";
import { requireActor } from "../../../_server/actor";
import {
  decodeBase64Png,
  handle,
  HttpError,
  notFound,
  parseBody,
  readJson,
  THUMBNAIL_LIMIT,
  WORKFLOW_BODY_LIMIT,
} from "../../../_server/http";
import { withWorkflowErrors } from "../../../_server/workflow-http";
import {
  deleteWorkflow,
  getWorkflow,
  saveWorkflow,
  updateWorkflowInfo,
  documentFieldSchema,
  versionMessageSchema,
  workflowNameSchema,
} from "../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

interface Context {
  params: Promise<{ id: string }>;
}

const saveBody = z.strictObject({
  document: documentFieldSchema,
  /** Base64 PNG (a data: URL is fine); `null` removes the thumbnail, absent keeps it. */
  thumbnail: z.string().nullable().optional(),
  message: versionMessageSchema.optional(),
  /** The version the client's document was based on; a stale one gets 409 (never a lost save). */
  baseVersion: z.number().int().min(1).optional(),
});

const infoBody = z.strictObject({
  name: workflowNameSchema.optional(),
  description: z.string().optional(),
  tags: z.array(z.string()).max(100).optional(),
});

export function GET(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const workflow = await getWorkflow(getPrisma(), (await params).id, actor);
    if (!workflow) throw notFound("workflow");
    return Response.json(workflow);
  });
}

export function PUT(request: Request, { params }: Context): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const { id } = await params;
      const actor = await requireActor(request);
      const body = parseBody(saveBody, await readJson(request, WORKFLOW_BODY_LIMIT));
      const thumbnail =
        typeof body.thumbnail === "string"
          ? decodeBase64Png(body.thumbnail, THUMBNAIL_LIMIT, "thumbnail")
          : body.thumbnail;
      const workflow = await saveWorkflow(
        getPrisma(),
        id,
        {
          document: body.document,
          thumbnail,
          message: body.message || undefined,
          baseVersion: body.baseVersion,
        },
        actor,
      );
      if (!workflow) throw notFound("workflow");
      return Response.json(workflow);
    }),
  );
}

/** Name, description and tags: any of them, none of them a new version. */
export function PATCH(request: Request, { params }: Context): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const { id } = await params;
      const actor = await requireActor(request);
      const body = parseBody(infoBody, await readJson(request, WORKFLOW_BODY_LIMIT));
      if (Object.keys(body).length === 0) {
        throw new HttpError(400, "request body: give a name, a description or tags");
      }
      const workflow = await updateWorkflowInfo(getPrisma(), id, body, actor);
      if (!workflow) throw notFound("workflow");
      return Response.json(workflow);
    }),
  );
}

export function DELETE(request: Request, { params }: Context): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const actor = await requireActor(request);
      if (!(await deleteWorkflow(getPrisma(), (await params).id, actor)))
        throw notFound("workflow");
      return new Response(null, { status: 204 });
    }),
  );
}
