/**
 * The CSV inside a batch's ZIP: one row per run with its inputs, the params it ran with, its
 * outputs (paths inside the ZIP) and how it ended. RFC 4180: fields with a comma, a quote or a
 * line break are quoted, quotes doubled, lines end in CRLF, so spreadsheets read it as written.
 */

export interface BatchCsvRun {
  readonly id: string;
  readonly status: string;
  /** Load Image node id → the image it took (its path in the ZIP, or a file name). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Node id → param name → value: the overrides the run was given. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Paths of the run's outputs in the ZIP. */
  readonly outputs: readonly string[];
  /** The Flow Field node's Leffa loss (masked L2), when the run reported one. */
  readonly leffaLoss?: number | null;
  readonly error?: string | null;
  readonly worker?: string | null;
  readonly seconds?: number | null;
}

export function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ""
      : typeof value === "string"
        ? value
        : typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

/** Keys in the order they first appear across `records`. */
function keysInOrder(records: readonly Readonly<Record<string, unknown>>[]): string[] {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

/**
 * Header and one row per run: `run, status, input:<node>…, <node>.<param>…, outputs,
 * leffa_loss, error, worker, seconds`. Several outputs of one run share their cell, separated by
 * spaces (paths in the ZIP hold none).
 */
export function batchCsv(runs: readonly BatchCsvRun[]): string {
  const inputNodes = keysInOrder(runs.map((r) => r.inputs));
  const paramColumns: [string, string][] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    for (const [nodeId, params] of Object.entries(r.params)) {
      for (const name of Object.keys(params)) {
        const column = `${nodeId}.${name}`;
        if (!seen.has(column)) {
          seen.add(column);
          paramColumns.push([nodeId, name]);
        }
      }
    }
  }
  const header = [
    "run",
    "status",
    ...inputNodes.map((n) => `input:${n}`),
    ...paramColumns.map(([n, p]) => `${n}.${p}`),
    "outputs",
    "leffa_loss",
    "error",
    "worker",
    "seconds",
  ];
  const rows = runs.map((r) => [
    r.id,
    r.status,
    ...inputNodes.map((n) => r.inputs[n] ?? ""),
    ...paramColumns.map(([n, p]) => r.params[n]?.[p]),
    r.outputs.join(" "),
    r.leffaLoss ?? "",
    r.error ?? "",
    r.worker ?? "",
    r.seconds ?? "",
  ]);
  return toCsv([header, ...rows]);
}
