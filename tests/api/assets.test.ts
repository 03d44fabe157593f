import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type * as Upload from "@/app/api/assets/route";
import type * as Download from "@/app/api/assets/[id]/route";
import type * as Collection from "@/app/api/workflows/route";
import type * as Thumbnail from "@/app/api/workflows/[id]/thumbnail/route";
import type * as SharedThumbnail from "@/app/api/share/[token]/thumbnail/route";
import {
  PNG_BASE64,
  routeContext,
  streamingInit,
  streamOfBytes,
  setupTestDatabase,
} from "./test-db";

setupTestDatabase();

// Types only: the modules themselves are imported once the test database exists.
let upload: typeof Upload;
let download: typeof Download;
let collection: typeof Collection;
let thumbnail: typeof Thumbnail;
let sharedThumbnail: typeof SharedThumbnail;

beforeAll(async () => {
  upload = await import("@/app/api/assets/route");
  download = await import("@/app/api/assets/[id]/route");
  collection = await import("@/app/api/workflows/route");
  thumbnail = await import("@/app/api/workflows/[id]/thumbnail/route");
  sharedThumbnail = await import("@/app/api/share/[token]/thumbnail/route");
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
/** What a browser would run scripts in, were it served from the studio's origin as a page. */
const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
);
const HTML = new TextEncoder().encode("<!doctype html><script>alert(document.cookie)</script>");

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
      expect(await res.json()).toEqual({
        error: expect.stringContaining("image/png"),
        field: "content-type",
      });
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

describe("scriptable uploads (SVG, HTML)", () => {
  it("are refused by their declared type with 415 naming the Content-Type", async () => {
    for (const [bytes, type] of [
      [SVG, "image/svg+xml"],
      [HTML, "text/html"],
      [HTML, "application/xhtml+xml"],
    ] as const) {
      const res = await upload.POST(post(bytes, type));
      expect(res.status).toBe(415);
      const body = (await res.json()) as { error: string; field?: string };
      expect(body.field).toBe("content-type");
      expect(body.error).toContain(type);
      expect(body.error).toContain("can carry scripts");
    }
  });

  it("are refused by their bytes with 415 naming the body, whatever image type they claim", async () => {
    for (const bytes of [SVG, HTML]) {
      for (const type of ["image/png", "image/jpeg", "image/webp"]) {
        const res = await upload.POST(post(bytes, type));
        expect(res.status).toBe(415);
        const body = (await res.json()) as { error: string; field?: string };
        expect(body.field).toBe("body");
        expect(body.error).toContain("not a PNG, JPEG or WebP image");
      }
    }
    const { getPrisma } = await import("@/app/_server/db");
    expect(await getPrisma().asset.findUnique({ where: { id: sha256Hex(SVG) } })).toBeNull();
  });
});

describe("stored images are served as what their bytes are", () => {
  /** A row as an older version, another tool or a restored backup might have left it. */
  async function storeRawAsset(bytes: Uint8Array, mime: string): Promise<string> {
    const { getPrisma } = await import("@/app/_server/db");
    const id = sha256Hex(bytes);
    await getPrisma().asset.create({
      data: { id, mime, bytes: new Uint8Array(bytes), byteLength: bytes.byteLength },
    });
    return id;
  }

  function expectDownloadOnly(res: Response): void {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[\w.-]+"$/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  }

  it("serves an asset row claiming SVG or HTML only as a download of opaque bytes", async () => {
    for (const [bytes, mime] of [
      [SVG, "image/svg+xml"],
      [HTML, "text/html"],
      [new Uint8Array([...SVG, 1]), "image/png"],
    ] as const) {
      const res = await fetchAsset(await storeRawAsset(bytes, mime));
      expectDownloadOnly(res);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    }
  });

  it("serves an asset row with the wrong image type as the type its bytes are", async () => {
    const webpSaidPng = new Uint8Array([...WEBP, 7]);
    const res = await fetchAsset(await storeRawAsset(webpSaidPng, "image/png"));
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("serves workflow and share thumbnails by their bytes: PNG as PNG, SVG only as a download", async () => {
    const { getPrisma } = await import("@/app/_server/db");
    const { newShareToken } = await import("@/app/_server/sharing");
    const created = await collection.POST(
      new Request("http://localhost/api/workflows", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Thumbnail types", thumbnail: PNG_BASE64 }),
      }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const shareToken = newShareToken();
    await getPrisma().workflow.update({
      where: { id },
      data: { visibility: "link", shareToken },
    });
    const own = () =>
      thumbnail.GET(
        new Request(`http://localhost/api/workflows/${id}/thumbnail`),
        routeContext(id),
      );
    const shared = () =>
      sharedThumbnail.GET(new Request(`http://localhost/api/share/${shareToken}/thumbnail`), {
        params: Promise.resolve({ token: shareToken }),
      });

    for (const res of [await own(), await shared()]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }

    await getPrisma().workflow.update({
      where: { id },
      data: { thumbnail: new Uint8Array(SVG), thumbnailMime: "image/svg+xml" },
    });
    for (const res of [await own(), await shared()]) expectDownloadOnly(res);
  });
});

describe("images stored before the asset store", () => {
  /** A row as an older studio wrote it: the bytes in the database itself. */
  async function legacyRow(bytes: Uint8Array): Promise<string> {
    const { getPrisma } = await import("@/app/_server/db");
    const id = createHash("sha256").update(bytes).digest("hex");
    await getPrisma().asset.create({
      data: { id, mime: "image/png", bytes: new Uint8Array(bytes), byteLength: bytes.byteLength },
    });
    return id;
  }

  it("are served from the database, then moved to the store on that first read", async () => {
    const { getPrisma } = await import("@/app/_server/db");
    const { getAssetStore } = await import("@/app/_server/runs/asset-store");
    const bytes = new Uint8Array([...PNG, 1, 2, 3]);
    const id = await legacyRow(bytes);
    expect(await getAssetStore().get(`uploads/${id}`)).toBeNull();

    const first = await fetchAsset(id);
    expect(first.status).toBe(200);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(bytes);
    expect((await getAssetStore().get(`uploads/${id}`))?.bytes).toEqual(bytes);
    const row = await getPrisma().asset.findUnique({ where: { id } });
    expect(row?.bytes).toBeNull();

    const again = await fetchAsset(id);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes);
  });

  it("are all moved by moveLegacyAssets (npm run setup), none lost", async () => {
    const { getPrisma } = await import("@/app/_server/db");
    const { moveLegacyAssets } = await import("@/app/_server/assets");
    const { getAssetStore } = await import("@/app/_server/runs/asset-store");
    const all = Array.from({ length: 5 }, (_, i) => new Uint8Array([...PNG, 9, i]));
    const ids = await Promise.all(all.map(legacyRow));
    expect(await moveLegacyAssets(getPrisma(), getAssetStore(), 2)).toBe(5);
    expect(await getPrisma().asset.count({ where: { bytes: { not: null } } })).toBe(0);
    for (const [i, id] of ids.entries()) {
      expect((await getAssetStore().get(`uploads/${id}`))?.bytes).toEqual(all[i]);
      const res = await fetchAsset(id);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(all[i]);
    }
    expect(await moveLegacyAssets(getPrisma(), getAssetStore())).toBe(0);
  });

  it("new uploads keep their bytes out of the database", async () => {
    const { getPrisma } = await import("@/app/_server/db");
    const bytes = new Uint8Array([...PNG, 7, 7, 7]);
    const res = await upload.POST(post(bytes, "image/png"));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const row = await getPrisma().asset.findUnique({ where: { id } });
    expect(row).toMatchObject({ bytes: null, byteLength: bytes.byteLength, mime: "image/png" });
  });
});
