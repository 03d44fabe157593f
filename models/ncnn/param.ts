/**
 * The ncnn `.param` text format: a magic line `7767517`, a line `<layer count> <blob count>`, then
 * one line per layer:
 *
 *   Type Name inputCount outputCount input... output... key=value...
 *
 * A key is a parameter id; its value is an int or a float (`4.000000e+00`). A key of -23300 - id
 * holds an array for parameter `id`, written `count,v1,v2,...`. Layers are listed in an order in
 * which every blob is produced before it is consumed.
 */

export const NCNN_PARAM_MAGIC = 7767517;

/** Keys at or below this encode arrays: key = ARRAY_KEY_BASE - id. */
const ARRAY_KEY_BASE = -23300;

export type NcnnParamValue = number | readonly number[];

export interface NcnnLayer {
  readonly type: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Parameter id → value; array parameters are stored under their plain id. */
  readonly params: ReadonlyMap<number, NcnnParamValue>;
  /** 1-based line in the .param text, for error messages further on. */
  readonly line: number;
}

export interface NcnnGraph {
  readonly layers: readonly NcnnLayer[];
  readonly blobCount: number;
}

export class NcnnParamError extends Error {
  constructor(line: number, message: string) {
    super(`ncnn .param line ${line}: ${message}`);
    this.name = "NcnnParamError";
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseNumber(text: string, line: number, what: string): number {
  if (!NUMBER.test(text)) throw new NcnnParamError(line, `${what}: "${text}" is not a number`);
  return Number(text);
}

function parseCount(text: string | undefined, line: number, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new NcnnParamError(line, `${what}: expected a non-negative integer, got "${text ?? ""}"`);
  }
  return Number(text);
}

function parseParam(token: string, line: number): [number, NcnnParamValue] {
  const eq = token.indexOf("=");
  if (eq <= 0) throw new NcnnParamError(line, `"${token}" is not key=value`);
  const key = parseNumber(token.slice(0, eq), line, "parameter key");
  if (!Number.isInteger(key)) throw new NcnnParamError(line, `parameter key ${key} is not an int`);
  const value = token.slice(eq + 1);
  if (key > ARRAY_KEY_BASE) return [key, parseNumber(value, line, `parameter ${key}`)];

  const id = ARRAY_KEY_BASE - key;
  const [countText, ...items] = value.split(",");
  const count = parseCount(countText, line, `array parameter ${id} count`);
  if (items.length !== count) {
    throw new NcnnParamError(
      line,
      `array parameter ${id} declares ${count} values, has ${items.length}`,
    );
  }
  return [id, items.map((item) => parseNumber(item, line, `array parameter ${id}`))];
}

function parseLayer(text: string, line: number): NcnnLayer {
  const tokens = text.trim().split(/\s+/);
  const [type, name] = tokens;
  if (tokens.length < 4)
    throw new NcnnParamError(line, `layer line is too short: "${text.trim()}"`);
  const inputCount = parseCount(tokens[2], line, `layer ${name} input count`);
  const outputCount = parseCount(tokens[3], line, `layer ${name} output count`);
  const blobsEnd = 4 + inputCount + outputCount;
  if (tokens.length < blobsEnd) {
    throw new NcnnParamError(
      line,
      `layer ${name} lists ${tokens.length - 4} blobs, needs ${inputCount} in + ${outputCount} out`,
    );
  }
  const params = new Map<number, NcnnParamValue>();
  for (const token of tokens.slice(blobsEnd)) {
    const [id, value] = parseParam(token, line);
    if (params.has(id)) throw new NcnnParamError(line, `layer ${name} sets parameter ${id} twice`);
    params.set(id, value);
  }
  return {
    type,
    name,
    inputs: tokens.slice(4, 4 + inputCount),
    outputs: tokens.slice(4 + inputCount, blobsEnd),
    params,
    line,
  };
}

/** Checks that blobs are produced once, before use, and that the header's counts hold. */
function checkTopology(graph: NcnnGraph, headerLine: number, layerCount: number): void {
  if (graph.layers.length !== layerCount) {
    throw new NcnnParamError(
      headerLine,
      `header declares ${layerCount} layers, the file has ${graph.layers.length}`,
    );
  }
  const produced = new Set<string>();
  const names = new Set<string>();
  for (const layer of graph.layers) {
    if (names.has(layer.name))
      throw new NcnnParamError(layer.line, `duplicate layer ${layer.name}`);
    names.add(layer.name);
    for (const blob of layer.inputs) {
      if (!produced.has(blob)) {
        throw new NcnnParamError(
          layer.line,
          `layer ${layer.name} reads blob ${blob} before any layer writes it`,
        );
      }
    }
    for (const blob of layer.outputs) {
      if (produced.has(blob)) {
        throw new NcnnParamError(layer.line, `blob ${blob} is written twice (layer ${layer.name})`);
      }
      produced.add(blob);
    }
  }
  if (produced.size !== graph.blobCount) {
    throw new NcnnParamError(
      headerLine,
      `header declares ${graph.blobCount} blobs, the layers write ${produced.size}`,
    );
  }
}

export function parseNcnnParam(text: string): NcnnGraph {
  const lines = text.split(/\r?\n/);
  const numbered = lines
    .map((content, i) => ({ content, line: i + 1 }))
    .filter(({ content }) => content.trim() !== "");
  const [magic, header, ...layerLines] = numbered;
  if (magic === undefined || magic.content.trim() !== String(NCNN_PARAM_MAGIC)) {
    throw new NcnnParamError(magic?.line ?? 1, `expected the magic number ${NCNN_PARAM_MAGIC}`);
  }
  if (header === undefined) throw new NcnnParamError(magic.line + 1, "missing layer/blob counts");
  const counts = header.content.trim().split(/\s+/);
  if (counts.length !== 2) {
    throw new NcnnParamError(
      header.line,
      `expected "<layer count> <blob count>", got "${header.content}"`,
    );
  }
  const layerCount = parseCount(counts[0], header.line, "layer count");
  const blobCount = parseCount(counts[1], header.line, "blob count");
  const graph = {
    layers: layerLines.map(({ content, line }) => parseLayer(content, line)),
    blobCount,
  };
  checkTopology(graph, header.line, layerCount);
  return graph;
}

/** Typed parameter access with ncnn's defaults; errors name the layer and its line. */
export function intParam(layer: NcnnLayer, id: number, fallback: number): number {
  const value = layer.params.get(id) ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new NcnnParamError(layer.line, `layer ${layer.name}: parameter ${id} must be an int`);
  }
  return value;
}

export function floatParam(layer: NcnnLayer, id: number, fallback: number): number {
  const value = layer.params.get(id) ?? fallback;
  if (typeof value !== "number") {
    throw new NcnnParamError(layer.line, `layer ${layer.name}: parameter ${id} must be a number`);
  }
  return value;
}

export function arrayParam(layer: NcnnLayer, id: number): readonly number[] {
  const value = layer.params.get(id) ?? [];
  if (typeof value === "number") {
    throw new NcnnParamError(layer.line, `layer ${layer.name}: parameter ${id} must be an array`);
  }
  return value;
}
