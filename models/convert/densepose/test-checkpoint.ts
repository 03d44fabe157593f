import { mulberry32 } from "../../tiny/prng";
import { DECONV, FPN_LEVELS, HEAD_CONVS, PIXEL_MEAN, PIXEL_STD, RESNET_STAGES } from "./config";

/**
 * For tests: the tensors of a DensePose R-CNN R50-FPN checkpoint with detectron2's key names and
 * full depth (ResNet-50 blocks, FPN, decoder, 8 head convs, the four predictor deconvolutions, plus
 * the RPN / box-head keys the converter drops) but tiny, distinct widths, with seeded random
 * values. Weights are uniform in ±√(6 / fan-in) (He), so activations stay of order one.
 */

export interface TestTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

export interface TestWidths {
  readonly stem: number;
  /** Bottleneck and output widths of res2..res5. */
  readonly bottleneck: readonly number[];
  readonly stageOut: readonly number[];
  readonly fpn: number;
  readonly decoder: number;
  readonly decoderOut: number;
  readonly head: number;
}

export const TINY_WIDTHS: TestWidths = {
  stem: 4,
  bottleneck: [2, 3, 4, 5],
  stageOut: [8, 12, 16, 20],
  fpn: 6,
  decoder: 5,
  decoderOut: 7,
  head: 6,
};

export function testDensePoseTensors(
  seed = 1,
  widths: TestWidths = TINY_WIDTHS,
): Map<string, TestTensor> {
  const random = mulberry32(seed);
  const uniform = (n: number, lo: number, hi: number) =>
    Float32Array.from({ length: n }, () => lo + (hi - lo) * random());
  const tensors = new Map<string, TestTensor>();
  const put = (name: string, shape: number[], data: Float32Array) =>
    tensors.set(name, { shape, data });
  const weight = (name: string, shape: number[], fanIn: number) => {
    const bound = Math.sqrt(6 / fanIn);
    put(
      name,
      shape,
      uniform(
        shape.reduce((a, b) => a * b, 1),
        -bound,
        bound,
      ),
    );
  };
  const convBn = (prefix: string, out: number, inC: number, k: number) => {
    weight(`${prefix}.weight`, [out, inC, k, k], inC * k * k);
    put(`${prefix}.norm.weight`, [out], uniform(out, 0.5, 1.5));
    put(`${prefix}.norm.bias`, [out], uniform(out, -0.2, 0.2));
    put(`${prefix}.norm.running_mean`, [out], uniform(out, -0.2, 0.2));
    put(`${prefix}.norm.running_var`, [out], uniform(out, 0.5, 1.5));
  };
  const conv = (prefix: string, out: number, inC: number, k: number) => {
    weight(`${prefix}.weight`, [out, inC, k, k], inC * k * k);
    put(`${prefix}.bias`, [out], uniform(out, -0.1, 0.1));
  };

  const bottomUp = "backbone.bottom_up";
  convBn(`${bottomUp}.stem.conv1`, widths.stem, 3, 7);
  let channels = widths.stem;
  RESNET_STAGES.forEach((stage, s) => {
    const mid = widths.bottleneck[s];
    const out = widths.stageOut[s];
    for (let b = 0; b < stage.blocks; b++) {
      const p = `${bottomUp}.${stage.name}.${b}`;
      if (b === 0) convBn(`${p}.shortcut`, out, channels, 1);
      convBn(`${p}.conv1`, mid, channels, 1);
      convBn(`${p}.conv2`, mid, mid, 3);
      convBn(`${p}.conv3`, out, mid, 1);
      channels = out;
    }
  });
  FPN_LEVELS.forEach(({ level }, i) => {
    conv(`backbone.fpn_lateral${level}`, widths.fpn, widths.stageOut[i], 1);
    conv(`backbone.fpn_output${level}`, widths.fpn, widths.fpn, 3);
  });
  for (const { level, stride } of FPN_LEVELS) {
    const count = Math.max(1, Math.log2(stride / 4));
    for (let k = 0; k < count; k++) {
      const index = stride === 4 ? k : 2 * k;
      conv(
        `roi_heads.decoder.p${level}.${index}`,
        widths.decoder,
        k === 0 ? widths.fpn : widths.decoder,
        3,
      );
    }
  }
  conv("roi_heads.decoder.predictor", widths.decoderOut, widths.decoder, 1);
  channels = widths.decoderOut;
  for (let i = 1; i <= HEAD_CONVS; i++) {
    conv(`roi_heads.densepose_head.body_conv_fcn${i}`, widths.head, channels, 3);
    channels = widths.head;
  }
  const k = DECONV.kernel;
  for (const [module, out] of [
    ["ann_index_lowres", 2],
    ["index_uv_lowres", 25],
    ["u_lowres", 25],
    ["v_lowres", 25],
  ] as const) {
    weight(
      `roi_heads.densepose_predictor.${module}.weight`,
      [widths.head, out, k, k],
      widths.head * k,
    );
    put(`roi_heads.densepose_predictor.${module}.bias`, [out], uniform(out, -0.1, 0.1));
  }

  // What the converter drops: detector parts and the normalisation buffers.
  conv("proposal_generator.rpn_head.conv", widths.fpn, widths.fpn, 3);
  conv("proposal_generator.rpn_head.objectness_logits", 3, widths.fpn, 1);
  conv("proposal_generator.rpn_head.anchor_deltas", 12, widths.fpn, 1);
  put("proposal_generator.anchor_generator.cell_anchors.0", [3, 4], uniform(12, -32, 32));
  weight("roi_heads.box_head.fc1.weight", [10, widths.fpn * 49], widths.fpn * 49);
  put("roi_heads.box_head.fc1.bias", [10], uniform(10, -0.1, 0.1));
  weight("roi_heads.box_head.fc2.weight", [10, 10], 10);
  put("roi_heads.box_head.fc2.bias", [10], uniform(10, -0.1, 0.1));
  weight("roi_heads.box_predictor.cls_score.weight", [2, 10], 10);
  put("roi_heads.box_predictor.cls_score.bias", [2], uniform(2, -0.1, 0.1));
  weight("roi_heads.box_predictor.bbox_pred.weight", [4, 10], 10);
  put("roi_heads.box_predictor.bbox_pred.bias", [4], uniform(4, -0.1, 0.1));
  put("pixel_mean", [3, 1, 1], Float32Array.from(PIXEL_MEAN));
  put("pixel_std", [3, 1, 1], Float32Array.from(PIXEL_STD));
  return tensors;
}
