/**
 * The architecture of detectron2's DensePose R-CNN R50-FPN s1x (`densepose_rcnn_R_50_FPN_s1x.yaml`
 * on `Base-DensePose-RCNN-FPN.yaml`, with detectron2's and DensePose's config defaults for what
 * those files leave unset). Channel widths are not here: the converter reads them from the
 * checkpoint's tensor shapes, so a test can use the same structure with tiny widths.
 */

/** MODEL.PIXEL_MEAN (BGR, 0..255), detectron2's default, which the DensePose configs keep. */
export const PIXEL_MEAN = [103.53, 116.28, 123.675] as const;
/** MODEL.PIXEL_STD: detectron2's default [1, 1, 1] for the MSRA (caffe2) ImageNet weights. */
export const PIXEL_STD = [1, 1, 1] as const;

/** The FPN's size_divisibility (stride of res5): ImageList pads the normalised image with zeros. */
export const SIZE_DIVISIBILITY = 32;

/** detectron2's FrozenBatchNorm2d default eps. */
export const FROZEN_BN_EPS = 1e-5;

/** MODEL.RESNETS.DEPTH 50: bottleneck blocks per stage res2..res5. */
export const RESNET_STAGES = [
  { name: "res2", blocks: 3, firstStride: 1 },
  { name: "res3", blocks: 4, firstStride: 2 },
  { name: "res4", blocks: 6, firstStride: 2 },
  { name: "res5", blocks: 3, firstStride: 2 },
] as const;
/** MODEL.RESNETS.STRIDE_IN_1X1 (default True): a block's stride sits on conv1, not conv2. */
export const STRIDE_IN_1X1 = true;

/** FPN levels used by the DensePose branch (ROI_HEADS.IN_FEATURES p2..p5) and their strides. */
export const FPN_LEVELS = [
  { level: 2, stride: 4 },
  { level: 3, stride: 8 },
  { level: 4, stride: 16 },
  { level: 5, stride: 32 },
] as const;

/**
 * ROI_DENSEPOSE_HEAD.DECODER_ON (DensePose default True; only the `_legacy` configs turn it off):
 * a Panoptic-FPN style decoder merges p2..p5 into one stride-4 map, so the pooler has a single
 * level and no box-to-level assignment happens. DECODER_COMMON_STRIDE 4, DECODER_NORM "" (convs
 * with bias, then ReLU); each level has max(1, log2(stride / 4)) 3×3 convs, each followed by a
 * bilinear ×2 upsampling (align_corners False) unless the level already is at stride 4.
 */
export const DECODER_COMMON_STRIDE = 4;
export function decoderConvCount(stride: number): number {
  return Math.max(1, Math.log2(stride) - Math.log2(DECODER_COMMON_STRIDE));
}

/**
 * The DensePose pooler: POOLER_RESOLUTION 28 and POOLER_SAMPLING_RATIO 2 (defaults), POOLER_TYPE
 * "ROIAlign" (Base-DensePose-RCNN-FPN.yaml overrides the default ROIAlignV2), i.e. aligned=False:
 * no half-pixel shift and RoI sides clamped to at least 1 feature pixel.
 */
export const POOLER = {
  resolution: 28,
  samplingRatio: 2,
  aligned: false,
  scale: 1 / DECODER_COMMON_STRIDE,
} as const;

/** DensePoseV1ConvXHead: NUM_STACKED_CONVS 8 convs, CONV_HEAD_KERNEL 3, each then ReLU. */
export const HEAD_CONVS = 8;
export const HEAD_KERNEL = 3;

/**
 * DensePoseChartPredictor: ConvTranspose2d with DECONV_KERNEL 4, stride 2, padding 4 / 2 − 1 = 1
 * (doubles the size), then bilinear ×UP_SCALE 2 (align_corners False). 24 patches + background
 * for fine segmentation, U and V; NUM_COARSE_SEGM_CHANNELS 2 for the coarse segmentation.
 */
export const DECONV = { kernel: 4, stride: 2, padding: 1 } as const;
export const UP_SCALE = 2;
export const FINE_CHANNELS = 25;
export const COARSE_CHANNELS = 2;

/** The predictor's four outputs: contract name → detectron2 module name. */
export const PREDICTOR_OUTPUTS = [
  { output: "fine_segm", module: "index_uv_lowres", channels: FINE_CHANNELS },
  { output: "u", module: "u_lowres", channels: FINE_CHANNELS },
  { output: "v", module: "v_lowres", channels: FINE_CHANNELS },
  { output: "coarse_segm", module: "ann_index_lowres", channels: COARSE_CHANNELS },
] as const;

export const MODEL_ID = "densepose-r50-fpn";
