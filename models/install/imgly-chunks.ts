import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InstallError } from "./errors";

/**
 * `dist/resources.json` of @imgly/background-removal-data: each resource (e.g. "/models/medium")
 * is split into chunks named by their sha256, each covering [start, end) of the whole file.
 */
const resourcesSchema = z.record(
  z.string(),
  z.object({
    chunks: z
      .array(
        z.object({
          hash: z.string().regex(/^[0-9a-f]{64}$/),
          offsets: z.tuple([z.number().int().nonnegative(), z.number().int().positive()]),
        }),
      )
      .min(1),
    size: z.number().int().positive(),
  }),
);

/**
 * Concatenates the chunks of `resource` (read beside `resourcesJson`) into `outFile`, after
 * checking that they tile the resource exactly. Returns the bytes written.
 */
export async function assembleImglyResource(
  resourcesJson: string,
  resource: string,
  outFile: string,
  onProgress?: (bytes: number, total: number) => void,
): Promise<number> {
  const all = resourcesSchema.parse(JSON.parse(await readFile(resourcesJson, "utf8")));
  const entry = all[resource];
  if (!entry) {
    throw new InstallError(
      "checksum",
      `resources.json has no "${resource}" (it lists ${Object.keys(all).join(", ")})`,
    );
  }
  let expectedStart = 0;
  for (const chunk of entry.chunks) {
    const [start, end] = chunk.offsets;
    if (start !== expectedStart || end <= start) {
      throw new InstallError(
        "checksum",
        `resources.json: chunks of ${resource} leave a gap at ${expectedStart}`,
      );
    }
    expectedStart = end;
  }
  if (expectedStart !== entry.size) {
    throw new InstallError(
      "checksum",
      `resources.json: chunks of ${resource} cover ${expectedStart} bytes, its size is ${entry.size}`,
    );
  }

  const dir = path.dirname(resourcesJson);
  const out = await open(outFile, "w");
  let written = 0;
  try {
    for (const chunk of entry.chunks) {
      for await (const data of createReadStream(path.join(dir, chunk.hash))) {
        await out.write(data as Buffer);
        written += (data as Buffer).length;
        onProgress?.(written, entry.size);
      }
    }
  } finally {
    await out.close();
  }
  if (written !== entry.size) {
    throw new InstallError(
      "checksum",
      `assembled ${resource} has ${written} bytes, resources.json says ${entry.size}`,
    );
  }
  return written;
}
