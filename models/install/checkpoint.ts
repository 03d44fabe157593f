import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { modelsDir } from "../store";
import { sha256File } from "./checksum";
import { downloadToPart, type DownloadOptions } from "./download";
import { InstallError } from "./errors";
import { hubFetch, hubSettings, isHubUrl, onEndpoint, type HubSettings } from "./hf";
import { ensureFreeSpace, type FreeSpaceProbe } from "./space";

/**
 * The checkpoint a conversion reads, downloaded into `<store>/.downloads/`: `<name>.part` while it
 * comes (resumed with a Range request after an interruption or a restart), `<name>` once complete
 * and verified, with `<name>.verified.json` saying against what. A conversion interrupted later
 * starts again from the verified file, not from zero.
 */

export function downloadsDir(): string {
  // Not a module path: keep the bundler from tracing the whole project through it (as store.ts).
  return path.join(/* turbopackIgnore: true */ modelsDir(), ".downloads");
}

export interface CheckpointSpec {
  /** The file name (`virtual_tryon.pth`), also its name in `.downloads/`. */
  name: string;
  /** As the manifest writes it (huggingface.co URLs are moved onto HF_ENDPOINT). */
  url: string;
  /** A pinned sha256, when the manifest has one. */
  sha256?: string | null;
}

const verifiedSchema = z.object({
  url: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  checkedAgainst: z.enum(["pinned", "hub", "first-use"]),
});
export type VerifiedCheckpoint = z.infer<typeof verifiedSchema> & { file: string };

export interface CheckpointOptions {
  hub?: HubSettings;
  fetchImpl?: typeof fetch;
  signal?: AbortSignal;
  freeBytes?: FreeSpaceProbe;
  openPart?: DownloadOptions["openPart"];
  onProgress?: (phase: "download" | "verify", bytes: number, total: number | null) => void;
}

/** The paths of a checkpoint in `.downloads/`. */
export function checkpointPaths(name: string) {
  const file = path.join(/* turbopackIgnore: true */ downloadsDir(), name);
  return { file, part: `${file}.part`, verified: `${file}.verified.json` };
}

/** A checkpoint already downloaded and verified, still the same size: no byte is fetched again. */
export async function verifiedCheckpoint(
  spec: CheckpointSpec,
): Promise<VerifiedCheckpoint | undefined> {
  const paths = checkpointPaths(spec.name);
  let record;
  try {
    record = verifiedSchema.parse(
      JSON.parse(await readFile(/* turbopackIgnore: true */ paths.verified, "utf8")),
    );
  } catch {
    return undefined;
  }
  if (record.url !== spec.url) return undefined;
  if (spec.sha256 && record.sha256 !== spec.sha256) return undefined;
  const size = await stat(/* turbopackIgnore: true */ paths.file).then(
    (s) => s.size,
    () => -1,
  );
  return size === record.bytes ? { ...record, file: paths.file } : undefined;
}

/** Bytes of a checkpoint already in `.downloads/` (complete or partial). */
export async function checkpointBytesOnDisk(name: string): Promise<number> {
  const paths = checkpointPaths(name);
  const sizes = await Promise.all(
    [paths.file, paths.part].map((f) =>
      stat(/* turbopackIgnore: true */ f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return Math.max(...sizes);
}

/**
 * Downloads (or resumes) a checkpoint and checks it: against the pinned sha256, else the sha256
 * the hub declares for it, else it is trusted on first use. A mismatch deletes the download.
 */
export async function fetchCheckpoint(
  spec: CheckpointSpec,
  opts: CheckpointOptions = {},
): Promise<VerifiedCheckpoint> {
  const done = await verifiedCheckpoint(spec);
  if (done) return done;
  const paths = checkpointPaths(spec.name);
  await rm(paths.verified, { force: true });
  const hub = opts.hub ?? hubSettings();
  const fromHub = isHubUrl(spec.url);
  const url = fromHub ? onEndpoint(spec.url, hub) : spec.url;
  let declared: string | null = null;
  let announced: number | null = null;
  await mkdir(downloadsDir(), { recursive: true });
  await downloadToPart({
    url,
    partFile: paths.part,
    expectedBytes: null,
    fetchImpl: fromHub
      ? hubFetch(
          hub,
          (info) => {
            declared = info.declaredSha256;
            announced = info.bytes;
          },
          opts.fetchImpl,
        )
      : opts.fetchImpl,
    signal: opts.signal,
    openPart: opts.openPart,
    beforeBody: async (toCome) => {
      if (toCome !== null) await ensureFreeSpace(modelsDir(), toCome, opts.freeBytes);
    },
    onProgress: (bytes, total) => opts.onProgress?.("download", bytes, total ?? announced),
  });
  const digest = await sha256File(paths.part, (bytes) =>
    opts.onProgress?.("verify", bytes, announced),
  );
  const wanted = spec.sha256 ?? declared;
  if (wanted && wanted !== digest.sha256) {
    await rm(paths.part, { force: true });
    throw new InstallError(
      "checksum",
      `checksum mismatch for ${spec.name}: expected sha256 ${wanted}` +
        `${spec.sha256 ? " (pinned in the manifest)" : " (as the hub declares it)"}, got ` +
        `${digest.sha256} (${digest.bytes} bytes); the download was deleted, run the install ` +
        `again to download it anew`,
    );
  }
  const record = {
    url: spec.url,
    bytes: digest.bytes,
    sha256: digest.sha256,
    checkedAgainst: spec.sha256 ? "pinned" : declared ? "hub" : "first-use",
  } as const;
  await rename(paths.part, paths.file);
  await writeFile(paths.verified, `${JSON.stringify(record, null, 2)}\n`);
  return { ...record, file: paths.file };
}

/** Deletes a checkpoint and its record from `.downloads/` (after its conversion). */
export async function deleteCheckpoint(name: string): Promise<void> {
  const paths = checkpointPaths(name);
  await rm(paths.verified, { force: true });
  await rm(paths.file, { force: true });
  await rm(paths.part, { force: true });
  await rmdir(downloadsDir()).catch(() => undefined);
}
