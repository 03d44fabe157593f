/**
 * npm run db:backup: backs up the configured database (SQLite or PostgreSQL) into one .tar.
 * See BACKUP_USAGE, and README.md's "Backups".
 */
import { BACKUP_USAGE, parseBackupArgs } from "./backup-cli-args";
import { runCli } from "./backup-cli";
import { createBackup } from "./create-backup";

await runCli("db:backup", BACKUP_USAGE, async (log) => {
  const args = parseBackupArgs(process.argv.slice(2));
  if (args.help) {
    console.log(BACKUP_USAGE);
    return;
  }
  await createBackup({ output: args.output, log });
});
