import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { AssetStore } from "@/workers/queue/contract";
import type { PrismaClient } from "./db";
import { uploadKey } from "./runs/asset-keys";
import { getAssetStore } from "./runs/asset-store";

/**
 * Uploaded input images, content-addressed: the id is the sha256 of the bytes, so the same image
 * uploaded twice is stored once and a URL, once handed out, always means the same bytes. The row
 * (Asset) holds what the image is; its bytes live in the asset store under `uploads/<id>`.
 */

export const ASSET_MIMES = ["image/png", "image/jpeg", "image/webp"] as const;

/** One uploaded image: enough for a phone camera photo; images are resized on use anyway. */
export const ASSET_BYTES_LIMIT = 25 * 1024 * 1024;
export type AssetMime = (typeof ASSET_MIMES)[number];

export function isAssetMime(value: string): value is AssetMime {
  return (ASSET_MIMES as readonly string[]).includes(value);
}

const ASSET_ID = /^[0-9a-f]{64}$/;

export function isAssetId(value: string): boolean {
  return ASSET_ID.test(value);
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((b, i) => bytes[at + i] === b);
}

/**
 * The image type the bytes really are, from their magic numbers, or null. The stored type comes
 * from here rather than the client's header, so an asset is always served as what it is.
 */
export function sniffImageMime(bytes: Uint8Array): AssetMime | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF....WEBP
  if (
    startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) &&
    startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
  ) {
    return "image/webp";
  }
  return null;
}

export function assetId(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

export interface Asset {
  id: string;
  mime: string;
  bytes: Uint8Array<ArrayBuffer>;
  byteLength: number;
  createdAt: Date;
}

/**
 * Stores the bytes unless they are already stored; `created` tells which happened. The bytes go
 * to the asset store before the row is written, so a row never names bytes that are nowhere.
 */
export async function putAsset(
  prisma: PrismaClient,
  bytes: Uint8Array<ArrayBuffer>,
  mime: AssetMime,
  store: AssetStore = getAssetStore(),
): Promise<{ id: string; created: boolean }> {
  const id = assetId(bytes);
  const existing = await prisma.asset.findUnique({ where: { id }, select: { id: true } });
  if (existing) return { id, created: false };
  await store.put(uploadKey(id), bytes, mime);
  // upsert rather than create: two concurrent uploads of the same image must both succeed.
  await prisma.asset.upsert({
    where: { id },
    create: { id, mime, bytes: null, byteLength: bytes.byteLength },
    update: {},
  });
  return { id, created: true };
}

/**
 * An uploaded image by id, from the asset store. A row from before the store (its bytes still in
 * the database) is served from there and moved to the store on the way.
 */
export async function getAsset(
  prisma: PrismaClient,
  id: string,
  store: AssetStore = getAssetStore(),
): Promise<Asset | null> {
  if (!isAssetId(id)) return null;
  const row = await prisma.asset.findUnique({ where: { id } });
  if (!row) return null;
  const { bytes: legacy, ...meta } = row;
  if (legacy) {
    await moveToStore(prisma, store, id, legacy, row.mime);
    return { ...meta, bytes: legacy };
  }
  const stored = await store.get(uploadKey(id));
  if (!stored) {
    throw new Error(`asset ${id} has a row but no bytes in the asset store (${store.description})`);
  }
  return { ...meta, bytes: new Uint8Array(stored.bytes) };
}

async function moveToStore(
  prisma: PrismaClient,
  store: AssetStore,
  id: string,
  bytes: Uint8Array,
  mime: string,
): Promise<void> {
  await store.put(uploadKey(id), bytes, mime);
  // Only once the store holds them; a concurrent mover writes the same bytes, so either wins.
  await prisma.asset.update({ where: { id }, data: { bytes: null } });
}

/**
 * Moves every image still held in the database (uploaded before the asset store existed) into the
 * store, a few at a time; returns how many moved. `npm run setup` runs it (tools/db/move-assets.ts);
 * rows it has not reached yet are moved on their first read instead, so nothing waits for it.
 */
export async function moveLegacyAssets(
  prisma: PrismaClient,
  store: AssetStore = getAssetStore(),
  batch = 20,
): Promise<number> {
  let moved = 0;
  for (;;) {
    const rows = await prisma.asset.findMany({
      where: { bytes: { not: null } },
      select: { id: true, mime: true, bytes: true },
      take: batch,
    });
    if (rows.length === 0) return moved;
    for (const row of rows) {
      if (row.bytes) await moveToStore(prisma, store, row.id, row.bytes, row.mime);
      moved += 1;
    }
  }
}
