/**
 * OpenCV's CHAIN_APPROX_TC89_L1 (`contours_approx.cpp`): the Teh–Chin dominant-point detection
 * on a closed Freeman chain, with the L1 (1-curvature) measure. Ported pass by pass, including
 * the order in which later points see earlier points' cleared curvatures, so the kept vertices
 * are OpenCV's.
 */

/** Chain code → step, counter-clockwise on screen from east (y grows downwards). */
export const CHAIN_DX = [1, 1, 0, -1, -1, -1, 0, 1] as const;
export const CHAIN_DY = [0, -1, -1, -1, 0, 1, 1, 1] as const;

/** |turn| in 45° units between consecutive codes, indexed by cur − prev + 7. */
const ABS_DIFF = [1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1];

interface Items {
  x: number[];
  y: number[];
  /** Support-region radius. */
  k: number[];
  /** 1-curvature; 0 once cleared. */
  s: number[];
  removed: boolean[];
}

/**
 * The approximated polygon (x, y pairs) of the chain that starts at (ox, oy). An empty chain
 * (a lone pixel) gives the start point. `legacy` follows OpenCV ≤ 4.9 (`icvApproximateChainTC89`
 * in `contours.cpp`), whose last pass edits a linked list and, after dropping the second point
 * of one pair, fails to drop the first point of the next pair when that one is the weaker; the
 * default follows the rewrite in OpenCV 4.10+ (`contours_approx.cpp`), which today's
 * opencv-python wheels ship.
 */
export function approximateChainTc89L1(
  codes: readonly number[],
  ox: number,
  oy: number,
  legacy = false,
): number[] {
  const len = codes.length;
  if (len === 0) return [ox, oy];
  const it: Items = { x: [], y: [], k: [], s: [], removed: [] };
  // Pass 0: every chain point with its 1-curvature; straight-through points are dropped.
  let x = ox;
  let y = oy;
  for (let i = 0; i < len; i++) {
    const prev = codes[i === 0 ? len - 1 : i - 1];
    const cur = codes[i];
    const s = ABS_DIFF[cur - prev + 7];
    it.x.push(x);
    it.y.push(y);
    it.k.push(0);
    it.s.push(s);
    it.removed.push(s === 0);
    x += CHAIN_DX[cur];
    y += CHAIN_DY[cur];
  }
  // Pass 1: support regions.
  for (let i = 0; i < len; i++) if (!it.removed[i]) it.k[i] = support(it, i, len);
  // Pass 2: non-maxima suppression within half the support region.
  for (let i = 0; i < len; i++) {
    if (suppressed(it, i, len)) {
      it.s[i] = 0;
      it.removed[i] = true;
    }
  }
  // Pass 3: points with a 1-pixel support that do not dominate a neighbour.
  for (let i = 0; i < len; i++) {
    if (it.removed[i] || it.k[i] !== 1) continue;
    const i1 = i >= 1 ? i - 1 : len - 1 + i;
    const i2 = i + 1 < len ? i + 1 : i + 1 - len;
    if (it.s[i] <= it.s[i1] || it.s[i] <= it.s[i2]) {
      it.s[i] = 0;
      it.removed[i] = true;
    }
  }
  if (legacy) return legacyLastPass(it, len);
  // Pass 4 (L1 only): thin out runs of adjacent survivors.
  let startIdx = 0;
  let skip = false;
  if (it.s[0] !== 0 && it.s[len - 1] !== 0) {
    const found = newStart(it);
    if (found < 0) skip = true;
    else startIdx = found;
  }
  if (!skip) cleanup(it, startIdx);
  const out: number[] = [];
  for (let i = 0; i < it.x.length; i++) if (!it.removed[i]) out.push(it.x[i], it.y[i]);
  return out;
}

/** Teh–Chin support radius: grow k while the chord lengthens and the point stays on one side. */
function support(it: Items, i: number, len: number): number {
  let dNum = 0;
  let l = 0;
  for (let k = 1; ; k++) {
    if (k > len) throw new Error("TC89 support region exceeds the contour");
    const i1 = i >= k ? i - k : len - k + i;
    const i2 = i + k < len ? i + k : i + k - len;
    const dx = it.x[i2] - it.x[i1];
    const dy = it.y[i2] - it.y[i1];
    const lk = dx * dx + dy * dy;
    const dkNum = (it.x[i] - it.x[i1]) * dy - (it.y[i] - it.y[i1]) * dx;
    // OpenCV reads the sign bit of this value as a float; JavaScript's doubles keep the same
    // sign, signed zero included (−0 counts as negative there, as its int bits are).
    const d = dNum * lk - dkNum * l;
    const dNonPositive = d <= 0; // d.i <= 0
    const dNonNegative = d > 0 || Object.is(d, 0); // d.i >= 0
    if (k > 1 && (l >= lk || (dNum > 0 && dNonPositive) || (dNum < 0 && dNonNegative))) {
      return k - 1;
    }
    dNum = dkNum;
    l = lk;
  }
}

function suppressed(it: Items, i: number, len: number): boolean {
  const k2 = it.k[i] >> 1;
  const s = it.s[i];
  let j = 1;
  for (; j <= k2; j++) {
    const i1 = i >= j ? i - j : len - j + i;
    const i2 = i + j < len ? i + j : i + j - len;
    if (it.s[i1] > s || it.s[i2] > s) break;
  }
  return j <= k2;
}

function nextIdx(it: Items, start: number): number {
  const len = it.x.length;
  let res = start + 1;
  while (res < len && it.removed[res]) res++;
  return res;
}

function clearUntil(it: Items, start: number, finish: number): void {
  const len = it.x.length;
  for (let i = start + 1; i < finish && i < len; i++) it.removed[i] = true;
}

/**
 * OpenCV's `calc_new_start` when survivors wrap around the chain's start: clears curvatures at
 * both ends and returns the index pass 4 starts from, or −1 when every point survived.
 */
function newStart(it: Items): number {
  const len = it.x.length;
  let i1 = 1;
  for (; i1 < len && it.s[i1] !== 0; i1++) it.s[i1 - 1] = 0;
  if (i1 === len) return -1;
  i1--;
  let i2 = len - 2;
  for (; i2 > 0 && it.s[i2] !== 0; i2--) {
    clearUntil(it, i2, len);
    it.s[i2 + 1] = 0;
  }
  i2++;
  if (i1 === 0 && i2 === len - 1) {
    i1 = nextIdx(it, 0);
    // OpenCV appends a copy of the first point, kept.
    it.x.push(it.x[0]);
    it.y.push(it.y[0]);
    it.k.push(it.k[0]);
    it.s.push(it.s[0]);
    it.removed.push(false);
  }
  return i1;
}

/** Runs of index-adjacent survivors: a pair keeps its stronger point, a longer run its ends. */
function cleanup(it: Items, startIdx: number): void {
  let count = 1;
  const len = it.x.length;
  let first = startIdx;
  for (let i = startIdx, prev = startIdx; i < len; i++) {
    if (it.removed[i]) continue;
    const next = nextIdx(it, i);
    if (next === len || next - i !== 1) {
      if (count >= 2) {
        if (count === 2) {
          const s1 = it.s[prev];
          const s2 = it.s[i];
          if (s1 > s2 || (s1 === s2 && it.k[prev] <= it.k[i])) it.removed[i] = true;
          else it.removed[prev] = true;
        } else {
          first = nextIdx(it, first);
          clearUntil(it, first, i);
        }
      }
      first = i;
      count = 1;
    } else {
      count++;
    }
    prev = i;
  }
}

/** OpenCV ≤ 4.9's pass 4 on its linked list of survivors, pointer quirks included. */
function legacyLastPass(it: Items, len: number): number[] {
  const NIL = -1;
  const TEMP = -2; // the list head's sentinel
  const next = new Int32Array(len + 1).fill(NIL);
  let head = NIL;
  let last = TEMP;
  for (let i = 0; i < len; i++) {
    if (it.removed[i]) continue;
    if (last === TEMP) head = i;
    else next[last] = i;
    last = i;
  }
  const getNext = (e: number): number => (e === TEMP ? head : next[e]);
  const setNext = (e: number, v: number): void => {
    if (e === TEMP) head = v;
    else next[e] = v;
  };
  if (it.s[0] !== 0 && it.s[len - 1] !== 0) {
    let i1 = 1;
    for (; i1 < len && it.s[i1] !== 0; i1++) it.s[i1 - 1] = 0;
    if (i1 === len) return gatherList(it, head, next);
    i1--;
    let i2 = len - 2;
    for (; i2 > 0 && it.s[i2] !== 0; i2--) {
      next[i2] = NIL;
      it.s[i2 + 1] = 0;
    }
    i2++;
    if (i1 === 0 && i2 === len - 1) {
      i1 = next[0];
      it.x.push(it.x[0]);
      it.y.push(it.y[0]);
      it.k.push(it.k[0]);
      it.s.push(it.s[0]);
      it.removed.push(false);
      next[len] = NIL;
      next[len - 1] = len;
    }
    head = i1;
  }
  let cur = head;
  let first = TEMP;
  let prevCur = TEMP;
  let count = 1;
  while (cur !== NIL) {
    const n = next[cur];
    if (n === NIL || n - cur !== 1) {
      if (count >= 2) {
        if (count === 2) {
          const s1 = it.s[prevCur];
          const s2 = it.s[cur];
          if (s1 > s2 || (s1 === s2 && it.k[prevCur] <= it.k[cur])) next[prevCur] = next[cur];
          else setNext(first, cur);
        } else {
          next[getNext(first)] = cur;
        }
      }
      first = cur;
      count = 1;
    } else {
      count++;
    }
    prevCur = cur;
    cur = next[cur];
  }
  return gatherList(it, head, next);
}

function gatherList(it: Items, head: number, next: Int32Array): number[] {
  const out: number[] = [];
  for (let i = head; i !== -1; i = next[i]) out.push(it.x[i], it.y[i]);
  return out;
}
