import type { BackendInfo } from "../nodes/core/types";

export type BackendPreference = "auto" | "webgpu" | "wasm";

/**
 * Picks the compute backend for model nodes: WebGPU when the browser gives an adapter and a
 * device, WASM otherwise; the detail says which adapter or why WebGPU was not used. The device is
 * kept so every later session and kernel shares it (GPU buffers cannot cross devices).
 */
export async function pickBackend(
  preference: BackendPreference,
): Promise<{ info: BackendInfo; device?: GPUDevice }> {
  if (preference === "wasm") return { info: { name: "wasm", detail: "WASM chosen in settings" } };
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { info: { name: "wasm", detail: "this browser has no WebGPU" } };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { info: { name: "wasm", detail: "no WebGPU adapter available" } };
    const features: GPUFeatureName[] = adapter.features.has("shader-f16") ? ["shader-f16"] : [];
    const device = await adapter.requestDevice({
      requiredFeatures: features,
      requiredLimits: {
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      },
    });
    const i = adapter.info;
    const name = [i.vendor, i.architecture, i.description].filter(Boolean).join(" ") || "unknown";
    const kind = i.isFallbackAdapter ? "software adapter" : "adapter";
    const f16 = features.length ? ", shader-f16" : "";
    const limits = {
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    };
    return { info: { name: "webgpu", detail: `${kind}: ${name}${f16}`, limits }, device };
  } catch (err) {
    return { info: { name: "wasm", detail: `WebGPU failed to start: ${(err as Error).message}` } };
  }
}
