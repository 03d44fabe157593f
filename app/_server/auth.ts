import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { accountAttemptKey, allowAttempt } from "./account-attempts";
import { accountsEnabled } from "./accounts-mode";
import { originSettings, ownOrigins } from "./csrf";
import { getPrisma, providerOfClient } from "./db";

/**
 * Accounts for a shared deployment, with better-auth: email and password (scrypt hashes, never
 * the password, in `account.password`), database sessions behind an HTTP-only signed cookie,
 * rate-limited sign-in and sign-up, and the library's own CSRF checks (Origin / Fetch Metadata)
 * on its endpoints. Off by default: the embedded single-user studio has nobody to sign in.
 *
 *   LEFFA_ACCOUNTS=on          turns accounts on
 *   BETTER_AUTH_SECRET=…        signs the session cookies (required with accounts; ≥ 32 chars)
 *   LEFFA_PUBLIC_URL=https://…  the public origin (BETTER_AUTH_URL is read too); csrf.ts lists
 *                               the other origin settings (trusted proxy, allowed host names)
 */

/** Sign-in and sign-up attempts allowed per client address per minute. */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 5;
export const PASSWORD_MIN_LENGTH = 8;

function secret(): string {
  const value = process.env.BETTER_AUTH_SECRET ?? "";
  if (value.length < 32) {
    // Refusing to start beats signing sessions with a guessable key.
    throw new Error(
      "accounts are on (LEFFA_ACCOUNTS) but BETTER_AUTH_SECRET is missing or shorter than 32 " +
        "characters; set it to a long random string, e.g. `openssl rand -base64 32`",
    );
  }
  return value;
}

function createAuth() {
  const prisma = getPrisma();
  const rule = { window: 60, max: SIGN_IN_ATTEMPTS_PER_MINUTE };
  return betterAuth({
    appName: "Leffa Studio",
    secret: secret(),
    baseURL: originSettings().publicUrl,
    // The same origins as the studio's own API accepts (csrf.ts): whichever loopback name, address
    // or configured host the browser used, not only the public URL.
    trustedOrigins: (request) => {
      const settings = originSettings();
      if (request) return ownOrigins(request, settings);
      return settings.publicUrl ? [new URL(settings.publicUrl).origin] : [];
    },
    advanced: { trustedProxyHeaders: originSettings().trustProxy },
    database: prismaAdapter(prisma, { provider: providerOfClient(prisma) }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: 256,
      autoSignIn: true,
    },
    rateLimit: {
      enabled: true,
      // In the database, so every server process of a deployment counts the same attempts.
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": rule, "/sign-up/email": rule },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = (ctx.body as { email?: unknown } | undefined)?.email;
        if (typeof email !== "string" || email === "") return;
        if (!(await allowAttempt(prisma, accountAttemptKey(email), Date.now()))) {
          throw new APIError("TOO_MANY_REQUESTS", {
            message: "too many sign-in attempts for this account; try again in a minute",
          });
        }
      }),
    },
    telemetry: { enabled: false },
    // Its default logger prints errors with their context; ours never carries request bodies.
    logger: { level: "warn" },
  });
}

type Auth = ReturnType<typeof createAuth>;

const cache = globalThis as typeof globalThis & { __leffaAuth?: Auth };

/** The process-wide auth instance, created on first use (after DATABASE_URL is known). */
export function getAuth(): Auth {
  if (!accountsEnabled()) throw new Error("accounts are off (LEFFA_ACCOUNTS is not set)");
  cache.__leffaAuth ??= createAuth();
  return cache.__leffaAuth;
}

/** Forgets the cached instance; tests that switch databases or settings call it. */
export function resetAuth(): void {
  cache.__leffaAuth = undefined;
}
