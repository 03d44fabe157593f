/** detectron2 DensePose R50-FPN → ONNX (`npm run models -- convert densepose`). */
export {
  convertDensePose,
  type ConvertDensePoseOptions,
  type ConvertDensePoseResult,
} from "./convert";
export { DensePoseKeyError } from "./keys";
