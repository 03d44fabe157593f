import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * The execution cache key of a node: a content hash of what determines its result — its type and
 * version, its resolved params, and the keys of the nodes feeding each input port. Node ids and
 * layout never enter it, so an identical subgraph anywhere (or after a reload) hits the cache.
 */
export function nodeCacheKey(
  type: string,
  version: number,
  params: Record<string, unknown>,
  inputs: readonly { port: string; sourceKey: string; sourceHandle: string }[],
): string {
  const sortedParams = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  const sortedInputs = [...inputs]
    .sort((a, b) => (a.port < b.port ? -1 : a.port > b.port ? 1 : 0))
    .map((i) => [i.port, i.sourceKey, i.sourceHandle]);
  const text = JSON.stringify([type, version, sortedParams, sortedInputs]);
  let key = memo.get(text);
  if (key === undefined) {
    key = bytesToHex(sha256(utf8ToBytes(text)));
    // A rerun recomputes the same texts: remembering their hashes keeps a cached rerun cheap.
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, key);
  }
  return key;
}

const MEMO_LIMIT = 50_000;
const memo = new Map<string, string>();
