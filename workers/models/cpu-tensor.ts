import type { ModelTensor, TensorType } from "../../nodes/core/types";

/**
 * A tensor made by a node on the CPU (`ctx.tensor`). It needs no onnxruntime, so nodes can build
 * feeds before a session exists; the session pool turns it into onnxruntime's Tensor at run time.
 */
export class CpuTensor implements ModelTensor {
  readonly location = "cpu";
  private disposed = false;

  constructor(
    readonly type: TensorType,
    private readonly values: ArrayBufferView,
    readonly dims: readonly number[],
  ) {
    const count = dims.reduce((a, b) => a * b, 1);
    const length = (values as unknown as { length: number }).length;
    if (length !== count) {
      throw new Error(`tensor of shape [${dims.join(", ")}] needs ${count} values, got ${length}`);
    }
  }

  get data(): ArrayBufferView {
    if (this.disposed) throw new Error("tensor used after dispose()");
    return this.values;
  }

  async getData(): Promise<ArrayBufferView> {
    return this.data;
  }

  dispose(): void {
    this.disposed = true;
  }
}
