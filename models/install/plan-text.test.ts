import { describe, expect, it } from "vitest";
import type { InstallPlan, PlanItem } from "./plan";
import { planText } from "./plan-text";

const licence = { spdx: "MIT", url: "https://example.com", commercial: "unclear" as const };

function item(over: Partial<PlanItem>): PlanItem {
  return {
    kind: "download",
    ids: ["a"],
    title: "a",
    licence,
    installed: false,
    downloadBytes: 1_000_000,
    diskBytes: 1_000_000,
    peakBytes: 1_000_000,
    ...over,
  };
}

function plan(items: PlanItem[], over: Partial<InstallPlan> = {}): InstallPlan {
  return {
    items,
    unknown: [],
    downloadBytes: 0,
    diskBytes: 0,
    peakBytes: 0,
    incomplete: false,
    keepCheckpoint: false,
    ...over,
  };
}

describe("planText", () => {
  it("prints one row per step, a conversion's graphs under their common prefix", () => {
    const text = planText(
      plan(
        [
          item({ ids: ["schp-atr"] }),
          item({
            kind: "convert",
            ids: ["leffa-vton-hd-vae-encoder", "leffa-vton-hd-gen-unet"],
            checkpoint: { name: "virtual_tryon.pth", url: "https://x", bytes: 7_210_000_000 },
            downloadBytes: 7_210_000_000,
            diskBytes: 7_210_000_000,
            peakBytes: 14_420_000_000,
            licence: { ...licence, notice: "research only" },
          }),
        ],
        { downloadBytes: 7_211_000_000, peakBytes: 14_420_000_000, diskBytes: 7_211_000_000 },
      ),
      'template "Virtual try-on"',
    );
    expect(text).toContain('template "Virtual try-on": 3 models, 3 to install');
    expect(text).toMatch(/schp-atr\s+download\s+MIT \(commercial: unclear\)\s+1\.00 MB\s+1\.00 MB/);
    expect(text).toMatch(
      /leffa-vton-hd-\{vae-encoder,gen-unet\}\s+convert virtual_tryon\.pth\s+MIT \(commercial: unclear\) \*\s+7\.21 GB\s+14\.4 GB\s+≤ 7\.21 GB\s+missing/,
    );
    expect(text).toContain("to download: 7.21 GB; disk at the peak: 14.4 GB");
    expect(text).toContain("checkpoints are deleted once converted");
    expect(text).toContain("leffa-vton-hd-{vae-encoder,gen-unet}: research only");
  });

  it("says what is unknown and why, once per problem, and when all is installed", () => {
    const offline = "cannot reach hf-mirror.com";
    const text = planText(
      plan(
        [
          item({ ids: ["x"], downloadBytes: null, peakBytes: null, problem: offline }),
          item({ ids: ["y"], downloadBytes: null, peakBytes: null, problem: offline }),
        ],
        { incomplete: true },
      ),
      "w",
    );
    expect(text).toContain(`x, y: ${offline}`);
    expect(text).toContain("(sizes the hub did not give are not counted)");
    expect(text).toMatch(/x\s+download\s+\S.*\?\s+\?\s+1\.00 MB\s+missing \(see below\)/);
    expect(planText(plan([item({ installed: true })]), "w")).toContain("everything is installed");
  });
});
