/**
 * CPU time the studio's server spent, read from Linux's /proc: the figure that says how much
 * work a request costs whatever else the machine is doing (latencies on a shared machine say
 * both). Summed over the server's process group, so worker processes count too. Elsewhere than
 * Linux there is no /proc, and the bench says so instead of guessing.
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc counts CPU time in these; fixed at 100 by the kernel ABI on x86 and ARM. */
const TICKS_PER_SECOND = 100;

/** The process group and user + system CPU ticks of one /proc/<pid>/stat line. */
export function parseProcStat(line: string): { pgrp: number; ticks: number } | null {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const close = line.lastIndexOf(")");
  if (close < 0) return null;
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the name: state, ppid, pgrp, … utime (field 14), stime (field 15).
  const pgrp = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(pgrp) && Number.isFinite(ticks) ? { pgrp, ticks } : null;
}

/** CPU milliseconds used so far by the live processes of process group `pgid`, or undefined. */
export function processGroupCpuMs(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of entries) {
    let stat: ReturnType<typeof parseProcStat>;
    try {
      stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      continue; // ended meanwhile
    }
    if (stat?.pgrp === pgid) ticks += stat.ticks;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
