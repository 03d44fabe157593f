import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import * as tar from "tar";
import { BackupError } from "./backup-error";
import { parseManifest, type BackupManifest } from "./backup-manifest";

/**
 * A backup is one plain .tar: manifest.json, then the database file it describes (a SQLite
 * snapshot or a pg_dump custom-format archive). Plain tar so `tar tf` shows what is inside; the
 * checksum in the manifest is what catches a truncated or altered copy.
 */

export const MANIFEST_FILE = "manifest.json";

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Writes the archive beside `output` under a temporary name and renames it into place when
 * complete, so an interrupted backup never leaves a file that looks like a finished one.
 * `workDir` holds the database file named in the manifest; the manifest is written there too.
 */
export async function writeBackupArchive(
  output: string,
  workDir: string,
  manifest: BackupManifest,
): Promise<void> {
  writeFileSync(path.join(workDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  const partial = `${output}.partial`;
  try {
    await tar.create({ file: partial, cwd: workDir, portable: true }, [
      MANIFEST_FILE,
      manifest.database.file,
    ]);
    renameSync(partial, output);
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * Unpacks the archive into `workDir` and checks it whole before anything is restored: a
 * manifest this code reads, and a database file of the size and checksum the manifest records.
 */
export async function readBackupArchive(
  archive: string,
  workDir: string,
): Promise<{ manifest: BackupManifest; databaseFile: string }> {
  if (!existsSync(archive)) throw new BackupError(`${archive} does not exist`);
  if (!statSync(archive).isFile()) throw new BackupError(`${archive} is not a file`);
  const wanted = new Set([MANIFEST_FILE, "database.sqlite", "database.pgdump"]);
  try {
    await tar.extract({
      file: archive,
      cwd: workDir,
      strict: true,
      // Only the two plain files a backup holds: no links, no paths outside workDir.
      filter: (entryPath, entry) =>
        wanted.has(entryPath) && (!("type" in entry) || entry.type === "File"),
    });
  } catch (err) {
    throw new BackupError(
      `${archive} is not a readable backup archive (${(err as Error).message}); is it a .tar made by npm run db:backup?`,
    );
  }
  const manifestPath = path.join(workDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new BackupError(
      `${archive} is not a Leffa Studio backup: it holds no ${MANIFEST_FILE} (is it a .tar made by npm run db:backup?)`,
    );
  }
  const manifest = parseManifest(readFileSync(manifestPath, "utf8"), archive);
  const databaseFile = path.join(workDir, manifest.database.file);
  if (!existsSync(databaseFile)) {
    throw new BackupError(
      `${archive} is damaged or truncated: it holds no ${manifest.database.file}`,
    );
  }
  const bytes = statSync(databaseFile).size;
  if (bytes !== manifest.database.bytes) {
    throw new BackupError(
      `${archive} is damaged or truncated: ${manifest.database.file} has ${bytes} bytes, ` +
        `the manifest says ${manifest.database.bytes}`,
    );
  }
  if ((await sha256File(databaseFile)) !== manifest.database.sha256) {
    throw new BackupError(
      `${archive} is damaged: ${manifest.database.file} does not match the checksum in its manifest`,
    );
  }
  return { manifest, databaseFile };
}
