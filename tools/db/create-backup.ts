import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { providerOf, resolveDatabaseUrl, SQLITE_BUSY_TIMEOUT_MS } from "@/app/_server/db";
import { sha256File, writeBackupArchive } from "./backup-archive";
import { BackupError } from "./backup-error";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  describeCounts,
  NOT_INCLUDED,
  type BackupManifest,
} from "./backup-manifest";
import { defaultBackupPath, studioVersion } from "./backup-paths";
import { dumpPostgres } from "./postgres-backup";
import { snapshotSqlite, sqliteFileOf } from "./sqlite-backup";

export interface CreateBackupOptions {
  /** Defaults to DATABASE_URL, resolved as the app resolves it (app/_server/db.ts). */
  readonly databaseUrl?: string;
  /** The .tar to write; defaults to backups/leffa-<provider>-<UTC time>.tar. */
  readonly output?: string;
  readonly log?: (line: string) => void;
}

/**
 * Backs up the configured database into one .tar (manifest.json + the database file).
 * Thumbnails are rows of the database (Workflow.thumbnail), so they are in it; the asset store
 * (uploaded images' bytes, run outputs) and the model store are not (NOT_INCLUDED).
 */
export async function createBackup(
  options: CreateBackupOptions = {},
): Promise<{ file: string; manifest: BackupManifest }> {
  const log = options.log ?? (() => {});
  const url = resolveDatabaseUrl(options.databaseUrl);
  const provider = providerOf(url);
  const output = path.resolve(options.output ?? defaultBackupPath(provider));
  if (existsSync(output)) throw new BackupError(`${output} already exists; name another file`);
  mkdirSync(path.dirname(output), { recursive: true });

  const workDir = mkdtempSync(path.join(tmpdir(), "leffa-backup-"));
  try {
    const createdAt = new Date().toISOString();
    let described: Pick<BackupManifest, "tables" | "migrations" | "source" | "database">;
    if (provider === "sqlite") {
      const file = sqliteFileOf(url);
      const dbFile = path.join(workDir, "database.sqlite");
      log(`backing up SQLite ${file} with SQLite's online backup API`);
      const snap = await snapshotSqlite(file, dbFile);
      log(
        `SQLite runs in journal_mode=${snap.journalMode} (the studio sets WAL and a busy timeout of ${SQLITE_BUSY_TIMEOUT_MS} ms)`,
      );
      described = {
        tables: snap.tables,
        migrations: snap.migrations,
        source: { journalMode: snap.journalMode },
        database: await describeFile(dbFile, "database.sqlite"),
      };
    } else {
      const dbFile = path.join(workDir, "database.pgdump");
      log("backing up PostgreSQL with pg_dump (custom format)");
      const dump = await dumpPostgres(url, dbFile, log);
      described = {
        tables: dump.tables,
        migrations: dump.migrations,
        source: { serverVersion: dump.serverVersion, pgDumpVersion: dump.pgDumpVersion },
        database: await describeFile(dbFile, "database.pgdump"),
      };
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt,
      studioVersion: studioVersion(),
      provider,
      latestMigration: described.migrations.at(-1) ?? null,
      notIncluded: NOT_INCLUDED,
      ...described,
    };
    log(`schema at migration ${manifest.latestMigration ?? "(none)"}`);
    log(`rows: ${describeCounts(manifest.tables)}`);
    await writeBackupArchive(output, workDir, manifest);
    log(`wrote ${output} (${formatBytes(statSync(output).size)})`);
    for (const line of NOT_INCLUDED) log(`not included: ${line}`);
    return { file: output, manifest };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function describeFile(
  file: string,
  name: BackupManifest["database"]["file"],
): Promise<BackupManifest["database"]> {
  return { file: name, bytes: statSync(file).size, sha256: await sha256File(file) };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
