/**
 * A refusal or failure that db:backup and db:restore explain in one sentence to the person at the
 * command line (what is wrong, and what to do), as opposed to a bug, which keeps its stack trace.
 */
export class BackupError extends Error {
  override readonly name = "BackupError";
}
