import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createCanvas, type GrayCanvas } from "./pil-canvas";
import { drawEllipse } from "./pil-ellipse";
import { drawLineCurveJoints, drawWideLines, type PilPoint } from "./pil-line";

/**
 * Pixel-exact checks of our Pillow ports against images from Pillow's own test suite (see
 * fixtures/README.md), drawn with the same calls as `Tests/test_imagedraw.py`. Pillow marks
 * `line_horizontal_slope1px_w2px` as an expected failure of its own code, so it is not used.
 */
interface Fixture {
  readonly width: number;
  readonly height: number;
  readonly spans: readonly (readonly number[])[];
}

function loadFixtures(): Record<string, Fixture> {
  const text = readFileSync(new URL("./fixtures/pillow-imagedraw.txt", import.meta.url), "utf8");
  const out: Record<string, Fixture> = {};
  let current: { width: number; height: number; spans: number[][] } | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(" ");
    if (line.startsWith("@")) {
      const [width, height] = [Number(fields[1]), Number(fields[2])];
      current = { width, height, spans: Array.from({ length: height }, () => []) };
      out[fields[0].slice(1)] = current;
    } else if (current) {
      current.spans[Number(fields[0])] = fields.slice(1).map(Number);
    }
  }
  return out;
}

const fixtures = loadFixtures();

function spansOf(canvas: GrayCanvas): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < canvas.height; y++) {
    const row: number[] = [];
    let x = 0;
    while (x < canvas.width) {
      if (canvas.data[y * canvas.width + x] !== 0) {
        const x0 = x;
        while (x < canvas.width && canvas.data[y * canvas.width + x] !== 0) x++;
        row.push(x0, x - 1);
      } else {
        x++;
      }
    }
    rows.push(row);
  }
  return rows;
}

function expectMatches(name: string, draw: (canvas: GrayCanvas) => void): void {
  const fixture = fixtures[name];
  const canvas = createCanvas(fixture.width, fixture.height);
  draw(canvas);
  expect(spansOf(canvas)).toEqual(fixture.spans);
}

function line(points: readonly PilPoint[], width: number) {
  return (canvas: GrayCanvas) => drawWideLines(canvas, points, width, 255);
}

describe("wide lines match Pillow", () => {
  const cases: [string, PilPoint[], number][] = [
    [
      "line_horizontal_w2px_normal",
      [
        [5, 5],
        [14, 5],
      ],
      2,
    ],
    [
      "line_horizontal_w2px_inverted",
      [
        [14, 5],
        [5, 5],
      ],
      2,
    ],
    [
      "line_horizontal_w3px",
      [
        [5, 5],
        [14, 5],
      ],
      3,
    ],
    [
      "line_horizontal_w3px",
      [
        [14, 5],
        [5, 5],
      ],
      3,
    ],
    [
      "line_horizontal_w101px",
      [
        [5, 55],
        [195, 55],
      ],
      101,
    ],
    [
      "line_vertical_w2px_normal",
      [
        [5, 5],
        [5, 14],
      ],
      2,
    ],
    [
      "line_vertical_w2px_inverted",
      [
        [5, 14],
        [5, 5],
      ],
      2,
    ],
    [
      "line_vertical_w3px",
      [
        [5, 5],
        [5, 14],
      ],
      3,
    ],
    [
      "line_vertical_w3px",
      [
        [5, 14],
        [5, 5],
      ],
      3,
    ],
    [
      "line_vertical_w101px",
      [
        [55, 5],
        [55, 195],
      ],
      101,
    ],
    [
      "line_vertical_slope1px_w2px",
      [
        [5, 5],
        [6, 14],
      ],
      2,
    ],
    [
      "line_oblique_45_w3px_a",
      [
        [5, 5],
        [14, 14],
      ],
      3,
    ],
    [
      "line_oblique_45_w3px_a",
      [
        [14, 14],
        [5, 5],
      ],
      3,
    ],
    [
      "line_oblique_45_w3px_b",
      [
        [14, 5],
        [5, 14],
      ],
      3,
    ],
    [
      "line_oblique_45_w3px_b",
      [
        [5, 14],
        [14, 5],
      ],
      3,
    ],
    [
      "imagedraw_line",
      [
        [10, 10],
        [20, 40],
        [30, 30],
      ],
      2,
    ],
  ];
  it.each(cases)("%s %j width %i", (name, points, width) => {
    expectMatches(name, line(points, width));
  });
});

describe("ellipses match Pillow", () => {
  function variousSizes(filled: boolean) {
    return (canvas: GrayCanvas) => {
      let x = 1;
      for (let w = 0; w < 32; w++) {
        let y = 1;
        for (let h = 0; h < 32; h++) {
          const x1 = w ? x + w - 1 : x;
          const y1 = h ? y + h - 1 : y;
          drawEllipse(canvas, x, y, x1, y1, 255, filled, 1);
          y += h + 1;
        }
        x += w + 1;
      }
    };
  }
  it("filled, every size up to 31×31", () => {
    expectMatches("imagedraw_ellipse_various_sizes_filled", variousSizes(true));
  });
  it("5-px ring", () => {
    expectMatches("imagedraw_ellipse_width", (c) => drawEllipse(c, 25, 25, 75, 75, 255, false, 5));
  });
  it("75-px ring", () => {
    expectMatches("imagedraw_ellipse_width_large", (c) =>
      drawEllipse(c, 25, 25, 475, 475, 255, false, 75),
    );
  });
});

describe("curve joints match Pillow", () => {
  /*
   * Pillow's reference for this test dates from 2018, before its 2020 ellipse rasteriser, and
   * Pillow itself only asserts similarity. Against it we may miss a few pixels on the rim of the
   * joint pie slices (which the exact ellipse tests above pin down) but must add none.
   */
  it("50-px polyline with every kind of bend", () => {
    const points: PilPoint[] = [
      [400, 280],
      [380, 280],
      [450, 280],
      [440, 120],
      [350, 200],
      [310, 280],
      [300, 280],
      [250, 280],
      [250, 200],
      [150, 200],
      [150, 260],
      [50, 200],
      [150, 50],
      [250, 100],
    ];
    const fixture = fixtures.imagedraw_line_joint_curve;
    const canvas = createCanvas(fixture.width, fixture.height);
    drawLineCurveJoints(canvas, points, 50, 255);
    let extra = 0;
    let missing = 0;
    let missingOffRim = 0;
    fixture.spans.forEach((spans, y) => {
      const expected = new Uint8Array(fixture.width);
      for (let i = 0; i < spans.length; i += 2) expected.fill(1, spans[i], spans[i + 1] + 1);
      for (let x = 0; x < fixture.width; x++) {
        const got = canvas.data[y * fixture.width + x] !== 0;
        if (got && !expected[x]) extra++;
        if (!got && expected[x]) {
          missing++;
          const left = x > 0 && canvas.data[y * fixture.width + x - 1] !== 0;
          const right = x + 1 < fixture.width && canvas.data[y * fixture.width + x + 1] !== 0;
          const up = y > 0 && canvas.data[(y - 1) * fixture.width + x] !== 0;
          const down = y + 1 < fixture.height && canvas.data[(y + 1) * fixture.width + x] !== 0;
          if (!left && !right && !up && !down) missingOffRim++;
        }
      }
    });
    expect(extra).toBe(0);
    expect(missingOffRim).toBe(0);
    expect(missing).toBeLessThanOrEqual(64);
  });
});
