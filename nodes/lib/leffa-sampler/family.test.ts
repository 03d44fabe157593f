import { describe, expect, it } from "vitest";
import { getModel } from "../../../models/manifest";
import { LEFFA_FAMILIES } from "./family";

describe("LEFFA_FAMILIES", () => {
  it("maps each model choice to its four manifest graphs, in LEFFA_PARTS order", () => {
    expect(LEFFA_FAMILIES.pose_transfer.models).toEqual([
      "leffa-pose-vae-encoder",
      "leffa-pose-vae-decoder",
      "leffa-pose-ref-unet",
      "leffa-pose-gen-unet",
    ]);
    for (const family of Object.values(LEFFA_FAMILIES)) {
      for (const id of family.models) expect(getModel(id).source.kind).toBe("convert");
    }
  });

  it("gives pose transfer SDXL's 70 features, the zero-SNR scheduler and an fp32 VAE", () => {
    const pose = LEFFA_FAMILIES.pose_transfer;
    expect(pose.refNames).toHaveLength(70);
    expect(pose.refNames.at(-1)).toBe("ref_69");
    expect(pose.scheduler.zeroTerminalSnr).toBe(true);
    expect(pose.vaeFloat).toBe("float32");
    // The names match what the manifest's reference UNet outputs.
    expect(getModel(pose.models[2]).contract.outputs.map((o) => o.name)).toEqual(pose.refNames);
    const tryOn = LEFFA_FAMILIES.viton_hd;
    expect(tryOn.refNames).toHaveLength(16);
    expect(tryOn.scheduler.zeroTerminalSnr).toBe(false);
    expect(tryOn.vaeFloat).toBe("float16");
    expect(getModel(tryOn.models[2]).contract.outputs.map((o) => o.name)).toEqual(tryOn.refNames);
  });
});
