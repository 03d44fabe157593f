import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as tar from "tar";
import { readBackupArchive, sha256File, writeBackupArchive } from "./backup-archive";
import { BackupError } from "./backup-error";
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest } from "./backup-manifest";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "leffa-archive-test-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An archive around 64 KB of patterned bytes standing in for the database file. */
async function makeArchive(): Promise<{
  archive: string;
  bytes: Buffer;
  manifest: BackupManifest;
}> {
  const work = mkdtempSync(path.join(dir, "work-"));
  const bytes = Buffer.alloc(64 * 1024, 0);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
  const file = path.join(work, "database.sqlite");
  writeFileSync(file, bytes);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    studioVersion: "0.1.0",
    provider: "sqlite",
    latestMigration: "m1",
    migrations: ["m1"],
    tables: { Workflow: 1 },
    database: { file: "database.sqlite", bytes: bytes.length, sha256: await sha256File(file) },
    source: {},
    notIncluded: [],
  };
  const archive = path.join(dir, "b.tar");
  await writeBackupArchive(archive, work, manifest);
  return { archive, bytes, manifest };
}

function unpackDir(): string {
  return mkdtempSync(path.join(dir, "out-"));
}

describe("backup archive", () => {
  it("reads back the manifest and the database file it wrote", async () => {
    const { archive, bytes, manifest } = await makeArchive();
    const read = await readBackupArchive(archive, unpackDir());
    expect(read.manifest).toEqual(manifest);
    expect(readFileSync(read.databaseFile).equals(bytes)).toBe(true);
  });

  it("refuses a truncated archive, whatever byte it was cut at", async () => {
    const { archive } = await makeArchive();
    const whole = readFileSync(archive);
    for (const keep of [100, 512, 1536, 2048 + 1000, whole.length - 3000]) {
      const cut = path.join(dir, `cut-${keep}.tar`);
      writeFileSync(cut, whole.subarray(0, keep));
      const err = await readBackupArchive(cut, unpackDir()).catch((e: unknown) => e);
      expect(err, `cut at ${keep}`).toBeInstanceOf(BackupError);
      expect((err as Error).message).toMatch(/damaged|truncated|not a readable backup|holds no/);
    }
  });

  it("refuses a changed byte in the database file by its checksum", async () => {
    const { archive } = await makeArchive();
    const whole = readFileSync(archive);
    // The database file's data follows the manifest's header and data and its own header.
    whole[whole.length - 20_000] ^= 0xff;
    writeFileSync(archive, whole);
    await expect(readBackupArchive(archive, unpackDir())).rejects.toThrow(
      /database.sqlite does not match the checksum in its manifest/,
    );
  });

  it("refuses files that are not backups", async () => {
    const text = path.join(dir, "notes.tar");
    writeFileSync(text, "hello, not a tar at all".repeat(100));
    await expect(readBackupArchive(text, unpackDir())).rejects.toThrow(BackupError);

    writeFileSync(path.join(dir, "other.txt"), "x");
    const foreign = path.join(dir, "foreign.tar");
    await tar.create({ file: foreign, cwd: dir }, ["other.txt"]);
    await expect(readBackupArchive(foreign, unpackDir())).rejects.toThrow(
      /is not a Leffa Studio backup: it holds no manifest.json/,
    );

    await expect(readBackupArchive(path.join(dir, "missing.tar"), unpackDir())).rejects.toThrow(
      /missing.tar does not exist/,
    );
  });

  it("unpacks nothing but the backup's own two files", async () => {
    const work = mkdtempSync(path.join(dir, "evil-"));
    writeFileSync(path.join(work, "manifest.json"), "{}");
    writeFileSync(path.join(work, "extra.sh"), "echo hi");
    const archive = path.join(dir, "evil.tar");
    await tar.create({ file: archive, cwd: work }, ["extra.sh", "manifest.json"]);
    const out = unpackDir();
    await expect(readBackupArchive(archive, out)).rejects.toThrow(/not a Leffa Studio backup/);
    expect(() => readFileSync(path.join(out, "extra.sh"))).toThrow();
  });
});
