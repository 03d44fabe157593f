/**
 * The Leffa loss a Flow Field node reports in its text (nodes/flow-field.ts:
 * "Leffa loss (masked L2) 0.0123 over 4567 px"), for the batch's CSV and grid; null when the
 * text has none (the flow is off, or the mask was empty).
 */
export function leffaLossFromText(text: string | undefined): number | null {
  const match = /Leffa loss \(masked L2\) (\d+(?:\.\d+)?(?:e[-+]?\d+)?)/.exec(text ?? "");
  return match ? Number(match[1]) : null;
}
