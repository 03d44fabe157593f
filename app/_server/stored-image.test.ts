import { describe, expect, it } from "vitest";
import { storedImageHeaders } from "./stored-image";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
const WEBP = new Uint8Array([...Buffer.from("RIFF"), 4, 0, 0, 0, ...Buffer.from("WEBPVP8 ")]);
const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
);
const HTML = new TextEncoder().encode("<!doctype html><script>alert(1)</script>");

describe("storedImageHeaders", () => {
  it("serves images as the type their bytes are", () => {
    expect(storedImageHeaders(PNG, "x")["Content-Type"]).toBe("image/png");
    expect(storedImageHeaders(JPEG, "x")["Content-Type"]).toBe("image/jpeg");
    expect(storedImageHeaders(WEBP, "x")["Content-Type"]).toBe("image/webp");
    const headers = storedImageHeaders(PNG, "x");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Content-Length"]).toBe(String(PNG.byteLength));
    expect(headers["Content-Disposition"]).toBeUndefined();
  });

  it("offers anything else (SVG, HTML, garbage) only as a download of opaque bytes", () => {
    for (const bytes of [SVG, HTML, new Uint8Array([1, 2, 3]), new Uint8Array(0)]) {
      const headers = storedImageHeaders(bytes, "asset-abc");
      expect(headers["Content-Type"]).toBe("application/octet-stream");
      expect(headers["Content-Disposition"]).toBe('attachment; filename="asset-abc"');
      expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    }
  });

  it("keeps the download name inside its quotes", () => {
    const headers = storedImageHeaders(SVG, 'a"b\r\nSet-Cookie: x=1');
    expect(headers["Content-Disposition"]).toBe('attachment; filename="a_b__Set-Cookie__x_1"');
  });
});
