import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { prepareModelStore } from "./models-store";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const PORT = Number(process.env.E2E_PORT ?? 3107);

async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with code ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the studio did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * Serves the production build (`next build` must have run) on a fresh, migrated and seeded
 * temporary SQLite database and model store, so the tests never touch a developer's data.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), "leffa-e2e-"));
  const env = {
    ...process.env,
    DATABASE_URL: `file:${join(dir, "e2e.db")}`,
    CHECKPOINT_DISABLE: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    // A store of its own with one installed model, so tests may cache or remove models freely.
    MODELS_DIR: prepareModelStore(join(dir, "models")),
  };
  execFileSync("node_modules/.bin/prisma", ["migrate", "deploy"], { env, stdio: "ignore" });
  execFileSync("node_modules/.bin/tsx", ["prisma/seed.ts"], { env, stdio: "ignore" });
  const server = spawn("node", ["node_modules/next/dist/bin/next", "start", "-p", String(PORT)], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const baseURL = `http://localhost:${PORT}`;
  await waitForServer(`${baseURL}/api/workflows`, server, 60_000);
  project.provide("baseURL", baseURL);
  return async () => {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
}
