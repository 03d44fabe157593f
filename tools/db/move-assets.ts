/**
 * Moves uploaded images that an older studio kept in the database (Asset.bytes) into the asset
 * store (ASSETS_DIR or S3, app/_server/runs/asset-store.ts). `npm run setup` runs it after the
 * migrations; the studio also moves any it meets on first read, so running it is never required
 * for correctness, only to empty the database of blobs at once. Safe to re-run.
 */
import { moveLegacyAssets } from "../../app/_server/assets";
import { disconnectPrisma, getPrisma } from "../../app/_server/db";
import { getAssetStore } from "../../app/_server/runs/asset-store";

const store = getAssetStore();
try {
  const moved = await moveLegacyAssets(getPrisma(), store);
  console.log(
    moved > 0
      ? `moved ${moved} uploaded image(s) from the database to ${store.description}`
      : `uploaded images: all in ${store.description}`,
  );
} finally {
  await disconnectPrisma();
}
