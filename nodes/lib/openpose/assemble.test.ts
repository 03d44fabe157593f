import { describe, expect, it } from "vitest";
import { assemblePeople } from "./assemble";
import type { Connection } from "./connections";
import type { Peak } from "./peaks";

/** Peaks 0..n−1 with the given scores (positions do not matter to the assembly). */
const peaks = (scores: number[]): Peak[] => scores.map((score, id) => ({ x: id, y: 0, score, id }));
const link = (idA: number, idB: number, score: number): Connection => ({
  idA,
  idB,
  score,
  i: 0,
  j: 0,
});
const limbs = (byLimb: Record<number, Connection[]>) =>
  Array.from({ length: 19 }, (_, k) => byLimb[k]);

describe("assemblePeople", () => {
  it("grows one person limb by limb: score = Σ part scores + Σ connection scores", () => {
    // Limb 0: neck(1)–R shoulder(2); limb 2: R shoulder–R elbow(3); limb 3: elbow–wrist(4).
    const candidates = peaks([0.9, 0.8, 0.7, 0.6]);
    const people = assemblePeople(
      limbs({ 0: [link(0, 1, 0.5)], 2: [link(1, 2, 0.4)], 3: [link(2, 3, 0.3)] }),
      candidates,
    );
    expect(people).toHaveLength(1);
    const row = Array.from(people[0]);
    expect(row.slice(0, 5)).toEqual([-1, 0, 1, 2, 3]);
    expect(row[19]).toBe(4);
    expect(row[18]).toBe(0.9 + 0.8 + 0.5 + (0.7 + 0.4) + (0.6 + 0.3));
  });

  it("merges two people that share no part when a limb joins them, adding the limb's score", () => {
    // Person 1: neck 0 – R shoulder 1 – R elbow 2 – R wrist 3 (limbs 0, 2, 3);
    // person 2: R hip 4 – R knee 5 – R ankle 6 (limbs 7, 8); limb 6 neck–R hip joins them.
    const candidates = peaks([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    const people = assemblePeople(
      limbs({
        0: [link(0, 1, 1)],
        2: [link(1, 2, 1)],
        3: [link(2, 3, 1)],
        6: [link(0, 4, 0.25)],
        7: [link(4, 5, 1)],
        8: [link(5, 6, 1)],
      }),
      candidates,
    );
    expect(people).toHaveLength(1);
    const row = Array.from(people[0]);
    expect([row[1], row[2], row[3], row[4], row[8], row[9], row[10]]).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(row[19]).toBe(7);
  });

  it("starts nobody from the ear–shoulder limbs and drops people with < 4 parts or a low average", () => {
    // Peaks 0..3 score 0.9, 4..7 score 0.1, 8..10 score 0.9.
    const candidates = peaks([0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9]);
    // Each person: limb 6 neck → R hip starts it, limb 7 R hip → R knee, limb 8 R knee → R ankle.
    const person = (neck: number, s: number) => ({
      6: link(neck, neck + 1, s),
      7: link(neck + 1, neck + 2, s),
      8: link(neck + 2, neck + 3, s),
    });
    const strong = person(0, 0.9);
    const weak = person(4, 0.1);
    const people = assemblePeople(
      limbs({
        // R shoulder → R ear (limb 17) never starts a person.
        17: [link(8, 9, 1)],
        // Three parts only: neck 8 → R hip 9 → R knee 10.
        6: [strong[6], weak[6], link(8, 9, 1)],
        7: [strong[7], weak[7], link(9, 10, 1)],
        8: [strong[8], weak[8]],
      }),
      candidates,
    );
    // The weak one: 4 parts, (4 × 0.1 + 3 × 0.1) / 4 = 0.175 < 0.4.
    expect(people.map((row) => [row[1], row[8], row[9], row[10], row[19]])).toEqual([
      [0, 1, 2, 3, 4],
    ]);
    expect(people[0][18]).toBeCloseTo(4 * 0.9 + 3 * 0.9, 12);
  });

  it("fails as the annotator does when a connection matches three people", () => {
    // Limb 2 (R shoulder → R elbow) starts three people; limb 3 (R elbow → R wrist) gives wrist
    // 99 to person 1, then to person 0 too (two matches sharing parts: the first is updated),
    // and its third connection matches person 2 by its elbow and persons 0 and 1 by the wrist.
    const candidates = peaks(new Array(100).fill(0.9));
    const connections = limbs({
      2: [link(10, 20, 1), link(11, 21, 1), link(12, 22, 1)],
      3: [link(21, 99, 1), link(20, 99, 1), link(22, 99, 1)],
    });
    expect(() => assemblePeople(connections, candidates)).toThrow(/three people/);
  });
});
