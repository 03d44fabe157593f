import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { PrismaClient } from "./db";

/**
 * Uploaded input images, content-addressed: the id is the sha256 of the bytes, so the same image
 * uploaded twice is stored once and a URL, once handed out, always means the same bytes.
 */

export const ASSET_MIMES = ["image/png", "image/jpeg", "image/webp"] as const;
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

/** Stores the bytes unless they are already stored; `created` tells which happened. */
export async function putAsset(
  prisma: PrismaClient,
  bytes: Uint8Array<ArrayBuffer>,
  mime: AssetMime,
): Promise<{ id: string; created: boolean }> {
  const id = assetId(bytes);
  const existing = await prisma.asset.findUnique({ where: { id }, select: { id: true } });
  if (existing) return { id, created: false };
  // upsert rather than create: two concurrent uploads of the same image must both succeed.
  await prisma.asset.upsert({
    where: { id },
    create: { id, mime, bytes, byteLength: bytes.byteLength },
    update: {},
  });
  return { id, created: true };
}

export async function getAsset(prisma: PrismaClient, id: string): Promise<Asset | null> {
  if (!isAssetId(id)) return null;
  return prisma.asset.findUnique({ where: { id } });
}
