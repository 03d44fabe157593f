import { describe, expect, it } from "vitest";
import { parseBackupArgs, parseRestoreArgs, UsageError } from "./backup-cli-args";

describe("parseBackupArgs", () => {
  it("takes the output as an argument, with --output or -o, or none", () => {
    expect(parseBackupArgs([])).toEqual({ help: false, output: undefined });
    expect(parseBackupArgs(["b.tar"])).toEqual({ help: false, output: "b.tar" });
    expect(parseBackupArgs(["--output", "b.tar"])).toEqual({ help: false, output: "b.tar" });
    expect(parseBackupArgs(["-o", "b.tar"])).toEqual({ help: false, output: "b.tar" });
    expect(parseBackupArgs(["--help"])).toEqual({ help: true });
    expect(parseBackupArgs(["-h", "whatever"])).toEqual({ help: true });
  });

  it("refuses unknown options and two outputs", () => {
    expect(() => parseBackupArgs(["--force"])).toThrow(UsageError);
    expect(() => parseBackupArgs(["a.tar", "b.tar"])).toThrow(/expected one output file, got 2/);
    expect(() => parseBackupArgs(["a.tar", "-o", "b.tar"])).toThrow(/name the output file once/);
    expect(() => parseBackupArgs(["--output"])).toThrow(UsageError);
  });
});

describe("parseRestoreArgs", () => {
  it("takes one backup and --force", () => {
    expect(parseRestoreArgs(["b.tar"])).toEqual({ help: false, archive: "b.tar", force: false });
    expect(parseRestoreArgs(["--force", "b.tar"])).toEqual({
      help: false,
      archive: "b.tar",
      force: true,
    });
    expect(parseRestoreArgs(["--help"])).toEqual({ help: true });
  });

  it("refuses no backup, two backups and unknown options", () => {
    expect(() => parseRestoreArgs([])).toThrow(/name the backup to restore/);
    expect(() => parseRestoreArgs(["a.tar", "b.tar"])).toThrow(/expected one backup file/);
    expect(() => parseRestoreArgs(["b.tar", "--yes"])).toThrow(UsageError);
  });
});
