import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { adapterName, chooseNativeGpu, isSoftwareAdapter } from "./native-gpu";

describe("native GPU choice", () => {
  const h100 = {
    vendor: "nvidia",
    architecture: "hopper",
    description: "NVIDIA H100 80GB HBM3",
  };
  const swiftshader = {
    vendor: "google",
    architecture: "swiftshader",
    description: "SwiftShader driver 5.0.0",
  };

  it("runs on hardware adapters only", () => {
    expect(adapterName(h100)).toBe("nvidia hopper NVIDIA H100 80GB HBM3");
    expect(isSoftwareAdapter(h100)).toBe(false);
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(
      isSoftwareAdapter({ ...swiftshader, architecture: "", description: "llvmpipe (LLVM 15)" }),
    ).toBe(true);
    expect(isSoftwareAdapter({ ...h100, isFallbackAdapter: true })).toBe(true);
  });

  it("keeps the CPU provider when told to, without probing", async () => {
    await expect(chooseNativeGpu(ort, { LEFFA_NATIVE_GPU: "off" })).resolves.toEqual({
      use: false,
      reason: "LEFFA_NATIVE_GPU=off",
    });
  });

  it("says why it keeps the CPU provider on this machine, or names the adapter it runs on", async () => {
    const choice = await chooseNativeGpu(ort, {});
    if (choice.use)
      expect(isSoftwareAdapter({ vendor: "", architecture: "", description: choice.adapter })).toBe(
        false,
      );
    else expect(choice.reason).toMatch(/\S/);
  });
});
