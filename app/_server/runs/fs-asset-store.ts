import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { AssetStore } from "@/workers/queue/contract";
import { assertAssetKey } from "./asset-keys";

/**
 * The default asset store: one file per key under a folder (ASSETS_DIR). Each write goes to a
 * temporary file beside its target and is renamed over it, so a reader sees the old bytes or the
 * new, never half a file, even when the process dies mid-write. The content type is kept in a
 * second tree, `.types/<key>`: keys never start with '.', so that folder cannot collide with one.
 */

const TYPES_DIR = ".types";
const FALLBACK_TYPE = "application/octet-stream";

export class FsAssetStore implements AssetStore {
  readonly description: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.description = `fs:${this.root}`;
  }

  private dataPath(key: string): string {
    assertAssetKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  private typePath(key: string): string {
    assertAssetKey(key);
    return path.join(this.root, TYPES_DIR, ...key.split("/"));
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    // The type first: the data file's presence is what says the asset exists.
    await writeAtomically(this.typePath(key), new TextEncoder().encode(contentType));
    await writeAtomically(this.dataPath(key), bytes);
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.dataPath(key));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    let contentType = FALLBACK_TYPE;
    try {
      contentType = (await readFile(this.typePath(key), "utf8")) || FALLBACK_TYPE;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), contentType };
  }

  async delete(key: string): Promise<void> {
    await rm(this.dataPath(key), { force: true });
    await rm(this.typePath(key), { force: true });
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // A dot name: never a valid key, so a reader or a listing never mistakes it for an asset.
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(bytes);
    // On disk before the rename makes it visible: a crash cannot leave a complete-looking,
    // truncated file.
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
