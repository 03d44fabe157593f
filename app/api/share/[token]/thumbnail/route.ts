import { getPrisma } from "../../../../_server/db";
import { handle, notFound } from "../../../../_server/http";
import { storedImageHeaders } from "../../../../_server/stored-image";
import { isShareToken, sharedWhere } from "../../../../_server/sharing";
import { getThumbnail } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The preview image of a published workflow (share page and gallery). */
export function GET(
  _request: Request,
  { params }: { params: Promise<{ token: string }> },
): Promise<Response> {
  return handle(async () => {
    const { token } = await params;
    const thumbnail = isShareToken(token)
      ? await getThumbnail(getPrisma(), sharedWhere(token))
      : null;
    if (!thumbnail) throw notFound("thumbnail");
    return new Response(thumbnail.bytes, {
      headers: {
        ...storedImageHeaders(thumbnail.bytes, "thumbnail"),
        // Revalidated every time: an unpublished workflow's image must stop being served.
        "Cache-Control": "no-cache",
      },
    });
  });
}
