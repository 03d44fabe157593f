import { LIMB_SEQ, type Connection } from "./connections";
import type { Peak } from "./peaks";

/**
 * The annotator's person assembly (`Body.__call__`, the `subset` loop): limb by limb, each
 * connection joins the person holding either end — one person: its B end is set (if new) and
 * the score grows by the B peak's score and the connection's; two people: merged when they share
 * no part, else treated like one; nobody: a new person for limbs 0..16 (the two ear–shoulder
 * limbs never start one). Rows have 20 numbers: 18 peak ids (−1 when missing), the total score
 * and the part count. People with fewer than 4 parts or an average score under 0.4 are dropped.
 */

export const PERSON_ROW = 20;
const SCORE = PERSON_ROW - 2;
const COUNT = PERSON_ROW - 1;
export const MIN_PARTS = 4;
export const MIN_AVERAGE_SCORE = 0.4;

export class AssemblyError extends Error {
  override readonly name = "AssemblyError";
}

/**
 * `connections[k]` is limb k's list, or undefined where one of its parts had no candidate;
 * `candidates` is every peak indexed by id.
 */
export function assemblePeople(
  connections: readonly (readonly Connection[] | undefined)[],
  candidates: readonly Peak[],
): Float64Array[] {
  let subset: Float64Array[] = [];
  connections.forEach((limb, k) => {
    if (!limb) return;
    const indexA = LIMB_SEQ[k][0] - 1;
    const indexB = LIMB_SEQ[k][1] - 1;
    for (const c of limb) {
      const found: number[] = [];
      subset.forEach((row, j) => {
        if (row[indexA] === c.idA || row[indexB] === c.idB) {
          // The annotator keeps two slots (subset_idx = [-1, -1]): a third match is an
          // IndexError there, so it cannot produce a result to reproduce.
          if (found.length === 2) {
            throw new AssemblyError(
              `limb ${k}: a connection matches three people (the annotator fails here too)`,
            );
          }
          found.push(j);
        }
      });
      if (found.length === 1) {
        const row = subset[found[0]];
        if (row[indexB] !== c.idB) {
          row[indexB] = c.idB;
          row[COUNT] += 1;
          row[SCORE] += candidates[c.idB].score + c.score;
        }
      } else if (found.length === 2) {
        const [j1, j2] = found;
        const a = subset[j1];
        const b = subset[j2];
        let shared = false;
        for (let p = 0; p < SCORE; p++) if (a[p] >= 0 && b[p] >= 0) shared = true;
        if (!shared) {
          for (let p = 0; p < SCORE; p++) a[p] += b[p] + 1;
          a[SCORE] += b[SCORE];
          a[COUNT] += b[COUNT];
          a[SCORE] += c.score;
          subset = subset.filter((_, j) => j !== j2);
        } else {
          a[indexB] = c.idB;
          a[COUNT] += 1;
          a[SCORE] += candidates[c.idB].score + c.score;
        }
      } else if (k < 17) {
        const row = new Float64Array(PERSON_ROW).fill(-1);
        row[indexA] = c.idA;
        row[indexB] = c.idB;
        row[COUNT] = 2;
        row[SCORE] = candidates[c.idA].score + candidates[c.idB].score + c.score;
        subset.push(row);
      }
    }
  });
  return subset.filter(
    (row) => !(row[COUNT] < MIN_PARTS || row[SCORE] / row[COUNT] < MIN_AVERAGE_SCORE),
  );
}
