import { describe, expect, it } from "vitest";
import { pickle, PyReduce, global, tuple } from "../../tests/helpers/checkpoint-writers";
import {
  PickleError,
  PickleOrderedDict,
  PickleTruncatedError,
  orderedDictFromArgs,
  unpickle,
  type PickleOptions,
  type PickleStateful,
} from "./pickle";

/** Bytes written as a Python bytes literal, e.g. "\\x80\\x02K\\x01." */
function py(literal: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < literal.length; i++) {
    if (literal[i] === "\\" && literal[i + 1] === "x") {
      out.push(parseInt(literal.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (literal[i] === "\\" && (literal[i + 1] === "n" || literal[i + 1] === "t")) {
      out.push(literal[i + 1] === "n" ? 10 : 9);
      i += 1;
    } else out.push(literal.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

const none = { globals: {} };
const load = (bytes: Uint8Array, options: PickleOptions = none) => unpickle(bytes, options).value;

describe("unpickle: CPython's own output", () => {
  // Each byte string is what `pickle.dumps(value, protocol)` returns in CPython 3.
  it("reads a dict at protocol 2", () => {
    expect(load(py("\\x80\\x02}q\\x00X\\x01\\x00\\x00\\x00aq\\x01K\\x01s."))).toEqual(
      new Map([["a", 1]]),
    );
  });

  it("reads a list of int, float, None and True", () => {
    const bytes = py("\\x80\\x02]q\\x00(K\\x01G@\\x04\\x00\\x00\\x00\\x00\\x00\\x00N\\x88e.");
    expect(load(bytes)).toEqual([1, 2.5, null, true]);
  });

  it("reads a framed protocol-4 pickle with MEMOIZE", () => {
    const bytes = py(
      "\\x80\\x04\\x95\\n\\x00\\x00\\x00\\x00\\x00\\x00\\x00}\\x94\\x8c\\x01a\\x94K\\x01s.",
    );
    expect(load(bytes)).toEqual(new Map([["a", 1]]));
  });

  it("reads negative, 2-byte and arbitrary-size integers", () => {
    expect(load(py("\\x80\\x02J\\xff\\xff\\xff\\xff."))).toBe(-1);
    expect(load(py("\\x80\\x02M\\xe8\\x03."))).toBe(1000);
    expect(load(py("\\x80\\x02\\x8a\\x05\\x00\\x00\\x00\\x80\\x00."))).toBe(2 ** 31);
    expect(load(py("\\x80\\x02\\x8a\\t\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01."))).toBe(
      2n ** 64n,
    );
    expect(load(py("\\x80\\x02\\x8a\\x01\\xff."))).toBe(-1);
    expect(load(py("\\x80\\x02\\x8b\\x02\\x00\\x00\\x00\\x00\\x80."))).toBe(-32768);
  });

  it("reads bytes at protocol 3 and via _codecs.encode at protocol 2", () => {
    expect(load(py("\\x80\\x03C\\x02abq\\x00."))).toEqual(new Uint8Array([0x61, 0x62]));
    const viaCodecs = py(
      "\\x80\\x02c_codecs\\nencode\\nq\\x00X\\x02\\x00\\x00\\x00\\xc3\\xbfq\\x01X\\x06\\x00\\x00\\x00latin1q\\x02\\x86q\\x03Rq\\x04.",
    );
    const encode = (text: string, encoding: string) => {
      expect(encoding).toBe("latin1");
      return Buffer.from(text, "latin1");
    };
    expect(load(viaCodecs, { globals: { "_codecs.encode": encode } })).toEqual(Buffer.from([0xff]));
  });

  it("reads an OrderedDict through the allow-list", () => {
    const bytes = py(
      "\\x80\\x02ccollections\\nOrderedDict\\nq\\x00)Rq\\x01X\\x01\\x00\\x00\\x00aq\\x02K\\x01s.",
    );
    const value = load(bytes, { globals: { "collections.OrderedDict": orderedDictFromArgs } });
    expect(value).toBeInstanceOf(PickleOrderedDict);
    expect([...(value as Map<unknown, unknown>)]).toEqual([["a", 1]]);
  });
});

describe("unpickle: opcodes", () => {
  it("reads Python 2 strings as latin1 text and unicode as UTF-8", () => {
    expect(load(py("\\x80\\x02U\\x04caf\\xe9."))).toBe("café");
    expect(load(py("\\x80\\x02T\\x02\\x00\\x00\\x00\\xff\\x00."))).toBe("\xff\x00");
    expect(load(py("\\x80\\x04\\x8c\\x05caf\\xc3\\xa9."))).toBe("café");
    expect(load(py("\\x80\\x04\\x8d\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00hi."))).toBe("hi");
  });

  it("reads 8-byte bytes, bytearrays, sets and frozensets", () => {
    expect(load(py("\\x80\\x04\\x8e\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00z."))).toEqual(
      new Uint8Array([0x7a]),
    );
    expect(load(py("\\x80\\x05\\x96\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00z."))).toEqual(
      new Uint8Array([0x7a]),
    );
    expect(load(py("\\x80\\x04\\x8f(K\\x01K\\x02\\x90."))).toEqual(new Set([1, 2]));
    expect(load(py("\\x80\\x04(K\\x03\\x91."))).toEqual(new Set([3]));
  });

  it("builds tuples, lists and dicts from marks", () => {
    expect(load(py("\\x80\\x02(K\\x01K\\x02K\\x03K\\x04t."))).toEqual([1, 2, 3, 4]);
    expect(load(py("\\x80\\x02K\\x01\\x85."))).toEqual([1]);
    expect(load(py("\\x80\\x02K\\x01K\\x02K\\x03\\x87."))).toEqual([1, 2, 3]);
    expect(load(py("\\x80\\x02(K\\x01K\\x02l."))).toEqual([1, 2]);
    expect(load(py("\\x80\\x02(K\\x01K\\x02d."))).toEqual(new Map([[1, 2]]));
    expect(load(py("\\x80\\x02]K\\x07a."))).toEqual([7]);
    expect(load(py("\\x80\\x02\\x89\\x88\\x86)."))).toEqual([]);
  });

  it("keeps shared references through the memo (BINPUT/BINGET, LONG_*, text PUT/GET)", () => {
    const shared = load(py("\\x80\\x02]q\\x00h\\x00\\x86.")) as unknown[];
    expect(shared[0]).toBe(shared[1]);
    const long = load(
      py("\\x80\\x02]r\\x00\\x01\\x00\\x00j\\x00\\x01\\x00\\x00\\x86."),
    ) as unknown[];
    expect(long[0]).toBe(long[1]);
    const text = load(py("\\x80\\x02]p5\\ng5\\n\\x86.")) as unknown[];
    expect(text[0]).toBe(text[1]);
  });

  it("applies POP, POP_MARK and DUP", () => {
    expect(load(py("\\x80\\x02K\\x01K\\x020."))).toBe(1);
    expect(load(py("\\x80\\x02K\\x01(K\\x02K\\x031."))).toBe(1);
    expect(load(py("\\x80\\x02]2\\x86."))).toEqual([[], []]);
  });

  it("resolves STACK_GLOBAL, NEWOBJ and NEWOBJ_EX through the allow-list", () => {
    const make = (...args: unknown[]) => ({ made: args });
    const globals = { "m.Thing": make };
    expect(
      load(py("\\x80\\x04\\x8c\\x01m\\x8c\\x05Thing\\x93K\\x01\\x85\\x81."), { globals }),
    ).toEqual({
      made: [1],
    });
    expect(
      load(py("\\x80\\x04\\x8c\\x01m\\x8c\\x05Thing\\x93K\\x01\\x85}\\x92."), { globals }),
    ).toEqual({
      made: [1],
    });
  });

  it("hands persistent ids to persistent_load (BINPERSID and PERSID)", () => {
    const persistentLoad = (pid: unknown) => ({ loaded: pid });
    expect(load(py("\\x80\\x02X\\x01\\x00\\x00\\x00kQ."), { globals: {}, persistentLoad })).toEqual(
      {
        loaded: "k",
      },
    );
    expect(load(py("\\x80\\x02Pkey7\\n."), { globals: {}, persistentLoad })).toEqual({
      loaded: "key7",
    });
  });

  it("gives BUILD's state to setState", () => {
    class Box implements PickleStateful {
      state: unknown;
      setState(state: unknown) {
        this.state = state;
      }
    }
    const bytes = pickle(new PyReduce(global("m", "Box"), tuple(), new Map([["x", 2]])));
    const box = load(bytes, { globals: { "m.Box": () => new Box() } });
    expect((box as Box).state).toEqual(new Map([["x", 2]]));
  });

  it("reports where a pickle continues after STOP", () => {
    const two = new Uint8Array([...py("\\x80\\x02K\\x01."), ...py("\\x80\\x02K\\x02.")]);
    const first = unpickle(two, none);
    expect(first).toEqual({ value: 1, end: 5 });
    expect(unpickle(two, none, first.end).value).toBe(2);
  });
});

describe("unpickle: refusals", () => {
  it("refuses a global that is not allow-listed, naming it", () => {
    const bytes = py(
      "\\x80\\x02cos\\nsystem\\nq\\x00X\\x02\\x00\\x00\\x00lsq\\x01\\x85q\\x02Rq\\x03.",
    );
    expect(() => load(bytes)).toThrow(/global "os\.system" is not in the allow-list/);
  });

  it("refuses prototype names that only look present", () => {
    expect(() => load(py("\\x80\\x02c__proto__\\nconstructor\\n."))).toThrow(
      /not in the allow-list/,
    );
  });

  it("refuses to call a global that is only a marker", () => {
    const bytes = py("\\x80\\x02cm\\nMarker\\n)R.");
    expect(() => load(bytes, { globals: { "m.Marker": { marker: true } } })).toThrow(
      /"m\.Marker" is not callable/,
    );
  });

  it("refuses BUILD on an object that takes no state", () => {
    expect(() => load(py("\\x80\\x02]}b."))).toThrow(/BUILD on a tuple or list/);
  });

  it("refuses persistent ids without persistent_load", () => {
    expect(() => load(py("\\x80\\x02K\\x01Q."))).toThrow(/persistent_load/);
  });

  it("refuses unknown opcodes and protocols", () => {
    expect(() => load(py("\\x80\\x02\\xff."))).toThrow(/unsupported opcode 0xff/);
    expect(() => load(py("\\x80\\x06K\\x01."))).toThrow(/unsupported pickle protocol 6/);
  });

  it("reports a missing memo entry and a stack underflow", () => {
    expect(() => load(py("\\x80\\x02h\\x05."))).toThrow(/memo entry 5 was never stored/);
    expect(() => load(py("\\x80\\x02(s."))).toThrow(/stack underflow/);
    expect(() => load(py("\\x80\\x02t."))).toThrow(/no MARK/);
  });

  it("reports truncation as PickleTruncatedError", () => {
    const whole = py("\\x80\\x02X\\x05\\x00\\x00\\x00hello.");
    for (const cut of [1, 3, 8, whole.length - 1]) {
      expect(() => load(whole.subarray(0, cut))).toThrow(PickleTruncatedError);
    }
    expect(() => load(py("\\x80\\x02cmod"))).toThrow(PickleTruncatedError);
  });

  it("wraps errors thrown by allow-listed callables with the global's name", () => {
    const globals = {
      "m.f": () => {
        throw new Error("bad input");
      },
    };
    expect(() => load(py("\\x80\\x02cm\\nf\\n)R."), { globals })).toThrow(PickleError);
    expect(() => load(py("\\x80\\x02cm\\nf\\n)R."), { globals })).toThrow(/"m\.f": bad input/);
  });
});
