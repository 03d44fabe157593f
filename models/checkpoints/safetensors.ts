/**
 * safetensors: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {dtype, shape, data_offsets: [begin, end]} (offsets relative to the end of the header), an
 * optional "__metadata__" of strings, then the raw little-endian bytes. The header is validated
 * whole at open (known dtypes, sizes matching shape × dtype, offsets inside the file and not
 * overlapping); tensor bytes are read by offset on demand.
 */
import { open } from "node:fs/promises";
import { z } from "zod";
import { readRange } from "./read-range";
import { toFloat32 } from "./to-float32";
import {
  BYTES_PER_ELEMENT,
  CheckpointError,
  checkpointOf,
  elementCount,
  type Checkpoint,
  type DType,
  type TensorInfo,
} from "./types";

const SAFETENSORS_DTYPES: Readonly<Record<string, DType>> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  F64: "float64",
  I64: "int64",
  I32: "int32",
  U8: "uint8",
  BOOL: "bool",
};

/** The reference implementation refuses headers over 100 MB; so do we, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

export interface SafetensorsCheckpoint extends Checkpoint {
  readonly metadata: Readonly<Record<string, string>>;
}

export async function openSafetensors(file: string): Promise<SafetensorsCheckpoint> {
  const fail = (detail: string) => new CheckpointError("safetensors", file, detail);
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    if (size < 8) throw fail(`${size} bytes is too short for the 8-byte header length`);
    const headerLength = Number(
      new DataView((await readRange(handle, 0, 8)).buffer).getBigUint64(0, true),
    );
    if (headerLength > MAX_HEADER_BYTES)
      throw fail(`header length ${headerLength} is over the 100 MB limit`);
    if (8 + headerLength > size) {
      throw fail(
        `header of ${headerLength} bytes does not fit in the ${size}-byte file (truncated?)`,
      );
    }
    const headerText = new TextDecoder().decode(await readRange(handle, 8, headerLength));
    let header: unknown;
    try {
      header = JSON.parse(headerText);
    } catch (err) {
      throw fail(`header is not valid JSON (${(err as Error).message})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) {
      throw fail("header is not a JSON object");
    }

    const dataStart = 8 + headerLength;
    const dataLength = size - dataStart;
    let metadata: Record<string, string> = {};
    const ranges: Array<{ begin: number; end: number; tensor: TensorInfo }> = [];
    for (const [name, raw] of Object.entries(header)) {
      if (name === "__metadata__") {
        const parsed = z.record(z.string(), z.string()).safeParse(raw);
        if (!parsed.success) throw fail("__metadata__ is not a map of strings");
        metadata = parsed.data;
        continue;
      }
      const parsed = entrySchema.safeParse(raw);
      if (!parsed.success) throw fail(`tensor "${name}": ${z.prettifyError(parsed.error)}`);
      const {
        dtype: code,
        shape,
        data_offsets: [begin, end],
      } = parsed.data;
      const dtype = SAFETENSORS_DTYPES[code];
      if (!dtype) throw fail(`tensor "${name}" has dtype ${code}, which is not supported`);
      const byteLength = elementCount(shape) * BYTES_PER_ELEMENT[dtype];
      if (end < begin || end - begin !== byteLength) {
        throw fail(
          `tensor "${name}" spans bytes [${begin}, ${end}), but ${code} [${shape}] needs ${byteLength}`,
        );
      }
      if (end > dataLength) {
        throw fail(
          `tensor "${name}" ends at byte ${end} of a ${dataLength}-byte data section (truncated?)`,
        );
      }
      const readRaw = async () => {
        try {
          return await readRange(handle, dataStart + begin, byteLength);
        } catch (err) {
          throw fail(`reading "${name}": ${(err as Error).message}`);
        }
      };
      const tensor: TensorInfo = {
        name,
        dtype,
        shape,
        byteLength,
        readRaw,
        readFloat32: async () => toFloat32(await readRaw(), dtype),
      };
      ranges.push({ begin, end, tensor });
    }
    ranges.sort((a, b) => a.begin - b.begin);
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i].begin < ranges[i - 1].end) {
        throw fail(`tensors "${ranges[i - 1].tensor.name}" and "${ranges[i].tensor.name}" overlap`);
      }
    }
    // Tensors sit in the file in offset order, which is also the cheapest order to read them.
    const inFileOrder = ranges.map((r) => r.tensor);
    return { ...checkpointOf("safetensors", file, inFileOrder, () => handle.close()), metadata };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
