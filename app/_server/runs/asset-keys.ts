/**
 * Keys in the asset store. A key is a relative path of safe segments (letters, digits, '.', '_',
 * '-', and what workers/queue/output-keys.ts's percent-encoding leaves, not starting with '.'), so the filesystem store can use it as a path under ASSETS_DIR and
 * S3 as an object key, and no key can climb out of its folder or name a hidden file.
 */

// encodeURIComponent leaves !'()*~ as they are, so they are allowed too.
const SEGMENT = /^[A-Za-z0-9_%!'()*~-][A-Za-z0-9._%!'()*~-]*$/;
export const MAX_KEY_LENGTH = 512;

export class AssetKeyError extends Error {
  override readonly name = "AssetKeyError";
}

/** Throws AssetKeyError unless `key` is a safe relative key (no '..', no absolute path, no '\'). */
export function assertAssetKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AssetKeyError(`asset key must be 1–${MAX_KEY_LENGTH} characters`);
  }
  for (const segment of key.split("/")) {
    if (!SEGMENT.test(segment)) {
      throw new AssetKeyError(`asset key "${key.slice(0, 80)}" has an unsafe segment`);
    }
  }
}

export function isAssetKey(key: string): boolean {
  try {
    assertAssetKey(key);
    return true;
  } catch {
    return false;
  }
}

/** An uploaded image (content-addressed: `id` is the sha256 hex of its bytes). */
export function uploadKey(assetId: string): string {
  const key = `uploads/${assetId}`;
  assertAssetKey(key);
  return key;
}
