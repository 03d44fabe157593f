import { config } from "zod/v4/core";

/**
 * Zod compiles fast object parsers with `new Function` when it may, and finds out by trying it
 * once. The studio's Content-Security-Policy forbids eval (app/_server/security-headers.ts), so
 * in the browser that probe is refused and reported as a violation on every page and in the
 * runtime worker, although Zod then quietly parses without it. Jitless skips the probe; it must
 * be set before the first schema is built, so the browser's first module imports this: the page
 * through instrumentation-client.ts, the worker at the top of studio.worker.ts. The server keeps
 * the compiled parsers.
 */
config({ jitless: true });
