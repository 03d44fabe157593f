import { z } from "zod";
import {
  isStorableText,
  parseWorkflow,
  STORABLE_TEXT_MESSAGE,
  WorkflowParseError,
  workflowSchema,
  type WorkflowDocument,
} from "../../nodes/core/document";
import { parseCheckedWorkflow } from "../../nodes";
import { readableBy, writableBy, type Actor } from "./actor";
import { providerOfClient, type PrismaClient } from "./db";
import {
  hasLikeWildcard,
  libraryOrder,
  libraryWhere,
  literalMatches,
  type LibraryQuery,
} from "./library-query";
import { normalizeTags } from "./tags";
import { ReadOnlyWorkflowError, VersionConflictError } from "./workflow-errors";

/**
 * The workflow store. Plain functions over a PrismaClient so tests and scripts pass their own.
 * Every write parses its document here, whoever the caller is, so the table only ever holds valid
 * documents. The row's `name` and the document's `name` are one thing: each write sets both.
 * A missing workflow is reported as `null` (or `false`); mapping that to 404 is the route's job.
 * Templates refuse every change (ReadOnlyWorkflowError); a save on a stale version is refused
 * with the newer one (VersionConflictError).
 * Every function takes the Actor it works for (actor.ts): with accounts on, someone else's
 * workflow is simply not there for them (null, so a 404 that does not confirm it exists), and new
 * workflows belong to the actor.
 */

/** The same rule as the document's own name, so a valid row name is always a valid doc name. */
export const workflowNameSchema = workflowSchema.shape.name;

/**
 * A request body's `document`: a JSON object, checked in full by the store. An explicit null (or
 * a string, an array…) is refused here, naming the field, rather than standing for "no document".
 */
export const documentFieldSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  {
    error: (issue) =>
      issue.input === undefined ? "is required" : "must be a workflow document (a JSON object)",
  },
);

/**
 * Whether `id` could name a row at all. Ids are generated (cuid) and never hold NUL or unpaired
 * surrogates, which PostgreSQL refuses in a query (an error, not "no rows"): such an id from a URL
 * is simply not found, on every database alike.
 */
export function couldBeId(id: string): boolean {
  return id.length <= 200 && isStorableText(id);
}

/** A save's or restore's message, stored with the version. */
export const versionMessageSchema = z
  .string()
  .trim()
  .max(500, "longer than the 500-character limit")
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

const NAME_MAX = 200;
export const DESCRIPTION_MAX = 2000;
const COPY_SUFFIX = " (copy)";
export const THUMBNAIL_MIME = "image/png";

export type Visibility = "private" | "link" | "public";

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string;
  tags: string[];
  updatedAt: Date;
  createdAt: Date;
  openedAt: Date | null;
  nodeCount: number;
  hasThumbnail: boolean;
  isTemplate: boolean;
  visibility: Visibility;
}

export interface WorkflowDetail extends WorkflowSummary {
  document: WorkflowDocument;
  latestVersion: number;
  /** The share link's token while published; only the owner's API returns it. */
  shareToken: string | null;
}

export interface WorkflowVersionInfo {
  version: number;
  message: string | null;
  savedBy: string | null;
  createdAt: Date;
}

// thumbnailMime is set exactly when thumbnail is, so lists can test it without loading the bytes.
const summaryFields = {
  id: true,
  name: true,
  description: true,
  updatedAt: true,
  createdAt: true,
  openedAt: true,
  nodeCount: true,
  thumbnailMime: true,
  isTemplate: true,
  visibility: true,
  tags: { select: { tag: true }, orderBy: { tag: "asc" } },
} as const;

const detailFields = { ...summaryFields, document: true, latestVersion: true, shareToken: true };

interface SummaryRow {
  id: string;
  name: string;
  description: string;
  updatedAt: Date;
  createdAt: Date;
  openedAt: Date | null;
  nodeCount: number;
  thumbnailMime: string | null;
  isTemplate: boolean;
  visibility: string;
  tags: { tag: string }[];
}

interface DetailRow extends SummaryRow {
  document: string;
  latestVersion: number;
  shareToken: string | null;
}

export function toVisibility(value: string): Visibility {
  return value === "link" || value === "public" ? value : "private";
}

function toSummary({ thumbnailMime, tags, visibility, ...row }: SummaryRow): WorkflowSummary {
  return {
    ...row,
    tags: tags.map((t) => t.tag),
    visibility: toVisibility(visibility),
    hasThumbnail: thumbnailMime !== null,
  };
}

function toDetail({ document, latestVersion, shareToken, ...row }: DetailRow): WorkflowDetail {
  // Parsing on read too means documents stored by an older studio come back migrated.
  return {
    ...toSummary(row),
    document: parseWorkflow(JSON.parse(document)),
    latestVersion,
    shareToken,
  };
}

function withName(doc: WorkflowDocument, name: string): WorkflowDocument {
  return { ...doc, name };
}

function copyName(name: string): string {
  return name.slice(0, NAME_MAX - COPY_SUFFIX.length).trimEnd() + COPY_SUFFIX;
}

function checkDescription(description: string): string {
  const text = description.trim();
  if (text.length > DESCRIPTION_MAX) {
    throw new WorkflowParseError(
      `description: must be at most ${DESCRIPTION_MAX} characters`,
      "description",
    );
  }
  if (!isStorableText(text)) {
    throw new WorkflowParseError(`description: ${STORABLE_TEXT_MESSAGE}`, "description");
  }
  return text;
}

export interface WorkflowPage {
  workflows: WorkflowSummary[];
  /** The offset of the next page, or null when this one is the last. */
  nextOffset: number | null;
}

/** One page of the library: searched, filtered and sorted as `query` says (library-query.ts). */
export async function listWorkflows(
  prisma: PrismaClient,
  query: LibraryQuery,
  actor: Actor,
): Promise<WorkflowPage> {
  const provider = providerOfClient(prisma);
  const literalIds =
    query.q && hasLikeWildcard(query.q)
      ? await literalMatches(prisma, query.q, provider)
      : undefined;
  // One row more than asked tells whether another page exists without a COUNT over the table.
  const rows = await prisma.workflow.findMany({
    select: summaryFields,
    where: { AND: [libraryWhere(query, literalIds, provider), readableBy(actor)] },
    orderBy: libraryOrder(query.sort, provider),
    skip: query.offset,
    take: query.limit + 1,
  });
  const more = rows.length > query.limit;
  return {
    workflows: rows.slice(0, query.limit).map(toSummary),
    nextOffset: more ? query.offset + query.limit : null,
  };
}

export interface CreateWorkflowInput {
  /** The raw document; parsed (and so validated) here. */
  document: unknown;
  /** Overrides the document's own name. */
  name?: string;
  /** Recorded on version 1. */
  message?: string;
  description?: string;
  tags?: readonly string[];
  /** Only the seed makes templates. */
  isTemplate?: boolean;
  /** PNG bytes of the library thumbnail. */
  thumbnail?: Uint8Array<ArrayBuffer>;
}

export async function createWorkflow(
  prisma: PrismaClient,
  input: CreateWorkflowInput,
  actor: Actor,
): Promise<WorkflowDetail> {
  const parsed = parseCheckedWorkflow(input.document);
  const doc = input.name === undefined ? parsed : withName(parsed, input.name);
  return insertWorkflow(prisma, doc, actor, {
    message: input.message ?? null,
    description: checkDescription(input.description ?? ""),
    tags: normalizeTags(input.tags ?? []),
    isTemplate: input.isTemplate ?? false,
    thumbnail: input.thumbnail ?? null,
    thumbnailMime: input.thumbnail ? THUMBNAIL_MIME : null,
  });
}

interface InsertExtra {
  message: string | null;
  description: string;
  tags: readonly string[];
  isTemplate?: boolean;
  thumbnail?: Uint8Array<ArrayBuffer> | null;
  thumbnailMime?: string | null;
}

/** A new workflow row with its first version: what create, duplicate, templates and forks share. */
async function insertWorkflow(
  prisma: PrismaClient,
  doc: WorkflowDocument,
  actor: Actor,
  extra: InsertExtra,
): Promise<WorkflowDetail> {
  const text = JSON.stringify(doc);
  const row = await prisma.workflow.create({
    data: {
      ownerId: actor.userId,
      name: doc.name,
      document: text,
      nodeCount: doc.nodes.length,
      description: extra.description,
      isTemplate: extra.isTemplate ?? false,
      thumbnail: extra.thumbnail ?? null,
      thumbnailMime: extra.thumbnailMime ?? null,
      latestVersion: 1,
      versions: {
        create: { version: 1, document: text, message: extra.message, savedBy: actor.name },
      },
      tags: { create: extra.tags.map((tag) => ({ tag })) },
    },
    select: detailFields,
  });
  return toDetail(row);
}

export async function getWorkflow(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  if (!couldBeId(id)) return null;
  const row = await prisma.workflow.findFirst({
    where: { id, ...readableBy(actor) },
    select: detailFields,
  });
  return row && toDetail(row);
}

/** Records that the editor opened the workflow (the "recently opened" sort); false if missing. */
export async function markOpened(prisma: PrismaClient, id: string, actor: Actor): Promise<boolean> {
  if (!couldBeId(id)) return false;
  // Opening is not editing: updatedAt is written back as it was, since Prisma would otherwise
  // bump it. In a transaction, so a save landing in between keeps its own updatedAt.
  return prisma.$transaction(async (tx) => {
    const row = await tx.workflow.findFirst({
      where: { id, ...readableBy(actor) },
      select: { updatedAt: true },
    });
    if (!row) return false;
    await tx.workflow.update({
      where: { id },
      data: { openedAt: new Date(), updatedAt: row.updatedAt },
    });
    return true;
  });
}

export interface SaveWorkflowInput {
  document: unknown;
  /** PNG bytes to store, `null` to remove the thumbnail, absent to keep the current one. */
  thumbnail?: Uint8Array<ArrayBuffer> | null;
  message?: string;
  /**
   * The version this save was based on. When it is no longer the newest, the save is refused with
   * VersionConflictError instead of silently replacing someone else's work. Absent: no check
   * (scripts; the editor always sends it).
   */
  baseVersion?: number;
  /**
   * Only the seed sets this: it brings a template up to date with the example it shipped from.
   * Every other save refuses templates (ReadOnlyWorkflowError).
   */
  template?: boolean;
}

async function newestVersion(prisma: Pick<PrismaClient, "workflowVersion">, id: string) {
  const row = await prisma.workflowVersion.findFirst({
    where: { workflowId: id },
    orderBy: { version: "desc" },
    select: { version: true, createdAt: true, savedBy: true, message: true },
  });
  return (
    row && {
      version: row.version,
      savedAt: row.createdAt,
      savedBy: row.savedBy,
      message: row.message,
    }
  );
}

/** Replaces the document and appends it as the next version; `null` when there is no such id. */
export async function saveWorkflow(
  prisma: PrismaClient,
  id: string,
  input: SaveWorkflowInput,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  if (!couldBeId(id)) return null;
  const doc = parseCheckedWorkflow(input.document);
  const text = JSON.stringify(doc);
  const thumbnail =
    input.thumbnail === undefined
      ? {}
      : input.thumbnail === null
        ? { thumbnail: null, thumbnailMime: null }
        : { thumbnail: input.thumbnail, thumbnailMime: THUMBNAIL_MIME };

  // One transaction, so a version number is never taken twice nor left without its row. The
  // version check is part of the UPDATE's WHERE, so two saves on one base cannot both pass it.
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.workflow.updateMany({
      where: {
        id,
        isTemplate: input.template ?? false,
        ...writableBy(actor),
        ...(input.baseVersion === undefined ? {} : { latestVersion: input.baseVersion }),
      },
      data: {
        name: doc.name,
        document: text,
        nodeCount: doc.nodes.length,
        latestVersion: { increment: 1 },
        ...thumbnail,
      },
    });
    if (count === 0) {
      const current = await tx.workflow.findFirst({
        where: { id, ...readableBy(actor) },
        select: { isTemplate: true },
      });
      if (!current) return null;
      if (current.isTemplate) throw new ReadOnlyWorkflowError();
      const newest = await newestVersion(tx, id);
      if (!newest) return null;
      throw new VersionConflictError(input.baseVersion ?? 0, newest);
    }
    const row = await tx.workflow.findUniqueOrThrow({ where: { id }, select: detailFields });
    await tx.workflowVersion.create({
      data: {
        workflowId: id,
        version: row.latestVersion,
        document: text,
        message: input.message,
        savedBy: actor.name,
      },
    });
    return toDetail(row);
  });
}

/** Saves an earlier version's document as the newest version, "restored from vN". */
export async function restoreVersion(
  prisma: PrismaClient,
  id: string,
  version: number,
  actor: Actor,
  baseVersion?: number,
): Promise<WorkflowDetail | null> {
  if (!couldBeId(id)) return null;
  const document = await getVersionDocument(prisma, id, version, actor);
  if (!document) return null;
  return saveWorkflow(
    prisma,
    id,
    { document, baseVersion, message: `restored from v${version}` },
    actor,
  );
}

export interface WorkflowInfoInput {
  name?: string;
  description?: string;
  tags?: readonly string[];
}

/**
 * Renames the workflow (and the name inside its document), sets its description and tags. Not a
 * new version: history records content, and a rename alone would otherwise fill it with copies.
 */
export async function updateWorkflowInfo(
  prisma: PrismaClient,
  id: string,
  input: WorkflowInfoInput,
  actor: Actor,
): Promise<WorkflowSummary | null> {
  if (!couldBeId(id)) return null;
  let newName: string | undefined;
  if (input.name !== undefined) {
    const checked = workflowNameSchema.safeParse(input.name);
    if (!checked.success) {
      throw new WorkflowParseError(`name: ${checked.error.issues[0].message}`, "name");
    }
    newName = checked.data;
  }
  const description =
    input.description === undefined ? undefined : checkDescription(input.description);
  const tags = input.tags === undefined ? undefined : normalizeTags(input.tags);

  return prisma.$transaction(async (tx) => {
    const current = await tx.workflow.findFirst({
      where: { id, ...readableBy(actor) },
      select: { document: true, isTemplate: true },
    });
    if (!current) return null;
    if (current.isTemplate) throw new ReadOnlyWorkflowError();
    const document =
      newName === undefined
        ? undefined
        : JSON.stringify(withName(parseWorkflow(JSON.parse(current.document)), newName));
    const row = await tx.workflow.update({
      where: { id },
      data: {
        name: newName,
        document,
        description,
        ...(tags === undefined
          ? {}
          : { tags: { deleteMany: {}, create: tags.map((tag) => ({ tag })) } }),
      },
      select: summaryFields,
    });
    return toSummary(row);
  });
}

export interface CopyOptions {
  /** Maps the source's name to the copy's. */
  name(source: string): string;
  message(source: string): string;
}

/**
 * Copies a workflow's current document, description, tags and thumbnail into a new private,
 * editable workflow of the actor's, with a history of its own. `where` picks the source: by id
 * (one the actor may open), or by share token (anyone's, while it is published).
 */
export async function copyWorkflow(
  prisma: PrismaClient,
  where: { id: string } | { shareToken: string; visibility: { in: Visibility[] } },
  options: CopyOptions,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  if ("id" in where && !couldBeId(where.id)) return null;
  const source = await prisma.workflow.findFirst({
    where: "id" in where ? { ...where, ...readableBy(actor) } : where,
    select: {
      name: true,
      document: true,
      description: true,
      thumbnail: true,
      thumbnailMime: true,
      tags: { select: { tag: true } },
    },
  });
  if (!source) return null;
  const doc = withName(parseWorkflow(JSON.parse(source.document)), options.name(source.name));
  return insertWorkflow(prisma, doc, actor, {
    message: options.message(source.name),
    description: source.description,
    tags: source.tags.map((t) => t.tag),
    thumbnail: source.thumbnail,
    thumbnailMime: source.thumbnailMime,
  });
}

/** "Duplicate" in the library: the same workflow named "… (copy)". */
export function duplicateWorkflow(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  return copyWorkflow(
    prisma,
    { id },
    { name: copyName, message: (source) => `duplicated from "${source}"` },
    actor,
  );
}

/** Deletes the workflow and (by cascade) its versions; `false` when there was nothing to delete. */
export async function deleteWorkflow(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<boolean> {
  if (!couldBeId(id)) return false;
  const row = await prisma.workflow.findFirst({
    where: { id, ...readableBy(actor) },
    select: { isTemplate: true },
  });
  if (row?.isTemplate) throw new ReadOnlyWorkflowError();
  const { count } = await prisma.workflow.deleteMany({ where: { id, ...writableBy(actor) } });
  return count > 0;
}

/** Newest first; `null` when the workflow does not exist (an existing one has at least one). */
export async function listVersions(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<WorkflowVersionInfo[] | null> {
  if (!couldBeId(id)) return null;
  const rows = await prisma.workflowVersion.findMany({
    where: { workflowId: id, workflow: readableBy(actor) },
    select: { version: true, message: true, savedBy: true, createdAt: true },
    orderBy: { version: "desc" },
  });
  return rows.length > 0 ? rows : null;
}

/** The document as it was saved in one version, e.g. to restore it. */
export async function getVersionDocument(
  prisma: PrismaClient,
  id: string,
  version: number,
  actor: Actor,
): Promise<WorkflowDocument | null> {
  if (!couldBeId(id)) return null;
  const row = await prisma.workflowVersion.findFirst({
    where: { workflowId: id, version, workflow: readableBy(actor) },
    select: { document: true },
  });
  return row && parseWorkflow(JSON.parse(row.document));
}

/** By id for an actor who may open it, or by share token for anyone while it is published. */
export async function getThumbnail(
  prisma: PrismaClient,
  where: { id: string; actor: Actor } | { shareToken: string; visibility: { in: Visibility[] } },
): Promise<{ bytes: Uint8Array<ArrayBuffer>; mime: string; version: number } | null> {
  if ("actor" in where && !couldBeId(where.id)) return null;
  const row = await prisma.workflow.findFirst({
    where: "actor" in where ? { id: where.id, ...readableBy(where.actor) } : where,
    select: { thumbnail: true, thumbnailMime: true, latestVersion: true },
  });
  if (!row?.thumbnail) return null;
  return {
    bytes: row.thumbnail,
    mime: row.thumbnailMime ?? THUMBNAIL_MIME,
    version: row.latestVersion,
  };
}

/** "Use template": the template's workflow as an editable workflow of one's own, same name. */
export async function copyTemplate(
  prisma: PrismaClient,
  id: string,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  if (!couldBeId(id)) return null;
  const template = await prisma.workflow.findFirst({
    where: { id, isTemplate: true },
    select: { id: true },
  });
  if (!template) return null;
  return copyWorkflow(
    prisma,
    { id },
    { name: (source) => source, message: (source) => `from the template "${source}"` },
    actor,
  );
}
