/** CMU OpenPose body (ControlNet annotator's body_pose_model.pth) → ONNX (`npm run models -- convert openpose-body`). */
export {
  convertOpenPoseBody,
  type ConvertOpenPoseOptions,
  type ConvertOpenPoseResult,
} from "./convert";
export { OpenPoseKeyError } from "./keys";
