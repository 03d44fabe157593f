/**
 * torch.save's legacy format (PyTorch < 1.6, or `_use_new_zipfile_serialization=False`): five
 * things back to back — a pickled magic number, a pickled protocol version (1001), a pickled
 * sys_info dict, the pickled object itself, a pickled list of storage keys — then, per key in that
 * order, the storage's element count as int64 and its raw little-endian bytes. The pickles are
 * read from a growing prefix of the file; storages are located by skipping over their sizes and
 * read on demand.
 */
import { open, type FileHandle } from "node:fs/promises";
import { PickleTruncatedError, unpickle } from "./pickle";
import { readRange } from "./read-range";
import {
  findTensors,
  storageLoader,
  torchGlobals,
  torchTensorInfo,
  type TorchStorage,
} from "./torch-pickle";
import { BYTES_PER_ELEMENT, CheckpointError, checkpointOf, type Checkpoint } from "./types";

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

interface LegacyHeader {
  root: unknown;
  storageKeys: string[];
  storages: Map<string, TorchStorage>;
  /** Where the first storage record begins. */
  end: number;
}

export async function openPytorchLegacy(file: string): Promise<Checkpoint> {
  const fail = (detail: string) => new CheckpointError("pytorch-legacy", file, detail);
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    const header = await readHeader(handle, size).catch((err: Error) => {
      throw fail(err.message);
    });

    // Skip from storage to storage, reading only each record's element count (through a window,
    // since small storages put many counts in one read).
    const counts = new RecordWindow(handle, size);
    const dataStarts = new Map<string, number>();
    let position = header.end;
    for (const key of header.storageKeys) {
      const storage = header.storages.get(key);
      if (!storage) throw fail(`storage key "${key}" is listed but no tensor uses it`);
      if (position + 8 > size) throw fail(`the file ends before storage "${key}" (truncated)`);
      const count = await counts.int64At(position);
      if (count !== BigInt(storage.numel)) {
        throw fail(
          `storage "${key}" is recorded with ${count} elements, but its id says ${storage.numel}`,
        );
      }
      dataStarts.set(key, position + 8);
      position += 8 + storage.numel * BYTES_PER_ELEMENT[storage.dtype];
      if (position > size) throw fail(`the file ends inside storage "${key}" (truncated)`);
    }

    const readStorage = async (key: string, offset: number, length: number) => {
      return readRange(handle, dataStarts.get(key)! + offset, length);
    };
    const found = findTensors(header.root);
    for (const [name, { storage }] of found) {
      if (!dataStarts.has(storage.key))
        throw fail(`storage "${storage.key}" of ${name} is not saved`);
    }
    const tensors = found.map(([name, t]) => torchTensorInfo(name, t, readStorage));
    return checkpointOf("pytorch-legacy", file, tensors, () => handle.close());
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The five pickles, from a prefix of the file that doubles until they fit. */
async function readHeader(handle: FileHandle, size: number): Promise<LegacyHeader> {
  for (let window = Math.min(size, 1 << 20); ; window = Math.min(size, window * 2)) {
    const prefix = await readRange(handle, 0, window);
    try {
      return parseHeader(prefix);
    } catch (err) {
      if (!(err instanceof PickleTruncatedError) || window === size) throw err;
    }
  }
}

function parseHeader(bytes: Uint8Array): LegacyHeader {
  const plain = { globals: {} };
  const magic = unpickle(bytes, plain);
  if (magic.value !== LEGACY_MAGIC) throw new Error("the legacy torch magic number is missing");
  const protocol = unpickle(bytes, plain, magic.end);
  if (protocol.value !== PROTOCOL_VERSION) {
    throw new Error(
      `protocol version ${String(protocol.value)}; only ${PROTOCOL_VERSION} is known`,
    );
  }
  const sysInfo = unpickle(bytes, plain, protocol.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get("little_endian") === false) {
    throw new Error("saved on a big-endian machine; only little-endian checkpoints are read");
  }
  const storages = new Map<string, TorchStorage>();
  const main = unpickle(
    bytes,
    { globals: torchGlobals(), persistentLoad: storageLoader(storages) },
    sysInfo.end,
  );
  const keys = unpickle(bytes, plain, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) {
    throw new Error("the storage key list is not a list of strings");
  }
  return { root: main.value, storageKeys: keys.value, storages, end: keys.end };
}

/** Little-endian int64s read through a 1 MiB window that moves forward as needed. */
class RecordWindow {
  private start = 0;
  private bytes: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  async int64At(position: number): Promise<bigint> {
    if (position < this.start || position + 8 > this.start + this.bytes.length) {
      this.start = position;
      this.bytes = await readRange(this.handle, position, Math.min(1 << 20, this.size - position));
    }
    return new DataView(this.bytes.buffer).getBigInt64(position - this.start, true);
  }
}
