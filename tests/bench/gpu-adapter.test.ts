import { describe, expect, it } from "vitest";
import { hardwareAdapters, isSoftwareAdapter, softwareOnlyProblem } from "./gpu-adapter";

const swiftshader = {
  source: "chromium",
  name: "google swiftshader SwiftShader driver 5.0.0",
};
const lavapipe = { source: "vulkaninfo", name: "llvmpipe (LLVM 15.0.6, 256 bits)" };
const nvidia = { source: "dawn-node", name: "nvidia ada-lovelace NVIDIA H100 80GB HBM3" };

describe("software adapters", () => {
  it("recognises SwiftShader, lavapipe and fallback adapters", () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(lavapipe)).toBe(true);
    expect(isSoftwareAdapter({ source: "chromium", name: "google", fallback: true })).toBe(true);
    expect(isSoftwareAdapter(nvidia)).toBe(false);
  });

  it("fails loudly when the only adapters are software, unless allowed", () => {
    expect(softwareOnlyProblem([swiftshader, lavapipe], false)).toMatch(
      /no hardware GPU adapter found \(chromium: google swiftshader.*--allow-software/,
    );
    expect(softwareOnlyProblem([], false)).toMatch(/no adapter at all/);
    expect(softwareOnlyProblem([swiftshader], true)).toBeUndefined();
    expect(softwareOnlyProblem([swiftshader, nvidia], false)).toBeUndefined();
    expect(hardwareAdapters([swiftshader, nvidia])).toEqual([nvidia]);
  });
});
