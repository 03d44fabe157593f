/**
 * What a simulated user does next, and with which query: the action mix of the load bench. Pure
 * (the random source is a parameter), so the choices have tests (load-mix.test.ts).
 */

export const ACTIONS = [
  "list",
  "open",
  "save",
  "save-race",
  "fork",
  "share-page",
  "share-api",
  "gallery",
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Relative weights. Browsing dominates, as in a library people share; saves are frequent (the
 * editor saves every edit), and a few are two tabs of one person saving the same version at once,
 * the case optimistic concurrency exists for.
 */
export const ACTION_WEIGHTS: Readonly<Record<Action, number>> = {
  list: 22,
  open: 18,
  save: 22,
  "save-race": 3,
  fork: 5,
  "share-page": 12,
  "share-api": 13,
  gallery: 5,
};

/** `random` returns a number in [0, 1), as Math.random does. */
export function pickAction(
  random: () => number,
  weights: Readonly<Record<Action, number>> = ACTION_WEIGHTS,
): Action {
  const total = ACTIONS.reduce((sum, a) => sum + weights[a], 0);
  let r = random() * total;
  for (const action of ACTIONS) {
    r -= weights[action];
    if (r < 0) return action;
  }
  // Only reachable through rounding at the very top of the range.
  return ACTIONS.findLast((a) => weights[a] > 0) ?? ACTIONS[0];
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick: nothing to pick from");
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}

/** Words that occur in the seeded templates and the bench's own workflows, and one that does not. */
const SEARCHES = ["try", "pose", "upscale", "load", "Leffa", "nothing-matches-this"];
const TAGS = ["bench", "shared", "portrait"];
const SORTS = ["updated", "created", "name", "opened"];
const KINDS = ["all", "mine", "templates"];

/** The query string of one library listing, as the library page builds them. */
export function libraryQuery(random: () => number): string {
  const params = new URLSearchParams();
  params.set("sort", pick(random, SORTS));
  const r = random();
  if (r < 0.25) params.set("q", pick(random, SEARCHES));
  else if (r < 0.4) params.set("tag", pick(random, TAGS));
  params.set("kind", pick(random, KINDS));
  params.set("limit", random() < 0.5 ? "60" : "200");
  return params.toString();
}

/** A pause between actions: uniform over half to one and a half times the mean. */
export function thinkTime(random: () => number, meanMs: number): number {
  return meanMs * (0.5 + random());
}
