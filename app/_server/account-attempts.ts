import { randomUUID } from "node:crypto";
import type { PrismaClient } from "./db";

/**
 * Sign-in attempts per account, whatever address they come from. better-auth limits attempts per
 * client address, and the address is the X-Forwarded-For header: `next start` fills it from the
 * socket only when the client sent none, so a script can name a new address on every attempt.
 * This second limit, keyed on the email, bounds password guessing against one account anyway.
 * The cost: someone who knows an address can keep its owner from signing in, a minute at a time.
 */
export const SIGN_IN_ATTEMPTS_PER_ACCOUNT = { window: 60_000, max: 10 } as const;

/** The rate-limit row's key: better-auth's own keys are address + path, so these never meet. */
export function accountAttemptKey(email: string): string {
  return `sign-in-account:${email.trim().toLowerCase()}`;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "P2002";
}

/**
 * Counts one attempt under `key` in a fixed window that starts at its first attempt, in
 * better-auth's rate-limit table (so every server process of a deployment counts the same
 * attempts); false when this attempt is over the limit.
 */
export async function allowAttempt(
  prisma: PrismaClient,
  key: string,
  now: number,
  limit: { readonly window: number; readonly max: number } = SIGN_IN_ATTEMPTS_PER_ACCOUNT,
): Promise<boolean> {
  // One UPDATE counts the attempt inside a live window, so concurrent attempts cannot both read
  // the same count.
  const bumped = await prisma.rateLimit.updateMany({
    where: { key, lastRequest: { gt: BigInt(now - limit.window) } },
    data: { count: { increment: 1 } },
  });
  if (bumped.count === 0) {
    const fresh = { count: 1, lastRequest: BigInt(now) };
    try {
      await prisma.rateLimit.upsert({
        where: { key },
        create: { id: randomUUID(), key, ...fresh },
        update: fresh,
      });
      return true;
    } catch (err) {
      // Two first attempts at once: the other one created the row; count this one in it.
      if (!isUniqueViolation(err)) throw err;
      return allowAttempt(prisma, key, now, limit);
    }
  }
  const row = await prisma.rateLimit.findUnique({ where: { key }, select: { count: true } });
  return (row?.count ?? 0) <= limit.max;
}
