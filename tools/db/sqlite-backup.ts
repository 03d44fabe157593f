import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { SQLITE_BUSY_TIMEOUT_MS } from "@/app/_server/db";
import { BackupError } from "./backup-error";
import { countMismatches } from "./backup-manifest";

/**
 * SQLite backups through SQLite's online backup API (better-sqlite3's `backup()`), never a file
 * copy: a copy taken while the studio writes can tear between pages or miss what still sits in
 * the `-wal` file; the API reads through the WAL and yields one consistent moment.
 */

/** Prisma's record of applied migrations; not counted as data. */
const MIGRATIONS_TABLE = "_prisma_migrations";

/** Every page in one backup step: one read transaction, so one moment (see snapshotSqlite). */
const ALL_PAGES = 0x7fffffff;

/** The file a resolved `file:` URL names; an in-memory database cannot be backed up. */
export function sqliteFileOf(resolvedUrl: string): string {
  const file = resolvedUrl.replace(/^file:/, "");
  if (file === ":memory:" || file === "") {
    throw new BackupError(
      "DATABASE_URL names an in-memory SQLite database; there is nothing on disk to back up or restore into",
    );
  }
  return file;
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqliteTableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name`,
    )
    .pluck()
    .all(MIGRATIONS_TABLE) as string[];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = db
      .prepare(`SELECT count(*) FROM ${quote(table)}`)
      .pluck()
      .get() as number;
  }
  return counts;
}

/** The migrations Prisma finished applying, in order; null when the file has no Prisma schema. */
export function sqliteMigrations(db: Database.Database): string[] | null {
  const hasTable = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(MIGRATIONS_TABLE);
  if (!hasTable) return null;
  return db
    .prepare(
      `SELECT migration_name FROM ${MIGRATIONS_TABLE} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
    )
    .pluck()
    .all() as string[];
}

function open(file: string, options: Database.Options = {}): Database.Database {
  try {
    return new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS, ...options });
  } catch (err) {
    throw new BackupError(`cannot open the SQLite database ${file}: ${(err as Error).message}`);
  }
}

/**
 * Runs `action`, turning SQLite's own errors into sentences for the command line: the ones a
 * person can act on (a locked file, a file that is no database) say what to do.
 */
async function explained<T>(
  file: string,
  action: () => T | Promise<T>,
  timeoutMs = SQLITE_BUSY_TIMEOUT_MS,
): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof Database.SqliteError)) throw err;
    if (err.code.startsWith("SQLITE_BUSY")) throw lockedError(file, timeoutMs);
    if (err.code === "SQLITE_NOTADB") throw new BackupError(`${file} is not a SQLite database`);
    throw new BackupError(`SQLite failed on ${file}: ${err.message}`);
  }
}

function lockedError(file: string, timeoutMs: number): BackupError {
  return new BackupError(
    `${file} stayed locked by another connection for over ${timeoutMs / 1000} s; try again, or stop the studio first`,
  );
}

/**
 * `source.backup(destination)` in one step, waiting up to `timeoutMs` for a lock on either side.
 * better-sqlite3 retries a busy step without end, and reports a backup whose very first step met
 * a lock as finished with nothing copied (totalPages 0); both are caught here. A real database
 * always has at least one page.
 */
async function copyDatabase(
  source: Database.Database,
  destination: string,
  lockedFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await source.backup(destination, {
      progress: () => {
        if (Date.now() > deadline) throw lockedError(lockedFile, timeoutMs);
        return ALL_PAGES;
      },
    });
    if (done.totalPages > 0) return;
    if (Date.now() > deadline) throw lockedError(lockedFile, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface SqliteSnapshot {
  readonly journalMode: string;
  readonly tables: Record<string, number>;
  readonly migrations: string[];
}

/**
 * Copies the live database at `file` into a new file `out`. All pages go in one step, inside one
 * read transaction: in WAL mode the studio keeps saving meanwhile and the copy is the database as
 * of the step's start; were the source written between steps, SQLite would restart the copy.
 * The counts and migrations are read from the copy itself, so they describe exactly what it holds.
 */
export async function snapshotSqlite(
  file: string,
  out: string,
  busyTimeoutMs = SQLITE_BUSY_TIMEOUT_MS,
): Promise<SqliteSnapshot> {
  if (!existsSync(file)) {
    throw new BackupError(`the SQLite database ${file} does not exist (run npm run setup first?)`);
  }
  return explained(
    file,
    async () => {
      const source = open(file, { fileMustExist: true, timeout: busyTimeoutMs });
      let journalMode: string;
      try {
        journalMode = String(source.pragma("journal_mode", { simple: true }));
        await copyDatabase(source, out, file, busyTimeoutMs);
      } finally {
        source.close();
      }
      const copy = open(out, { fileMustExist: true });
      try {
        // A self-contained single file: no -wal beside it needed to read it back.
        copy.pragma("journal_mode = DELETE");
        const migrations = sqliteMigrations(copy);
        if (migrations === null) {
          throw new BackupError(
            `${file} has no Leffa Studio schema (no ${MIGRATIONS_TABLE} table); run npm run setup first`,
          );
        }
        return { journalMode, tables: sqliteTableCounts(copy), migrations };
      } finally {
        copy.close();
      }
    },
    busyTimeoutMs,
  );
}

/** Rows in the target's data tables; a file that does not exist yet holds none. */
export function sqliteTargetRows(file: string): Promise<Record<string, number>> {
  return explained(file, () => {
    if (!existsSync(file)) return {};
    const db = open(file, { fileMustExist: true });
    try {
      return sqliteTableCounts(db);
    } finally {
      db.close();
    }
  });
}

/**
 * Checks the unpacked snapshot (SQLite's integrity check, then its row counts against the
 * manifest) and only then writes it over `target` through the backup API: the target's
 * connections, a running studio's included, see the old database or the new one, never a mix.
 */
export async function restoreSqlite(
  snapshot: string,
  target: string,
  expected: Readonly<Record<string, number>>,
  busyTimeoutMs = SQLITE_BUSY_TIMEOUT_MS,
): Promise<void> {
  const source = open(snapshot, { readonly: true, fileMustExist: true });
  try {
    let integrity: unknown;
    try {
      integrity = source.pragma("integrity_check", { simple: true });
    } catch (err) {
      throw new BackupError(`the database in the backup is damaged: ${(err as Error).message}`);
    }
    if (integrity !== "ok") {
      throw new BackupError(
        `the database in the backup is damaged: integrity check says ${String(integrity)}`,
      );
    }
    const mismatches = countMismatches(expected, sqliteTableCounts(source));
    if (mismatches.length > 0) {
      throw new BackupError(
        `the database in the backup does not match its manifest: ${mismatches.join("; ")}`,
      );
    }
    mkdirSync(path.dirname(target), { recursive: true });
    await explained(
      target,
      () => copyDatabase(source, target, target, busyTimeoutMs),
      busyTimeoutMs,
    );
  } finally {
    source.close();
  }
  await explained(
    target,
    () => {
      const restored = open(target, { fileMustExist: true, timeout: busyTimeoutMs });
      try {
        // The copy carries the snapshot's rollback-journal header; the studio runs in WAL.
        restored.pragma("journal_mode = WAL");
      } finally {
        restored.close();
      }
    },
    busyTimeoutMs,
  );
}
