import { describe, expect, it } from "vitest";
import {
  hasLikeWildcard,
  libraryOrder,
  libraryQuerySchema,
  libraryWhere,
  searchParamsRecord,
} from "./library-query";

describe("library query", () => {
  it("reads URL parameters, empty ones taking the defaults", () => {
    const raw = searchParamsRecord(new URLSearchParams("q=&sort=name&limit=5&tag=Pose"));
    expect(libraryQuerySchema.parse(raw)).toEqual({
      sort: "name",
      kind: "all",
      limit: 5,
      offset: 0,
      tag: "Pose",
    });
    expect(libraryQuerySchema.safeParse({ limit: "1000" }).success).toBe(false);
    expect(libraryQuerySchema.safeParse({ colour: "red" }).success).toBe(false);
  });

  it("filters by kind and by the canonical tag", () => {
    const where = libraryWhere(libraryQuerySchema.parse({ kind: "mine", tag: " Try-On " }));
    expect(where).toEqual({
      AND: [{ isTemplate: false }, { tags: { some: { tag: "try-on" } } }],
    });
    expect(libraryWhere(libraryQuerySchema.parse({}))).toEqual({ AND: [] });
  });

  it("uses the literal id list instead of LIKE when the search holds a wildcard", () => {
    expect(hasLikeWildcard("50%")).toBe(true);
    expect(hasLikeWildcard("a_b")).toBe(true);
    expect(hasLikeWildcard("plain")).toBe(false);
    const where = libraryWhere(libraryQuerySchema.parse({ q: "50%" }), ["x"]);
    expect(where).toEqual({ AND: [{ id: { in: ["x"] } }] });
  });

  it("ends every order on the id so pages are stable", () => {
    for (const sort of ["updated", "created", "name", "opened"] as const) {
      expect(libraryOrder(sort).at(-1)).toEqual({ id: "asc" });
    }
  });
});
