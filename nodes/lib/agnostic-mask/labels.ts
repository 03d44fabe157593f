/**
 * Leffa's 19-label human-parsing map (`leffa_utils/utils.py label_map`): ATR labels plus
 * "neck" (18), which Leffa derives from where the ATR and LIP parsers disagree about the face.
 */
export const LEFFA_LABELS = {
  background: 0,
  hat: 1,
  hair: 2,
  sunglasses: 3,
  upperClothes: 4,
  skirt: 5,
  pants: 6,
  dress: 7,
  belt: 8,
  leftShoe: 9,
  rightShoe: 10,
  head: 11,
  leftLeg: 12,
  rightLeg: 13,
  leftArm: 14,
  rightArm: 15,
  bag: 16,
  scarf: 17,
  neck: 18,
} as const;

export type LeffaLabelName = keyof typeof LEFFA_LABELS;

/** Labels are 0..LEFFA_LABEL_COUNT-1. */
export const LEFFA_LABEL_COUNT = 19;

/** 1 where `parsing` holds one of `labels`, else 0. */
export function labelMask(parsing: Uint8Array, labels: readonly number[]): Uint8Array {
  const lut = new Uint8Array(256);
  for (const label of labels) lut[label] = 1;
  const out = new Uint8Array(parsing.length);
  for (let i = 0; i < parsing.length; i++) out[i] = lut[parsing[i]];
  return out;
}
