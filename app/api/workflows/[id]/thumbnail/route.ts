import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound } from "../../../../_server/http";
import { storedImageHeaders } from "../../../../_server/stored-image";
import { getThumbnail } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const { id } = await params;
    const actor = await requireActor(request, { bearer: true });
    const thumbnail = await getThumbnail(getPrisma(), { id, actor });
    if (!thumbnail) throw notFound("thumbnail");
    // Thumbnails change only on save, and every save bumps the version: a cheap validator that
    // lets the library page revalidate instead of downloading each image again.
    const etag = `"${id}-v${thumbnail.version}"`;
    const headers = { ETag: etag, "Cache-Control": "no-cache" };
    if (request.headers.get("if-none-match") === etag) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(thumbnail.bytes, {
      headers: { ...headers, ...storedImageHeaders(thumbnail.bytes, `thumbnail-${id}`) },
    });
  });
}
