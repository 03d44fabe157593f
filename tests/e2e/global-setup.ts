import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { serveBuild } from "../helpers/serve-build";
import { prepareModelStore } from "./models-store";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const PORT = Number(process.env.E2E_PORT ?? 3107);

/**
 * Serves the production build (`next build` must have run) on a fresh, migrated and seeded
 * temporary SQLite database and model store, so the tests never touch a developer's data.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { base, stop } = await serveBuild(PORT, {
    seed: true,
    // A store of its own with one installed model, so tests may cache or remove models freely.
    env: (dir) => ({
      MODELS_DIR: prepareModelStore(join(dir, "models")),
      // Tests never reach the internet: the hub is a closed local port (connection refused).
      HF_ENDPOINT: "http://127.0.0.1:9",
    }),
  });
  project.provide("baseURL", base);
  return async () => stop();
}
