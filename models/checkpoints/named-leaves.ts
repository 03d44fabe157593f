/**
 * Every leaf of one kind reachable from an unpickled root, named by its path of dict keys and
 * list indices joined with "." ({"model": {"conv.weight": t}} → "model.conv.weight"), in the
 * order they were saved. Other values (epoch counters, author strings) are skipped, and shared or
 * cyclic containers are visited once.
 */
export function namedLeaves<T>(
  root: unknown,
  isLeaf: (value: unknown) => value is T,
): Array<[string, T]> {
  const found: Array<[string, T]> = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, name: string) => {
    if (isLeaf(value)) {
      found.push([name, value]);
      return;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    const join = (key: unknown) => (name === "" ? String(key) : `${name}.${String(key)}`);
    if (value instanceof Map) {
      for (const [key, item] of value) {
        if (typeof key === "string" || typeof key === "number") walk(item, join(key));
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, join(i)));
    }
  };
  walk(root, "");
  return found;
}
