import { z } from "zod";
import { isStorableText, STORABLE_TEXT_MESSAGE } from "../../nodes/core/document";
import type { Prisma, PrismaClient } from "../../prisma/generated/client/client";
import type { DatabaseProvider } from "./db";
import { normalizeTag } from "./tags";

/**
 * The library's listing query: what the URL's search parameters may ask for, and the one Prisma
 * query that answers it (the bench times this very query).
 */

export const LIBRARY_SORTS = ["updated", "created", "name", "opened"] as const;
export type LibrarySort = (typeof LIBRARY_SORTS)[number];

export const LIBRARY_PAGE_MAX = 200;

export const libraryQuerySchema = z.strictObject({
  /**
   * Matched against name, description and tags, ignoring case: ASCII case on SQLite (its LIKE),
   * all of Unicode on PostgreSQL (ILIKE).
   */
  q: z.string().trim().max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional(),
  tag: z.string().trim().max(40).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional(),
  sort: z.enum(LIBRARY_SORTS).default("updated"),
  /** "mine": the person's workflows; "templates": the read-only examples; "all": both. */
  kind: z.enum(["all", "mine", "templates"]).default("all"),
  limit: z.coerce.number().int().min(1).max(LIBRARY_PAGE_MAX).default(LIBRARY_PAGE_MAX),
  offset: z.coerce.number().int().min(0).default(0),
});

export type LibraryQuery = z.infer<typeof libraryQuerySchema>;

/**
 * Prisma's `contains` is a LIKE without an ESCAPE clause, so `%` and `_` typed in a search would
 * act as wildcards. A search holding one is answered by `literalMatches` instead.
 */
export function hasLikeWildcard(q: string): boolean {
  return /[%_]/.test(q);
}

/**
 * `literalIds`: the ids `literalMatches` found for a search with LIKE wildcards in it; the search
 * is then that list instead of `contains`.
 */
export function libraryWhere(
  query: LibraryQuery,
  literalIds?: readonly string[],
  provider: DatabaseProvider = "sqlite",
): Prisma.WorkflowWhereInput {
  const and: Prisma.WorkflowWhereInput[] = [];
  // PostgreSQL's LIKE is case-sensitive; `mode` (absent from the SQLite client's types, whose
  // LIKE already ignores ASCII case) makes it ILIKE.
  const contains = (value: string) =>
    (provider === "postgresql"
      ? { contains: value, mode: "insensitive" }
      : { contains: value }) as Prisma.StringFilter;
  if (query.kind !== "all") and.push({ isTemplate: query.kind === "templates" });
  if (query.tag) and.push({ tags: { some: { tag: normalizeTag(query.tag) } } });
  if (literalIds) {
    and.push({ id: { in: [...literalIds] } });
  } else if (query.q) {
    const q = query.q;
    and.push({
      OR: [
        { name: contains(q) },
        { description: contains(q) },
        { tags: { some: { tag: contains(normalizeTag(q)) } } },
      ],
    });
  }
  return { AND: and };
}

/**
 * Ids of workflows whose name, description or a tag contains `q` literally, case folded as the
 * `contains` search folds it: SQLite's `instr`, PostgreSQL's `strpos`.
 */
export async function literalMatches(
  prisma: Pick<PrismaClient, "$queryRaw">,
  q: string,
  provider: DatabaseProvider = "sqlite",
): Promise<string[]> {
  const needle = q.toLowerCase();
  const tag = normalizeTag(q);
  const rows =
    provider === "postgresql"
      ? await prisma.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Workflow"
    WHERE strpos(lower("name"), ${needle}) > 0
       OR strpos(lower("description"), ${needle}) > 0
       OR "id" IN (SELECT "workflowId" FROM "WorkflowTag" WHERE strpos("tag", ${tag}) > 0)`
      : await prisma.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Workflow"
    WHERE instr(lower("name"), ${needle}) > 0
       OR instr(lower("description"), ${needle}) > 0
       OR "id" IN (SELECT "workflowId" FROM "WorkflowTag" WHERE instr("tag", ${tag}) > 0)`;
  return rows.map((r) => r.id);
}

/** Every order ends on the id, so pages never repeat or skip a row with an equal key. */
export function libraryOrder(
  sort: LibrarySort,
  provider: DatabaseProvider = "sqlite",
): Prisma.WorkflowOrderByWithRelationInput[] {
  switch (sort) {
    case "updated":
      return [{ updatedAt: "desc" }, { id: "asc" }];
    case "created":
      return [{ createdAt: "desc" }, { id: "asc" }];
    case "name":
      return [{ name: "asc" }, { id: "asc" }];
    case "opened":
      // Never-opened workflows last, newest edits first among them. SQLite sorts NULL below every
      // value, so a plain DESC already puts them last, and (unlike an explicit NULLS LAST) can
      // walk the (isTemplate, openedAt) index. PostgreSQL sorts NULLs first on DESC.
      return [
        provider === "postgresql"
          ? { openedAt: { sort: "desc", nulls: "last" } }
          : { openedAt: "desc" },
        { updatedAt: "desc" },
        { id: "asc" },
      ];
  }
}

/** URL search parameters as a record for libraryQuerySchema; empty values mean "the default". */
export function searchParamsRecord(params: URLSearchParams): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) if (value !== "") raw[key] = value;
  return raw;
}
