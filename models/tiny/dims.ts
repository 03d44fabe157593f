/**
 * Contract dimensions as algebra, so a tiny model can honour how sizes relate. A dim such as
 * "h=H/8", "height/4", "4*width", "height_x4" or "h*w/16" becomes a monomial: a rational
 * coefficient times powers of base symbols ("h=H/8" also makes "h" an alias of H/8 across the
 * contract). Two dims relate when their ratio is a plain number: that ratio is the upscale or
 * pooling factor a model needs. Anything else (sums, odd text) stays an opaque symbol.
 */
export interface Monomial {
  readonly num: number;
  readonly den: number;
  /** Symbol → power; empty for a constant. */
  readonly powers: Readonly<Record<string, number>>;
}

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

function monomial(num: number, den: number, powers: Record<string, number>): Monomial {
  const g = gcd(num, den) || 1;
  const clean = Object.fromEntries(Object.entries(powers).filter(([, p]) => p !== 0));
  return { num: num / g, den: den / g, powers: clean };
}

export const constant = (value: number): Monomial => monomial(value, 1, {});
export const symbol = (name: string): Monomial => monomial(1, 1, { [name]: 1 });

export function multiply(a: Monomial, b: Monomial, divide = false): Monomial {
  const powers: Record<string, number> = { ...a.powers };
  for (const [s, p] of Object.entries(b.powers)) powers[s] = (powers[s] ?? 0) + (divide ? -p : p);
  return divide
    ? monomial(a.num * b.den, a.den * b.num, powers)
    : monomial(a.num * b.num, a.den * b.den, powers);
}

export const scale = (m: Monomial, num: number, den = 1): Monomial =>
  multiply(m, monomial(num, den, {}));

/** a / b when the symbols cancel (a plain factor), else null. */
export function ratio(a: Monomial, b: Monomial): number | null {
  const q = multiply(a, b, true);
  return Object.keys(q.powers).length === 0 ? q.num / q.den : null;
}

export const isConstant = (m: Monomial): boolean => Object.keys(m.powers).length === 0;

export function evaluate(m: Monomial, values: Readonly<Record<string, number>>): number {
  let v = m.num / m.den;
  for (const [s, p] of Object.entries(m.powers)) {
    const x = values[s];
    if (x === undefined) throw new Error(`no value for dimension symbol "${s}"`);
    v *= x ** p;
  }
  return v;
}

type Aliases = ReadonlyMap<string, Monomial>;

/** Parses one dim; unparseable text becomes an opaque symbol named by the whole text. */
export function parseDim(dim: number | string, aliases: Aliases = new Map()): Monomial {
  if (typeof dim === "number") return constant(dim);
  const text = dim.includes("=") ? dim.slice(dim.indexOf("=") + 1) : dim;
  return parseExpression(text, aliases) ?? symbol(dim);
}

/** "h=H/8" → ["h", H/8]; null for a dim that defines no alias. */
function aliasOf(dim: string, aliases: Aliases): [string, Monomial] | null {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.+)$/.exec(dim);
  if (!match) return null;
  const value = parseExpression(match[2], aliases);
  return value ? [match[1], value] : null;
}

/** The aliases a set of dims defines ("h=H/8" anywhere makes a bare "h" mean H/8). */
export function collectAliases(dims: readonly (number | string)[]): Map<string, Monomial> {
  const aliases = new Map<string, Monomial>();
  // Two passes so an alias may be written in terms of one defined later.
  for (let pass = 0; pass < 2; pass++) {
    for (const dim of dims) {
      if (typeof dim !== "string") continue;
      const found = aliasOf(dim, aliases);
      if (found && !aliases.has(found[0])) aliases.set(found[0], found[1]);
      else if (found && pass === 1) aliases.set(found[0], found[1]);
    }
  }
  return aliases;
}

function parseExpression(text: string, aliases: Aliases): Monomial | null {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|[*/×·()]|\S/g) ?? [];
  let at = 0;
  const factor = (): Monomial | null => {
    const token = tokens[at++];
    if (token === undefined) return null;
    if (/^\d+$/.test(token)) return Number(token) > 0 ? constant(Number(token)) : null;
    if (token === "(") {
      const inner = term();
      return tokens[at++] === ")" ? inner : null;
    }
    if (!/^[A-Za-z_]/.test(token)) return null;
    // "height_x4" reads as 4·height (the manifest's way to name an upscaled size).
    const upscaled = /^(.+)_x(\d+)$/.exec(token);
    if (upscaled)
      return scale(aliases.get(upscaled[1]) ?? symbol(upscaled[1]), Number(upscaled[2]));
    return aliases.get(token) ?? symbol(token);
  };
  const term = (): Monomial | null => {
    let value = factor();
    while (
      value &&
      (tokens[at] === "*" || tokens[at] === "×" || tokens[at] === "·" || tokens[at] === "/")
    ) {
      const divide = tokens[at++] === "/";
      const next = factor();
      value = next ? multiply(value, next, divide) : null;
    }
    return value;
  };
  const result = term();
  return result && at === tokens.length ? result : null;
}

/**
 * Sizes for every base symbol that make every given dim a whole number: symbols used as a
 * batch (alone on axis 0, nowhere else) get 2; the others one shared size V ≥ 32, the smallest multiple of
 * what the dims divide by per axis (h*w/64 needs V % 8 = 0, H/8 needs V % 8 = 0).
 */
export function concreteValues(
  shapes: readonly (readonly Monomial[])[],
  minimum = 32,
): Record<string, number> {
  // A batch symbol stands alone on axis 0 and appears nowhere else.
  const atAxisZero = new Set<string>();
  const elsewhere = new Set<string>();
  const symbols = new Set<string>();
  let step = 1;
  for (const shape of shapes) {
    shape.forEach((m, axis) => {
      const names = Object.keys(m.powers);
      names.forEach((s) => symbols.add(s));
      const alone = names.length === 1 && m.num === 1 && m.den === 1 && m.powers[names[0]] === 1;
      if (axis === 0 && alone) atAxisZero.add(names[0]);
      else names.forEach((s) => elsewhere.add(s));
    });
  }
  const batch = new Set([...atAxisZero].filter((s) => !elsewhere.has(s)));
  for (const shape of shapes) {
    for (const m of shape) {
      const degree = Object.entries(m.powers)
        .filter(([s]) => !batch.has(s))
        .reduce((sum, [, p]) => sum + Math.max(p, 0), 0);
      if (degree === 0 || m.den === 1) continue;
      const root = Math.round(m.den ** (1 / degree));
      const perAxis = root ** degree === m.den ? root : m.den;
      step = (step * perAxis) / gcd(step, perAxis);
    }
  }
  const size = Math.ceil(minimum / step) * step;
  return Object.fromEntries([...symbols].map((s) => [s, batch.has(s) ? 2 : size]));
}
