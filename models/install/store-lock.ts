import { open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { InstallError } from "./errors";

/**
 * One install at a time per store: `<store>/.install.lock`, created exclusively, holding the
 * owner's pid. A second install of the same (or any) plan is refused with who holds the lock; a
 * lock whose process is gone (a crash, a kill -9) is taken over.
 */

export const LOCK_FILE = ".install.lock";

export interface StoreLock {
  release(): Promise<void>;
}

export async function acquireStoreLock(store: string, what: string): Promise<StoreLock> {
  const file = path.join(store, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx");
      const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      await handle.writeFile(
        JSON.stringify({ pid: process.pid, token, since: new Date().toISOString(), what }),
      );
      await handle.close();
      return {
        release: async () => {
          // Only our own lock: never one another install took over.
          const held = await readLock(file);
          if (held?.token === token) await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const held = await readLock(file);
      // An unreadable lock is being written right now (or damaged): refuse rather than race.
      if (!held || isAlive(held.pid)) {
        const who = held ? `pid ${held.pid}, since ${held.since}: ${held.what}` : "starting";
        throw new InstallError(
          "busy",
          `another install is running on this model store (${who}); wait for it to finish and ` +
            `run this one again (it will skip what is installed by then). If no install is ` +
            `running, delete ${file}`,
        );
      }
      // The holder is gone: its lock is stale.
      await rm(file, { force: true });
    }
  }
  throw new InstallError("busy", `could not take the install lock ${file}`);
}

async function readLock(
  file: string,
): Promise<{ pid: number; token: string; since: string; what: string } | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
