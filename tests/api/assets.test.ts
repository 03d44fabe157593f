import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type * as Upload from "@/app/api/assets/route";
import type * as Download from "@/app/api/assets/[id]/route";
import { routeContext, streamingInit, streamOfBytes, setupTestDatabase } from "./test-db";

setupTestDatabase();

// Types only: the modules themselves are imported once the test database exists.
let upload: typeof Upload;
let download: typeof Download;

beforeAll(async () => {
  upload = await import("@/app/api/assets/route");
  download = await import("@/app/api/assets/[id]/route");
});

const BASE = "http://localhost/api/assets";
const MB = 1024 * 1024;

/** A real 1x1 PNG. */
const PNG = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  ),
);
/** Only the magic numbers matter to the server; it never decodes the image. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
const WEBP = new Uint8Array([...Buffer.from("RIFF"), 4, 0, 0, 0, ...Buffer.from("WEBPVP8 ")]);

function post(bytes: Uint8Array, contentType: string | null): Request {
  const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
  return new Request(BASE, { method: "POST", headers, body: new Uint8Array(bytes) });
}

async function fetchAsset(id: string): Promise<Response> {
  return download.GET(new Request(`${BASE}/${id}`), routeContext(id));
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe("asset upload and download", () => {
  it("stores an image under the sha256 of its bytes and serves it back", async () => {
    const res = await upload.POST(post(PNG, "image/png"));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(id).toBe(sha256Hex(PNG));

    const got = await fetchAsset(id);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("cache-control")).toContain("immutable");
    expect(got.headers.get("etag")).toBe(`"${id}"`);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);
  });

  it("gives the same id for the same bytes and stores them once", async () => {
    const first = (await (await upload.POST(post(JPEG, "image/jpeg"))).json()) as { id: string };
    const again = await upload.POST(post(JPEG, "image/jpeg"));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
  });

  it("accepts WebP and a Content-Type with parameters", async () => {
    const res = await upload.POST(post(WEBP, "Image/WebP; charset=binary"));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await fetchAsset(id)).headers.get("content-type")).toBe("image/webp");
  });

  it("serves an image as what its bytes are, whatever type the upload claimed", async () => {
    const jpegAsPng = new Uint8Array([...JPEG, 1]);
    const res = await upload.POST(post(jpegAsPng, "image/png"));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await fetchAsset(id)).headers.get("content-type")).toBe("image/jpeg");
  });
});

describe("asset errors", () => {
  it("answers 415 for a type other than PNG, JPEG or WebP", async () => {
    for (const type of ["image/gif", "text/plain", "application/octet-stream", null]) {
      const res = await upload.POST(post(PNG, type));
      expect(res.status).toBe(415);
      expect(await res.json()).toEqual({ error: expect.stringContaining("image/png") });
    }
  });

  it("answers 415 when the bytes are not the image they claim to be", async () => {
    const res = await upload.POST(post(new TextEncoder().encode("hello"), "image/png"));
    expect(res.status).toBe(415);
  });

  it("answers 400 for an empty body", async () => {
    const res = await upload.POST(post(new Uint8Array(0), "image/png"));
    expect(res.status).toBe(400);
  });

  it("answers 413 from a Content-Length over 25 MB without reading the body", async () => {
    const res = await upload.POST(
      new Request(BASE, {
        method: "POST",
        headers: { "content-type": "image/png", "content-length": String(26 * MB) },
        body: new Uint8Array(PNG),
      }),
    );
    expect(res.status).toBe(413);
  });

  it("answers 413 when more than 25 MB actually arrive, whatever the headers said", async () => {
    const init = streamingInit(
      { method: "POST", headers: { "content-type": "image/png" } },
      streamOfBytes(26 * MB),
    );
    const res = await upload.POST(new Request(BASE, init));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain("25 MB");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    expect((await fetchAsset("0".repeat(64))).status).toBe(404);
    expect((await fetchAsset("not-a-hash")).status).toBe(404);
    expect((await fetchAsset(sha256Hex(PNG).toUpperCase())).status).toBe(404);
  });
});
