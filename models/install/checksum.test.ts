import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Bytes, sha256File } from "./checksum";

describe("sha256File", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("hashes a multi-chunk file like a one-shot hash and reports progress", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checksum-"));
    dirs.push(dir);
    const data = new Uint8Array(3 * (1 << 20) + 12345).map((_, i) => (i * 31 + 7) & 0xff);
    const file = path.join(dir, "blob.bin");
    await writeFile(file, data);
    const seen: number[] = [];
    const digest = await sha256File(file, (n) => seen.push(n));
    expect(digest).toEqual({
      sha256: createHash("sha256").update(data).digest("hex"),
      bytes: data.length,
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(data.length);
    expect(sha256Bytes(data)).toBe(digest.sha256);
  });

  it("gives the well-known hash of the empty string", () => {
    expect(sha256Bytes(new Uint8Array(0))).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});
