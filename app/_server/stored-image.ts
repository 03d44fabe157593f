import { sniffImageMime } from "./assets";

/**
 * Response headers for image bytes the studio stored (uploads, thumbnails). The type comes from
 * the bytes themselves, at every response, never from what an uploader declared or what a row
 * says: rows can come from older versions, a restored backup or another tool. Bytes that are not
 * a PNG, JPEG or WebP image (an SVG or HTML page, say, which a browser would run scripts in) are
 * only ever offered as a download of opaque bytes.
 */
export function storedImageHeaders(
  bytes: Uint8Array,
  downloadName: string,
): Record<string, string> {
  const mime = sniffImageMime(bytes);
  const headers: Record<string, string> = {
    "Content-Length": String(bytes.byteLength),
    "X-Content-Type-Options": "nosniff",
  };
  if (mime) return { ...headers, "Content-Type": mime };
  return {
    ...headers,
    "Content-Type": "application/octet-stream",
    "Content-Disposition": `attachment; filename="${safeFileName(downloadName)}"`,
  };
}

/** A name that cannot break out of the quoted header value, whatever it was built from. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "download";
}
