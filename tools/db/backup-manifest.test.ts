import { describe, expect, it } from "vitest";
import { BackupError } from "./backup-error";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  countMismatches,
  parseManifest,
  planRestore,
  type BackupManifest,
} from "./backup-manifest";

const KNOWN = ["20260101_init", "20260201_sharing", "20260301_accounts"];

function manifest(overrides: Partial<BackupManifest> = {}): BackupManifest {
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: "2026-12-08T10:15:00.000Z",
    studioVersion: "0.1.0",
    provider: "sqlite",
    latestMigration: KNOWN[2],
    migrations: KNOWN,
    tables: { Workflow: 2, Asset: 1 },
    database: { file: "database.sqlite", bytes: 4096, sha256: "a".repeat(64) },
    source: { journalMode: "wal" },
    notIncluded: ["models"],
    ...overrides,
  };
}

describe("parseManifest", () => {
  it("reads back what a backup writes", () => {
    const m = manifest();
    expect(parseManifest(JSON.stringify(m), "b.tar")).toEqual(m);
  });

  it("names what is wrong with a foreign or damaged manifest", () => {
    expect(() => parseManifest("{", "b.tar")).toThrow(
      /b.tar is damaged: its manifest.json is not valid JSON/,
    );
    expect(() => parseManifest(JSON.stringify({ format: "other" }), "b.tar")).toThrow(
      /b.tar is not a Leffa Studio backup/,
    );
    expect(() => parseManifest("null", "b.tar")).toThrow(/not a Leffa Studio backup/);
    const noCounts = { ...manifest(), tables: { Workflow: -1 } };
    expect(() => parseManifest(JSON.stringify(noCounts), "b.tar")).toThrow(
      /manifest.json field tables.Workflow/,
    );
    const badSum = { ...manifest(), database: { ...manifest().database, sha256: "xyz" } };
    expect(() => parseManifest(JSON.stringify(badSum), "b.tar")).toThrow(/database.sha256/);
  });

  it("refuses a later backup format by its number", () => {
    const later = { ...manifest(), formatVersion: 2 };
    expect(() => parseManifest(JSON.stringify(later), "b.tar")).toThrow(
      /backup format 2, this studio reads format 1/,
    );
  });
});

describe("planRestore", () => {
  it("has nothing pending for a backup at the code's schema", () => {
    expect(planRestore(manifest(), "sqlite", KNOWN)).toEqual({ pending: [] });
  });

  it("lists the migrations a backup from an older schema still needs, in order", () => {
    const older = manifest({ migrations: KNOWN.slice(0, 1), latestMigration: KNOWN[0] });
    expect(planRestore(older, "sqlite", KNOWN)).toEqual({ pending: KNOWN.slice(1) });
  });

  it("refuses a backup from a newer schema, naming the unknown migration", () => {
    const newer = manifest({ migrations: [...KNOWN, "20270101_future"] });
    expect(() => planRestore(newer, "sqlite", KNOWN)).toThrow(BackupError);
    expect(() => planRestore(newer, "sqlite", KNOWN)).toThrow(
      /newer schema: migration 20270101_future is unknown/,
    );
  });

  it("refuses a backup of the other database kind", () => {
    expect(() => planRestore(manifest(), "postgresql", KNOWN)).toThrow(
      /backup is of a SQLite database and DATABASE_URL names a PostgreSQL one/,
    );
  });
});

describe("countMismatches", () => {
  it("is empty when every table matches", () => {
    expect(countMismatches({ a: 1, b: 0 }, { b: 0, a: 1 })).toEqual([]);
  });

  it("names missing, extra and differing tables", () => {
    expect(countMismatches({ a: 1, b: 2 }, { b: 3, c: 0 })).toEqual([
      "table a is missing (the manifest says 1 rows)",
      "table b has 3 rows, the manifest says 2",
      "table c is not in the manifest",
    ]);
  });
});
