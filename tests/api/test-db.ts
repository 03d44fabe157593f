import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { createPostgresDatabase } from "../helpers/postgres-database";
import type { WorkflowDocument } from "@/nodes/core/document";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface TestDatabase {
  /** The temporary folder the database lives in (removed after the file's tests). */
  readonly dir: string;
  readonly url: string;
}

/**
 * The PostgreSQL server the API tests also run against: tests/run-all.sh starts one
 * (tools/postgres.sh) and runs tests/api a second time with this set. Unset, they use SQLite.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL;

/**
 * Gives the calling test file a real database of its own, built from the committed migrations
 * exactly as production builds it: a SQLite file (`prisma migrate deploy`), or, when
 * TEST_POSTGRES_URL is set, a fresh PostgreSQL database (tools/db/migrate-postgres.ts). Call it at
 * the top level of the file, before any hook that imports app code: the app's Prisma client is
 * created lazily from DATABASE_URL, so route modules must be imported only after this has set it.
 */
export function setupTestDatabase(): TestDatabase {
  const state = { dir: "", url: "" };
  let dropPostgres: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, "prisma/generated/client/client.ts"))) {
      throw new Error("the Prisma client is not generated; run `npm run db:generate` first");
    }
    state.dir = mkdtempSync(path.join(tmpdir(), "leffa-api-"));
    // Uploaded images and run outputs go to the asset store: a folder of this file's own.
    process.env.ASSETS_DIR = path.join(state.dir, "assets");
    const { resetAssetStore } = await import("@/app/_server/runs/asset-store");
    resetAssetStore();
    if (TEST_POSTGRES_URL) {
      const created = await createPostgresDatabase(TEST_POSTGRES_URL);
      state.url = created.url;
      dropPostgres = created.drop;
      process.env.DATABASE_URL = state.url;
      const { migratePostgres } = await import("@/tools/db/migrate-postgres");
      await migratePostgres(state.url);
      return;
    }
    state.url = `file:${path.join(state.dir, "test.db")}`;
    process.env.DATABASE_URL = state.url;
    execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      stdio: "pipe",
    });
  }, 60_000);

  afterAll(async () => {
    const { disconnectPrisma } = await import("@/app/_server/db");
    await disconnectPrisma();
    await dropPostgres?.();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  return state;
}

/** The second argument Next passes to a dynamic route handler. */
export function routeContext(id: string): { params: Promise<{ id: string }> } {
  return { params: Promise.resolve({ id }) };
}

/** A body of `total` zero bytes that arrives in chunks, with no Content-Length to go by. */
export function streamOfBytes(total: number, chunkSize = 1 << 20): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const n = Math.min(chunkSize, total - sent);
      controller.enqueue(new Uint8Array(n));
      sent += n;
    },
  });
}

/** RequestInit for a streamed body; undici insists on `duplex` there, lib.dom lacks the key. */
export function streamingInit(init: RequestInit, body: ReadableStream<Uint8Array>): RequestInit {
  return { ...init, body, duplex: "half" } as RequestInit;
}

/** A real 1×1 PNG, base64, for thumbnails and uploads in the API tests. */
/** A small valid workflow (Load Image → Preview), the API tests' usual body. */
export function testDocument(
  name = "Try-on",
  overrides: Partial<WorkflowDocument> = {},
): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: [
      { id: "person", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      { id: "out", type: "preview", position: { x: 240, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "person", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
    ...overrides,
  };
}

export const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
