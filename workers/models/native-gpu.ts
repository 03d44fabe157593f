import type * as OrtNode from "onnxruntime-node";
import {
  ATTENTION_PROBE,
  ATTENTION_PROBE_TOLERANCE,
  attentionProbeError,
  attentionProbeFeeds,
  attentionProbeModel,
} from "../../models/leffa/attention-probe";

/**
 * The GPU of headless (Node) runs: onnxruntime-node's WebGPU execution provider, which ships in
 * its Linux x64, Windows and macOS binaries from npm (its own Dawn, reaching the GPU through
 * Vulkan on Linux: the system's libvulkan.so.1 and the driver's ICD). Its CUDA and TensorRT
 * providers are not bundled: onnxruntime-node's install script downloads them from NuGet, which
 * this project's installs do not run (allowScripts), so WebGPU is the GPU path that installs from
 * npm alone.
 *
 * onnxruntime-node's WebGPU EP does not say which adapter it took, so Dawn's Node binding
 * (`webgpu`, prebuilt in its npm tarball) asks the same Vulkan for one first: the EP is used only
 * when that adapter is hardware. A software adapter (SwiftShader, llvmpipe) is slower than the CPU
 * provider and is never picked.
 */
export interface NativeGpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device?: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}

/** What the probe decided: the adapter to run on, or why the CPU provider runs. */
export type NativeGpuChoice =
  | { readonly use: true; readonly adapter: string }
  | { readonly use: false; readonly reason: string };

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software/i;

export function adapterName(info: NativeGpuInfo): string {
  return [info.vendor, info.architecture, info.device, info.description]
    .filter(Boolean)
    .join(" ")
    .trim();
}

/** Whether an adapter is a CPU implementation (never worth running on instead of the CPU EP). */
export function isSoftwareAdapter(info: NativeGpuInfo): boolean {
  return info.isFallbackAdapter === true || SOFTWARE.test(adapterName(info));
}

/** The adapter Dawn's Node binding finds, or why there is none. */
async function dawnAdapter(): Promise<NativeGpuInfo | string> {
  try {
    const { create } = await import("webgpu");
    const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return "Dawn finds no adapter (no Vulkan driver, or no libvulkan.so.1)";
    return adapter.info as GPUAdapterInfo & NativeGpuInfo;
  } catch (err) {
    return `Dawn's Node binding failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * onnxruntime-node's WebGPU EP on the one-node MultiHeadAttention check (attention-probe.ts):
 * the fused Leffa graphs need it right, and the same EP is wrong on SwiftShader in
 * onnxruntime-web. Returns the problem, or undefined when it passes.
 */
export async function nativeAttentionProblem(ort: typeof OrtNode): Promise<string | undefined> {
  try {
    const session = await ort.InferenceSession.create(attentionProbeModel(), {
      executionProviders: ["webgpu"],
    });
    const { q, k, v } = attentionProbeFeeds();
    const dims = (tokens: number) => [1, tokens, ATTENTION_PROBE.heads * ATTENTION_PROBE.headDim];
    const out = await session.run({
      q: new ort.Tensor("float32", q, dims(ATTENTION_PROBE.queries)),
      k: new ort.Tensor("float32", k, dims(ATTENTION_PROBE.keys)),
      v: new ort.Tensor("float32", v, dims(ATTENTION_PROBE.keys)),
    });
    await session.release();
    const error = attentionProbeError(out.out.data as Float32Array);
    return error <= ATTENTION_PROBE_TOLERANCE
      ? undefined
      : `its MultiHeadAttention is wrong (max error ${error.toExponential(2)})`;
  } catch (err) {
    return `it fails to run (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`;
  }
}

/**
 * Decides once per process whether headless sessions run on onnxruntime-node's WebGPU EP:
 * a hardware adapter, and the EP passing the attention check on it. `LEFFA_NATIVE_GPU=off` keeps
 * the CPU provider.
 */
export async function chooseNativeGpu(
  ort: typeof OrtNode,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<NativeGpuChoice> {
  if (env.LEFFA_NATIVE_GPU === "off") return { use: false, reason: "LEFFA_NATIVE_GPU=off" };
  const info = await dawnAdapter();
  if (typeof info === "string") return { use: false, reason: info };
  const adapter = adapterName(info);
  if (isSoftwareAdapter(info))
    return { use: false, reason: `the only adapter is software (${adapter})` };
  const problem = await nativeAttentionProblem(ort);
  if (problem)
    return { use: false, reason: `onnxruntime-node's WebGPU EP on ${adapter}: ${problem}` };
  return { use: true, adapter };
}
