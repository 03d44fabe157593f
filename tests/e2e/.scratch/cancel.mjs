import { png, asset, post, browser } from "./common.mjs";
const id = await asset(await png());
const wf = await post({ version: 1, name: "slow", meta: {}, nodes: [
  { id: "load", type: "load-image", position: { x: 0, y: 0 }, params: { image: id } },
  { id: "big", type: "resize", position: { x: 300, y: 0 }, params: { mode: "stretch", width: 8192, height: 8192 } },
  { id: "prev", type: "preview", position: { x: 600, y: 0 }, params: {} },
], edges: [{ id: "e1", source: "load", sourceHandle: "image", target: "big", targetHandle: "image" }, { id: "e2", source: "big", sourceHandle: "image", target: "prev", targetHandle: "image" }] });
const { b, page } = await browser();
await page.goto("/w/" + wf + (process.argv[2] ? "?backend=wasm" : ""));
await page.waitForSelector('[data-testid="backend"].backend-webgpu, [data-testid="backend"].backend-wasm');
const t0 = Date.now();
await page.click("text=▶ Run");
await page.waitForSelector('[data-id="big"] [data-status="running"]');
console.log("running after", Date.now() - t0);
if (process.argv[3] === "cancel") { await page.waitForTimeout(300); await page.click("button:has-text('Cancel')"); console.log("cancel clicked", Date.now() - t0); }
for (let i = 0; i < 200; i++) {
  const s = await page.evaluate(() => [...document.querySelectorAll('[data-testid=node-status]')].map(e => e.textContent).join(" | ") + " || " + (document.querySelector('[data-testid=run-summary]')?.textContent ?? ""));
  console.log(Date.now() - t0, s);
  if (s.includes("||") && !s.endsWith("|| ")) break;
  await page.waitForTimeout(500);
}
await b.close();
