import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/prisma/generated/client/client";

export type { PrismaClient };

const DEFAULT_DATABASE_URL = "file:./prisma/dev.db";

/**
 * The SQLite URL with its file path made absolute against the working directory, so the app, the
 * CLI (prisma.config.ts) and the seed all open the same file wherever the module itself lives.
 */
export function resolveDatabaseUrl(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): string {
  const file = url.replace(/^file:/, "");
  if (file === ":memory:") return file;
  // The ignore comment stops Turbopack tracing the whole project into the server output: it cannot
  // know which file a runtime path names, and the database is not part of the build anyway.
  return `file:${path.resolve(/* turbopackIgnore: true */ process.cwd(), file)}`;
}

// `next dev` re-evaluates modules on every edit; caching on globalThis keeps one client (and one
// open SQLite handle) per process instead of leaking a new one per hot reload.
const cache = globalThis as typeof globalThis & { __leffaPrisma?: PrismaClient };

/**
 * The process-wide client, created on first use rather than at import so that `next build` (which
 * imports route modules) never opens the database, and tests can set DATABASE_URL first.
 */
export function getPrisma(): PrismaClient {
  cache.__leffaPrisma ??= new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url: resolveDatabaseUrl() }),
  });
  return cache.__leffaPrisma;
}

/** Closes the cached client, if any; for scripts and tests that must let the process exit. */
export async function disconnectPrisma(): Promise<void> {
  const client = cache.__leffaPrisma;
  cache.__leffaPrisma = undefined;
  await client?.$disconnect();
}
