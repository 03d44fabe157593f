import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
 * Resolves with the base URL and a stop function that also removes the folder.
 */
export async function serveBuild(
  port: number,
  options: { env?: (dir: string) => Record<string, string>; seed?: boolean } = {},
): Promise<{ base: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "leffa-serve-"));
  const env = {
    ...process.env,
    DATABASE_URL: `file:${join(dir, "studio.db")}`,
    CHECKPOINT_DISABLE: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    ...options.env?.(dir),
  };
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env, stdio: "ignore" });
  if (options.seed)
    execFileSync("node_modules/.bin/tsx", ["prisma/seed.ts"], { env, stdio: "ignore" });
  const server = spawn("node", ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const base = `http://localhost:${port}`;
  const stop = () => {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForServer(`${base}/api/workflows`, server, 60_000);
  } catch (err) {
    stop();
    throw err;
  }
  return { base, stop };
}
