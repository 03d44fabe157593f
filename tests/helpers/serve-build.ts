import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with code ${server.exitCode}`);
    try {
      // Any answer short of a server error: with accounts on, the library API says 401.
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the studio did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * Serves the production build (`next build` must have run) on `port` with a fresh, migrated
 * scratch database, so tests and benchmarks never touch a developer's data. `env` adds to the
 * server's environment; it may depend on the scratch folder (e.g. a model store inside it).
 * `databaseUrl` serves an empty PostgreSQL database the caller created (and drops) instead of the
 * scratch SQLite file; `host` binds the server to that address only (e.g. "127.0.0.1") and names
 * it in the base URL. Resolves with the base URL, the server's process id (it leads a process
 * group of its own) and a stop function that also removes the folder.
 */
export async function serveBuild(
  port: number,
  options: {
    env?: (dir: string) => Record<string, string>;
    seed?: boolean;
    databaseUrl?: string;
    host?: string;
  } = {},
): Promise<{ base: string; pid: number; stop: () => void }> {
  if (!existsSync(".next/BUILD_ID")) {
    throw new Error(
      "no production build here (.next/BUILD_ID is missing): run `npm run build` first",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "leffa-serve-"));
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl ?? `file:${join(dir, "studio.db")}`,
    // Uploads and run outputs in the scratch folder too, never in the developer's ./data/assets.
    ASSETS_DIR: join(dir, "assets"),
    CHECKPOINT_DISABLE: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env?.(dir),
  };
  try {
    if (options.databaseUrl) {
      // `prisma migrate deploy` cannot migrate PostgreSQL here (see tools/db/migrate-postgres.ts).
      const { migratePostgres } = await import("../../tools/db/migrate-postgres");
      await migratePostgres(options.databaseUrl);
    } else {
      execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env, stdio: "ignore" });
    }
    if (options.seed)
      execFileSync("node_modules/.bin/tsx", ["prisma/seed.ts"], { env, stdio: "ignore" });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const hostArgs = options.host ? ["-H", options.host] : [];
  const next = ["node_modules/next/dist/bin/next", "start", "-p", String(port), ...hostArgs];
  const server = spawn("node", next, {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const base = `http://${options.host ?? "localhost"}:${port}`;
  const stop = () => {
    try {
      if (server.pid) process.kill(-server.pid, "SIGTERM");
    } catch {
      // Already gone: stop may run twice (a failure, then an exit or Ctrl-C handler).
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForServer(`${base}/api/workflows`, server, 60_000);
  } catch (err) {
    stop();
    throw err;
  }
  return { base, pid: server.pid ?? 0, stop };
}
