/** Helpers for the tests in this folder: build small masks from pictures and read them back. */

/** '#' (or any non-'.' character) = set. Rows must share one length. */
export function fromPicture(rows: readonly string[]): {
  mask: Uint8Array;
  width: number;
  height: number;
} {
  const width = rows[0].length;
  const mask = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    if (row.length !== width) throw new Error("fromPicture: ragged rows");
    for (let x = 0; x < width; x++) if (row[x] !== ".") mask[y * width + x] = 255;
  });
  return { mask, width, height: rows.length };
}

export function toPicture(mask: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y * width < mask.length; y++) {
    let row = "";
    for (let x = 0; x < width; x++) row += mask[y * width + x] ? "#" : ".";
    rows.push(row);
  }
  return rows;
}

export function fillRect(
  target: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  value: number,
): void {
  for (let y = y0; y < y1; y++) target.fill(value, y * width + x0, y * width + x1);
}

export function countSet(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v) n++;
  return n;
}

/** Index of the first differing element, or -1 (vitest's deep equality is slow on big arrays). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
