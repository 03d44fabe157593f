import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { providerOf, resolveDatabaseUrl } from "@/app/_server/db";
import { readBackupArchive } from "./backup-archive";
import { BackupError } from "./backup-error";
import {
  countMismatches,
  describeCounts,
  planRestore,
  totalRows,
  type BackupManifest,
} from "./backup-manifest";
import { knownMigrations, ROOT } from "./backup-paths";
import { migratePostgres } from "./migrate-postgres";
import { postgresTargetRows, restorePostgres } from "./postgres-backup";
import { restoreSqlite, sqliteFileOf, sqliteTargetRows } from "./sqlite-backup";

export interface RestoreBackupOptions {
  readonly archive: string;
  /** Defaults to DATABASE_URL, resolved as the app resolves it (app/_server/db.ts). */
  readonly databaseUrl?: string;
  /** Replace a target that already holds rows. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Restores a db:backup archive into the configured database. Everything that can refuse does so
 * before the target is touched: a damaged or foreign archive, a backup from a newer schema or the
 * other database kind, a non-empty target without `force`. Then the database is replaced (in one
 * step that either completes or leaves it as it was), its row counts checked against the
 * manifest, and the migrations newer than the backup applied.
 */
export async function restoreBackup(
  options: RestoreBackupOptions,
): Promise<{ manifest: BackupManifest; applied: string[] }> {
  const log = options.log ?? (() => {});
  const url = resolveDatabaseUrl(options.databaseUrl);
  const provider = providerOf(url);
  const archive = path.resolve(options.archive);
  const workDir = mkdtempSync(path.join(tmpdir(), "leffa-restore-"));
  try {
    log(`reading ${archive}`);
    const { manifest, databaseFile } = await readBackupArchive(archive, workDir);
    log(
      `backup of ${manifest.createdAt} by Leffa Studio ${manifest.studioVersion}, schema at ` +
        `${manifest.latestMigration ?? "(none)"}; rows: ${describeCounts(manifest.tables)}`,
    );
    const { pending } = planRestore(manifest, provider, knownMigrations(provider));

    const sqliteFile = provider === "sqlite" ? sqliteFileOf(url) : "";
    const present =
      provider === "sqlite" ? await sqliteTargetRows(sqliteFile) : await postgresTargetRows(url);
    const where = provider === "sqlite" ? sqliteFile : "the PostgreSQL database";
    if (totalRows(present) > 0) {
      if (!options.force) {
        throw new BackupError(
          `${where} is not empty (${describeCounts(nonEmpty(present))}); a restore replaces ` +
            "everything in it: back it up first if it matters, then run db:restore again with --force",
        );
      }
      log(`--force: replacing ${where} (${describeCounts(nonEmpty(present))})`);
    }

    if (provider === "sqlite") {
      log(`restoring into ${sqliteFile} with SQLite's online backup API`);
      await restoreSqlite(databaseFile, sqliteFile, manifest.tables);
      const mismatches = countMismatches(manifest.tables, await sqliteTargetRows(sqliteFile));
      if (mismatches.length > 0) {
        throw new BackupError(
          `the restored database does not match the manifest: ${mismatches.join("; ")}`,
        );
      }
    } else {
      await restorePostgres(
        url,
        databaseFile,
        manifest.tables,
        manifest.source.pgDumpVersion,
        workDir,
        log,
      );
    }
    log(`row counts match the manifest (${totalRows(manifest.tables)} rows in all)`);

    let applied: string[] = [];
    if (pending.length > 0) {
      log(
        `the backup's schema is older: applying ${pending.length} migration(s): ${pending.join(", ")}`,
      );
      applied =
        provider === "sqlite" ? await migrateSqlite(url, pending) : await migratePostgres(url);
    }
    log("restore complete");
    return { manifest, applied };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function nonEmpty(tables: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(tables).filter(([, n]) => n > 0));
}

/** `prisma migrate deploy` against the restored file, as tools/db/deploy.sh runs it. */
async function migrateSqlite(url: string, pending: string[]): Promise<string[]> {
  try {
    await promisify(execFile)(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
    });
  } catch (err) {
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new BackupError(
      `the backup was restored, but applying the newer migrations failed (run npm run db:deploy): ${(stderr || stdout || (err as Error).message).trim()}`,
    );
  }
  return pending;
}
