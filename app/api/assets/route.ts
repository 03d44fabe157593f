import {
  ASSET_BYTES_LIMIT,
  ASSET_MIMES,
  isAssetMime,
  putAsset,
  sniffImageMime,
} from "@/app/_server/assets";
import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, HttpError, readBytes } from "@/app/_server/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const unsupported = `send ${ASSET_MIMES.join(", ")}`;

/** Types a browser would run scripts in if it ever rendered them from the studio's origin. */
function scriptable(type: string): boolean {
  return /svg|html|xml|javascript/.test(type);
}

/** Raw image bytes in, `{ id }` out (201 when new, 200 when the same bytes were stored before). */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    // With accounts on, only members store images (a 25 MB body is not for anonymous callers).
    await requireActor(request);
    // Before reading anything: the type is free to check, the body may be 25 MB.
    const declared = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (!isAssetMime(declared)) {
      throw new HttpError(
        415,
        `Content-Type: unsupported type "${declared.slice(0, 100) || "none"}"` +
          `${scriptable(declared) ? " (it can carry scripts)" : ""}; ${unsupported}`,
        "content-type",
      );
    }
    const bytes = await readBytes(request, ASSET_BYTES_LIMIT);
    if (bytes.byteLength === 0)
      throw new HttpError(400, "body: the request body is empty; expected an image", "body");
    // The bytes decide, not the header: an SVG or HTML page sent as "image/png" is refused here.
    const mime = sniffImageMime(bytes);
    if (!mime) {
      throw new HttpError(415, `body: not a PNG, JPEG or WebP image; ${unsupported}`, "body");
    }
    const { id, created } = await putAsset(getPrisma(), bytes, mime);
    return Response.json(
      { id, mime, byteLength: bytes.byteLength },
      { status: created ? 201 : 200, headers: { Location: `/api/assets/${id}` } },
    );
  });
}
