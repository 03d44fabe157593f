/**
 * The shared deployment the load bench measures, on this machine only: a fresh database on the
 * test PostgreSQL server (tools/postgres.sh), migrated and seeded with the templates, and the
 * production build served by `next start` on 127.0.0.1 with accounts on. `close` stops the server
 * and drops the database; it is safe to call more than once.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "../helpers/postgres-database";
import { serveBuild } from "../helpers/serve-build";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const LOAD_HOST = "127.0.0.1";

export interface Deployment {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** The run's own database, for the checks after the run. */
  readonly databaseUrl: string;
  /** The server's process id, which leads its process group. */
  readonly pid: number;
  close(): Promise<void>;
}

/** A clear refusal beats a bench that measures whatever else already listens on the port. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", () =>
      reject(new Error(`port ${port} on ${LOAD_HOST} is taken; pick another with LOAD_PORT`)),
    );
    probe.listen(port, LOAD_HOST, () => probe.close(() => resolve()));
  });
}

function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = execFileSync("bash", [path.join(ROOT, "tools/postgres.sh")], { encoding: "utf8" })
    .trim()
    .split("\n")
    .at(-1)!;
  return createPostgresDatabase(server, "leffa_load");
}

export async function startDeployment(port: number): Promise<Deployment> {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
    throw new Error(
      "bench:load serves the production build, and there is none (.next/BUILD_ID is missing): " +
        "run `npm run build` first",
    );
  }
  await assertPortFree(port);
  const database = await createDatabase();
  let stopServer = () => {};
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    stopServer();
    await database.drop();
  };
  try {
    const base = `http://${LOAD_HOST}:${port}`;
    const served = await serveBuild(port, {
      host: LOAD_HOST,
      databaseUrl: database.url,
      seed: true,
      env: () => ({
        LEFFA_ACCOUNTS: "on",
        // A new secret per run: sessions of one run mean nothing to the next.
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        BETTER_AUTH_URL: base,
      }),
    });
    stopServer = served.stop;
    return { base: served.base, databaseUrl: database.url, pid: served.pid, close };
  } catch (err) {
    await close();
    throw err;
  }
}
