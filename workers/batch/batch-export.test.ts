import { buffer } from "node:stream/consumers";
import yauzl from "yauzl";
import { describe, expect, it } from "vitest";
import { planBatchExport, type BatchExportRun } from "./batch-export";
import { batchZipStream } from "./batch-zip";

const png = (n: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, n]);

function run(id: string, person: string, garment: string, extra: Partial<BatchExportRun> = {}) {
  return {
    id,
    status: "done",
    inputs: { person: `uploads/${person}`, garment: `uploads/${garment}` },
    overrides: {},
    outputs: [
      {
        nodeId: "save",
        name: "tryon.png",
        key: `runs/${id}/save/tryon.png`,
        contentType: "image/png",
      },
    ],
    ...extra,
  } satisfies BatchExportRun;
}

/** Every entry of a ZIP: path → bytes. */
function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const files = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          buffer(stream).then((b) => {
            files.set(entry.fileName, b);
            zip.readEntry();
          }, reject);
        });
      });
      zip.on("end", () => resolve(files));
      zip.readEntry();
    });
  });
}

describe("planBatchExport", () => {
  it("stores each shared input once and points every row at it", () => {
    const plan = planBatchExport(
      [run("r1", "p1", "g1"), run("r2", "p2", "g1")],
      new Map([["uploads/g1", "image/jpeg"]]),
    );
    expect(plan.items.map((i) => i.path)).toEqual([
      "inputs/person/p1",
      "inputs/garment/g1.jpg",
      "1-r1/save-tryon.png",
      "inputs/person/p2",
      "2-r2/save-tryon.png",
    ]);
    const rows = plan.csv.trim().split("\r\n");
    expect(rows[1]).toContain("inputs/person/p1,inputs/garment/g1.jpg");
    expect(rows[2]).toContain("inputs/person/p2,inputs/garment/g1.jpg");
  });

  it("keeps hostile names inside their folder", () => {
    const plan = planBatchExport([
      {
        ...run("r1", "p1", "g1"),
        outputs: [{ nodeId: "../x", name: "a/../../b", key: "k", contentType: "text/plain" }],
      },
    ]);
    const out = plan.items.find((i) => i.key === "k")!;
    expect(out.path).toBe("1-r1/__x-a_.._.._b");
    expect(out.path.split("/")).toHaveLength(2);
    expect(out.compress).toBe(true);
  });
});

describe("batchZipStream", () => {
  it("writes the CSV and every file the plan names", async () => {
    const plan = planBatchExport([run("r1", "p1", "g1"), run("r2", "p2", "g1")]);
    const store = new Map(plan.items.map((item, i) => [item.key, png(i)]));
    const zip = await buffer(batchZipStream(plan, async (key) => store.get(key) ?? null));
    const files = await unzip(zip);
    expect([...files.keys()].sort()).toEqual(
      ["batch.csv", ...plan.items.map((i) => i.path)].sort(),
    );
    expect(files.get("batch.csv")!.toString("utf8")).toBe(plan.csv);
    expect([...files.get("2-r2/save-tryon.png")!]).toEqual([
      ...store.get("runs/r2/save/tryon.png")!,
    ]);
  });

  it("fails with the missing file named", async () => {
    const plan = planBatchExport([run("r1", "p1", "g1")]);
    await expect(buffer(batchZipStream(plan, async () => null))).rejects.toThrow(
      /inputs\/person\/p1: not in the asset store/,
    );
  });
});
