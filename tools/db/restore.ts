/**
 * npm run db:restore <backup.tar>: restores a db:backup archive into the configured database.
 * See RESTORE_USAGE, and README.md's "Backups".
 */
import { parseRestoreArgs, RESTORE_USAGE } from "./backup-cli-args";
import { runCli } from "./backup-cli";
import { restoreBackup } from "./restore-backup";

await runCli("db:restore", RESTORE_USAGE, async (log) => {
  const args = parseRestoreArgs(process.argv.slice(2));
  if (args.help) {
    console.log(RESTORE_USAGE);
    return;
  }
  await restoreBackup({ archive: args.archive, force: args.force, log });
});
