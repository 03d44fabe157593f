import { describe, expect, it } from "vitest";
import type { InstallPlan, PlanItem } from "@/models/install/plan";
import { bannerText, missingCount, stepsToInstall } from "./install-plan";

const licence = { spdx: "MIT", url: "https://example.com", commercial: "yes" as const };
const item = (ids: string[], installed: boolean): PlanItem => ({
  kind: ids.length > 1 ? "convert" : "download",
  ids,
  title: ids[0],
  licence,
  installed,
  downloadBytes: installed ? 0 : 1e9,
  diskBytes: 1e9,
  peakBytes: installed ? 0 : 2e9,
});
const plan = (items: PlanItem[], over: Partial<InstallPlan> = {}): InstallPlan => ({
  items,
  unknown: [],
  downloadBytes: 8_640_000_000,
  diskBytes: 5e9,
  peakBytes: 12_200_000_000,
  incomplete: false,
  keepCheckpoint: false,
  ...over,
});

describe("the workflow models banner", () => {
  const p = plan([item(["a"], true), item(["b"], false), item(["c1", "c2", "c3", "c4"], false)]);

  it("counts the models still missing and says the sizes", () => {
    expect(missingCount(p)).toBe(5);
    expect(bannerText(p)).toBe(
      "This workflow needs 5 models (8.64 GB to download, 12.2 GB on disk)",
    );
    expect(bannerText(plan([item(["b"], false)], { incomplete: true }))).toBe(
      "This workflow needs 1 model (at least 8.64 GB to download, at least 12.2 GB on disk)",
    );
  });

  it("installs one id per step: a conversion installs its graphs together", () => {
    expect(stepsToInstall(p)).toEqual(["b", "c1"]);
  });
});
