import { describe, expect, it } from "vitest";
import { checkLedger, type Ack, type VersionRow, type WorkflowRow } from "./load-ledger";

/** A workflow "w" whose versions 1..n hold saves m1..mn, currently at its latest. */
function stored(n: number): { versions: VersionRow[]; workflows: WorkflowRow[] } {
  const versions = Array.from({ length: n }, (_, i) => ({
    workflowId: "w",
    version: i + 1,
    marker: `m${i + 1}`,
  }));
  return { versions, workflows: [{ id: "w", latestVersion: n, marker: `m${n}` }] };
}

const acks = (n: number): Ack[] =>
  Array.from({ length: n }, (_, i) => ({ workflowId: "w", version: i + 1, marker: `m${i + 1}` }));

describe("checkLedger", () => {
  it("finds nothing when every acknowledged save is stored as its version", () => {
    const { versions, workflows } = stored(3);
    const report = checkLedger(acks(3), [], versions, workflows);
    expect(report).toEqual({ acknowledged: 3, workflows: 1, problems: [] });
  });

  it("reports an acknowledged version that is missing", () => {
    const { versions, workflows } = stored(3);
    const report = checkLedger(acks(3), [], versions.slice(0, 2), [
      { ...workflows[0], latestVersion: 2, marker: "m2" },
    ]);
    expect(report.problems).toContain("w v3 was acknowledged but is not stored");
    expect(report.problems).toContain("w is at v2, below the acknowledged v3");
  });

  it("reports a version holding another save than the one acknowledged", () => {
    const { versions, workflows } = stored(2);
    const report = checkLedger(
      [...acks(1), { workflowId: "w", version: 2, marker: "mine" }],
      [],
      versions,
      workflows,
    );
    expect(report.problems).toEqual([
      "w v2 holds save m2, but the server acknowledged save mine as that version",
    ]);
  });

  it("reports one version number acknowledged to two saves", () => {
    const { versions, workflows } = stored(2);
    const report = checkLedger(
      [...acks(2), { workflowId: "w", version: 2, marker: "other" }],
      [],
      versions,
      workflows,
    );
    expect(report.problems[0]).toBe(
      "w v2 was acknowledged twice (saves m2 and other): one of them is lost",
    );
  });

  it("reports a current document that is not the latest version's", () => {
    const { versions } = stored(2);
    const report = checkLedger(acks(2), [], versions, [
      { id: "w", latestVersion: 2, marker: "m1" },
    ]);
    expect(report.problems).toEqual([
      "w's current document is save m1, not its latest version's (m2)",
    ]);
  });

  it("reports a gap in the version numbers", () => {
    const { versions, workflows } = stored(3);
    const report = checkLedger(
      acks(3).filter((a) => a.version !== 2),
      [],
      versions.filter((v) => v.version !== 2),
      workflows,
    );
    expect(report.problems).toEqual([
      "w says its latest version is v3 but stores versions 1, 3 (expected 1..3)",
    ]);
  });

  it("accepts a newer version only from a save whose answer never came", () => {
    const { versions, workflows } = stored(3);
    expect(
      checkLedger(acks(2), [{ workflowId: "w", marker: "m3" }], versions, workflows).problems,
    ).toEqual([]);
    expect(checkLedger(acks(2), [], versions, workflows).problems).toEqual([
      "w is at v3, above the highest acknowledged v2, and v3 came from no save left in doubt",
    ]);
  });

  it("skips the document comparison for a version the bench did not write (a fork)", () => {
    const versions = [{ workflowId: "f", version: 1, marker: "source's" }];
    const report = checkLedger([{ workflowId: "f", version: 1, marker: null }], [], versions, [
      { id: "f", latestVersion: 1, marker: "source's" },
    ]);
    expect(report.problems).toEqual([]);
  });

  it("reports a workflow that vanished", () => {
    const { versions } = stored(1);
    expect(checkLedger(acks(1), [], versions, []).problems).toEqual([
      "w had acknowledged saves but is no longer in the database",
    ]);
  });
});
