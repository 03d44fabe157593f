import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProcStat, processGroupCpuMs } from "./load-cpu";

describe("parseProcStat", () => {
  it("reads the process group and user + system ticks", () => {
    const line =
      "4242 (next-server (v1)) S 4200 4242 4242 0 -1 4194560 9000 0 0 0 1234 56 0 0 20 0 11 0 500 0";
    expect(parseProcStat(line)).toEqual({ pgrp: 4242, ticks: 1290 });
  });

  it("refuses a line it cannot read", () => {
    expect(parseProcStat("garbage")).toBeNull();
    expect(parseProcStat("1 (x) S 0")).toBeNull();
  });
});

describe("processGroupCpuMs", () => {
  it("counts this test's own process group on Linux", () => {
    if (process.platform !== "linux") return;
    const pgid = parseProcStat(readFileSync("/proc/self/stat", "utf8"))!.pgrp;
    expect(processGroupCpuMs(pgid)).toBeGreaterThan(0);
  });
});
