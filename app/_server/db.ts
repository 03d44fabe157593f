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

/**
 * How long a SQLite statement waits for another connection's lock (the CLI's backup, a second
 * server process, `prisma migrate deploy`) before failing with SQLITE_BUSY. better-sqlite3 hands
 * its `timeout` option to sqlite3_busy_timeout.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The better-sqlite3 adapter with each connection switched to WAL: readers (library pages, a
 * running `npm run db:backup`) no longer block a save, nor a save them. WAL is a property of the
 * file, so migrations and the seed see it too; the `-wal`/`-shm` side files live beside it.
 */
class WalSqliteAdapter extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    await adapter.executeScript("PRAGMA journal_mode = WAL");
    const read = async (pragma: string) =>
      String(
        (await adapter.queryRaw({ sql: `PRAGMA ${pragma}`, args: [], argTypes: [] })).rows[0]?.[0],
      );
    reportSqliteMode(await read("journal_mode"), await read("busy_timeout"));
    return adapter;
  }
}

let sqliteModeReported = false;

/**
 * Says once per process, in the server log, how SQLite runs: an operator checking that WAL is on
 * (or why it is not: an in-memory database, a file system without shared memory) looks there.
 */
function reportSqliteMode(journalMode: string, busyTimeout: string): void {
  if (sqliteModeReported) return;
  sqliteModeReported = true;
  const line = `database: SQLite journal_mode=${journalMode}, busy_timeout=${busyTimeout} ms`;
  if (journalMode === "wal" || journalMode === "memory") {
    // eslint-disable-next-line no-console -- one informational line per process, for the operator
    console.info(line);
  } else {
    console.warn(`${line} (WAL could not be turned on; concurrent reads will block saves)`);
  }
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
    const adapter = new WalSqliteAdapter({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
    return { provider, client: new PrismaClient({ adapter }) };
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
