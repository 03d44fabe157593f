/** Text helpers shared by the CLI and the installer's messages. */

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/** Decimal units, as model hubs print them: 110 MB, 7.21 GB. */
export function humanBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** One progress line: `  model.onnx  download  [######----]  60%  1.20 MB / 2.00 MB`. */
export function progressLine(
  file: string,
  phase: string,
  bytes: number,
  total: number | null,
  width = 24,
): string {
  const label = `  ${file}  ${phase.padEnd(8)}`;
  if (total === null || total <= 0) return `${label}  ${humanBytes(bytes)}`;
  const fraction = Math.min(1, Math.max(0, bytes / total));
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label}  [${bar}] ${percent}  ${humanBytes(bytes)} / ${humanBytes(total)}`;
}

/**
 * Which 10 % step a progress figure has reached, for logs that are not terminals: a line is
 * printed only when the step changes. Unknown totals count in steps of 10 MB instead.
 */
export function progressStep(bytes: number, total: number | null): number {
  if (total === null || total <= 0) return Math.floor(bytes / 10_000_000);
  return Math.floor(Math.min(1, bytes / total) * 10);
}

/** Rows as plain-text columns, two spaces apart (the CLI's model list and install plan). */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
