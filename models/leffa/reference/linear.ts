// torch.nn.Linear on the last axis: y = x · Wᵀ + b with W stored [out, in].
import { type F64Tensor, type Param, zeros } from "./tensor";

export function linear(x: F64Tensor, weight: Param, bias: Param | null): F64Tensor {
  const [outFeatures, inFeatures] = weight.shape;
  if (weight.shape.length !== 2) throw new Error(`linear: weight has rank ${weight.shape.length}`);
  const last = x.shape[x.shape.length - 1];
  if (last !== inFeatures) {
    throw new Error(`linear: input has ${last} features, weight expects ${inFeatures}`);
  }
  if (bias && bias.data.length !== outFeatures) {
    throw new Error(`linear: bias has ${bias.data.length} values for ${outFeatures} outputs`);
  }
  const rows = x.data.length / inFeatures;
  const out = zeros([...x.shape.slice(0, -1), outFeatures]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outFeatures; o++) {
      let sum = bias ? bias.data[o] : 0;
      for (let i = 0; i < inFeatures; i++) {
        sum += x.data[r * inFeatures + i] * weight.data[o * inFeatures + i];
      }
      out.data[r * outFeatures + o] = sum;
    }
  }
  return out;
}
