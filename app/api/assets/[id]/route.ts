import { getAsset } from "@/app/_server/assets";
import { getPrisma } from "@/app/_server/db";
import { handle, notFound } from "@/app/_server/http";
import { storedImageHeaders } from "@/app/_server/stored-image";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const asset = await getAsset(getPrisma(), (await params).id);
    if (!asset) throw notFound("asset");
    return new Response(asset.bytes, {
      headers: {
        // The type the bytes are (not the stored row's): anything but an image is a download.
        ...storedImageHeaders(asset.bytes, `asset-${asset.id}`),
        // The id is the hash of the bytes, so this URL can never serve anything else.
        "Cache-Control": "public, max-age=31536000, immutable",
        ETag: `"${asset.id}"`,
      },
    });
  });
}
