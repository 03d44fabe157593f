/**
 * Shared helpers for the end-to-end tests: building workflows through the API, test images,
 * reading the canvas (nodes, wires, run statuses) and driving React Flow with a real mouse.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import sharp from "sharp";
import { inject } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import { fixture } from "../helpers/fixtures";

export type { WorkflowDocument };

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const PHOTO = fixture("person-upper-body.png");

// ---------------------------------------------------------------------------------------------
// Documents and the API

interface NodeSpec {
  readonly id: string;
  readonly type: string;
  readonly x?: number;
  readonly y?: number;
  readonly params?: Record<string, unknown>;
}

/** A workflow document; `wires` are [source, sourceHandle, target, targetHandle]. */
export function workflowDoc(
  name: string,
  nodes: readonly NodeSpec[],
  wires: readonly (readonly [string, string, string, string])[] = [],
): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      position: { x: n.x ?? 0, y: n.y ?? 0 },
      params: n.params ?? {},
    })),
    edges: wires.map(([source, sourceHandle, target, targetHandle], i) => ({
      id: `e${i + 1}`,
      source,
      sourceHandle,
      target,
      targetHandle,
    })),
    meta: {},
  };
}

export function baseURL(): string {
  return inject("baseURL");
}

export async function api<T = unknown>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${baseURL()}${path}`, {
    ...init,
    headers:
      init?.body && typeof init.body === "string"
        ? { "Content-Type": "application/json" }
        : init?.headers,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Stores the document as a new workflow and returns its id. */
export async function createWorkflow(doc: WorkflowDocument): Promise<string> {
  const body = await api<{ id: string }>("/api/workflows", {
    method: "POST",
    body: JSON.stringify({ name: doc.name, document: doc }),
  });
  return body.id;
}

export async function fetchWorkflow(
  id: string,
): Promise<{ id: string; name: string; document: WorkflowDocument; latestVersion: number }> {
  return api(`/api/workflows/${id}`);
}

export async function listWorkflows(): Promise<
  { id: string; name: string; updatedAt: string; nodeCount: number; hasThumbnail: boolean }[]
> {
  return (await api<{ workflows: never[] }>("/api/workflows")).workflows;
}

/** Uploads image bytes as an asset (what the image widget does) and returns its id. */
export async function uploadAsset(bytes: Uint8Array, type = "image/png"): Promise<string> {
  const res = await fetch(`${baseURL()}/api/assets`, {
    method: "POST",
    headers: { "Content-Type": type },
    body: new Uint8Array(bytes),
  });
  const body = (await res.json()) as { id?: string; error?: string };
  if (!res.ok || !body.id) throw new Error(`upload failed: ${body.error ?? res.status}`);
  return body.id;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// ---------------------------------------------------------------------------------------------
// Images and files

/** An opaque RGBA gradient PNG; `seed` changes the colours so two images differ. */
export async function gradientPng(width = 64, height = 48, seed = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      raw[i] = Math.round((x * 255) / Math.max(1, width - 1));
      raw[i + 1] = Math.round((y * 255) / Math.max(1, height - 1));
      raw[i + 2] = (seed * 53 + 128) % 256;
      raw[i + 3] = 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

let scratch: string | undefined;
/** Writes bytes to a per-process temporary folder (for file pickers) and returns the path. */
export function tempFile(name: string, bytes: Uint8Array | string): string {
  scratch ??= mkdtempSync(join(tmpdir(), "leffa-e2e-files-"));
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Decoded RGBA pixels, for comparing images independently of their encoding. */
export async function pixels(
  bytes: Uint8Array,
): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

// ---------------------------------------------------------------------------------------------
// The canvas

export function nodeEl(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

export function handleEl(
  page: Page,
  nodeId: string,
  handle: string,
  kind: "source" | "target",
): Locator {
  return nodeEl(page, nodeId).locator(`.react-flow__handle.${kind}[data-handleid="${handle}"]`);
}

export async function nodeIds(page: Page): Promise<string[]> {
  return page
    .locator(".react-flow__node")
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
}

/** Ids of nodes of one type, in DOM order. */
export async function nodeIdsOfType(page: Page, type: string): Promise<string[]> {
  return page
    .locator(`.react-flow__node:has([data-node-type="${type}"])`)
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
}

export async function selectedIds(page: Page): Promise<string[]> {
  return page
    .locator(".react-flow__node.selected")
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!).sort());
}

/** Every wire on the canvas as "source->target", sorted. */
export async function wires(page: Page): Promise<string[]> {
  const labels = await page
    .locator(".react-flow__edge")
    .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""));
  return labels.map((l) => l.replace(/^Edge from (\S+) to (\S+)$/, "$1->$2")).sort();
}

export async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`not visible: ${locator}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export async function box(
  locator: Locator,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error(`not visible: ${locator}`);
  return b;
}

/** Presses on `from` (a handle) and releases over `to` (a handle, or a point in empty space). */
export async function dragWire(
  page: Page,
  from: Locator,
  to: Locator | { x: number; y: number },
): Promise<void> {
  const a = await centre(from);
  const b = "boundingBox" in to ? await centre(to) : to;
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + (b.x - a.x) / 3, a.y + (b.y - a.y) / 3, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 10 });
  await page.mouse.up();
}

/** Waits until the viewport transform stops changing (the studio fits the view after loading). */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const read = () =>
          document.querySelector(".react-flow__viewport")?.getAttribute("style") ?? "";
        const first = read();
        let frames = 0;
        const tick = () => {
          if (read() !== first) return resolve(false);
          if (++frames >= 4) return resolve(true);
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    undefined,
    { polling: 50, timeout: 10_000 },
  );
}

/** The canvas zoom (the scale of the React Flow viewport). */
export async function zoom(page: Page): Promise<number> {
  const style = (await page.locator(".react-flow__viewport").getAttribute("style")) ?? "";
  const m = /scale\(([\d.]+)\)/.exec(style);
  return m ? Number(m[1]) : 1;
}

/**
 * A point on the empty pane, nearest to `near`: inside the canvas and away from every node, so
 * that a box of `size` (a node about to be added there) with its top-left corner at the point
 * overlaps nothing either.
 */
export async function emptyPoint(
  page: Page,
  near?: { x: number; y: number },
  size: { width: number; height: number } = { width: 0, height: 0 },
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ({ near, size }) => {
      const pane = document.querySelector(".react-flow__pane")!.getBoundingClientRect();
      const blockers = [
        ...document.querySelectorAll(
          // The breadcrumb (and its Components… button) sits over the canvas's top-left corner.
          ".react-flow__node, .react-flow__minimap, .react-flow__controls, [data-testid=subgraph-breadcrumb]",
        ),
      ].map((n) => n.getBoundingClientRect());
      const margin = 30;
      const free = (x: number, y: number) =>
        x > pane.left + 20 &&
        x + size.width < pane.right - 20 &&
        y > pane.top + 20 &&
        y + size.height < pane.bottom - 20 &&
        blockers.every(
          (r) =>
            x + size.width < r.left - margin ||
            x > r.right + margin ||
            y + size.height < r.top - margin ||
            y > r.bottom + margin,
        );
      let best: { x: number; y: number; d: number } | undefined;
      for (let y = pane.top + 40; y < pane.bottom - 40; y += 20)
        for (let x = pane.left + 40; x < pane.right - 40; x += 20) {
          if (!free(x, y)) continue;
          const d = near ? Math.hypot(x - near.x, y - near.y) : 0;
          if (!best || d < best.d) best = { x, y, d };
        }
      if (!best) throw new Error("no empty spot on the canvas");
      return { x: best.x, y: best.y };
    },
    { near, size },
  );
}

/** Clicks the empty pane (clears the selection and takes the focus out of any field). */
export async function clickPane(page: Page): Promise<void> {
  const p = await emptyPoint(page);
  await page.mouse.click(p.x, p.y);
}

/** The document as the studio has it, through the Export button's JSON download. */
export async function exportDocument(page: Page): Promise<WorkflowDocument> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export", exact: true }).click(),
  ]);
  return JSON.parse(await readFile(await download.path(), "utf8")) as WorkflowDocument;
}

export async function paramsOf(page: Page, nodeId: string): Promise<Record<string, unknown>> {
  const doc = await exportDocument(page);
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`node ${nodeId} not in the exported document`);
  return node.params;
}

/** Opens a studio tab on a stored workflow and waits until its nodes are drawn and placed. */
export async function openWorkflow(
  open: (path?: string, options?: { backend?: "wasm" | "webgpu" }) => Promise<Page>,
  doc: WorkflowDocument,
  options: { backend?: "wasm" | "webgpu" } = {},
): Promise<{ page: Page; id: string }> {
  const id = await createWorkflow(doc);
  const page = await open(`/w/${id}`, options);
  await page.waitForFunction(
    (n) => document.querySelectorAll(".react-flow__node").length === n,
    doc.nodes.length,
  );
  await settle(page);
  return { page, id };
}

// ---------------------------------------------------------------------------------------------
// Runs

export function statusEl(page: Page, nodeId: string): Locator {
  return nodeEl(page, nodeId).locator('[data-testid="node-status"]');
}

export async function waitForStatus(
  page: Page,
  nodeId: string,
  status: string,
  timeout = 30_000,
): Promise<void> {
  await nodeEl(page, nodeId)
    .locator(`[data-testid="node-status"][data-status="${status}"]`)
    .waitFor({ timeout });
}

export async function statuses(
  page: Page,
  ids: readonly string[],
): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const id of ids) {
    const el = statusEl(page, id);
    out[id] = (await el.count()) ? await el.getAttribute("data-status") : null;
  }
  return out;
}

export function runButton(page: Page): Locator {
  return page.locator('button[title^="Run"]');
}

export function cancelButton(page: Page): Locator {
  return page.locator('button[title^="Cancel"]');
}

/** Waits for the runtime worker to report its backend (runs before that would queue anyway). */
export async function waitForRuntime(page: Page): Promise<void> {
  await page.waitForSelector(
    '[data-testid="backend"].backend-webgpu, [data-testid="backend"].backend-wasm',
    {
      timeout: 30_000,
    },
  );
}

/**
 * Watches for the start of the next run: the summary of the previous one disappears and the Run
 * button is disabled. A MutationObserver sees that even when a run served from the cache ends
 * within one frame (polling could miss it).
 */
export async function watchForRunStart(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __e2eRunStarted?: boolean };
    w.__e2eRunStarted = false;
    const started = () =>
      !document.querySelector('[data-testid="run-summary"]') ||
      document.querySelector<HTMLButtonElement>('button[title^="Run"]')?.disabled === true;
    const observer = new MutationObserver(() => {
      if (!started()) return;
      w.__e2eRunStarted = true;
      observer.disconnect();
    });
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

/** Clicks Run and waits for the summary of that run; returns its text. */
export async function runWorkflow(page: Page, timeout = 60_000): Promise<string> {
  await startRun(page);
  return waitForRunEnd(page, timeout);
}

/** Clicks Run (once the runtime is up) without waiting for the run to end. */
export async function startRun(page: Page): Promise<void> {
  await waitForRuntime(page);
  await watchForRunStart(page);
  await runButton(page).click();
}

/** Waits for the run started by `startRun` to end; returns the summary text. */
export async function waitForRunEnd(page: Page, timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    () =>
      (window as unknown as { __e2eRunStarted?: boolean }).__e2eRunStarted === true &&
      !!document.querySelector('[data-testid="run-summary"]') &&
      document.querySelector<HTMLButtonElement>('button[title^="Run"]')?.disabled === false,
    undefined,
    { timeout, polling: 50 },
  );
  return (await page.getByTestId("run-summary").textContent()) ?? "";
}

// ---------------------------------------------------------------------------------------------
// Files dropped and pasted (built in the page: a DataTransfer cannot cross the protocol)

/** Dispatches a drop of one file on the element matching `selector`, at its centre or `at`. */
export async function dropFile(
  page: Page,
  selector: string,
  file: { name: string; type: string; bytes: Uint8Array },
  at?: { x: number; y: number },
): Promise<void> {
  await page.evaluate(
    async ({ selector, name, type, b64, at }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const target = document.querySelector(selector);
      if (!target) throw new Error(`no element ${selector}`);
      const r = target.getBoundingClientRect();
      const clientX = at?.x ?? r.left + r.width / 2;
      const clientY = at?.y ?? r.top + r.height / 2;
      for (const kind of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(
          new DragEvent(kind, {
            dataTransfer: dt,
            bubbles: true,
            cancelable: true,
            clientX,
            clientY,
          }),
        );
      }
    },
    {
      selector,
      name: file.name,
      type: file.type,
      b64: Buffer.from(file.bytes).toString("base64"),
      at,
    },
  );
}

/** Dispatches a paste carrying one file, as the browser does for a pasted screenshot. */
export async function pasteFile(
  page: Page,
  file: { name: string; type: string; bytes: Uint8Array },
): Promise<void> {
  await page.evaluate(
    ({ name, type, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type }));
      const target =
        document.activeElement && document.activeElement !== document.body
          ? document.activeElement
          : document.body;
      target.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }),
      );
    },
    { name: file.name, type: file.type, b64: Buffer.from(file.bytes).toString("base64") },
  );
}

export function toastLocator(page: Page, tone?: "error" | "info"): Locator {
  return page.locator(tone ? `.toast.toast-${tone}` : ".toast");
}
