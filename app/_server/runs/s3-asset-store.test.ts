import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetStoreFromEnv } from "./asset-store";
import { S3AssetStore } from "./s3-asset-store";

/**
 * The S3 store against a small in-process S3-compatible server (path-style PUT, GET and DELETE
 * object, S3's XML errors), so the real SDK's requests, signing headers and error parsing are
 * exercised without any network. It is not MinIO: multipart uploads, listing and the signature's
 * value are not checked, only that each request is signed with the configured key and that the
 * payload hash the SDK signs matches the body that arrived.
 */

interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
}

const BUCKET = "leffa-test";
const objects = new Map<string, StoredObject>();
const seen: { method: string; path: string }[] = [];
let server: Server;
let endpoint: string;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function s3Error(status: number, code: string, message: string) {
  return {
    status,
    headers: { "content-type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://stub");
      seen.push({ method: req.method ?? "", path: url.pathname });
      const [, bucket, ...rest] = url.pathname.split("/");
      const key = decodeURIComponent(rest.join("/"));
      const body = await readBody(req);
      let reply: { status: number; headers?: Record<string, string>; body?: string | Buffer };
      const auth = req.headers.authorization ?? "";
      const signedHash = req.headers["x-amz-content-sha256"];
      if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=TESTKEY/")) {
        reply = s3Error(403, "AccessDenied", "unsigned or wrong key");
      } else if (bucket !== BUCKET) {
        reply = s3Error(404, "NoSuchBucket", "no such bucket");
      } else if (
        typeof signedHash === "string" &&
        signedHash !== "UNSIGNED-PAYLOAD" &&
        signedHash !== createHash("sha256").update(body).digest("hex")
      ) {
        reply = s3Error(400, "XAmzContentSHA256Mismatch", "payload hash mismatch");
      } else if (req.method === "PUT") {
        objects.set(key, {
          body,
          contentType: req.headers["content-type"] ?? "binary/octet-stream",
        });
        reply = { status: 200, headers: { etag: '"x"' } };
      } else if (req.method === "GET") {
        const found = objects.get(key);
        reply = found
          ? {
              status: 200,
              headers: {
                "content-type": found.contentType,
                "content-length": String(found.body.byteLength),
              },
              body: found.body,
            }
          : s3Error(404, "NoSuchKey", "The specified key does not exist.");
      } else if (req.method === "DELETE") {
        objects.delete(key);
        reply = { status: 204 };
      } else {
        reply = s3Error(405, "MethodNotAllowed", "not in this stub");
      }
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function makeStore(accessKeyId = "TESTKEY"): S3AssetStore {
  const store = assetStoreFromEnv({
    S3_ENDPOINT: endpoint,
    S3_BUCKET: BUCKET,
    S3_REGION: "eu-west-1",
    S3_ACCESS_KEY_ID: accessKeyId,
    S3_SECRET_ACCESS_KEY: "secret",
    S3_FORCE_PATH_STYLE: "on",
  });
  expect(store).toBeInstanceOf(S3AssetStore);
  return store as S3AssetStore;
}

describe("S3AssetStore (in-process S3 stub)", () => {
  it("puts, gets, overwrites and deletes objects path-style", async () => {
    const store = makeStore();
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
    await store.put("runs/r1/n1/image.png", bytes, "image/png");
    expect(objects.get("runs/r1/n1/image.png")?.body.equals(Buffer.from(bytes))).toBe(true);
    expect(seen.at(-1)).toEqual({ method: "PUT", path: `/${BUCKET}/runs/r1/n1/image.png` });

    const got = await store.get("runs/r1/n1/image.png");
    expect(got?.contentType).toBe("image/png");
    expect(Buffer.from(got?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);

    await store.put("runs/r1/n1/image.png", new Uint8Array([1, 2]), "image/webp");
    expect(await store.get("runs/r1/n1/image.png")).toEqual({
      bytes: new Uint8Array([1, 2]),
      contentType: "image/webp",
    });

    await store.delete("runs/r1/n1/image.png");
    expect(await store.get("runs/r1/n1/image.png")).toBeNull();
    store.destroy();
  });

  it("answers null for a missing key and throws for other errors", async () => {
    const store = makeStore();
    expect(await store.get("uploads/none")).toBeNull();
    store.destroy();
    const wrongKey = makeStore("OTHERKEY");
    await expect(wrongKey.get("uploads/none")).rejects.toThrow(/unsigned or wrong key/);
    await expect(wrongKey.put("a", new Uint8Array([1]), "x/y")).rejects.toThrow();
    wrongKey.destroy();
  });

  it("refuses unsafe keys before any request", async () => {
    const store = makeStore();
    const before = seen.length;
    await expect(store.put("../x", new Uint8Array([1]), "x/y")).rejects.toThrow(/asset key/);
    await expect(store.get("a//b")).rejects.toThrow(/asset key/);
    expect(seen.length).toBe(before);
    store.destroy();
  });

  it("is chosen only with a bucket; an endpoint alone is an error", () => {
    expect(() => assetStoreFromEnv({ S3_ENDPOINT: endpoint })).toThrow(/S3_BUCKET/);
    expect(assetStoreFromEnv({ ASSETS_DIR: "/tmp/x" }).description).toBe("fs:/tmp/x");
    expect(makeStore().description).toBe(`s3://${BUCKET} at ${endpoint}`);
  });
});
