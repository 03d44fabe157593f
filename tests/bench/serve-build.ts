import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${url}`);
}

/**
 * Serves the production build on `port` with a scratch database (and any extra environment),
 * for benchmarks that need a real browser. Resolves with its base URL and a stop function.
 */
export async function serveBuild(
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<{ base: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "leffa-bench-"));
  const env = {
    ...process.env,
    DATABASE_URL: `file:${join(dir, "bench.db")}`,
    CHECKPOINT_DISABLE: "1",
    ...extraEnv,
  };
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env, stdio: "ignore" });
  const server = spawn("node", ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env,
    stdio: "ignore",
    detached: true,
  });
  const base = `http://localhost:${port}`;
  const stop = () => {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${base}/api/workflows`);
  } catch (err) {
    stop();
    throw err;
  }
  return { base, stop };
}
