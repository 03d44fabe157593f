import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError } from "./http";
import {
  checkPathSegment,
  etagMatches,
  ifRangeAllows,
  isInside,
  parseRange,
  resolveStoreFile,
} from "./model-files";

describe("parseRange", () => {
  const size = 1000;
  it("serves the whole file without a header", () => {
    expect(parseRange(null, size)).toEqual({ kind: "whole" });
  });

  it("reads bytes=a-b, bytes=a- and bytes=-n", () => {
    expect(parseRange("bytes=0-99", size)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(parseRange("bytes=500-", size)).toEqual({ kind: "partial", start: 500, end: 999 });
    expect(parseRange("bytes=-100", size)).toEqual({ kind: "partial", start: 900, end: 999 });
    expect(parseRange("BYTES = 10 - 19", size)).toEqual({ kind: "partial", start: 10, end: 19 });
  });

  it("clamps an end past the file and a suffix longer than it", () => {
    expect(parseRange("bytes=990-5000", size)).toEqual({ kind: "partial", start: 990, end: 999 });
    expect(parseRange("bytes=-5000", size)).toEqual({ kind: "partial", start: 0, end: 999 });
  });

  it("refuses ranges that start at or past the end, and empty suffixes", () => {
    expect(parseRange("bytes=1000-", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=1000-1001", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-0", 0)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-1", 0)).toEqual({ kind: "unsatisfiable" });
  });

  it("ignores what the server may ignore: other units, several ranges, bad syntax", () => {
    for (const header of [
      "items=0-1",
      "bytes=0-1,5-9",
      "bytes=9-1",
      "bytes=-",
      "bytes=a-b",
      "bytes=1.5-2",
      "bytes 0-1",
      "bytes=99999999999999999999-",
      "",
    ]) {
      expect(parseRange(header, size), header).toEqual({ kind: "whole" });
    }
  });
});

describe("conditional requests", () => {
  const etag = '"abc"';
  it("matches If-None-Match weakly, in lists and with *", () => {
    expect(etagMatches(null, etag)).toBe(false);
    expect(etagMatches('"abc"', etag)).toBe(true);
    expect(etagMatches('W/"abc"', etag)).toBe(true);
    expect(etagMatches('"x", "abc"', etag)).toBe(true);
    expect(etagMatches("*", etag)).toBe(true);
    expect(etagMatches('"abcd"', etag)).toBe(false);
  });

  it("honours a Range under If-Range only for the same strong tag", () => {
    expect(ifRangeAllows(null, etag)).toBe(true);
    expect(ifRangeAllows('"abc"', etag)).toBe(true);
    expect(ifRangeAllows('W/"abc"', etag)).toBe(false);
    expect(ifRangeAllows("Wed, 21 Oct 2015 07:28:00 GMT", etag)).toBe(false);
  });
});

describe("path safety", () => {
  it("accepts plain ids and names", () => {
    expect(checkPathSegment("model id", "realesrgan-x4fast")).toBe("realesrgan-x4fast");
    expect(checkPathSegment("file name", "model.onnx")).toBe("model.onnx");
    expect(checkPathSegment("file name", "unet.onnx_data")).toBe("unet.onnx_data");
  });

  it("refuses every traversal spelling, raw or still encoded", () => {
    const bad = [
      "..",
      ".",
      "../x",
      "%2e%2e",
      "%2E%2E%2Fetc",
      "a%2fb",
      "a/b",
      "a\\b",
      "..\\x",
      "/etc/passwd",
      "C:\\x",
      "x\u0000.onnx",
      ".hidden",
      "",
      "a".repeat(201),
    ];
    for (const name of bad) {
      expect(() => checkPathSegment("file name", name), JSON.stringify(name)).toThrow(HttpError);
    }
    expect(() => checkPathSegment("model id", "Real-ESRGAN")).toThrow(/invalid model id/);
  });

  it("tells inside from outside", () => {
    expect(isInside("/store/m", "/store/m/a.onnx")).toBe(true);
    expect(isInside("/store/m", "/store/m")).toBe(true);
    expect(isInside("/store/m", "/store/m2/a.onnx")).toBe(false);
    expect(isInside("/store/m", "/store/a.onnx")).toBe(false);
    expect(isInside("/store/m", "/etc/passwd")).toBe(false);
  });
});

describe("resolveStoreFile", () => {
  let root: string;
  let store: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "leffa-model-files-"));
    store = path.join(root, "store");
    mkdirSync(path.join(store, "m"), { recursive: true });
    mkdirSync(path.join(store, "other"), { recursive: true });
    writeFileSync(path.join(store, "m", "model.onnx"), "weights");
    writeFileSync(path.join(store, "other", "model.onnx"), "other weights");
    writeFileSync(path.join(root, "secret.txt"), "secret");
    symlinkSync(path.join(root, "secret.txt"), path.join(store, "m", "escape.onnx"));
    symlinkSync(path.join(store, "other", "model.onnx"), path.join(store, "m", "sideways.onnx"));
    symlinkSync(path.join(store, "m", "model.onnx"), path.join(store, "m", "alias.onnx"));
    mkdirSync(path.join(store, "m", "folder.onnx"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const status = async (name: string) =>
    resolveStoreFile(store, "m", name).then(
      () => 200,
      (err: HttpError) => err.status,
    );

  it("resolves a file inside the model's folder, through an inner symlink too", async () => {
    expect(await resolveStoreFile(store, "m", "model.onnx")).toBe(
      path.join(store, "m", "model.onnx"),
    );
    expect(await resolveStoreFile(store, "m", "alias.onnx")).toBe(
      path.join(store, "m", "model.onnx"),
    );
  });

  it("refuses symlinks that leave the store or the model's folder", async () => {
    expect(await status("escape.onnx")).toBe(403);
    expect(await status("sideways.onnx")).toBe(403);
  });

  it("answers 404 for missing files and folders, 400 for bad names", async () => {
    expect(await status("absent.onnx")).toBe(404);
    expect(await status("folder.onnx")).toBe(404);
    expect(await status("../secret.txt")).toBe(400);
    expect(await status("%2e%2e%2fsecret.txt")).toBe(400);
  });
});
