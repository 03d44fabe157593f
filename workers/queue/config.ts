import { z } from "zod";
import type { RetryPolicy } from "./retry";

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be at least 1`)
    .default(fallback);

/** The queue's environment variables (docs/deploy.md lists them); a bad value is refused by name. */
const envSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "REDIS_URL must start with redis:// or rediss://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  WORKER_CONCURRENCY: positiveInt("WORKER_CONCURRENCY", 1),
  RUN_ATTEMPTS: positiveInt("RUN_ATTEMPTS", 3),
  RUN_BACKOFF_MS: positiveInt("RUN_BACKOFF_MS", 2_000),
  WORKER_LOCK_MS: positiveInt("WORKER_LOCK_MS", 30_000),
  WORKER_SHUTDOWN_GRACE_MS: positiveInt("WORKER_SHUTDOWN_GRACE_MS", 30_000),
  RUN_PROGRESS_MS: z.coerce
    .number({ error: "RUN_PROGRESS_MS must be a whole number" })
    .int("RUN_PROGRESS_MS must be a whole number")
    .min(0, "RUN_PROGRESS_MS must be 0 or more")
    .default(250),
  RUN_MODELS_RUNTIME: z
    .enum(["native", "wasm"], { error: "RUN_MODELS_RUNTIME must be native or wasm" })
    .default("native"),
});

export interface QueueConfig {
  /** BullMQ on this Redis; absent: the embedded queue. */
  readonly redisUrl?: string;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly lockMs: number;
  readonly shutdownGraceMs: number;
  readonly runtime: "native" | "wasm";
  /** Least time between two progress writes of a run. */
  readonly progressIntervalMs: number;
}

export function queueConfig(env: Readonly<Record<string, string | undefined>>): QueueConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  const e = parsed.data;
  return {
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    concurrency: e.WORKER_CONCURRENCY,
    retry: { attempts: e.RUN_ATTEMPTS, backoffMs: e.RUN_BACKOFF_MS },
    lockMs: e.WORKER_LOCK_MS,
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
    runtime: e.RUN_MODELS_RUNTIME,
    progressIntervalMs: e.RUN_PROGRESS_MS,
  };
}
