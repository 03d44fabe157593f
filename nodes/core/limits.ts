/**
 * The limits of a workflow document, in one place. `parseWorkflow` (document.ts) enforces them,
 * and everything that reads a document from outside goes through it: the API, the editor's
 * import, the headless CLI and the PNG reader. The readers also refuse a file or body larger than
 * `bytes` before parsing it. Each refusal names the limit and the field at fault.
 *
 * Generous on purpose: the largest real documents (the seeded templates, a 5000-node graph) are far
 * inside every limit. They exist so that a hostile or broken document is refused with a clear
 * message instead of exhausting the stack, the memory or the database.
 */
export const DOCUMENT_LIMITS = {
  /** A document's JSON text, in bytes (a file, a PNG's chunk, an API body). */
  bytes: 5 * 1024 * 1024,
  /**
   * Nesting of objects and arrays, the document itself being level 1 (a node's params are at
   * level 4). Deep enough for any real param value, and far below where JSON.stringify, zod or
   * structuredClone would exhaust the stack (thousands of levels).
   */
  depth: 64,
  nodes: 5000,
  edges: 20_000,
  /** The workflow's name. */
  nameLength: 200,
  /** Node and edge ids. */
  idLength: 64,
  /** A node's type. */
  typeLength: 100,
  /** An edge's sourceHandle / targetHandle (port names). */
  handleLength: 100,
  /** Params of one node. */
  paramsPerNode: 200,
  /** A param's name. */
  paramNameLength: 100,
  /** Any string inside a param value or meta: a note's text, a prompt, a file name. */
  stringLength: 20_000,
  /** Elements of any array inside a param value or meta. */
  arrayLength: 10_000,
  /** Keys of any object inside a param value or meta. */
  objectKeys: 1000,
  /** One param value written as JSON, in bytes. */
  paramBytes: 256 * 1024,
  /** The document's meta written as JSON, in bytes. */
  metaBytes: 256 * 1024,
} as const;

/** A refused document: the dotted path of the field at fault and a message naming the limit. */
export interface LimitIssue {
  readonly field: string;
  readonly message: string;
}

type Segment = string | number;

/** A path built backwards while walking, so no array is copied per visited value. */
interface Trail {
  readonly key: Segment;
  readonly parent: Trail | null;
}

function segments(trail: Trail | null): Segment[] {
  const out: Segment[] = [];
  for (let t = trail; t; t = t.parent) out.push(t.key);
  return out.reverse();
}

const PLAIN_KEY = /^[\p{L}\p{N}_$-]+$/u;

/**
 * `nodes[2].params.text`, as the rest of the document errors name fields. A key that would read
 * ambiguously (empty, or holding dots, brackets, spaces…) is written quoted: `meta["a.b"]`.
 */
export function formatPath(path: readonly Segment[]): string {
  return path
    .map((p, i) => {
      if (typeof p === "number") return `[${p}]`;
      if (!PLAIN_KEY.test(p)) return `[${JSON.stringify(p)}]`;
      return i === 0 ? p : `.${p}`;
    })
    .join("");
}

function issue(trail: Trail | null, message: string, keep = Infinity): LimitIssue {
  const field = formatPath(segments(trail).slice(0, keep));
  return { field, message: field ? `${field}: ${message}` : message };
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function children(value: object): [Segment, unknown][] {
  return Array.isArray(value)
    ? value.map((v, i): [Segment, unknown] => [i, v])
    : Object.entries(value as Record<string, unknown>);
}

const encoder = new TextEncoder();

function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : encoder.encode(text).byteLength;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}

/**
 * The first object or array nested deeper than `limit` levels (the value itself is level 1), or
 * null. Iterative, so it is safe on any input JSON.parse accepts (V8 parses 100,000 levels; most
 * recursive code does not survive them). The field named is the path's first `keep` segments:
 * the param or meta entry that holds the deep value, not a thousand `[0]`s.
 */
export function nestingIssue(
  value: unknown,
  limit: number,
  keep: (path: readonly Segment[]) => number = () => 4,
): LimitIssue | null {
  const stack: { value: unknown; depth: number; trail: Trail | null }[] = [
    { value, depth: 1, trail: null },
  ];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (!isContainer(top.value)) continue;
    if (top.depth > limit) {
      return issue(
        top.trail,
        `nested deeper than the ${limit}-level limit`,
        keep(segments(top.trail)),
      );
    }
    for (const [key, child] of children(top.value)) {
      if (isContainer(child)) {
        stack.push({ value: child, depth: top.depth + 1, trail: { key, parent: top.trail } });
      }
    }
  }
  return null;
}

/**
 * Strings, arrays and objects inside one param value (or meta) within their limits, then the
 * whole value's JSON size. Call only on values whose nesting is already checked.
 */
function valueIssue(value: unknown, trail: Trail, maxBytes: number): LimitIssue | null {
  const L = DOCUMENT_LIMITS;
  const stack: { value: unknown; trail: Trail }[] = [{ value, trail }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (typeof top.value === "string" && top.value.length > L.stringLength) {
      return issue(top.trail, `longer than the ${L.stringLength}-character limit`);
    }
    if (!isContainer(top.value)) continue;
    if (Array.isArray(top.value) && top.value.length > L.arrayLength) {
      return issue(top.trail, `more than the ${L.arrayLength}-element limit`);
    }
    const entries = children(top.value);
    if (!Array.isArray(top.value) && entries.length > L.objectKeys) {
      return issue(top.trail, `more than the ${L.objectKeys}-key limit`);
    }
    for (const [key, child] of entries) {
      stack.push({ value: child, trail: { key, parent: top.trail } });
    }
  }
  if (jsonBytes(value) > maxBytes) {
    return issue(trail, `larger than the ${formatBytes(maxBytes)} limit as JSON`);
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value);
}

const NODES: Trail = { key: "nodes", parent: null };

/**
 * JSON.parse makes "__proto__" an ordinary key, but the schema's records copy keys by assignment,
 * where it sets the prototype instead: the entry would vanish on save. Refused rather than lost.
 */
const PROTO_KEY = '"__proto__" is not allowed as a key here';
const META: Trail = { key: "meta", parent: null };

/**
 * The first limit a raw document (anything JSON.parse returned) breaks, or null. Runs before
 * anything recursive sees the value: nesting first, then counts, then each param and the meta.
 * Checks only what the limits cover; the shape is the schema's job.
 */
export function documentLimitIssue(raw: unknown): LimitIssue | null {
  const L = DOCUMENT_LIMITS;
  // nodes[i].params.<name> (4 segments) or meta.<key> (2) is the field worth naming.
  const deep = nestingIssue(raw, L.depth, (path) => (path[0] === "nodes" ? 4 : 2));
  if (deep) return deep;
  if (!isRecord(raw)) return null;
  const { nodes, edges, meta } = raw;
  if (Array.isArray(nodes) && nodes.length > L.nodes) {
    return { field: "nodes", message: `nodes: more than the ${L.nodes}-node limit` };
  }
  if (Array.isArray(edges) && edges.length > L.edges) {
    return { field: "edges", message: `edges: more than the ${L.edges}-edge limit` };
  }
  if (Array.isArray(nodes)) {
    for (const [i, node] of nodes.entries()) {
      if (!isRecord(node) || !isRecord(node.params)) continue;
      const paramsTrail: Trail = { key: "params", parent: { key: i, parent: NODES } };
      const names = Object.keys(node.params);
      if (names.length > L.paramsPerNode) {
        return issue(paramsTrail, `more than the ${L.paramsPerNode}-param limit`);
      }
      for (const name of names) {
        const trail: Trail = { key: name, parent: paramsTrail };
        if (name.length > L.paramNameLength) {
          return issue(
            paramsTrail,
            `a param name is longer than the ${L.paramNameLength}-character limit`,
          );
        }
        if (name === "__proto__") return issue(trail, PROTO_KEY);
        const found = valueIssue(node.params[name], trail, L.paramBytes);
        if (found) return found;
      }
    }
  }
  if (isRecord(meta)) {
    if (Object.hasOwn(meta, "__proto__"))
      return issue({ key: "__proto__", parent: META }, PROTO_KEY);
    const found = valueIssue(meta, META, L.metaBytes);
    if (found) return found;
  }
  return null;
}

/** A document's JSON text (a file, a PNG chunk) larger than `DOCUMENT_LIMITS.bytes`, or null. */
export function documentSizeIssue(byteLength: number, what: string): string | null {
  const limit = DOCUMENT_LIMITS.bytes;
  return byteLength > limit
    ? `${what} is larger than the ${formatBytes(limit)} limit of a workflow document`
    : null;
}
