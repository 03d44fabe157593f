import { chromium } from "playwright-core";
import sharp from "sharp";
export const BASE = "http://localhost:3199";
export async function png(w = 64, h = 48) {
  const raw = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4; raw[i] = (x * 255) / (w - 1); raw[i + 1] = (y * 255) / (h - 1); raw[i + 2] = 128; raw[i + 3] = 255;
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
}
export async function asset(buf) {
  const r = await fetch(BASE + "/api/assets", { method: "POST", headers: { "Content-Type": "image/png" }, body: buf });
  return (await r.json()).id;
}
export async function post(doc) {
  const r = await fetch(BASE + "/api/workflows", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: doc.name, document: doc }) });
  const b = await r.json(); if (!r.ok) throw new Error(JSON.stringify(b)); return b.id;
}
export async function browser() {
  const b = await chromium.launch({ executablePath: "/usr/lib/chromium/chromium", args: ["--enable-unsafe-webgpu"] });
  const ctx = await b.newContext({ baseURL: BASE, viewport: { width: 1400, height: 900 }, acceptDownloads: true, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.log("PAGEERR", e.message));
  page.on("console", (m) => console.log("CONSOLE", m.type(), m.text()));
  return { b, page };
}
