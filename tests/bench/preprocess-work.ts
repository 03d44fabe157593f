/**
 * The measurements behind `npm run bench:preprocess`, run inside a worker thread (as the studio
 * runs nodes in its runtime worker): Leffa's agnostic mask rules at 384×512, human-parsing
 * post-processing (SCHP ATR + LIP with the neck rule and hole filling, SegFormer), the
 * DensePose paste (head outputs resized onto the person box, rendered in Leffa's encoding), and
 * Leffa's garment centring (Pillow LANCZOS on RGBA and paste), and the OpenPose body
 * estimation after its network (maps back to 384×512, peaks, limbs, people, Leffa's 18 points).
 * Inputs are synthetic with the real shapes; only the time is measured.
 */
import { parentPort } from "node:worker_threads";
import {
  agnosticMask,
  type AgnosticModelType,
  type GarmentType,
} from "../../nodes/lib/agnostic-mask";
import { agnosticMaskHd } from "../../nodes/lib/agnostic-mask/hd";
import { keepLargestContour } from "../../nodes/lib/agnostic-mask/largest-component";
import { body, pose } from "../../nodes/lib/agnostic-mask/test-body";
import { createImage } from "../../nodes/core/image";
import { decodeDensePose, renderDensePose } from "../../nodes/lib/densepose/run";
import { addNeck, fillClothHoles, fillClothHolesPick } from "../../nodes/lib/parsing/refine";
import { schpInput, schpLabels } from "../../nodes/lib/parsing/schp";
import { segformerLabels } from "../../nodes/lib/parsing/segformer";
import { centreGarment } from "../../nodes/lib/garment-prep";
import { estimateBody } from "../../nodes/lib/openpose/body";
import { arraySource } from "../../nodes/lib/openpose/peaks";
import { firstPersonAsLeffa } from "../../nodes/lib/openpose/reindex";
import { networkMaps, standingPerson } from "../../nodes/lib/openpose/test-people";
import { upsampleForBody, upsamplePlanes } from "../../nodes/lib/openpose/upsample";
import { centreGarmentBefore, schpInputBefore, schpLabelsBefore } from "./preprocess-baseline";

export interface PreprocessTiming {
  readonly label: string;
  readonly medianMs: number;
  readonly targetMs?: number;
  /** The same work before it was made OpenCV- or Pillow-exact, measured in the same run. */
  readonly beforeMs?: number;
  /** What `beforeMs` measured, when it is not the work before exactness. */
  readonly beforeLabel?: string;
}

/** Medians of two pieces of work timed in alternation, so load changes hit both alike. */
function timePair(
  after: () => unknown,
  before: () => unknown,
  runs: number,
): { medianMs: number; beforeMs: number } {
  for (let i = 0; i < 3; i++) {
    after();
    before();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    after();
    a.push(performance.now() - start);
    start = performance.now();
    before();
    b.push(performance.now() - start);
  }
  return { medianMs: median(a), beforeMs: median(b) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time of `runs` calls after `warmup` unmeasured ones. */
function time(work: () => unknown, runs: number, warmup = 3): number {
  for (let i = 0; i < warmup; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Seeded logits in [-4, 4): the post-processing cost does not depend on the values. */
function logits(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32) * 8 - 4;
  }
  return out;
}

function measure(): PreprocessTiming[] {
  const results: PreprocessTiming[] = [];
  const parsing = body();
  const keypoints = pose();
  const rules: [AgnosticModelType, GarmentType][] = [
    ["viton_hd", "upper_body"],
    ["viton_hd", "lower_body"],
    ["viton_hd", "dresses"],
    ["dress_code", "upper_body"],
    ["dress_code", "lower_body"],
    ["dress_code", "dresses"],
  ];
  for (const [modelType, garment] of rules) {
    results.push({
      label: `mask rules ${modelType} / ${garment}, 384×512`,
      medianMs: time(() => agnosticMask({ parsing, keypoints, modelType, garment }), 30),
      targetMs: 20,
    });
  }

  // refine_mask: the largest region filled as traced (before) vs OpenCV's TC89_L1 contours and
  // filled polygon (after), the whole HD rule timed both ways.
  for (const garment of ["upper_body", "lower_body"] as const) {
    results.push({
      label: `HD mask ${garment}, OpenCV-exact refine_mask, 384×512`,
      ...timePair(
        () => agnosticMaskHd(parsing, 384, 512, keypoints, garment),
        () => agnosticMaskHd(parsing, 384, 512, keypoints, garment, keepLargestContour),
        30,
      ),
    });
  }

  // SCHP's input warp of a 384×512 person into ATR's 512² and LIP's 473².
  const person = createImage(384, 512);
  const pixels = logits(person.data.length, 8);
  for (let i = 0; i < pixels.length; i++) person.data[i] = (pixels[i] + 4) * 31;
  results.push({
    label: "SCHP ATR + LIP input warps (cv2.warpAffine uint8), 384×512",
    ...timePair(
      () => [schpInput(person, 512), schpInput(person, 473)],
      () => [schpInputBefore(person, 512), schpInputBefore(person, 473)],
      7,
    ),
  });

  // SCHP's fusion logits are a quarter of its input: ATR 512 → 128², LIP 473 → 119².
  const atr = logits(18 * 128 * 128, 1);
  const lip = logits(20 * 119 * 119, 2);
  results.push({
    label: "SCHP ATR + LIP post-processing, neck, holes, 384×512",
    ...timePair(
      () => {
        const a = schpLabels(atr, [1, 18, 128, 128], 512, 384, 512);
        const l = schpLabels(lip, [1, 20, 119, 119], 473, 384, 512);
        return fillClothHoles(addNeck(a, l), 384, 512);
      },
      () => {
        const a = schpLabelsBefore(atr, [1, 18, 128, 128], 512, 384, 512);
        const l = schpLabelsBefore(lip, [1, 20, 119, 119], 473, 384, 512);
        return fillClothHolesPick(addNeck(a, l), 384, 512);
      },
      7,
    ),
  });
  const seg = logits(18 * 128 * 128, 3);
  results.push({
    label: "SegFormer post-processing, 384×512",
    medianMs: time(() => segformerLabels(seg, [1, 18, 128, 128], 384, 512), 5),
  });

  // One person on a 768×1024 photo: the 112² head maps pasted onto a 560×940 box.
  const plane = 112 * 112;
  const head = {
    fineSegm: logits(25 * plane, 4),
    u: logits(25 * plane, 5),
    v: logits(25 * plane, 6),
    coarseSegm: logits(2 * plane, 7),
    outWidth: 112,
    outHeight: 112,
  };
  const box = { x: 104, y: 60, width: 560, height: 940 };
  results.push({
    label: "DensePose paste (560×940 box) + VITON-HD render, 768×1024",
    medianMs: time(() => {
      const instance = decodeDensePose(head, box, box);
      return renderDensePose([instance], 768, 1024, "viton_hd");
    }, 5),
  });

  // A 1000×1200 cut-out whose garment (a soft-edged ellipse, 900×1100) becomes a 1100² square
  // resized to 768²: a typical downscale for a product photo.
  const garment = createImage(1000, 1200);
  for (let y = 0; y < 1200; y++) {
    for (let x = 0; x < 1000; x++) {
      const d = Math.hypot((x - 500) / 450, (y - 600) / 550);
      const alpha = d < 0.95 ? 255 : d > 1 ? 0 : Math.round(((1 - d) / 0.05) * 255);
      garment.data.set([x & 255, y & 255, (x + y) & 255, alpha], (y * 1000 + x) * 4);
    }
  }
  results.push({
    label: "garment centring (Pillow LANCZOS RGBa + paste), 1000×1200",
    ...timePair(
      () => centreGarment(garment),
      () => centreGarmentBefore(garment),
      5,
    ),
  });
  // OpenPose body estimation after the network, as Leffa's app runs it: two people on the 384×512
  // person, the network's stride-8 maps (18×23 for the 144×184 padded input) back to 384×512,
  // peaks, limbs, people and the first person's 18 points. The baseline makes every map whole
  // (all 18 heatmaps upsampled and smoothed in full, as the annotator does in numpy).
  const { heatmaps, pafs } = networkMaps([
    { parts: standingPerson(110, 60) },
    { parts: standingPerson(270, 80), strength: 0.8 },
  ]);
  const geometry = { scaledWidth: 138, scaledHeight: 184, width: 384, height: 512 };
  const leffaPoints = (maps: Parameters<typeof estimateBody>[0]) => {
    const estimate = estimateBody(maps);
    return firstPersonAsLeffa(estimate.candidates, estimate.people, 384, 512);
  };
  results.push({
    label: "OpenPose body post-processing (maps, peaks, limbs, people), 384×512",
    ...timePair(
      () => leffaPoints(upsampleForBody(heatmaps, pafs, geometry, 18)),
      () => {
        const lazy = upsampleForBody(heatmaps, pafs, geometry, 18);
        const planes = upsamplePlanes(heatmaps, geometry, 18);
        return leffaPoints({
          ...lazy,
          heatmap: (part) => arraySource(planes[part], 384, 512),
        });
      },
      7,
    ),
    targetMs: 50,
    beforeLabel: "whole maps",
  });
  return results;
}

parentPort?.postMessage(measure());
