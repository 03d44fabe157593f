import { chromium, type Browser } from "playwright-core";
import type { WorkflowDocument } from "../../nodes/core/document";
import { serveBuild } from "../helpers/serve-build";

const PORT = 3109;

/** `count` real nodes in chains of Load Image → Resize → Preview, laid out on a grid. */
function realisticGraph(count: number, viewport?: WorkflowDocument["viewport"]): WorkflowDocument {
  const types = ["load-image", "resize", "preview"] as const;
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    type: types[i % 3],
    position: { x: (i % 3) * 320 + Math.floor(i / 30) * 1000, y: (Math.floor(i / 3) % 10) * 420 },
    params: {},
  }));
  const edges = nodes.flatMap((n, i) =>
    i % 3 === 2 || i + 1 >= count
      ? []
      : [
          {
            id: `e${i}`,
            source: n.id,
            sourceHandle: "image",
            target: `n${i + 1}`,
            targetHandle: "image",
          },
        ],
  );
  return {
    version: 2,
    name: `drag bench ${count}`,
    nodes,
    edges,
    meta: {},
    ...(viewport ? { viewport } : {}),
  };
}

/**
 * Serves the production build on a scratch database and drags a node in a `count`-node workflow
 * twice: zoomed out to fit every node (the low-detail view) and at 100 % zoom (full detail).
 */
export async function measureDragFps(
  count: number,
  executablePath: string,
): Promise<{ overview: Fps; working: Fps }> {
  const { base, stop } = await serveBuild(PORT);
  const browser = await chromium.launch({ executablePath, args: ["--enable-unsafe-webgpu"] });
  try {
    const overview = await dragOnce(browser, base, realisticGraph(count));
    const working = await dragOnce(browser, base, realisticGraph(count, { x: 40, y: 40, zoom: 1 }));
    return { overview, working };
  } finally {
    await browser.close();
    stop();
  }
}

export interface Fps {
  readonly median: number;
  readonly worst: number;
  readonly frames: number;
}

/**
 * Opens `doc`, drags node `nodeId` (n1 by default) for ~2 s and counts the frames the page
 * produced; `opened` hears how long the page took to draw every top-level node.
 */
export async function dragOnce(
  browser: Browser,
  base: string,
  doc: WorkflowDocument,
  nodeId = "n1",
  opened?: (ms: number) => void,
): Promise<Fps> {
  const created = await fetch(`${base}/api/workflows`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ document: doc }),
  });
  const { id } = (await created.json()) as { id: string };
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const openStart = Date.now();
  await page.goto(`${base}/w/${id}`);
  await page.waitForFunction(
    (n) => document.querySelectorAll(".react-flow__node").length === n,
    doc.nodes.length,
    { polling: "raf" },
  );
  opened?.(Date.now() - openStart);
  // Measure steady editing: wait until the worker has finished starting onnxruntime (seconds of
  // WASM compilation that would otherwise compete with the page for the CPU).
  // A function, not a string: the page's CSP has no 'unsafe-eval', and Playwright evaluates a
  // string predicate with eval. An anonymous arrow gets no name-keeping helper from tsx.
  await page.waitForFunction(
    () =>
      document.querySelector("[data-testid=backend]")?.textContent?.includes("onnxruntime") ===
      true,
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(500);
  const header = page.locator(`.react-flow__node[data-id="${nodeId}"] header`);
  const box = (await header.boundingBox())!;
  // A string, not a function: tsx's name-keeping helpers do not exist inside the page.
  await page.evaluate(
    "window.__frames = []; (function tick(t) { window.__frames.push(t); requestAnimationFrame(tick); })(performance.now());",
  );
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  const start = Date.now();
  for (let i = 0; Date.now() - start < 2000; i++) {
    await page.mouse.move(
      box.x + 20 + (i % 200) * 2,
      box.y + box.height / 2 + Math.sin(i / 10) * 80,
    );
  }
  await page.mouse.up();
  const frames = (await page.evaluate("window.__frames")) as number[];
  await page.close();
  const span = frames.filter((t) => t >= frames[0]);
  const perSecond: number[] = [];
  for (let s = span[0]; s + 1000 <= span[span.length - 1]; s += 250) {
    perSecond.push(span.filter((t) => t >= s && t < s + 1000).length);
  }
  perSecond.sort((a, b) => a - b);
  return {
    median: perSecond[Math.floor(perSecond.length / 2)] ?? 0,
    worst: perSecond[0] ?? 0,
    frames: span.length,
  };
}
