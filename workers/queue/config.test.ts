import { describe, expect, it } from "vitest";
import { queueConfig } from "./config";

describe("queue config", () => {
  it("defaults to the embedded queue, one run at a time, three tries", () => {
    expect(queueConfig({})).toEqual({
      concurrency: 1,
      retry: { attempts: 3, backoffMs: 2000 },
      lockMs: 30000,
      shutdownGraceMs: 30000,
      runtime: "native",
      progressIntervalMs: 250,
    });
    expect(queueConfig({ REDIS_URL: "" }).redisUrl).toBeUndefined();
  });

  it("reads REDIS_URL and the worker's settings", () => {
    const config = queueConfig({
      REDIS_URL: "redis://10.0.0.5:6379/0",
      WORKER_CONCURRENCY: "2",
      RUN_ATTEMPTS: "5",
    });
    expect(config).toMatchObject({ redisUrl: "redis://10.0.0.5:6379/0", concurrency: 2 });
    expect(config.retry.attempts).toBe(5);
  });

  it("refuses a bad value naming the variable", () => {
    expect(() => queueConfig({ WORKER_CONCURRENCY: "0" })).toThrow(
      "WORKER_CONCURRENCY must be at least 1",
    );
    expect(() => queueConfig({ WORKER_CONCURRENCY: "two" })).toThrow(/WORKER_CONCURRENCY must be/);
    expect(() => queueConfig({ REDIS_URL: "localhost:6379" })).toThrow(
      "REDIS_URL must start with redis:// or rediss://",
    );
    expect(() => queueConfig({ RUN_MODELS_RUNTIME: "gpu" })).toThrow(/native or wasm/);
  });
});
