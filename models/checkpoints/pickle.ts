/**
 * A pickle reader that never executes anything. It runs the pickle virtual machine over a byte
 * buffer (protocols 2–5, plus the protocol-0 memo opcodes older writers mix in); every GLOBAL the
 * stream names must be in the caller's allow-list, which maps "module.name" to a plain value
 * (a storage type, a class marker) or to a function that REDUCE / NEWOBJ may call with the
 * unpickled arguments. Anything else is refused with an error naming it.
 *
 * Python values map to: None → null, bool → boolean, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes / bytearray → Uint8Array (a view into the input),
 * Python 2 `str` (BINSTRING) → string decoded as latin1 (as Python 3 does with
 * encoding="latin1"), tuple and list → array, dict → Map, set and frozenset → Set.
 */

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PickleError";
  }
}

/** The buffer ended before STOP: a truncated file, or a caller reading a prefix of a stream. */
export class PickleTruncatedError extends PickleError {
  constructor(message: string) {
    super(message);
    this.name = "PickleTruncatedError";
  }
}

/** An object that BUILD may update with its pickled state, like Python's `__setstate__`. */
export interface PickleStateful {
  setState(state: unknown): void;
}

export interface PickleOptions {
  /** "module.name" → the value GLOBAL / STACK_GLOBAL push; functions are callable by REDUCE. */
  readonly globals: Readonly<Record<string, unknown>>;
  /** Resolves BINPERSID / PERSID ids (torch's storages); without it they are an error. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

export interface PickleResult {
  readonly value: unknown;
  /** Offset just past STOP: where a following pickle or raw data begins. */
  readonly end: number;
}

/** collections.OrderedDict: a Map that also keeps the attributes BUILD gives it (torch's _metadata). */
export class PickleOrderedDict extends Map<unknown, unknown> implements PickleStateful {
  attributes: unknown = null;
  setState(state: unknown): void {
    this.attributes = state;
  }
}

/** Builds an OrderedDict from the REDUCE arguments `()` or `([(key, value), ...],)`. */
export function orderedDictFromArgs(...args: unknown[]): PickleOrderedDict {
  const dict = new PickleOrderedDict();
  const items = args[0];
  if (Array.isArray(items)) {
    for (const pair of items) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new PickleError("OrderedDict item is not a pair");
      dict.set(pair[0], pair[1]);
    }
  }
  return dict;
}

const OP_NAMES: Record<number, string> = {};

const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e,
  MARK: 0x28,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINFLOAT: 0x47,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  BINUNICODE: 0x58,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  BINBYTES8: 0x8e,
  BYTEARRAY8: 0x96,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  APPENDS: 0x65,
  LIST: 0x6c,
  EMPTY_DICT: 0x7d,
  DICT: 0x64,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  GLOBAL: 0x63,
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52,
  BUILD: 0x62,
  NEWOBJ: 0x81,
  NEWOBJ_EX: 0x92,
  BINPERSID: 0x51,
  PERSID: 0x50,
  PUT: 0x70,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  MEMOIZE: 0x94,
  GET: 0x67,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
} as const;
for (const [name, code] of Object.entries(OP)) OP_NAMES[code] = name;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

export function unpickle(data: Uint8Array, options: PickleOptions, start = 0): PickleResult {
  return new PickleMachine(data, options, start).run();
}

class PickleMachine {
  private pos: number;
  private stack: unknown[] = [];
  private marks: number[] = [];
  private memo = new Map<number, unknown>();
  private readonly view: DataView;
  /** Names of the globals handed out, so a later error can say which one was misused. */
  private readonly globalNames = new WeakMap<object, string>();

  private readonly data: Uint8Array;

  constructor(
    data: Uint8Array,
    private readonly options: PickleOptions,
    start: number,
  ) {
    // A plain Uint8Array view, so bytes handed out are never Node Buffers (whose slice() shares).
    this.data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.pos = start;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  run(): PickleResult {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      try {
        if (op === OP.STOP) return { value: this.pop(), end: this.pos };
        this.step(op);
      } catch (err) {
        if (err instanceof PickleError) throw err;
        const name = OP_NAMES[op] ?? `0x${op.toString(16)}`;
        throw new PickleError(`pickle ${name} at byte ${at}: ${(err as Error).message}`);
      }
    }
  }

  private step(op: number): void {
    const s = this.stack;
    switch (op) {
      case OP.PROTO: {
        const proto = this.u8();
        if (proto > 5) this.fail(`unsupported pickle protocol ${proto}`);
        return;
      }
      case OP.FRAME:
        this.take(8); // a buffering hint; the opcodes inside are read as usual
        return;
      case OP.MARK:
        this.marks.push(s.length);
        return;
      case OP.NONE:
        s.push(null);
        return;
      case OP.NEWTRUE:
        s.push(true);
        return;
      case OP.NEWFALSE:
        s.push(false);
        return;
      case OP.BININT:
        s.push(this.view.getInt32(this.take(4), true));
        return;
      case OP.BININT1:
        s.push(this.u8());
        return;
      case OP.BININT2:
        s.push(this.view.getUint16(this.take(2), true));
        return;
      case OP.LONG1:
        s.push(this.long(this.u8()));
        return;
      case OP.LONG4:
        s.push(this.long(this.u32()));
        return;
      case OP.BINFLOAT:
        s.push(this.view.getFloat64(this.take(8), false)); // pickle floats are big-endian
        return;
      case OP.BINSTRING:
        s.push(latin1.decode(this.bytes(this.u32())));
        return;
      case OP.SHORT_BINSTRING:
        s.push(latin1.decode(this.bytes(this.u8())));
        return;
      case OP.BINUNICODE:
        s.push(this.text(this.u32()));
        return;
      case OP.SHORT_BINUNICODE:
        s.push(this.text(this.u8()));
        return;
      case OP.BINUNICODE8:
        s.push(this.text(this.u64()));
        return;
      case OP.BINBYTES:
        s.push(this.bytes(this.u32()));
        return;
      case OP.SHORT_BINBYTES:
        s.push(this.bytes(this.u8()));
        return;
      case OP.BINBYTES8:
        s.push(this.bytes(this.u64()));
        return;
      case OP.BYTEARRAY8:
        s.push(new Uint8Array(this.bytes(this.u64()))); // bytearray is mutable: its own copy
        return;
      case OP.EMPTY_TUPLE:
        s.push([]);
        return;
      case OP.TUPLE:
        s.push(this.popMark());
        return;
      case OP.TUPLE1:
        s.push(s.splice(this.need(1), 1));
        return;
      case OP.TUPLE2:
        s.push(s.splice(this.need(2), 2));
        return;
      case OP.TUPLE3:
        s.push(s.splice(this.need(3), 3));
        return;
      case OP.EMPTY_LIST:
        s.push([]);
        return;
      case OP.APPEND: {
        const item = this.pop();
        this.asList(this.top()).push(item);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark();
        const list = this.asList(this.top());
        for (const item of items) list.push(item);
        return;
      }
      case OP.LIST:
        s.push(this.popMark());
        return;
      case OP.EMPTY_DICT:
        s.push(new Map());
        return;
      case OP.DICT:
        s.push(this.setItems(new Map(), this.popMark()));
        return;
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.asDict(this.top()).set(key, value);
        return;
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        this.setItems(this.asDict(this.top()), items);
        return;
      }
      case OP.EMPTY_SET:
        s.push(new Set());
        return;
      case OP.ADDITEMS: {
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set)) this.fail("ADDITEMS target is not a set");
        for (const item of items) set.add(item);
        return;
      }
      case OP.FROZENSET:
        s.push(new Set(this.popMark()));
        return;
      case OP.GLOBAL: {
        const module = this.line();
        const name = this.line();
        s.push(this.resolveGlobal(module, name));
        return;
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== "string" || typeof name !== "string")
          this.fail("STACK_GLOBAL needs two strings");
        s.push(this.resolveGlobal(module, name));
        return;
      }
      case OP.REDUCE: {
        const args = this.pop();
        const callable = this.pop();
        s.push(this.call(callable, args));
        return;
      }
      case OP.NEWOBJ: {
        const args = this.pop();
        const cls = this.pop();
        s.push(this.call(cls, args));
        return;
      }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        const extra = kwargs instanceof Map && kwargs.size > 0 ? [kwargs] : [];
        s.push(this.call(cls, [...this.asList(args), ...extra]));
        return;
      }
      case OP.BUILD: {
        const state = this.pop();
        const target = this.top();
        if (!isStateful(target))
          this.fail(`BUILD on ${this.describe(target)}, which takes no state`);
        target.setState(state);
        return;
      }
      case OP.BINPERSID:
        s.push(this.persistentLoad(this.pop()));
        return;
      case OP.PERSID:
        s.push(this.persistentLoad(this.line()));
        return;
      case OP.PUT:
        this.memo.set(this.decimalLine(), this.top());
        return;
      case OP.BINPUT:
        this.memo.set(this.u8(), this.top());
        return;
      case OP.LONG_BINPUT:
        this.memo.set(this.u32(), this.top());
        return;
      case OP.MEMOIZE:
        this.memo.set(this.memo.size, this.top());
        return;
      case OP.GET:
        s.push(this.memoGet(this.decimalLine()));
        return;
      case OP.BINGET:
        s.push(this.memoGet(this.u8()));
        return;
      case OP.LONG_BINGET:
        s.push(this.memoGet(this.u32()));
        return;
      case OP.POP:
        if (this.marks.length > 0 && this.marks[this.marks.length - 1] === s.length)
          this.marks.pop();
        else this.pop();
        return;
      case OP.POP_MARK:
        this.popMark();
        return;
      case OP.DUP:
        s.push(this.top());
        return;
      default:
        this.fail(`unsupported opcode 0x${op.toString(16).padStart(2, "0")}`);
    }
  }

  // --- reading the byte stream ---

  private take(n: number): number {
    const at = this.pos;
    if (n > this.data.length - at) {
      throw new PickleTruncatedError(
        `pickle truncated: needs ${n} bytes at byte ${at}, but only ${this.data.length - at} remain`,
      );
    }
    this.pos = at + n;
    return at;
  }

  private u8(): number {
    return this.data[this.take(1)];
  }

  private u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  private u64(): number {
    const at = this.take(8);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 0x200000) this.fail("a length over 2^53 bytes");
    return high * 4294967296 + this.view.getUint32(at, true);
  }

  private bytes(n: number): Uint8Array {
    const at = this.take(n);
    return this.data.subarray(at, at + n);
  }

  private text(n: number): string {
    const bytes = this.bytes(n);
    try {
      return utf8.decode(bytes);
    } catch {
      this.fail("a string that is not valid UTF-8");
    }
  }

  /** Protocol-0 style arguments: ASCII up to a newline. */
  private line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0)
      throw new PickleTruncatedError(`pickle truncated: no newline after byte ${this.pos}`);
    const text = latin1.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private decimalLine(): number {
    const text = this.line();
    if (!/^\d+$/.test(text)) this.fail(`memo index "${text}" is not a number`);
    return Number(text);
  }

  /** Little-endian two's complement of `n` bytes; a number when it fits exactly, else a bigint. */
  private long(n: number): number | bigint {
    const bytes = this.bytes(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    if (bytes[n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    const small = Number(value);
    return Number.isSafeInteger(small) ? small : value;
  }

  // --- the stack ---

  private pop(): unknown {
    const s = this.stack;
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    if (s.length <= floor) this.fail("stack underflow");
    return s.pop();
  }

  private top(): unknown {
    const s = this.stack;
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    if (s.length <= floor) this.fail("stack underflow");
    return s[s.length - 1];
  }

  /** Start index of the top `n` items, checking that they lie above the current mark. */
  private need(n: number): number {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
    if (this.stack.length - n < floor) this.fail("stack underflow");
    return this.stack.length - n;
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail("no MARK on the stack");
    return this.stack.splice(mark);
  }

  private setItems(dict: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
    if (items.length % 2 !== 0) this.fail("an odd number of items for a dict");
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
    return dict;
  }

  private asList(value: unknown): unknown[] {
    if (!Array.isArray(value)) this.fail(`expected a list, found ${this.describe(value)}`);
    return value;
  }

  private asDict(value: unknown): Map<unknown, unknown> {
    if (!(value instanceof Map)) this.fail(`expected a dict, found ${this.describe(value)}`);
    return value;
  }

  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} was never stored`);
    return this.memo.get(index);
  }

  // --- the only ways a pickle reaches outside itself, both gated by the caller ---

  private resolveGlobal(module: string, name: string): unknown {
    const key = `${module}.${name}`;
    if (!Object.hasOwn(this.options.globals, key)) {
      this.fail(`global "${key}" is not in the allow-list; refusing to load it`);
    }
    const value = this.options.globals[key];
    if ((typeof value === "object" && value !== null) || typeof value === "function") {
      this.globalNames.set(value, key);
    }
    return value;
  }

  private call(callable: unknown, args: unknown): unknown {
    if (typeof callable !== "function") this.fail(`${this.describe(callable)} is not callable`);
    if (!Array.isArray(args)) this.fail(`arguments to ${this.describe(callable)} are not a tuple`);
    try {
      return (callable as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      this.fail(`${this.describe(callable)}: ${(err as Error).message}`);
    }
  }

  private persistentLoad(pid: unknown): unknown {
    if (!this.options.persistentLoad)
      this.fail("a persistent id, but no persistent_load was given");
    return this.options.persistentLoad(pid);
  }

  private describe(value: unknown): string {
    if ((typeof value === "object" && value !== null) || typeof value === "function") {
      const name = this.globalNames.get(value);
      if (name) return `"${name}"`;
      if (value instanceof Map) return "a dict";
      if (Array.isArray(value)) return "a tuple or list";
    }
    return value === null ? "None" : `a ${typeof value}`;
  }

  private fail(detail: string): never {
    throw new PickleError(`pickle at byte ${this.pos}: ${detail}`);
  }
}

function isStateful(value: unknown): value is PickleStateful {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<PickleStateful>).setState === "function"
  );
}
