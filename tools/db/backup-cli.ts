import { BackupError } from "./backup-error";
import { UsageError } from "./backup-cli-args";

/**
 * Runs a db:backup / db:restore command: progress lines go to stdout, a refusal to stderr as one
 * sentence (exit 1), a usage mistake with the usage (exit 2); anything else is a bug and keeps
 * its stack trace.
 */
export async function runCli(
  name: string,
  usage: string,
  main: (log: (line: string) => void) => Promise<void>,
): Promise<void> {
  try {
    await main((line) => console.log(`${name}: ${line}`));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${name}: ${err.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (err instanceof BackupError) {
      console.error(`${name}: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(`${name}: unexpected failure`, err);
      process.exitCode = 1;
    }
  }
}
