import { describe, expect, it } from "vitest";
import { serverOffer } from "./server-offer";

const sampler = (model: string, mode?: "mute" | "bypass") => ({
  id: "leffa",
  type: "leffa-sampler",
  position: { x: 0, y: 0 },
  params: { model },
  ...(mode ? { mode } : {}),
});
const wasm = { name: "wasm" as const, detail: "WASM" };
const gpu = { name: "webgpu" as const, detail: "GPU" };

describe("serverOffer", () => {
  it("offers the server for pose transfer on the 4 GB WebAssembly heap", () => {
    const offer = serverOffer({ nodes: [sampler("pose_transfer")] }, wasm);
    expect(offer?.nodeId).toBe("leffa");
    expect(offer?.reason).toMatch(/pose transfer holds 7\.\d GB/);
  });

  it("does not for try-on, which fits, nor where the runtime sets no limit", () => {
    expect(serverOffer({ nodes: [sampler("viton_hd")] }, wasm)).toBeNull();
    expect(serverOffer({ nodes: [sampler("pose_transfer")] }, gpu)).toBeNull();
    expect(serverOffer({ nodes: [sampler("pose_transfer")] }, null)).toBeNull();
  });

  it("follows a runtime's own model limit, and ignores a muted sampler", () => {
    const small = { name: "cpu" as const, detail: "x", modelBytesLimit: 1024 ** 3 };
    expect(serverOffer({ nodes: [sampler("viton_hd")] }, small)).not.toBeNull();
    expect(serverOffer({ nodes: [sampler("pose_transfer", "mute")] }, wasm)).toBeNull();
  });
});
