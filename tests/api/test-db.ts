import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface TestDatabase {
  /** The temporary folder the database lives in (removed after the file's tests). */
  readonly dir: string;
  readonly url: string;
}

/**
 * Gives the calling test file a real SQLite database of its own, built by `prisma migrate deploy`
 * from the committed migrations exactly as production builds it. Call it at the top level of the
 * file, before any hook that imports app code: the app's Prisma client is created lazily from
 * DATABASE_URL, so route modules must be imported only after this has set it.
 */
export function setupTestDatabase(): TestDatabase {
  const state = { dir: "", url: "" };

  beforeAll(() => {
    if (!existsSync(path.join(ROOT, "prisma/generated/client/client.ts"))) {
      throw new Error("the Prisma client is not generated; run `npm run db:generate` first");
    }
    state.dir = mkdtempSync(path.join(tmpdir(), "leffa-api-"));
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
