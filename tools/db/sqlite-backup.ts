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

export interface SqliteSnapshot {
  readonly journalMode: string;
  readonly busyTimeoutMs: number;
  readonly tables: Record<string, number>;
  readonly migrations: string[];
}

/**
 * Copies the live database at `file` into a new file `out`. All pages go in one step, inside one
 * read transaction: in WAL mode the studio keeps saving meanwhile and the copy is the database as
 * of the step's start; were the source written between steps, SQLite would restart the copy.
 * The counts and migrations are read from the copy itself, so they describe exactly what it holds.
 */
export async function snapshotSqlite(file: string, out: string): Promise<SqliteSnapshot> {
  if (!existsSync(file)) {
    throw new BackupError(`the SQLite database ${file} does not exist (run npm run setup first?)`);
  }
  const source = open(file, { fileMustExist: true });
  let journalMode: string;
  let busyTimeoutMs: number;
  try {
    journalMode = String(source.pragma("journal_mode", { simple: true }));
    busyTimeoutMs = Number(source.pragma("busy_timeout", { simple: true }));
    await source.backup(out, { progress: () => ALL_PAGES });
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
    return { journalMode, busyTimeoutMs, tables: sqliteTableCounts(copy), migrations };
  } finally {
    copy.close();
  }
}

/** Rows in the target's data tables; a file that does not exist yet holds none. */
export function sqliteTargetRows(file: string): Record<string, number> {
  if (!existsSync(file)) return {};
  const db = open(file, { fileMustExist: true });
  try {
    return sqliteTableCounts(db);
  } finally {
    db.close();
  }
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
    await source.backup(target, { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  const restored = open(target, { fileMustExist: true });
  try {
    // The copy carries the snapshot's rollback-journal header; the studio runs in WAL.
    restored.pragma("journal_mode = WAL");
  } finally {
    restored.close();
  }
}

export function sqliteJournalMode(file: string): string {
  const db = open(file, { fileMustExist: true });
  try {
    return String(db.pragma("journal_mode", { simple: true }));
  } finally {
    db.close();
  }
}
