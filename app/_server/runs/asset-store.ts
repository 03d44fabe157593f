import path from "node:path";
import type { AssetStore } from "@/workers/queue/contract";
import { FsAssetStore } from "./fs-asset-store";
import { S3AssetStore } from "./s3-asset-store";

/**
 * Which asset store this process uses, from the environment:
 *
 *   ASSETS_DIR=./data/assets     the filesystem store (default), relative to the working directory
 *   S3_BUCKET=…, S3_ENDPOINT=…   S3-compatible object storage instead, with S3_REGION (default
 *                                us-east-1), S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (else the
 *                                SDK's own credential chain) and S3_FORCE_PATH_STYLE=on (MinIO…)
 *
 * Every process of a deployment (web and workers) must name the same store.
 */

export const DEFAULT_ASSETS_DIR = "./data/assets";
const ON = /^(on|1|true|yes)$/i;

type Env = Readonly<Record<string, string | undefined>>;

export function assetStoreFromEnv(env: Env = process.env): AssetStore {
  const bucket = env.S3_BUCKET?.trim();
  const endpoint = env.S3_ENDPOINT?.trim() || undefined;
  if (bucket) {
    return new S3AssetStore({
      bucket,
      endpoint,
      region: env.S3_REGION?.trim() || "us-east-1",
      accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
      forcePathStyle: ON.test(env.S3_FORCE_PATH_STYLE ?? ""),
    });
  }
  if (endpoint) {
    // Half a configuration would silently fall back to the local disk of one machine.
    throw new Error("S3_ENDPOINT is set but S3_BUCKET is not; set both, or neither");
  }
  const dir = env.ASSETS_DIR?.trim() || DEFAULT_ASSETS_DIR;
  return new FsAssetStore(path.resolve(/* turbopackIgnore: true */ process.cwd(), dir));
}

const cache = globalThis as typeof globalThis & { __leffaAssetStore?: AssetStore };

/** The process-wide store, made on first use (after tests and scripts set the environment). */
export function getAssetStore(): AssetStore {
  cache.__leffaAssetStore ??= assetStoreFromEnv();
  return cache.__leffaAssetStore;
}

/** Forgets the cached store; tests that switch ASSETS_DIR call it. */
export function resetAssetStore(): void {
  cache.__leffaAssetStore = undefined;
}
