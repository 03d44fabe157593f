import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/prisma/generated/client/client";
import { PrismaClient as PostgresPrismaClient } from "@/prisma/generated/postgres/client";

/**
 * The app's one database handle. SQLite (a `file:` DATABASE_URL, the default) is the embedded
 * single-user store; PostgreSQL (a `postgres://` URL) serves a shared deployment. Both clients are
 * generated from the same data model (prisma/schema.prisma and its derived PostgreSQL copy), so
 * the app codes against the SQLite client's types and `provider` says where SQL differs.
 */
export type { PrismaClient };
export type DatabaseProvider = "sqlite" | "postgresql";

const DEFAULT_DATABASE_URL = "file:./prisma/dev.db";

function configuredUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function providerOf(url = configuredUrl()): DatabaseProvider {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/**
 * The SQLite URL with its file path made absolute against the working directory, so the app, the
 * CLI (prisma.config.ts) and the seed all open the same file wherever the module itself lives.
 */
export function resolveDatabaseUrl(url = configuredUrl()): string {
  if (providerOf(url) === "postgresql") return url;
  const file = url.replace(/^file:/, "");
  if (file === ":memory:") return file;
  // The ignore comment stops Turbopack tracing the whole project into the server output: it cannot
  // know which file a runtime path names, and the database is not part of the build anyway.
  return `file:${path.resolve(/* turbopackIgnore: true */ process.cwd(), file)}`;
}

// `next dev` re-evaluates modules on every edit; caching on globalThis keeps one client (and one
// open connection pool) per process instead of leaking a new one per hot reload.
const cache = globalThis as typeof globalThis & {
  __leffaPrisma?: { client: PrismaClient; provider: DatabaseProvider };
};

function connect(): { client: PrismaClient; provider: DatabaseProvider } {
  const url = resolveDatabaseUrl();
  const provider = providerOf(url);
  if (provider === "sqlite") {
    return { provider, client: new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) }) };
  }
  // The two generated clients expose the same models and methods; only their type declarations
  // are separate copies, so the PostgreSQL one is used through the SQLite one's type.
  const client = new PostgresPrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
  }) as unknown as PrismaClient;
  return { provider, client };
}

/**
 * The process-wide client, created on first use rather than at import so that `next build` (which
 * imports route modules) never opens the database, and tests can set DATABASE_URL first.
 */
export function getPrisma(): PrismaClient {
  cache.__leffaPrisma ??= connect();
  return cache.__leffaPrisma.client;
}

/**
 * Which database a client talks to, for the few queries whose SQL differs. Store functions take
 * their client as a parameter (tests and scripts pass their own), so the answer hangs on the
 * client; one this module did not create is a SQLite one.
 */
export function providerOfClient(client: object): DatabaseProvider {
  return cache.__leffaPrisma?.client === client ? cache.__leffaPrisma.provider : "sqlite";
}

/** Closes the cached client, if any; for scripts and tests that must let the process exit. */
export async function disconnectPrisma(): Promise<void> {
  const entry = cache.__leffaPrisma;
  cache.__leffaPrisma = undefined;
  await entry?.client.$disconnect();
}
