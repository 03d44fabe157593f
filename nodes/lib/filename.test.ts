import { describe, expect, it } from "vitest";
import { MAX_FILENAME_LENGTH, sanitizeFilename } from "./filename";

describe("sanitizeFilename", () => {
  it("keeps ordinary names, including non-Latin ones", () => {
    expect(sanitizeFilename("leffa")).toBe("leffa");
    expect(sanitizeFilename("try-on result 2")).toBe("try-on result 2");
    expect(sanitizeFilename("試着 結果")).toBe("試着 結果");
  });

  it("removes path separators, forbidden and control characters", () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("_.._etc_passwd");
    expect(sanitizeFilename('a\\b:c*d?e"f<g>h|i')).toBe("a_b_c_d_e_f_g_h_i");
    expect(sanitizeFilename("line\nbreak\u0000x")).toBe("line_break_x");
    expect(sanitizeFilename("a///b")).toBe("a_b");
  });

  it("drops a typed .png, hidden-file dots and surrounding spaces", () => {
    expect(sanitizeFilename("photo.PNG")).toBe("photo");
    expect(sanitizeFilename("  .hidden  ")).toBe("hidden");
    expect(sanitizeFilename("name...")).toBe("name");
    expect(sanitizeFilename("a   b")).toBe("a b");
  });

  it("falls back when nothing is left and avoids Windows device names", () => {
    expect(sanitizeFilename("")).toBe("leffa");
    expect(sanitizeFilename(" ... ", "out")).toBe("out");
    expect(sanitizeFilename("CON")).toBe("CON_");
    expect(sanitizeFilename("console")).toBe("console");
  });

  it("limits the length without splitting surrogate pairs", () => {
    expect(sanitizeFilename("x".repeat(500))).toHaveLength(MAX_FILENAME_LENGTH);
    const emoji = sanitizeFilename("😀".repeat(150));
    expect(Array.from(emoji)).toHaveLength(MAX_FILENAME_LENGTH);
    expect(emoji).not.toMatch(/[\ud800-\udbff]$/);
  });
});
