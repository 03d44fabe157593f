/**
 * torch.save's zip format (PyTorch ≥ 1.6): `<archive>/data.pkl` is a pickle whose tensors point
 * by persistent id at storages saved as `<archive>/data/<key>`, each a stored (uncompressed) zip
 * entry. Only data.pkl is read at open; each tensor's bytes are read from the file by offset
 * when asked, so memory stays at one tensor however large the checkpoint.
 */
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { unpickle } from "./pickle";
import { readRange } from "./read-range";
import {
  findTensors,
  storageByteLengths,
  storageLoader,
  torchGlobals,
  torchTensorInfo,
} from "./torch-pickle";
import { CheckpointError, checkpointOf, type Checkpoint } from "./types";

const STORED = 0;

export async function openPytorchZip(file: string): Promise<Checkpoint> {
  const fail = (detail: string) => new CheckpointError("pytorch-zip", file, detail);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw fail(`not a readable zip archive (${(err as Error).message})`);
  }
  let handle: FileHandle | undefined;
  try {
    const entries = await listEntries(zip);
    const pickleEntry = [...entries.values()].find((e) => /^[^/]+\/data\.pkl$/.test(e.fileName));
    if (!pickleEntry) throw fail("no <archive>/data.pkl entry: not a torch.save checkpoint");
    const prefix = pickleEntry.fileName.slice(0, -"data.pkl".length);

    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder) {
      const order = new TextDecoder().decode(await readWholeEntry(zip, byteorder)).trim();
      if (order !== "little")
        throw fail(`byteorder is "${order}"; only little-endian checkpoints are read`);
    }

    let root: unknown;
    try {
      const pickle = await readWholeEntry(zip, pickleEntry);
      root = unpickle(pickle, { globals: torchGlobals(), persistentLoad: storageLoader() }).value;
    } catch (err) {
      throw fail(`${pickleEntry.fileName}: ${(err as Error).message}`);
    }

    const found = findTensors(root);
    for (const [key, bytes] of storageByteLengths(found)) {
      const entry = entries.get(`${prefix}data/${key}`);
      if (!entry) throw fail(`storage "${key}" is missing (no ${prefix}data/${key} entry)`);
      if (entry.uncompressedSize < bytes) {
        throw fail(
          `${entry.fileName} holds ${entry.uncompressedSize} bytes, but its storage needs ${bytes}`,
        );
      }
    }

    handle = await open(file, "r");
    const fileHandle = handle;
    const dataStarts = new Map<string, Promise<number>>();
    const readStorage = async (key: string, offset: number, length: number) => {
      const entry = entries.get(`${prefix}data/${key}`)!;
      try {
        if (entry.compressionMethod !== STORED)
          return await readInflated(zip, entry, offset, length);
        let start = dataStarts.get(key);
        if (!start) {
          start = dataStart(zip, entry);
          dataStarts.set(key, start);
        }
        return await readRange(fileHandle, (await start) + offset, length);
      } catch (err) {
        throw fail(`reading ${entry.fileName}: ${(err as Error).message}`);
      }
    };

    const tensors = found.map(([name, tensor]) => torchTensorInfo(name, tensor, readStorage));
    return checkpointOf("pytorch-zip", file, tensors, async () => {
      zip.close();
      await fileHandle.close();
    });
  } catch (err) {
    zip.close();
    await handle?.close();
    throw err;
  }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function listEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, yauzl.Entry>();
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.on("error", reject);
    zip.readEntry();
  });
}

/** Where an entry's bytes begin: after its local header, whose extra field (torch pads it to
 * align data to 64 bytes) may differ in length from the central directory's. */
function dataStart(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<number> {
  return new Promise((resolve, reject) => {
    zip.readLocalFileHeader(entry, { minimal: true }, (err, header) =>
      err ? reject(err) : resolve(header.fileDataStart),
    );
  });
}

function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

async function readWholeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Uint8Array> {
  return readInflated(zip, entry, 0, entry.uncompressedSize);
}

/** A byte range of an entry through yauzl's stream (inflating if compressed), keeping only the
 * requested window in memory. */
async function readInflated(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  const stream = await openEntryStream(zip, entry);
  let position = 0;
  let filled = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const from = Math.max(offset - position, 0);
      const to = Math.min(offset + length - position, chunk.length);
      if (to > from) {
        out.set(chunk.subarray(from, to), filled);
        filled += to - from;
      }
      position += chunk.length;
      if (filled === length) break;
    }
  } finally {
    stream.destroy();
  }
  if (filled < length)
    throw new Error(`entry ends after ${position} bytes, short of ${offset + length}`);
  return out;
}
