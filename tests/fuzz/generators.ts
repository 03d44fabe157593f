import fc from "fast-check";

/**
 * Hostile input for the route fuzzer: strings, JSON values, raw JSON text, headers, query strings
 * and multipart bodies that a careless or malicious client could send. Bodies are generated as
 * text, not as values passed through JSON.stringify, so they can hold what no JS object can:
 * duplicate keys, `__proto__` as an ordinary key, nesting deeper than any recursive serializer
 * survives, truncation and bytes that are not UTF-8.
 */

/** Characters that break careless code: NUL, lone surrogates, BOM, bidi override, zero width. */
const NASTY_CHARS = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u202e",
  "\u200b",
  "\u0085",
  "\u2028",
];

/** One "character": usually any code point, sometimes a nasty one. */
const char = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_CHARS) },
);

/** Keys and strings that mean something to JavaScript, file systems, SQL or URLs. */
export const SPECIAL_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "../../etc/passwd",
  "%00",
  "%",
  '\'; DROP TABLE "Workflow"; --',
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "1e309",
  "😀",
  "a\u0000b",
  "lone \ud800 surrogate",
  "x".repeat(65),
  "y".repeat(300),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: char, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  // Past every string limit the studio has (the longest is 20,000 characters).
  { weight: 1, arbitrary: fc.constantFrom("z".repeat(25_000), "\u00e9".repeat(70_000)) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 5e-324, 0.5),
);

/** Any JSON value, biased towards the wrong type and the odd key. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...SPECIAL_STRINGS)), tie("value"), {
      maxKeys: 4,
    }),
  ),
})).value;

/**
 * JSON text of `value`. `JSON.stringify` drops nothing a JSON.parse result holds, including an
 * own `__proto__` key, and writes lone surrogates as escapes; undefined becomes null.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** `levels` arrays or objects inside each other, as text: deeper than any recursion survives. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(70, 1000, 5000, 20_000, 100_000), fc.boolean())
  .map(([levels, arrays]) =>
    arrays
      ? "[".repeat(levels) + "]".repeat(levels)
      : '{"a":'.repeat(levels) + "1" + "}".repeat(levels),
  );

/** The text of one value in a body: a hostile value, a deep one, or a piece of raw text. */
export const hostileValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileJson.map(jsonText) },
  { weight: 1, arbitrary: deepJsonText },
);

/** An object body's fields as text, so keys may repeat (duplicate keys) and be `__proto__`. */
export type FieldTexts = readonly (readonly [string, string])[];

export function objectText(fields: FieldTexts): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

/**
 * Mutations of a valid JSON object body, one field at a time, so a refusal can be expected to
 * name the field: a wrong value, a missing field, an extra (or prototype) key, a duplicate key.
 */
export type BodyMutation =
  | { kind: "replace"; field: string; value: string }
  | { kind: "remove"; field: string }
  | { kind: "extra"; key: string; value: string }
  | { kind: "duplicate"; field: string; value: string };

export function mutationArb(fields: readonly string[]): fc.Arbitrary<BodyMutation> {
  const extraKey = fc.oneof(
    fc.constantFrom("__proto__", "constructor", "prototype"),
    hostileString,
  );
  const options: fc.Arbitrary<BodyMutation>[] = [
    fc.record({ kind: fc.constant("extra" as const), key: extraKey, value: hostileValueText }),
  ];
  if (fields.length > 0) {
    const field = fc.constantFrom(...fields);
    options.push(
      fc.record({ kind: fc.constant("replace" as const), field, value: hostileValueText }),
      fc.record({ kind: fc.constant("remove" as const), field }),
      fc.record({ kind: fc.constant("duplicate" as const), field, value: hostileValueText }),
    );
  }
  return fc.oneof(...options);
}

/** The body text after one mutation of `valid` (an object whose fields are JSON values). */
export function applyMutation(valid: Record<string, unknown>, mutation: BodyMutation): string {
  const fields: [string, string][] = Object.entries(valid).map(([k, v]) => [k, jsonText(v)]);
  switch (mutation.kind) {
    case "replace":
      return objectText(fields.map(([k, v]) => [k, k === mutation.field ? mutation.value : v]));
    case "remove":
      return objectText(fields.filter(([k]) => k !== mutation.field));
    case "extra":
      return objectText([...fields, [mutation.key, mutation.value]]);
    case "duplicate":
      // Last one wins in JSON.parse: the hostile value is what the server sees.
      return objectText([...fields, [mutation.field, mutation.value]]);
  }
}

/** Bodies that are not a JSON object at all, or not JSON: each must be a 4xx without a field. */
export const brokenBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  hostileValueText,
  fc.constantFrom(
    "",
    "{",
    '{"a":',
    "[1,2",
    "nul",
    "{'single': 1}",
    '{"a":1}}',
    "\u0000",
    "{}garbage",
  ),
  // Invalid UTF-8: a lone continuation byte, an overlong NUL, an encoded surrogate, a cut sequence.
  fc.constantFrom(
    Uint8Array.of(0x80),
    Uint8Array.of(0x7b, 0xc0, 0x80, 0x7d),
    Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22),
    Uint8Array.of(0x22, 0xe2, 0x82),
  ),
  fc.uint8Array({ maxLength: 64 }),
);

const BOUNDARY = "fuzzBoundary";

/** Multipart bodies: well formed with hostile parts, cut short, or with a lying boundary. */
export const multipartBody: fc.Arbitrary<{ contentType: string; body: string }> = fc
  .tuple(hostileString, hostileString, fc.constantFrom("whole", "truncated", "wrong-boundary"))
  .map(([name, value, shape]) => {
    const whole =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="x.svg"\r\n` +
      `Content-Type: image/svg+xml\r\n\r\n${value}\r\n--${BOUNDARY}--\r\n`;
    const body = shape === "truncated" ? whole.slice(0, whole.length >> 1) : whole;
    const boundary = shape === "wrong-boundary" ? "other" : BOUNDARY;
    return { contentType: `multipart/form-data; boundary=${boundary}`, body };
  });

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      "",
      "text/plain",
      "text/html",
      "application/x-www-form-urlencoded",
      "application/json; charset=utf-16",
      "image/png",
      "image/svg+xml",
      "application/octet-stream",
      "multipart/form-data",
    ),
  },
  { weight: 1, arbitrary: hostileString.filter(isHeaderValue) },
);

/** What the Headers class accepts: no NUL, CR or LF, only Latin-1. */
export function isHeaderValue(value: string): boolean {
  return /^[\u0020-\u007e\u0080-\u00ff\t]*$/.test(value);
}

/** Extra headers: lying lengths, stale validators, forged cookies and origins. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    "content-length": fc.constantFrom("0", "-1", "abc", "1e12", "99999999999", "3"),
    "if-none-match": fc.oneof(fc.constant("*"), hostileString.filter(isHeaderValue)),
    cookie: fc.constantFrom(
      "better-auth.session_token=forged",
      "better-auth.session_token=",
      `better-auth.session_token=${"a".repeat(4000)}`,
      "a=b; a=c",
    ),
    range: fc.constantFrom("bytes=0-0", "bytes=-1", "bytes=9999999999-", "bytes=5-1", "lines=1-2"),
    "x-forwarded-for": fc.constantFrom("::1", "not an address", "1.2.3.4, 5.6.7.8"),
  },
  { requiredKeys: [] },
);

/** A query string: hostile keys and values, percent-encoded or raw (invalid escapes included). */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom("q", "tag", "sort", "kind", "limit", "offset"), hostileString),
        hostileString,
      ),
      {
        maxLength: 4,
      },
    )
    .map((pairs) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&")),
  fc.constantFrom(
    "%",
    "%zz",
    "%ED%A0%80",
    "%FF",
    "q=%00",
    "limit=1e3",
    "offset=-1",
    "a&&&=",
    "sort[]=x",
  ),
);

/** encodeURIComponent, except that lone surrogates (which it refuses) go as their UTF-8-ish bytes. */
export function percentEncode(value: string): string {
  return value.replace(/[\s\S]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return `%ED%${(0xa0 | ((c.charCodeAt(0) >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (c.charCodeAt(0) & 0x3f)).toString(16).toUpperCase()}`;
    }
  });
}

/** A path segment as Next hands it to a handler (decoded): a real one from `known`, or hostile. */
export function segmentArb(known: readonly string[]): fc.Arbitrary<string> {
  return known.length > 0
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(...known) },
        { weight: 3, arbitrary: hostileString },
      )
    : hostileString;
}
