import { z } from "zod";
import { getPrisma } from "@/app/_server/db";
import {
  decodeBase64Png,
  handle,
  notFound,
  parseBody,
  readJson,
  WORKFLOW_BODY_LIMIT,
} from "@/app/_server/http";
import {
  deleteWorkflow,
  getWorkflow,
  renameWorkflow,
  saveWorkflow,
  workflowNameSchema,
} from "@/app/_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A library thumbnail is a few hundred pixels wide; this leaves ample room. */
const THUMBNAIL_LIMIT = 512 * 1024;

interface Context {
  params: Promise<{ id: string }>;
}

const saveBody = z.strictObject({
  document: z.unknown(),
  /** Base64 PNG (a data: URL is fine); `null` removes the thumbnail, absent keeps it. */
  thumbnail: z.string().nullable().optional(),
  message: z.string().trim().max(500).optional(),
});

const renameBody = z.strictObject({ name: workflowNameSchema });

export function GET(_request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const workflow = await getWorkflow(getPrisma(), (await params).id);
    if (!workflow) throw notFound("workflow");
    return Response.json(workflow);
  });
}

export function PUT(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const { id } = await params;
    const body = parseBody(saveBody, await readJson(request, WORKFLOW_BODY_LIMIT));
    const thumbnail =
      typeof body.thumbnail === "string"
        ? decodeBase64Png(body.thumbnail, THUMBNAIL_LIMIT, "thumbnail")
        : body.thumbnail;
    const workflow = await saveWorkflow(getPrisma(), id, {
      document: body.document,
      thumbnail,
      message: body.message || undefined,
    });
    if (!workflow) throw notFound("workflow");
    return Response.json(workflow);
  });
}

export function PATCH(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const { id } = await params;
    const body = parseBody(renameBody, await readJson(request, WORKFLOW_BODY_LIMIT));
    const workflow = await renameWorkflow(getPrisma(), id, body.name);
    if (!workflow) throw notFound("workflow");
    return Response.json(workflow);
  });
}

export function DELETE(_request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    if (!(await deleteWorkflow(getPrisma(), (await params).id))) throw notFound("workflow");
    return new Response(null, { status: 204 });
  });
}
