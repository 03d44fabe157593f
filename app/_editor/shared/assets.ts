import { shareAsset } from "./runtime-client";

/** Same limits as the server: checked here first so a person learns at once, not after upload. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;

export class UploadError extends Error {
  override readonly name = "UploadError";
}

/**
 * Stores an image file on the server (content-addressed) and hands its bytes to the worker, so
 * the run does not fetch them again. Returns the asset id that Load Image keeps as its param.
 */
export async function uploadImage(file: Blob): Promise<string> {
  if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) {
    throw new UploadError(
      `"${file.type || "unknown type"}" is not supported: use PNG, JPEG or WebP`,
    );
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(1);
    throw new UploadError(
      `the file is ${mb} MB; the limit is ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`,
    );
  }
  const bytes = await file.arrayBuffer();
  const res = await fetch("/api/assets", {
    method: "POST",
    headers: { "Content-Type": file.type },
    body: bytes,
  });
  const body = (await res.json().catch(() => ({}))) as { id?: string; error?: string };
  if (!res.ok || !body.id)
    throw new UploadError(body.error ?? `upload failed (HTTP ${res.status})`);
  await shareAsset(body.id, bytes);
  return body.id;
}

export function assetUrl(id: string): string {
  return `/api/assets/${id}`;
}
