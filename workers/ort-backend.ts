import type * as OrtModule from "onnxruntime-web/webgpu";
import type { InferenceSession } from "onnxruntime-web/webgpu";
import type { BackendInfo } from "../nodes/core/types";
import { SELF_TEST_EXPECTED, SELF_TEST_INPUT, selfTestModel } from "../models/onnx/self-test";
import { chooseWasmThreads, describeWasmThreads } from "./wasm-threads";

type Ort = typeof OrtModule;

/**
 * Brings up onnxruntime-web on the backend `pickBackend` chose and proves it with a one-op model.
 * WebGPU sessions are given the studio's own GPUDevice, so every session and kernel shares it. If
 * the WebGPU execution provider fails here, the runtime falls back to WASM and says why.
 * `wasmThreads` is an explicit thread count (`?threads=N`); without it WASM gets min(4, cores).
 */
export async function startOnnxRuntime(
  picked: BackendInfo,
  device: GPUDevice | undefined,
  wasmThreads?: number,
): Promise<{ info: BackendInfo; ort: Ort }> {
  const ort = await import("onnxruntime-web/webgpu");
  // Set before the first session: onnxruntime-web fixes its thread pool when the WASM starts.
  const threads = chooseWasmThreads({
    isolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    override: wasmThreads,
  });
  ort.env.wasm.numThreads = threads.threads;
  const wasmDetail = describeWasmThreads(threads);

  if (picked.name === "webgpu" && device) {
    try {
      await selfTest(ort, [{ name: "webgpu", device }]);
      return {
        ort,
        info: { ...picked, detail: `${picked.detail} · onnxruntime-web WebGPU EP` },
      };
    } catch (err) {
      const reason = `WebGPU execution provider failed its self-test (${(err as Error).message})`;
      await selfTest(ort, ["wasm"]);
      return { ort, info: { name: "wasm", detail: `${reason}; using ${wasmDetail}` } };
    }
  }
  await selfTest(ort, ["wasm"]);
  return { ort, info: { name: "wasm", detail: `${picked.detail} · ${wasmDetail}` } };
}

async function selfTest(
  ort: Ort,
  executionProviders: InferenceSession.ExecutionProviderConfig[],
): Promise<void> {
  const session = await ort.InferenceSession.create(selfTestModel(), { executionProviders });
  try {
    const { y } = await session.run({
      x: new ort.Tensor("float32", SELF_TEST_INPUT.slice(), [SELF_TEST_INPUT.length]),
    });
    const got = Array.from(y.data as Float32Array);
    if (got.some((v, i) => Math.abs(v - SELF_TEST_EXPECTED[i]) > 1e-6)) {
      throw new Error(`wrong result ${got.join(", ")}`);
    }
  } finally {
    await session.release();
  }
}
