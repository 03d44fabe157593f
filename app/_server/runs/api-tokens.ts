import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { isStorableText, STORABLE_TEXT_MESSAGE } from "@/nodes/core/document";
import type { PrismaClient } from "../db";

/**
 * Personal API tokens (accounts on): `Authorization: Bearer lst_…` for scripts calling the runs
 * API. A token is 32 random bytes; only its sha256 is stored, so the database (or a backup of it)
 * never holds a usable token, and the token is shown once, when it is made.
 */

export const TOKEN_PREFIX = "lst_";
const TOKEN_BYTES = 32;
/** lst_ + base64url of 32 bytes (43 characters). */
const TOKEN_PATTERN = /^lst_[A-Za-z0-9_-]{43}$/;
/** How much of the token the list shows, to tell tokens apart. */
const SHOWN_CHARS = TOKEN_PREFIX.length + 6;
/** A token's last use is written at most this often, not on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;
/** Enough for every script someone runs; a cap keeps a leaked session from minting thousands. */
export const MAX_TOKENS_PER_USER = 50;

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100, "longer than the 100-character limit")
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function isTokenShaped(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The token's first characters, e.g. "lst_Ab12Cd". */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const infoFields = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export class TooManyTokensError extends Error {
  override readonly name = "TooManyTokensError";
}

/** Makes a token; the returned `token` is the only time anyone sees it. */
export async function createApiToken(
  prisma: PrismaClient,
  userId: string,
  name: string,
): Promise<ApiTokenInfo & { token: string }> {
  const active = await prisma.apiToken.count({ where: { userId, revokedAt: null } });
  if (active >= MAX_TOKENS_PER_USER) {
    throw new TooManyTokensError(
      `you have ${active} active tokens, the most allowed; revoke one first`,
    );
  }
  const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
  const row = await prisma.apiToken.create({
    data: { userId, name, tokenHash: hashToken(token), prefix: token.slice(0, SHOWN_CHARS) },
    select: infoFields,
  });
  return { ...row, token };
}

/** The user's tokens, newest first, revoked ones included (marked). */
export function listApiTokens(prisma: PrismaClient, userId: string): Promise<ApiTokenInfo[]> {
  return prisma.apiToken.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: infoFields,
  });
}

/** Revokes one of the user's tokens; false when they have no such token. */
export async function revokeApiToken(
  prisma: PrismaClient,
  userId: string,
  id: string,
): Promise<boolean> {
  if (id.length > 200) return false;
  const row = await prisma.apiToken.findFirst({ where: { id, userId }, select: { id: true } });
  if (!row) return false;
  await prisma.apiToken.updateMany({
    where: { id, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return true;
}

export type TokenCheck =
  { ok: true; user: { id: string; name: string } } | { ok: false; reason: "unknown" | "revoked" };

/** Who a presented token acts for, or why it does not act for anybody. */
export async function verifyApiToken(prisma: PrismaClient, token: string): Promise<TokenCheck> {
  if (!isTokenShaped(token)) return { ok: false, reason: "unknown" };
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      user: { select: { id: true, name: true } },
    },
  });
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { ok: true, user: row.user };
}
