import { assemblePeople } from "./assemble";
import { LIMB_SEQ, limbConnections, type Connection } from "./connections";
import { findAllPeaks, type HeatmapSource, type Peak } from "./peaks";

/**
 * The annotator's body estimation after the network (`Body.__call__` from the averaged maps on):
 * heatmap peaks, limb connections from the PAFs, person assembly.
 */

export const BODY_PARTS = 18;

/** Heatmaps and PAFs at the photo's size, as the annotator holds them after upsampling. */
export interface BodyMaps {
  readonly width: number;
  readonly height: number;
  /** Part p's heatmap (0..17) at the photo's size. */
  heatmap(part: number): HeatmapSource;
  /** PAF channel c (0..37) at pixel (x, y). */
  paf(channel: number, x: number, y: number): number;
}

export interface BodyEstimate {
  /** Every peak of every part, by id (the annotator's `candidate`). */
  readonly candidates: readonly Peak[];
  /** People as 20-number rows (the annotator's `subset`). */
  readonly people: readonly Float64Array[];
}

export function estimateBody(maps: BodyMaps, signal?: AbortSignal): BodyEstimate {
  const peaks = findAllPeaks((p) => maps.heatmap(p), BODY_PARTS, signal);
  const connections: (Connection[] | undefined)[] = LIMB_SEQ.map(([a, b], k) =>
    limbConnections(peaks[a - 1], peaks[b - 1], k, (c, x, y) => maps.paf(c, x, y), maps.height),
  );
  return { candidates: peaks.flat(), people: assemblePeople(connections, peaks.flat()) };
}
