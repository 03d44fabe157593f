/**
 * Child of the GPU probe (gpu-probe.ts), run under the Vulkan environment being tried (the
 * loader and ICDs are found when a process starts): what Dawn's Node binding (`webgpu`) reports
 * as its adapter, and whether onnxruntime-node's WebGPU execution provider (its own Dawn, bundled
 * in libonnxruntime on Linux x64) runs the one-op self-test model. Prints one JSON line.
 */
import { selfTestModel, SELF_TEST_EXPECTED, SELF_TEST_INPUT } from "../../models/onnx/self-test";

export interface NodeAdapterResult {
  readonly dawn: { name: string; fallback?: boolean; shaderF16: boolean } | { error: string };
  readonly ortWebgpu: { ok: true; ms: number } | { ok: false; error: string };
}

async function dawnAdapter(): Promise<NodeAdapterResult["dawn"]> {
  try {
    const { create } = await import("webgpu");
    const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { error: "requestAdapter() returned null" };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      name: [info.vendor, info.architecture, info.device, info.description]
        .filter(Boolean)
        .join(" "),
      fallback: info.isFallbackAdapter,
      shaderF16: adapter.features.has("shader-f16"),
    };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

async function ortWebgpu(): Promise<NodeAdapterResult["ortWebgpu"]> {
  try {
    const ort = await import("onnxruntime-node");
    const started = performance.now();
    const session = await ort.InferenceSession.create(selfTestModel(), {
      executionProviders: ["webgpu"],
    });
    const out = await session.run({
      x: new ort.Tensor("float32", SELF_TEST_INPUT, [SELF_TEST_INPUT.length]),
    });
    await session.release();
    const got = Array.from(out.y.data as Float32Array);
    if (got.some((v, i) => Math.abs(v - SELF_TEST_EXPECTED[i]) > 1e-6))
      return { ok: false, error: `wrong self-test result ${got.join(", ")}` };
    return { ok: true, ms: performance.now() - started };
  } catch (err) {
    return { ok: false, error: (err instanceof Error ? err.message : String(err)).slice(0, 300) };
  }
}

const result: NodeAdapterResult = { dawn: await dawnAdapter(), ortWebgpu: await ortWebgpu() };
console.log(JSON.stringify(result));
process.exit(0);
