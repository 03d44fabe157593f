import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AssetStore } from "../contract";

/**
 * An AssetStore in a folder, shared by the processes of the fault tests and the benchmark (the
 * studio's own store lives in app/_server/runs/). Writes go to a temporary name first and are
 * renamed into place, so a worker killed mid-write never leaves half a file under the key.
 */
export class FsAssetStore implements AssetStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `fs:${root}`;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await writeFile(`${temp}.type`, contentType);
    await rename(`${temp}.type`, `${file}.type`);
    await rename(temp, file);
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    try {
      const [bytes, contentType] = await Promise.all([
        readFile(this.file(key)),
        readFile(`${this.file(key)}.type`, "utf8"),
      ]);
      return { bytes: new Uint8Array(bytes), contentType };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
    await rm(`${this.file(key)}.type`, { force: true });
  }

  private file(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(path.resolve(this.root) + path.sep)) {
      throw new Error(`asset key ${key} leaves the store`);
    }
    return file;
  }
}
