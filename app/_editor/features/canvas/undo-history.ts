/**
 * Undo/redo as a bounded stack of document snapshots. Each recorded edit pushes the state from
 * before it; rapid edits of the same field (same group key within the window) share one entry,
 * so typing "1024" is one undo step, not four. Selection and measurements never reach here.
 */
export interface History<T> {
  readonly past: readonly T[];
  readonly future: readonly T[];
  readonly lastGroup?: { readonly key: string; readonly at: number };
}

export const HISTORY_LIMIT = 100;
export const GROUP_WINDOW_MS = 1000;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [] };
}

/** Records `before` (the state prior to an edit). */
export function record<T>(
  h: History<T>,
  before: T,
  groupKey?: string,
  now = Date.now(),
): History<T> {
  const grouped =
    groupKey !== undefined &&
    h.lastGroup?.key === groupKey &&
    now - h.lastGroup.at < GROUP_WINDOW_MS &&
    h.past.length > 0;
  const lastGroup = groupKey !== undefined ? { key: groupKey, at: now } : undefined;
  if (grouped) return { past: h.past, future: [], lastGroup };
  const past = [...h.past, before];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, future: [], lastGroup };
}

export function undo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.past.length) return null;
  const state = h.past[h.past.length - 1];
  return { history: { past: h.past.slice(0, -1), future: [current, ...h.future] }, state };
}

export function redo<T>(h: History<T>, current: T): { history: History<T>; state: T } | null {
  if (!h.future.length) return null;
  const [state, ...future] = h.future;
  return { history: { past: [...h.past, current], future }, state };
}
