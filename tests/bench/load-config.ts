/**
 * The load bench's settings, from the environment or `--name=value` flags (flags win), each
 * bounded so that a typo cannot turn the bench into an unbounded flood of the machine.
 *
 *   LOAD_USERS     simulated users (default 50)
 *   LOAD_SECONDS   length of the measured run (default 60)
 *   LOAD_THINK_MS  a user's mean pause between actions (default 1000; each pause is drawn
 *                  uniformly from half to one and a half times it)
 *   LOAD_PORT      the studio's port on 127.0.0.1 (default 3203)
 *   LOAD_MAX_REQUESTS  stop issuing requests after this many (default 40 per user-second)
 */

export interface LoadConfig {
  readonly users: number;
  readonly seconds: number;
  readonly thinkMs: number;
  readonly port: number;
  readonly maxRequests: number;
}

interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly min: number;
  readonly max: number;
}

const SETTINGS = {
  users: { env: "LOAD_USERS", flag: "users", min: 1, max: 500 },
  seconds: { env: "LOAD_SECONDS", flag: "seconds", min: 1, max: 600 },
  thinkMs: { env: "LOAD_THINK_MS", flag: "think-ms", min: 0, max: 60_000 },
  port: { env: "LOAD_PORT", flag: "port", min: 1024, max: 65_535 },
  maxRequests: { env: "LOAD_MAX_REQUESTS", flag: "max-requests", min: 1, max: 1_000_000 },
} as const satisfies Record<keyof LoadConfig, Setting>;

export class LoadConfigError extends Error {}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return argv.findLast((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function read(
  setting: Setting,
  env: Record<string, string | undefined>,
  argv: readonly string[],
): number | undefined {
  const raw = flagValue(argv, setting.flag) ?? env[setting.env];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < setting.min || value > setting.max) {
    throw new LoadConfigError(
      `${setting.env} (--${setting.flag}): must be a whole number from ${setting.min} to ` +
        `${setting.max}, got "${raw}"`,
    );
  }
  return value;
}

export function parseLoadConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): LoadConfig {
  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.flag));
  for (const arg of argv) {
    const name = /^--([^=]+)=/.exec(arg)?.[1];
    if (!name || !known.has(name)) {
      throw new LoadConfigError(
        `unknown argument "${arg}"; flags: ${[...known].map((f) => `--${f}=N`).join(" ")}`,
      );
    }
  }
  const users = read(SETTINGS.users, env, argv) ?? 50;
  const seconds = read(SETTINGS.seconds, env, argv) ?? 60;
  return {
    users,
    seconds,
    thinkMs: read(SETTINGS.thinkMs, env, argv) ?? 1000,
    port: read(SETTINGS.port, env, argv) ?? 3203,
    maxRequests: read(SETTINGS.maxRequests, env, argv) ?? users * seconds * 40,
  };
}
