import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsAssetStore } from "./fs-asset-store";

let root: string;
let store: FsAssetStore;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "leffa-assets-"));
  store = new FsAssetStore(root);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a folder, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("FsAssetStore", () => {
  it("stores, reads back, overwrites and deletes", async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    await store.put("runs/r1/n1/image.png", bytes, "image/png");
    expect(await store.get("runs/r1/n1/image.png")).toEqual({
      bytes,
      contentType: "image/png",
    });
    await store.put("runs/r1/n1/image.png", new Uint8Array([9]), "image/webp");
    expect(await store.get("runs/r1/n1/image.png")).toEqual({
      bytes: new Uint8Array([9]),
      contentType: "image/webp",
    });
    await store.delete("runs/r1/n1/image.png");
    expect(await store.get("runs/r1/n1/image.png")).toBeNull();
    // Deleting what is not there is not an error.
    await store.delete("runs/r1/n1/image.png");
  });

  it("answers null for a missing key, also below a file", async () => {
    expect(await store.get("nothing/here")).toBeNull();
    await store.put("a", new Uint8Array([1]), "text/plain");
    expect(await store.get("a/b")).toBeNull();
  });

  it("leaves no temporary files behind and keeps types out of the key space", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.put(`k/${i % 3}`, new Uint8Array([i]), "image/png"),
      ),
    );
    expect(files(root)).toEqual([".types/k/0", ".types/k/1", ".types/k/2", "k/0", "k/1", "k/2"]);
    // Concurrent writes to one key: whichever won, the file is one whole write, not a mix.
    const got = await store.get("k/0");
    expect(got?.bytes.byteLength).toBe(1);
  });

  it("refuses keys that would leave its folder, before touching the disk", async () => {
    const outside = path.join(path.dirname(root), "escaped");
    for (const key of ["../escaped", "a/../../escaped", "/etc/passwd", ".types/a", "a\\b"]) {
      await expect(store.put(key, new Uint8Array([1]), "x/y")).rejects.toThrow(/asset key/);
      await expect(store.get(key)).rejects.toThrow(/asset key/);
      await expect(store.delete(key)).rejects.toThrow(/asset key/);
    }
    expect(files(root)).toEqual([]);
    expect(() => readdirSync(outside)).toThrow();
  });

  it("reads an asset whose type file is missing as octet-stream", async () => {
    writeFileSync(path.join(root, "plain"), "hi");
    expect(await store.get("plain")).toEqual({
      bytes: new Uint8Array(Buffer.from("hi")),
      contentType: "application/octet-stream",
    });
  });

  it("describes itself by its absolute folder", () => {
    expect(store.description).toBe(`fs:${root}`);
  });
});
