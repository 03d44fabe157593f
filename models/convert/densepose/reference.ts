import {
  DECODER_COMMON_STRIDE,
  FPN_LEVELS,
  FROZEN_BN_EPS,
  HEAD_CONVS,
  PIXEL_MEAN,
  PIXEL_STD,
  POOLER,
  RESNET_STAGES,
  SIZE_DIVISIBILITY,
  UP_SCALE,
} from "./config";

/**
 * A plain float64 forward pass of DensePose R50-FPN for one box covering the whole image, written
 * from detectron2's modules with direct loops and fed the checkpoint's raw tensors by their
 * detectron2 names: FrozenBatchNorm applied as such (not folded), torch's interpolation and
 * torchvision's RoIAlign spelled out. It shares only the config constants with the converter, so a
 * wrong fold, layout, padding or resize rule in the ONNX graph shows up as a mismatch. Slow by
 * design: meant for tiny widths and small images.
 */

/** A (channels, height, width) map, row-major per channel. */
export interface Map3 {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float64Array;
}

export interface RawTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export type RawWeights = ReadonlyMap<string, RawTensor>;

export function map3(channels: number, height: number, width: number): Map3 {
  return { channels, height, width, data: new Float64Array(channels * height * width) };
}

function tensor(weights: RawWeights, key: string): RawTensor {
  const t = weights.get(key);
  if (!t) throw new Error(`reference: no tensor ${key}`);
  return t;
}

/** Cross-correlation as torch's Conv2d, zero padding `pad` on every side. */
export function conv2d(
  x: Map3,
  weight: RawTensor,
  bias: RawTensor | undefined,
  stride: number,
  pad: number,
): Map3 {
  const [outC, inC, kh, kw] = weight.shape;
  if (inC !== x.channels)
    throw new Error(`reference conv: ${inC} in-channels, map has ${x.channels}`);
  const outH = Math.floor((x.height + 2 * pad - kh) / stride) + 1;
  const outW = Math.floor((x.width + 2 * pad - kw) / stride) + 1;
  const y = map3(outC, outH, outW);
  const w = weight.data;
  for (let o = 0; o < outC; o++) {
    const b = bias ? bias.data[o] : 0;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let sum = b;
        for (let i = 0; i < inC; i++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * stride - pad + ky;
            if (iy < 0 || iy >= x.height) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * stride - pad + kx;
              if (ix < 0 || ix >= x.width) continue;
              sum +=
                x.data[(i * x.height + iy) * x.width + ix] * w[((o * inC + i) * kh + ky) * kw + kx];
            }
          }
        }
        y.data[(o * outH + oy) * outW + ox] = sum;
      }
    }
  }
  return y;
}

/** torch's ConvTranspose2d: weight [in, out, k, k]; each input pixel scatters a k×k patch. */
export function convTranspose2d(
  x: Map3,
  weight: RawTensor,
  bias: RawTensor,
  stride: number,
  pad: number,
): Map3 {
  const [inC, outC, kh, kw] = weight.shape;
  if (inC !== x.channels)
    throw new Error(`reference deconv: ${inC} in-channels, map has ${x.channels}`);
  const outH = (x.height - 1) * stride - 2 * pad + kh;
  const outW = (x.width - 1) * stride - 2 * pad + kw;
  const y = map3(outC, outH, outW);
  for (let o = 0; o < outC; o++) y.data.fill(bias.data[o], o * outH * outW, (o + 1) * outH * outW);
  for (let i = 0; i < inC; i++) {
    for (let iy = 0; iy < x.height; iy++) {
      for (let ix = 0; ix < x.width; ix++) {
        const v = x.data[(i * x.height + iy) * x.width + ix];
        for (let o = 0; o < outC; o++) {
          for (let ky = 0; ky < kh; ky++) {
            const oy = iy * stride - pad + ky;
            if (oy < 0 || oy >= outH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ox = ix * stride - pad + kx;
              if (ox < 0 || ox >= outW) continue;
              y.data[(o * outH + oy) * outW + ox] +=
                v * weight.data[((i * outC + o) * kh + ky) * kw + kx];
            }
          }
        }
      }
    }
  }
  return y;
}

/** detectron2's FrozenBatchNorm2d: (x − running_mean) / √(running_var + eps) · weight + bias. */
function frozenBatchNorm(x: Map3, weights: RawWeights, prefix: string): Map3 {
  const [gamma, beta, mean, variance] = ["weight", "bias", "running_mean", "running_var"].map(
    (p) => tensor(weights, `${prefix}.${p}`).data,
  );
  const plane = x.height * x.width;
  for (let c = 0; c < x.channels; c++) {
    const inv = 1 / Math.sqrt(variance[c] + FROZEN_BN_EPS);
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      x.data[i] = (x.data[i] - mean[c]) * inv * gamma[c] + beta[c];
    }
  }
  return x;
}

function relu(x: Map3): Map3 {
  for (let i = 0; i < x.data.length; i++) if (x.data[i] < 0) x.data[i] = 0;
  return x;
}

function add(a: Map3, b: Map3): Map3 {
  if (a.data.length !== b.data.length) throw new Error("reference add: shapes differ");
  const y = map3(a.channels, a.height, a.width);
  for (let i = 0; i < y.data.length; i++) y.data[i] = a.data[i] + b.data[i];
  return y;
}

/** F.max_pool2d(kernel 3, stride 2, padding 1): padding never wins. */
function maxPool3x3s2(x: Map3): Map3 {
  const outH = Math.floor((x.height + 2 - 3) / 2) + 1;
  const outW = Math.floor((x.width + 2 - 3) / 2) + 1;
  const y = map3(x.channels, outH, outW);
  for (let c = 0; c < x.channels; c++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        let best = -Infinity;
        for (let iy = oy * 2 - 1; iy <= oy * 2 + 1; iy++) {
          for (let ix = ox * 2 - 1; ix <= ox * 2 + 1; ix++) {
            if (iy >= 0 && iy < x.height && ix >= 0 && ix < x.width) {
              best = Math.max(best, x.data[(c * x.height + iy) * x.width + ix]);
            }
          }
        }
        y.data[(c * outH + oy) * outW + ox] = best;
      }
    }
  }
  return y;
}

/** F.interpolate(scale_factor=2, mode="nearest"): output pixel d reads input pixel ⌊d / 2⌋. */
function upsampleNearest2(x: Map3): Map3 {
  const y = map3(x.channels, x.height * 2, x.width * 2);
  for (let c = 0; c < x.channels; c++) {
    for (let oy = 0; oy < y.height; oy++) {
      for (let ox = 0; ox < y.width; ox++) {
        y.data[(c * y.height + oy) * y.width + ox] =
          x.data[(c * x.height + (oy >> 1)) * x.width + (ox >> 1)];
      }
    }
  }
  return y;
}

/** Source index pair and weight of torch's linear interpolation (align_corners False). */
function linearTap(dst: number, factor: number, size: number): [number, number, number] {
  const src = Math.max((dst + 0.5) / factor - 0.5, 0);
  const i0 = Math.min(Math.floor(src), size - 1);
  const i1 = Math.min(i0 + 1, size - 1);
  return [i0, i1, src - i0];
}

/** F.interpolate(scale_factor=f, mode="bilinear", align_corners=False). */
export function upsampleBilinear(x: Map3, factor: number): Map3 {
  const y = map3(x.channels, x.height * factor, x.width * factor);
  for (let oy = 0; oy < y.height; oy++) {
    const [y0, y1, ly] = linearTap(oy, factor, x.height);
    for (let ox = 0; ox < y.width; ox++) {
      const [x0, x1, lx] = linearTap(ox, factor, x.width);
      for (let c = 0; c < x.channels; c++) {
        const at = (yy: number, xx: number) => x.data[(c * x.height + yy) * x.width + xx];
        const top = at(y0, x0) * (1 - lx) + at(y0, x1) * lx;
        const bottom = at(y1, x0) * (1 - lx) + at(y1, x1) * lx;
        y.data[(c * y.height + oy) * y.width + ox] = top * (1 - ly) + bottom * ly;
      }
    }
  }
  return y;
}

/** torchvision's bilinear sample: zero beyond one pixel outside, edge-clamped within it. */
function bilinearSample(x: Map3, c: number, yIn: number, xIn: number): number {
  if (yIn < -1 || yIn > x.height || xIn < -1 || xIn > x.width) return 0;
  let yy = Math.max(yIn, 0);
  let xx = Math.max(xIn, 0);
  let y0 = Math.floor(yy);
  let x0 = Math.floor(xx);
  let y1 = y0 + 1;
  let x1 = x0 + 1;
  if (y0 >= x.height - 1) {
    y0 = y1 = x.height - 1;
    yy = y0;
  }
  if (x0 >= x.width - 1) {
    x0 = x1 = x.width - 1;
    xx = x0;
  }
  const ly = yy - y0;
  const lx = xx - x0;
  const at = (r: number, q: number) => x.data[(c * x.height + r) * x.width + q];
  return (
    (1 - ly) * (1 - lx) * at(y0, x0) +
    (1 - ly) * lx * at(y0, x1) +
    ly * (1 - lx) * at(y1, x0) +
    ly * lx * at(y1, x1)
  );
}

/**
 * torchvision's roi_align for one box [x1, y1, x2, y2] in image pixels: aligned shifts the box by
 * half a feature pixel; unaligned clamps its sides to at least one pixel. Each output bin averages
 * samplingRatio² bilinear samples at the centres of a regular grid.
 */
export function roiAlign(
  x: Map3,
  box: readonly [number, number, number, number],
  options: { resolution: number; samplingRatio: number; scale: number; aligned: boolean },
): Map3 {
  const { resolution: n, samplingRatio: s, scale, aligned } = options;
  const offset = aligned ? 0.5 : 0;
  const x1 = box[0] * scale - offset;
  const y1 = box[1] * scale - offset;
  let w = box[2] * scale - offset - x1;
  let h = box[3] * scale - offset - y1;
  if (!aligned) {
    w = Math.max(w, 1);
    h = Math.max(h, 1);
  }
  const binW = w / n;
  const binH = h / n;
  const y = map3(x.channels, n, n);
  for (let c = 0; c < x.channels; c++) {
    for (let py = 0; py < n; py++) {
      for (let px = 0; px < n; px++) {
        let sum = 0;
        for (let iy = 0; iy < s; iy++) {
          const yy = y1 + py * binH + ((iy + 0.5) * binH) / s;
          for (let ix = 0; ix < s; ix++) {
            const xx = x1 + px * binW + ((ix + 0.5) * binW) / s;
            sum += bilinearSample(x, c, yy, xx);
          }
        }
        y.data[(c * n + py) * n + px] = sum / (s * s);
      }
    }
  }
  return y;
}

export interface DensePoseReferenceOutputs {
  readonly fine_segm: Map3;
  readonly u: Map3;
  readonly v: Map3;
  readonly coarse_segm: Map3;
}

/**
 * `image` is BGR 0..255, (3, H, W); `box` [x1, y1, x2, y2] in its pixels is the RoI pooled (the
 * whole image by default, as for a crop).
 */
export function densePoseReference(
  weights: RawWeights,
  image: Map3,
  box: readonly [number, number, number, number] = [0, 0, image.width, image.height],
): DensePoseReferenceOutputs {
  const w = (key: string) => tensor(weights, key);
  const convBn = (x: Map3, prefix: string, stride: number, pad: number) =>
    frozenBatchNorm(
      conv2d(x, w(`${prefix}.weight`), undefined, stride, pad),
      weights,
      prefix + ".norm",
    );
  const convBias = (x: Map3, prefix: string, pad: number) =>
    conv2d(x, w(`${prefix}.weight`), w(`${prefix}.bias`), 1, pad);

  // Normalise, then pad bottom and right with zeros to a multiple of 32 (ImageList).
  const round = (n: number) => Math.ceil(n / SIZE_DIVISIBILITY) * SIZE_DIVISIBILITY;
  let x = map3(3, round(image.height), round(image.width));
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < image.height; r++) {
      for (let q = 0; q < image.width; q++) {
        x.data[(c * x.height + r) * x.width + q] =
          (image.data[(c * image.height + r) * image.width + q] - PIXEL_MEAN[c]) / PIXEL_STD[c];
      }
    }
  }

  // ResNet: stem, then bottleneck blocks (stride on conv1: STRIDE_IN_1X1).
  x = maxPool3x3s2(relu(convBn(x, "backbone.bottom_up.stem.conv1", 2, 3)));
  const stages: Map3[] = [];
  for (const stage of RESNET_STAGES) {
    for (let b = 0; b < stage.blocks; b++) {
      const p = `backbone.bottom_up.${stage.name}.${b}`;
      const stride = b === 0 ? stage.firstStride : 1;
      let y = relu(convBn(x, `${p}.conv1`, stride, 0));
      y = relu(convBn(y, `${p}.conv2`, 1, 1));
      y = convBn(y, `${p}.conv3`, 1, 0);
      const shortcut = b === 0 ? convBn(x, `${p}.shortcut`, stride, 0) : x;
      x = relu(add(y, shortcut));
    }
    stages.push(x);
  }

  // FPN (fuse "sum").
  const pyramid: Map3[] = [];
  let top: Map3 | undefined;
  for (let i = FPN_LEVELS.length - 1; i >= 0; i--) {
    const level = FPN_LEVELS[i].level;
    const lateral = convBias(stages[i], `backbone.fpn_lateral${level}`, 0);
    top = top ? add(lateral, upsampleNearest2(top)) : lateral;
    pyramid[i] = convBias(top, `backbone.fpn_output${level}`, 1);
  }

  // Decoder (Panoptic FPN semantic head without its final upsampling).
  let merged: Map3 | undefined;
  FPN_LEVELS.forEach(({ level, stride }, i) => {
    let y = pyramid[i];
    const steps = Math.max(1, Math.log2(stride / DECODER_COMMON_STRIDE));
    for (let k = 0; k < steps; k++) {
      y = relu(
        convBias(
          y,
          `roi_heads.decoder.p${level}.${stride === DECODER_COMMON_STRIDE ? k : 2 * k}`,
          1,
        ),
      );
      if (stride !== DECODER_COMMON_STRIDE) y = upsampleBilinear(y, 2);
    }
    merged = merged ? add(merged, y) : y;
  });
  const features = convBias(merged as Map3, "roi_heads.decoder.predictor", 0);

  let head = roiAlign(features, box, POOLER);
  for (let i = 1; i <= HEAD_CONVS; i++) {
    head = relu(convBias(head, `roi_heads.densepose_head.body_conv_fcn${i}`, 1));
  }
  const out = (module: string) => {
    const p = `roi_heads.densepose_predictor.${module}`;
    return upsampleBilinear(
      convTranspose2d(head, w(`${p}.weight`), w(`${p}.bias`), 2, 1),
      UP_SCALE,
    );
  };
  return {
    fine_segm: out("index_uv_lowres"),
    u: out("u_lowres"),
    v: out("v_lowres"),
    coarse_segm: out("ann_index_lowres"),
  };
}
