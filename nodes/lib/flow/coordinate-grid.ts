/**
 * The normalised coordinate map C of leffa.md §3.1 step 3: one (x, y) per token of an h × w grid,
 * token i at row ⌊i / w⌋, column i mod w. x = linspace(−1, 1, w), y = linspace(−1, 1, h), the
 * align_corners=True convention (−1 and +1 are the centres of the first and last column/row), so
 * that a flow made of these coordinates can be fed to a grid sample directly.
 */

/** The i-th of `count` evenly spaced values from −1 to +1; a single sample sits at the centre 0. */
export function linspaceUnit(i: number, count: number): number {
  return count <= 1 ? 0 : -1 + (2 * i) / (count - 1);
}

/** C as [w·h·2] interleaved x, y (row-major tokens), float32 like the flow graph's `grid` input. */
export function coordinateGrid(gridWidth: number, gridHeight: number): Float32Array {
  checkGridSize(gridWidth, gridHeight);
  const out = new Float32Array(gridWidth * gridHeight * 2);
  for (let row = 0; row < gridHeight; row++) {
    const y = linspaceUnit(row, gridHeight);
    for (let col = 0; col < gridWidth; col++) {
      const i = row * gridWidth + col;
      out[2 * i] = linspaceUnit(col, gridWidth);
      out[2 * i + 1] = y;
    }
  }
  return out;
}

export function checkGridSize(gridWidth: number, gridHeight: number): void {
  for (const [name, value] of [
    ["gridWidth", gridWidth],
    ["gridHeight", gridHeight],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${name} must be a positive integer, got ${value}`);
    }
  }
}
