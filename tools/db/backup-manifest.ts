import { z } from "zod";
import { BackupError } from "./backup-error";

/**
 * What a backup says about itself (manifest.json beside the database file in the archive): enough
 * to refuse a restore that cannot work before anything is touched, and to check afterwards that
 * every row arrived.
 */

export const BACKUP_FORMAT = "leffa-studio-backup";
export const BACKUP_FORMAT_VERSION = 1;

/** Not in any backup: said in the manifest and on the command line so nobody is surprised. */
export const NOT_INCLUDED = [
  "models (the model store, MODELS_DIR or models/store): reinstall them from the Models panel or with `npm run models install`",
  "uploaded images and run outputs (the asset store: ASSETS_DIR, default data/assets, or the S3 bucket): back up that folder or bucket beside this file",
];

const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  createdAt: z.iso.datetime(),
  studioVersion: z.string(),
  provider: z.enum(["sqlite", "postgresql"]),
  /** The newest schema migration the database had; null for none. */
  latestMigration: z.string().nullable(),
  migrations: z.array(z.string()),
  /** Rows per table (the migrations table aside), counted in the same snapshot as the dump. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  database: z.object({
    file: z.enum(["database.sqlite", "database.pgdump"]),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  source: z.object({
    /** SQLite's journal mode when the backup was taken ("wal" once the studio has run). */
    journalMode: z.string().optional(),
    /** PostgreSQL: the server's and pg_dump's versions ("15.18"). */
    serverVersion: z.string().optional(),
    pgDumpVersion: z.string().optional(),
  }),
  notIncluded: z.array(z.string()),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export function parseManifest(text: string, archive: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupError(`${archive} is damaged: its manifest.json is not valid JSON`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== BACKUP_FORMAT) {
    throw new BackupError(
      `${archive} is not a Leffa Studio backup (its manifest has no "format": "${BACKUP_FORMAT}")`,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.path[0] === "formatVersion") {
      throw new BackupError(
        `${archive} is in backup format ${String((json as { formatVersion?: unknown }).formatVersion)}, ` +
          `this studio reads format ${BACKUP_FORMAT_VERSION}: restore it with the studio version that made it`,
      );
    }
    throw new BackupError(
      `${archive} is damaged: manifest.json field ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * Whether this code can restore the backup into a database of `provider`, and which migrations
 * it will apply afterwards (the backup is from an older schema). Refuses a backup that has a
 * migration the code does not know: it was made by a newer studio, whose tables this one would
 * misread.
 */
export function planRestore(
  manifest: BackupManifest,
  provider: "sqlite" | "postgresql",
  knownMigrations: readonly string[],
): { pending: string[] } {
  if (manifest.provider !== provider) {
    throw new BackupError(
      `this backup is of a ${label(manifest.provider)} database and DATABASE_URL names a ` +
        `${label(provider)} one; restore it into a ${label(manifest.provider)} DATABASE_URL`,
    );
  }
  const known = new Set(knownMigrations);
  const unknown = manifest.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new BackupError(
      `this backup comes from a newer schema: migration ${unknown.join(", ")} is unknown to this ` +
        `studio (${manifest.studioVersion} made the backup); update the studio, then restore`,
    );
  }
  const had = new Set(manifest.migrations);
  return { pending: knownMigrations.filter((name) => !had.has(name)) };
}

/** Each table whose row count differs from the manifest's, as readable lines; empty when all match. */
export function countMismatches(
  expected: Readonly<Record<string, number>>,
  actual: Readonly<Record<string, number>>,
): string[] {
  const lines: string[] = [];
  for (const [table, rows] of Object.entries(expected)) {
    const got = actual[table];
    if (got === undefined) lines.push(`table ${table} is missing (the manifest says ${rows} rows)`);
    else if (got !== rows) lines.push(`table ${table} has ${got} rows, the manifest says ${rows}`);
  }
  for (const table of Object.keys(actual)) {
    if (!(table in expected)) lines.push(`table ${table} is not in the manifest`);
  }
  return lines;
}

/** "Workflow 3, WorkflowVersion 9, …" for progress lines. */
export function describeCounts(tables: Readonly<Record<string, number>>): string {
  const entries = Object.entries(tables).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "no tables" : entries.map(([t, n]) => `${t} ${n}`).join(", ");
}

export function totalRows(tables: Readonly<Record<string, number>>): number {
  return Object.values(tables).reduce((sum, n) => sum + n, 0);
}

function label(provider: "sqlite" | "postgresql"): string {
  return provider === "sqlite" ? "SQLite" : "PostgreSQL";
}
