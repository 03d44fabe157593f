import { humanBytes, textTable } from "./format";
import type { InstallPlan, PlanItem } from "./plan";

/** An install plan as the CLI prints it: one row per step, then the totals and licence notices. */
export function planText(plan: InstallPlan, title: string): string {
  const rows = [["MODEL", "KIND", "LICENCE", "DOWNLOAD", "PEAK DISK", "ON DISK", "STATUS"]];
  for (const item of plan.items) {
    rows.push([
      modelsOf(item),
      item.kind === "convert" ? `convert ${item.checkpoint?.name ?? ""}`.trim() : "download",
      licenceFlags(item),
      item.installed ? "-" : size(item.downloadBytes),
      item.installed ? "-" : size(item.peakBytes),
      item.kind === "convert" && !item.installed && item.diskBytes !== null
        ? `≤ ${humanBytes(item.diskBytes)}`
        : size(item.diskBytes),
      item.installed ? "installed" : item.problem ? "missing (see below)" : "missing",
    ]);
  }
  const todo = plan.items.filter((i) => !i.installed);
  const lines = [
    `${title}: ${plan.items.reduce((n, i) => n + i.ids.length, 0)} models, ${todo.reduce((n, i) => n + i.ids.length, 0)} to install`,
    "",
    textTable(rows),
    "",
  ];
  if (plan.unknown.length > 0) lines.push(`unknown models: ${plan.unknown.join(", ")}`);
  // One line per distinct problem (an unreachable hub says the same for every file).
  const problems = new Map<string, string[]>();
  for (const item of todo) {
    if (item.problem)
      problems.set(item.problem, [...(problems.get(item.problem) ?? []), modelsOf(item)]);
  }
  for (const [problem, models] of problems) lines.push(`${models.join(", ")}: ${problem}`);
  if (todo.length === 0) lines.push("everything is installed");
  else {
    const approx = plan.incomplete ? " (sizes the hub did not give are not counted)" : "";
    lines.push(
      `to download: ${humanBytes(plan.downloadBytes)}; disk at the peak: ${humanBytes(plan.peakBytes)}` +
        `; on disk afterwards: at most ${humanBytes(plan.diskBytes)}${approx}`,
      plan.keepCheckpoint
        ? "checkpoints are kept in .downloads/ (--keep-checkpoint)"
        : "checkpoints are deleted once converted (--keep-checkpoint keeps them)",
    );
  }
  // One line per notice, naming every model it concerns.
  const notices = new Map<string, string[]>();
  for (const item of plan.items) {
    const notice = item.licence.notice;
    if (notice) notices.set(notice, [...(notices.get(notice) ?? []), modelsOf(item)]);
  }
  if (notices.size > 0) {
    lines.push("", "licence notices:");
    for (const [notice, models] of notices) lines.push(`  ${models.join(", ")}: ${notice}`);
  }
  return lines.join("\n");
}

function modelsOf(item: PlanItem): string {
  if (item.ids.length === 1) return item.ids[0];
  // The four Leffa graphs share a prefix: leffa-vton-hd-{vae-encoder,…}.
  const prefix = commonPrefix(item.ids).replace(/-[^-]*$/, "-");
  return prefix.length > 3
    ? `${prefix}{${item.ids.map((id) => id.slice(prefix.length)).join(",")}}`
    : item.ids.join(", ");
}

function licenceFlags(item: PlanItem): string {
  const l = item.licence;
  const commercial = l.commercial === "yes" ? "" : ` (commercial: ${l.commercial})`;
  return `${l.spdx}${commercial}${l.notice ? " *" : ""}`;
}

function size(bytes: number | null): string {
  return bytes === null ? "?" : humanBytes(bytes);
}

function commonPrefix(ids: readonly string[]): string {
  let prefix = ids[0] ?? "";
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
