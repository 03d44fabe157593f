import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { restoreSqlite, snapshotSqlite, sqliteTargetRows } from "./sqlite-backup";

let dir: string;
const open: Database.Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "leffa-sqlite-backup-test-"));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A database shaped like the studio's as far as backups care: data and Prisma's migrations. */
function makeDatabase(name: string, rows: number, journalMode: "wal" | "delete"): string {
  const file = path.join(dir, name);
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec(`CREATE TABLE "_prisma_migrations" (migration_name TEXT, finished_at TEXT, rolled_back_at TEXT);
    INSERT INTO "_prisma_migrations" VALUES ('m1', '2026-01-01', NULL);
    CREATE TABLE "Asset" (id TEXT PRIMARY KEY, bytes BLOB)`);
  const insert = db.prepare(`INSERT INTO "Asset" VALUES (?, randomblob(5000))`);
  for (let i = 0; i < rows; i++) insert.run(`a${i}`);
  db.close();
  return file;
}

/** Another connection holding the write lock, as a studio mid-save (or a stuck one) would. */
function holdWriteLock(file: string): Database.Database {
  const holder = new Database(file);
  open.push(holder);
  holder.exec(`BEGIN EXCLUSIVE; INSERT INTO "Asset" VALUES ('held', x'00')`);
  return holder;
}

/**
 * The same from another process, released after `ms`: SQLite waits for a lock synchronously, so
 * only another process can let go of one meanwhile (as a studio finishing a save would).
 */
async function holdWriteLockElsewhere(file: string, ms: number): Promise<void> {
  const script = `
    const db = new (require(process.env.BETTER_SQLITE3))(process.env.DB_FILE);
    db.exec("BEGIN EXCLUSIVE; INSERT INTO \\"Asset\\" VALUES ('held', x'00')");
    console.log("locked");
    setTimeout(() => db.exec("ROLLBACK"), ${ms});`;
  const child = spawn(process.execPath, ["-e", script], {
    env: {
      ...process.env,
      BETTER_SQLITE3: createRequire(import.meta.url).resolve("better-sqlite3"),
      DB_FILE: file,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => resolve());
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

describe("snapshotSqlite", () => {
  it("copies every row and reads the counts and migrations from the copy", async () => {
    const file = makeDatabase("src.db", 40, "wal");
    const snap = await snapshotSqlite(file, path.join(dir, "copy.db"));
    expect(snap).toEqual({ journalMode: "wal", tables: { Asset: 40 }, migrations: ["m1"] });
  });

  it("waits for a lock to go, and refuses with a sentence when it does not, leaving no copy", async () => {
    // Rollback-journal mode: a writer's exclusive lock keeps readers out (WAL would not).
    const file = makeDatabase("src.db", 10, "delete");
    const holder = holdWriteLock(file);
    const out = path.join(dir, "copy.db");
    await expect(snapshotSqlite(file, out, 300)).rejects.toThrow(
      /src.db stayed locked by another connection for over 0.3 s/,
    );
    expect(existsSync(out)).toBe(false);
    holder.exec("ROLLBACK");

    await holdWriteLockElsewhere(file, 400);
    const started = Date.now();
    const snap = await snapshotSqlite(file, out, 5000);
    expect(snap.tables).toEqual({ Asset: 10 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe("restoreSqlite", () => {
  it("replaces the target's contents", async () => {
    const snapshot = makeDatabase("snap.db", 12, "delete");
    const target = makeDatabase("target.db", 3, "wal");
    await restoreSqlite(snapshot, target, { Asset: 12 });
    expect(await sqliteTargetRows(target)).toEqual({ Asset: 12 });
    const db = new Database(target, { readonly: true });
    open.push(db);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  });

  it("refuses a locked target after the timeout and leaves it as it was", async () => {
    const snapshot = makeDatabase("snap.db", 12, "delete");
    const target = makeDatabase("target.db", 3, "wal");
    const holder = holdWriteLock(target);
    await expect(restoreSqlite(snapshot, target, { Asset: 12 }, 300)).rejects.toThrow(
      /target.db stayed locked by another connection for over 0.3 s; try again, or stop the studio first/,
    );
    holder.exec("ROLLBACK");
    expect(await sqliteTargetRows(target)).toEqual({ Asset: 3 });
  });

  it("refuses a snapshot whose counts differ from the manifest before touching the target", async () => {
    const snapshot = makeDatabase("snap.db", 12, "delete");
    const target = makeDatabase("target.db", 3, "wal");
    await expect(restoreSqlite(snapshot, target, { Asset: 13 })).rejects.toThrow(
      /does not match its manifest: table Asset has 12 rows, the manifest says 13/,
    );
    expect(await sqliteTargetRows(target)).toEqual({ Asset: 3 });
  });
});
