import { describe, expect, it } from "vitest";
import { loopbackAddress } from "./load-client";

describe("loopbackAddress", () => {
  it("gives every user a loopback address of its own, never 127.0.0.1", () => {
    const addresses = Array.from({ length: 600 }, (_, i) => loopbackAddress(i));
    expect(addresses[0]).toBe("127.0.0.2");
    expect(addresses[252]).toBe("127.0.0.254");
    expect(addresses[253]).toBe("127.0.1.1");
    expect(new Set(addresses).size).toBe(600);
    for (const a of addresses) {
      expect(a).not.toBe("127.0.0.1");
      expect(a).toMatch(/^127\.0\.\d+\.(25[0-4]|2[0-4]\d|1?\d?\d)$/);
      expect(a.endsWith(".0")).toBe(false);
    }
  });
});
