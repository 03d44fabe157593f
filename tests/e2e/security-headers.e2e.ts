import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import {
  PHOTO,
  api,
  baseURL,
  createWorkflow,
  nodeEl,
  openWorkflow,
  runWorkflow,
  uploadAsset,
  waitForRuntime,
  workflowDoc,
} from "./helpers";
import sharp from "sharp";

/**
 * The headers every response carries (app/_server/security-headers.ts, applied by proxy.ts), and
 * the studio working under its Content-Security-Policy: useBrowser fails any test that sets off
 * a violation, in the page or in a worker, so the run below proves the policy lets the runtime
 * worker, onnxruntime-web's WebAssembly and threads, model downloads and blob: images through.
 */

const studio = useBrowser();

/** Directive name -> sources. */
function directives(policy: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (policy ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

function expectCommonHeaders(res: Response, what: string): void {
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("same-origin");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  // Cross-origin isolation (next.config.js), which onnxruntime-web's threads need.
  expect(res.headers.get("cross-origin-opener-policy"), what).toBe("same-origin");
  expect(res.headers.get("cross-origin-embedder-policy"), what).toBe("require-corp");
  // One policy only: two would both be enforced, the stricter one winning.
  expect(res.headers.get("content-security-policy"), what).not.toContain(",");
}

let sharePath = "";
let assetId = "";

beforeAll(async () => {
  const id = await createWorkflow(
    workflowDoc("CSP share", [{ id: "note", type: "note", params: { text: "shared" } }]),
  );
  ({ sharePath } = await api<{ sharePath: string }>(`/api/workflows/${id}/share`, {
    method: "PUT",
    body: JSON.stringify({ visibility: "link" }),
  }));
  assetId = await uploadAsset(await sharp(PHOTO).resize(48).png().toBuffer());
});

describe("security headers", () => {
  it("gives every page a policy with a fresh nonce, carried by each of its scripts", async () => {
    const id = await createWorkflow(workflowDoc("CSP page", []));
    const pages = ["/", "/library", "/gallery", "/signin", `/w/${id}`, sharePath, "/no-such-page"];
    for (const path of pages) {
      const res = await fetch(`${baseURL()}${path}`);
      expect(res.status, path).toBeLessThan(path === "/no-such-page" ? 500 : 400);
      expectCommonHeaders(res, path);
      const csp = directives(res.headers.get("content-security-policy"));
      const script = csp.get("script-src") ?? [];
      const nonce = /^'nonce-(.+)'$/.exec(script.find((s) => s.startsWith("'nonce-")) ?? "")?.[1];
      expect(nonce, `${path} has a nonce`).toBeTruthy();
      expect(script).toEqual(expect.arrayContaining(["'strict-dynamic'", "'wasm-unsafe-eval'"]));
      expect(script).not.toContain("'unsafe-inline'");
      expect(script).not.toContain("'unsafe-eval'");
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("connect-src")).toEqual(["'self'", "blob:"]);

      // Next's inline RSC payload and every bundle: each carries this response's nonce.
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);

      const again = await fetch(`${baseURL()}${path}`);
      expect(again.headers.get("content-security-policy")).not.toContain(`'nonce-${nonce}'`);
    }
  });

  it("locks API responses down, images included, and serves images as what their bytes are", async () => {
    for (const path of ["/api/workflows", "/api/models", `/api/assets/${assetId}`]) {
      const res = await fetch(`${baseURL()}${path}`);
      expect(res.status, path).toBe(200);
      expectCommonHeaders(res, path);
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("default-src"), path).toEqual(["'none'"]);
      expect(csp.has("sandbox"), path).toBe(true);
    }
    const image = await fetch(`${baseURL()}/api/assets/${assetId}`);
    expect(image.headers.get("content-type")).toBe("image/png");

    const svg = await fetch(`${baseURL()}/api/assets`, {
      method: "POST",
      headers: { "Content-Type": "image/png" },
      body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    });
    expect(svg.status).toBe(415);
    expect(await svg.json()).toMatchObject({ field: "body" });
  });

  it("gives static build files the nonce-less policy and nosniff", async () => {
    const html = await (await fetch(`${baseURL()}/`)).text();
    const files = [...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files.slice(0, 3)) {
      const res = await fetch(`${baseURL()}${file}`);
      expect(res.status, file).toBe(200);
      expectCommonHeaders(res, file);
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("script-src"), file).toEqual(["'self'", "'wasm-unsafe-eval'"]);
      expect(csp.get("worker-src"), file).toEqual(["'self'", "blob:"]);
    }
    const icon = await fetch(`${baseURL()}/icon.svg`);
    expect(icon.headers.get("x-content-type-options")).toBe("nosniff");
    expect(icon.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("hears a violation in the page and in a worker (the check that fails other tests)", async () => {
    const page = await studio.openPage("/gallery");
    await page.evaluate(() => {
      // Both are refused by connect-src before any packet leaves the browser.
      void fetch("http://127.0.0.1:9/from-page").catch(() => {});
      const source = 'fetch("http://127.0.0.1:9/from-worker").catch(() => {});';
      new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
    });
    const seen: string[] = [];
    await expect
      .poll(
        () => {
          seen.push(...studio.takeCspViolations());
          return seen.join("\n");
        },
        { timeout: 10_000 },
      )
      .toMatch(
        /connect-src blocked http:\/\/127\.0\.0\.1:9\/from-page[\s\S]*from-worker|from-worker[\s\S]*from-page/,
      );
  });

  it("runs a graph on WebGPU and on WASM under the policy, without one violation", async () => {
    const person = await uploadAsset(
      new Uint8Array(
        await sharp(PHOTO)
          .extract({ left: 200, top: 100, width: 96, height: 128 })
          .png()
          .toBuffer(),
      ),
    );
    const doc = workflowDoc(
      "CSP run",
      [
        { id: "person", type: "load-image", params: { image: person } },
        { id: "pose", type: "pose-extractor", x: 300 },
        { id: "view", type: "preview", x: 640 },
      ],
      [
        ["person", "image", "pose", "image"],
        ["pose", "densepose", "view", "image"],
      ],
    );
    for (const backend of ["webgpu", "wasm"] as const) {
      const { page } = await openWorkflow(studio.open, doc, { backend });
      const workers: string[] = [];
      page.on("worker", (w) => workers.push(w.url()));
      await waitForRuntime(page);
      const summary = await runWorkflow(page, 240_000);
      expect(summary, backend).toMatch(/^Done: 3 ran/);
      expect(await nodeEl(page, "pose").getByTestId("node-output-text").textContent()).toContain(
        `on ${backend}`,
      );
      // The result is a blob: image the page could load.
      await page.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>(
          '.react-flow__node[data-id="view"] img',
        );
        return img?.src.startsWith("blob:") && img.complete && img.naturalWidth > 0;
      });
      if (backend === "webgpu") {
        await page.screenshot({ path: "test-results/csp-editor.png" });
        // The runtime worker runs under the policy its own script was served with.
        const script = workers.find((url) => url.startsWith(baseURL()));
        if (script) {
          const res = await fetch(script);
          expect(directives(res.headers.get("content-security-policy")).get("script-src")).toEqual([
            "'self'",
            "'wasm-unsafe-eval'",
          ]);
        }
      }
    }
  }, 300_000);
});
