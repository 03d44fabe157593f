import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import sharp from "sharp";
import { FsAssetStore } from "../../workers/queue/testing/fs-assets";
import { SqliteRunRecords } from "../../workers/queue/testing/sqlite-records";

/**
 * Shared parts of the queue's fault tests and bench:queue: a folder with the shared records and
 * assets, worker processes started as `npm run worker` starts one, and Redis on a database of its own.
 */
export interface QueueLab {
  readonly dir: string;
  readonly dbFile: string;
  readonly assetsDir: string;
  readonly records: SqliteRunRecords;
  readonly assets: FsAssetStore;
}

export function createLab(prefix: string): QueueLab {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const dbFile = path.join(dir, "runs.db");
  const assetsDir = path.join(dir, "assets");
  return {
    dir,
    dbFile,
    assetsDir,
    records: new SqliteRunRecords(dbFile),
    assets: new FsAssetStore(assetsDir),
  };
}

/** Closes the lab's records and deletes its folder (records, assets, any model store in it). */
export function removeLab(lab: QueueLab): void {
  lab.records.close();
  rmSync(lab.dir, { recursive: true, force: true });
}

/** `url` with its database number set, emptied: each suite's keys stay its own. */
export async function freshRedisDb(url: string, db: number): Promise<string> {
  const u = new URL(url);
  u.pathname = `/${db}`;
  const redis = new Redis(u.toString(), { maxRetriesPerRequest: 3 });
  await redis.flushdb();
  redis.disconnect();
  return u.toString();
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/**
 * A worker process: the same runWorkerProcess as `npm run worker`, on the lab's records and
 * assets; resolves once it is taking jobs. One process, no wrapper, so a SIGKILL kills the worker.
 */
export async function startWorker(
  lab: QueueLab,
  env: Record<string, string>,
  script = "workers/queue/testing/worker-main.ts",
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, RUNS_TEST_DB: lab.dbFile, RUNS_TEST_ASSETS: lab.assetsDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")),
  );
  const ready = await Promise.race([
    waitFor(() => /^worker \S+: /m.test(out), 60_000).then(() => true),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`the worker did not start:\n${out}`);
  return { child, pid: child.pid!, output: () => out, exited };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = "a condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A small PNG, different for each `i`, so no two runs share a cached result. */
export async function inputPng(i: number, width = 16, height = 16): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({
      create: {
        width,
        height,
        channels: 4,
        background: { r: i % 256, g: (i * 7) % 256, b: (i * 13) % 256, alpha: 1 },
      },
    })
      .png()
      .toBuffer(),
  );
}

/** Every file under the lab's assets (keys, not the content-type companions). */
export function storedKeys(lab: QueueLab): string[] {
  const keys: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (!name.endsWith(".type")) keys.push(path.relative(lab.assetsDir, file));
    }
  };
  walk(lab.assetsDir);
  return keys.sort();
}

/** The pid in a Redis server's pid file, as tools/redis.sh starts it. */
export function redisPid(port: number): number {
  const data = process.env.LEFFA_REDIS_DATA ?? `/tmp/leffa-redis-${port}`;
  return Number(readFileSync(path.join(data, "redis.pid"), "utf8").trim());
}
