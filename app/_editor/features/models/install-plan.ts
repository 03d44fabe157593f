import type { InstallPlan } from "@/models/install/plan";
import { humanBytes } from "@/models/install/format";
import { apiCall } from "../../shared/api-client";

export type { InstallPlan };

/** The server's plan for a set of models (GET /api/models/plan), and whether this visitor may install. */
export async function fetchInstallPlan(
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<{ plan: InstallPlan; canInstall: boolean }> {
  return apiCall(`/api/models/plan?ids=${encodeURIComponent(ids.join(","))}`, { signal });
}

/** How many store entries the plan still has to install. */
export function missingCount(plan: InstallPlan): number {
  return plan.items.filter((i) => !i.installed).reduce((n, i) => n + i.ids.length, 0);
}

/**
 * The banner's sentence: "This workflow needs 10 models (8.64 GB to download, 12.2 GB on disk)".
 * "On disk" is the peak, what the install needs free; a size the hub did not give makes it "at
 * least".
 */
export function bannerText(plan: InstallPlan): string {
  const n = missingCount(plan);
  const atLeast = plan.incomplete ? "at least " : "";
  return (
    `This workflow needs ${n} model${n === 1 ? "" : "s"} ` +
    `(${atLeast}${humanBytes(plan.downloadBytes)} to download, ` +
    `${atLeast}${humanBytes(plan.peakBytes)} on disk)`
  );
}

/** The first id of each step still to install: one server install per step (a conversion makes all its graphs). */
export function stepsToInstall(plan: InstallPlan): string[] {
  return plan.items.filter((i) => !i.installed).map((i) => i.ids[0]);
}

/** Where an unfinished "Install all" is remembered, so a reload offers to resume it. */
export const PENDING_INSTALL_KEY = "leffa.installAll";
