import { parseArgs } from "node:util";

/** Command-line arguments of db:backup and db:restore, parsed without side effects. */

export const BACKUP_USAGE = `Usage: npm run db:backup -- [<file.tar>] [--output <file.tar>]

Backs up the database DATABASE_URL names (SQLite by default, prisma/dev.db; or PostgreSQL) into
one .tar: the database (SQLite's online backup API, or pg_dump's custom format) and a manifest
with the schema's migrations, the rows per table, the time and the studio version. Safe while the
studio is running. Uploaded images and thumbnails are in the database, so they are in the backup;
installed models are not (reinstall them from the Models panel).

The default file is backups/leffa-<sqlite|postgresql>-<UTC time>.tar.

Options:
  -o, --output <file>   where to write the backup (must not exist yet)
  -h, --help            show this help`;

export const RESTORE_USAGE = `Usage: npm run db:restore -- <backup.tar> [--force]

Restores a db:backup archive into the database DATABASE_URL names. The archive is checked whole
first (checksum, manifest, schema version); then the database is replaced in one step and its
rows per table are checked against the manifest. A backup from an older schema gets the newer
migrations applied; one from a newer schema (a migration this studio does not know) is refused.
Stop the studio first: an editor open in a browser still holds what it loaded and would save it
over the restored data.

Options:
  --force      replace a database that is not empty (everything in it is lost)
  -h, --help   show this help`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type BackupArgs = { help: true } | { help: false; output?: string };
export type RestoreArgs = { help: true } | { help: false; archive: string; force: boolean };

/** Runs the parse, turning node's own complaints (unknown option, missing value) into usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parseBackupArgs(argv: readonly string[]): BackupArgs {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
    }),
  );
  if (values.help) return { help: true };
  if (positionals.length > 1)
    throw new UsageError(`expected one output file, got ${positionals.length}`);
  if (positionals.length === 1 && values.output !== undefined) {
    throw new UsageError("name the output file once: as an argument or with --output");
  }
  const output = values.output ?? positionals[0];
  if (output === "") throw new UsageError("the output file name is empty");
  return { help: false, output };
}

export function parseRestoreArgs(argv: readonly string[]): RestoreArgs {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }),
  );
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError("name the backup to restore");
  if (positionals.length > 1)
    throw new UsageError(`expected one backup file, got ${positionals.length}`);
  return { help: false, archive: positionals[0], force: values.force === true };
}
