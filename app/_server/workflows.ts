import {
  parseWorkflow,
  WorkflowParseError,
  workflowSchema,
  type WorkflowDocument,
} from "@/nodes/core/document";
import { parseCheckedWorkflow } from "@/nodes";
import type { PrismaClient } from "./db";

/**
 * The workflow store. Plain functions over a PrismaClient so tests and scripts pass their own.
 * Every write parses its document here, whoever the caller is, so the table only ever holds valid
 * documents. The row's `name` and the document's `name` are one thing: each write sets both.
 * A missing workflow is reported as `null` (or `false`); mapping that to 404 is the route's job.
 */

/** The same rule as the document's own name, so a valid row name is always a valid doc name. */
export const workflowNameSchema = workflowSchema.shape.name;

const NAME_MAX = 200;
const COPY_SUFFIX = " (copy)";
export const THUMBNAIL_MIME = "image/png";

export interface WorkflowSummary {
  id: string;
  name: string;
  updatedAt: Date;
  nodeCount: number;
  hasThumbnail: boolean;
}

export interface WorkflowDetail extends WorkflowSummary {
  document: WorkflowDocument;
  latestVersion: number;
  createdAt: Date;
}

export interface WorkflowVersionInfo {
  version: number;
  message: string | null;
  createdAt: Date;
}

// thumbnailMime is set exactly when thumbnail is, so lists can test it without loading the bytes.
const summaryFields = {
  id: true,
  name: true,
  updatedAt: true,
  nodeCount: true,
  thumbnailMime: true,
} as const;

const detailFields = { ...summaryFields, document: true, latestVersion: true, createdAt: true };

interface SummaryRow {
  id: string;
  name: string;
  updatedAt: Date;
  nodeCount: number;
  thumbnailMime: string | null;
}

interface DetailRow extends SummaryRow {
  document: string;
  latestVersion: number;
  createdAt: Date;
}

function toSummary({ thumbnailMime, ...row }: SummaryRow): WorkflowSummary {
  return { ...row, hasThumbnail: thumbnailMime !== null };
}

function toDetail({ document, latestVersion, createdAt, ...row }: DetailRow): WorkflowDetail {
  // Parsing on read too means documents stored by an older studio come back migrated.
  return {
    ...toSummary(row),
    document: parseWorkflow(JSON.parse(document)),
    latestVersion,
    createdAt,
  };
}

function withName(doc: WorkflowDocument, name: string): WorkflowDocument {
  return { ...doc, name };
}

function copyName(name: string): string {
  return name.slice(0, NAME_MAX - COPY_SUFFIX.length).trimEnd() + COPY_SUFFIX;
}

export async function listWorkflows(prisma: PrismaClient): Promise<WorkflowSummary[]> {
  const rows = await prisma.workflow.findMany({
    select: summaryFields,
    orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
  });
  return rows.map(toSummary);
}

export interface CreateWorkflowInput {
  /** The raw document; parsed (and so validated) here. */
  document: unknown;
  /** Overrides the document's own name. */
  name?: string;
  /** Recorded on version 1. */
  message?: string;
}

export async function createWorkflow(
  prisma: PrismaClient,
  input: CreateWorkflowInput,
): Promise<WorkflowDetail> {
  const parsed = parseCheckedWorkflow(input.document);
  const doc = input.name === undefined ? parsed : withName(parsed, input.name);
  return insertWorkflow(prisma, doc, { message: input.message ?? null });
}

/** A new workflow row with its first version: what create and duplicate share. */
async function insertWorkflow(
  prisma: PrismaClient,
  doc: WorkflowDocument,
  extra: {
    message: string | null;
    thumbnail?: Uint8Array<ArrayBuffer> | null;
    thumbnailMime?: string | null;
  },
): Promise<WorkflowDetail> {
  const text = JSON.stringify(doc);
  const row = await prisma.workflow.create({
    data: {
      name: doc.name,
      document: text,
      nodeCount: doc.nodes.length,
      thumbnail: extra.thumbnail ?? null,
      thumbnailMime: extra.thumbnailMime ?? null,
      latestVersion: 1,
      versions: { create: { version: 1, document: text, message: extra.message } },
    },
    select: detailFields,
  });
  return toDetail(row);
}

export async function getWorkflow(
  prisma: PrismaClient,
  id: string,
): Promise<WorkflowDetail | null> {
  const row = await prisma.workflow.findUnique({ where: { id }, select: detailFields });
  return row && toDetail(row);
}

export interface SaveWorkflowInput {
  document: unknown;
  /** PNG bytes to store, `null` to remove the thumbnail, absent to keep the current one. */
  thumbnail?: Uint8Array<ArrayBuffer> | null;
  message?: string;
}

/** Replaces the document and appends it as the next version; `null` when there is no such id. */
export async function saveWorkflow(
  prisma: PrismaClient,
  id: string,
  input: SaveWorkflowInput,
): Promise<WorkflowDetail | null> {
  const doc = parseCheckedWorkflow(input.document);
  const text = JSON.stringify(doc);
  const thumbnail =
    input.thumbnail === undefined
      ? {}
      : input.thumbnail === null
        ? { thumbnail: null, thumbnailMime: null }
        : { thumbnail: input.thumbnail, thumbnailMime: THUMBNAIL_MIME };

  // One transaction, so a version number is never taken twice nor left without its row.
  return prisma.$transaction(async (tx) => {
    const exists = await tx.workflow.findUnique({ where: { id }, select: { id: true } });
    if (!exists) return null;
    const row = await tx.workflow.update({
      where: { id },
      data: {
        name: doc.name,
        document: text,
        nodeCount: doc.nodes.length,
        latestVersion: { increment: 1 },
        ...thumbnail,
      },
      select: detailFields,
    });
    await tx.workflowVersion.create({
      data: { workflowId: id, version: row.latestVersion, document: text, message: input.message },
    });
    return toDetail(row);
  });
}

/**
 * Renames the workflow and the name inside its document. Not a new version: history records
 * content, and a rename alone would otherwise fill it with copies of the same graph.
 */
export async function renameWorkflow(
  prisma: PrismaClient,
  id: string,
  name: string,
): Promise<WorkflowSummary | null> {
  const checked = workflowNameSchema.safeParse(name);
  if (!checked.success) {
    throw new WorkflowParseError(`name: ${checked.error.issues[0].message}`, "name");
  }
  const newName = checked.data;
  return prisma.$transaction(async (tx) => {
    const current = await tx.workflow.findUnique({ where: { id }, select: { document: true } });
    if (!current) return null;
    const doc = withName(parseWorkflow(JSON.parse(current.document)), newName);
    const row = await tx.workflow.update({
      where: { id },
      data: { name: newName, document: JSON.stringify(doc) },
      select: summaryFields,
    });
    return toSummary(row);
  });
}

/** Copies the current document and thumbnail into a new workflow with a history of its own. */
export async function duplicateWorkflow(
  prisma: PrismaClient,
  id: string,
): Promise<WorkflowDetail | null> {
  const source = await prisma.workflow.findUnique({
    where: { id },
    select: { name: true, document: true, thumbnail: true, thumbnailMime: true },
  });
  if (!source) return null;
  const doc = withName(parseWorkflow(JSON.parse(source.document)), copyName(source.name));
  return insertWorkflow(prisma, doc, {
    message: `duplicated from "${source.name}"`,
    thumbnail: source.thumbnail,
    thumbnailMime: source.thumbnailMime,
  });
}

/** Deletes the workflow and (by cascade) its versions; `false` when there was nothing to delete. */
export async function deleteWorkflow(prisma: PrismaClient, id: string): Promise<boolean> {
  const { count } = await prisma.workflow.deleteMany({ where: { id } });
  return count > 0;
}

/** Newest first; `null` when the workflow does not exist (an existing one has at least one). */
export async function listVersions(
  prisma: PrismaClient,
  id: string,
): Promise<WorkflowVersionInfo[] | null> {
  const rows = await prisma.workflowVersion.findMany({
    where: { workflowId: id },
    select: { version: true, message: true, createdAt: true },
    orderBy: { version: "desc" },
  });
  return rows.length > 0 ? rows : null;
}

/** The document as it was saved in one version, e.g. to restore it. */
export async function getVersionDocument(
  prisma: PrismaClient,
  id: string,
  version: number,
): Promise<WorkflowDocument | null> {
  const row = await prisma.workflowVersion.findUnique({
    where: { workflowId_version: { workflowId: id, version } },
    select: { document: true },
  });
  return row && parseWorkflow(JSON.parse(row.document));
}

export async function getThumbnail(
  prisma: PrismaClient,
  id: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; mime: string; version: number } | null> {
  const row = await prisma.workflow.findUnique({
    where: { id },
    select: { thumbnail: true, thumbnailMime: true, latestVersion: true },
  });
  if (!row?.thumbnail) return null;
  return {
    bytes: row.thumbnail,
    mime: row.thumbnailMime ?? THUMBNAIL_MIME,
    version: row.latestVersion,
  };
}
