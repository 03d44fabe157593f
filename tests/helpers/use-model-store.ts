import { afterAll, beforeAll } from "vitest";

/** Points MODELS_DIR at `dir()` for the enclosing describe block. */
export function useModelStore(dir: () => string): void {
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.MODELS_DIR;
    process.env.MODELS_DIR = dir();
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MODELS_DIR;
    else process.env.MODELS_DIR = previous;
  });
}
