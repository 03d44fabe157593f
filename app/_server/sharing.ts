import { randomBytes } from "node:crypto";
import { parseWorkflow, type WorkflowDocument } from "../../nodes/core/document";
import { readableBy, writableBy, type Actor } from "./actor";
import type { PrismaClient } from "./db";
import { ReadOnlyWorkflowError } from "./workflow-errors";
import {
  copyWorkflow,
  couldBeId,
  toVisibility,
  type Visibility,
  type WorkflowDetail,
} from "./workflows";

/**
 * Publishing by link. A published workflow has an unguessable token (192 random bits); the
 * token, not the id, is what a share page and a fork are reached by, so unpublishing (dropping
 * the token) makes every old link a 404 and republishing makes a new, different one.
 */

const TOKEN_BYTES = 24;
/** base64url of 24 bytes: 32 characters. Anything else cannot be a token and is a 404 at once. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;
const SHARED: Visibility[] = ["link", "public"];

export function newShareToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

export function isShareToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/** Where Prisma finds the workflow a share token names, while it is published. */
export function sharedWhere(token: string) {
  return { shareToken: token, visibility: { in: SHARED } };
}

export interface ShareState {
  visibility: Visibility;
  shareToken: string | null;
}

/**
 * Sets who can see the workflow: "link" or "public" publishes it (keeping an existing token, so a
 * switch between the two keeps the link working), "private" unpublishes it and revokes the token.
 */
export async function setVisibility(
  prisma: PrismaClient,
  id: string,
  visibility: Visibility,
  actor: Actor,
): Promise<ShareState | null> {
  if (!couldBeId(id)) return null;
  return prisma.$transaction(async (tx) => {
    const row = await tx.workflow.findFirst({
      where: { id, ...readableBy(actor) },
      select: { isTemplate: true, shareToken: true, updatedAt: true },
    });
    if (!row) return null;
    if (row.isTemplate) throw new ReadOnlyWorkflowError();
    // Readable and not a template means the actor's own; the filter below says so to the database.
    const shareToken = visibility === "private" ? null : (row.shareToken ?? newShareToken());
    // Sharing is not editing: updatedAt keeps its value (Prisma would otherwise bump it).
    const updated = await tx.workflow.update({
      where: { id, ...writableBy(actor) },
      data: { visibility, shareToken, updatedAt: row.updatedAt },
      select: { visibility: true, shareToken: true },
    });
    return { visibility: toVisibility(updated.visibility), shareToken: updated.shareToken };
  });
}

/** What a share page shows: never the id, nor anything only the owner should see. */
export interface SharedWorkflow {
  name: string;
  description: string;
  tags: string[];
  document: WorkflowDocument;
  nodeCount: number;
  hasThumbnail: boolean;
  updatedAt: Date;
  latestVersion: number;
  visibility: Visibility;
}

export async function getSharedWorkflow(
  prisma: PrismaClient,
  token: string,
): Promise<SharedWorkflow | null> {
  if (!isShareToken(token)) return null;
  const row = await prisma.workflow.findFirst({
    where: sharedWhere(token),
    select: {
      name: true,
      description: true,
      document: true,
      nodeCount: true,
      thumbnailMime: true,
      updatedAt: true,
      latestVersion: true,
      visibility: true,
      tags: { select: { tag: true }, orderBy: { tag: "asc" } },
    },
  });
  if (!row) return null;
  const { thumbnailMime, tags, document, visibility, ...rest } = row;
  return {
    ...rest,
    document: parseWorkflow(JSON.parse(document)),
    tags: tags.map((t) => t.tag),
    hasThumbnail: thumbnailMime !== null,
    visibility: toVisibility(visibility),
  };
}

/** Copies a shared workflow into the library as a private workflow of one's own. */
export async function forkShared(
  prisma: PrismaClient,
  token: string,
  actor: Actor,
): Promise<WorkflowDetail | null> {
  if (!isShareToken(token)) return null;
  return copyWorkflow(
    prisma,
    sharedWhere(token),
    {
      name: (source) => source,
      message: (source) => `forked from the shared workflow "${source}"`,
    },
    actor,
  );
}

export interface GalleryEntry {
  token: string;
  name: string;
  description: string;
  tags: string[];
  nodeCount: number;
  hasThumbnail: boolean;
  updatedAt: Date;
}

export const GALLERY_PAGE = 60;

/** Public workflows, newest first. */
export async function listGallery(
  prisma: PrismaClient,
  offset = 0,
): Promise<{ workflows: GalleryEntry[]; nextOffset: number | null }> {
  const rows = await prisma.workflow.findMany({
    where: { visibility: "public", shareToken: { not: null } },
    orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
    skip: offset,
    take: GALLERY_PAGE + 1,
    select: {
      shareToken: true,
      name: true,
      description: true,
      nodeCount: true,
      thumbnailMime: true,
      updatedAt: true,
      tags: { select: { tag: true }, orderBy: { tag: "asc" } },
    },
  });
  const more = rows.length > GALLERY_PAGE;
  return {
    workflows: rows.slice(0, GALLERY_PAGE).map(({ shareToken, thumbnailMime, tags, ...row }) => ({
      ...row,
      token: shareToken ?? "",
      tags: tags.map((t) => t.tag),
      hasThumbnail: thumbnailMime !== null,
    })),
    nextOffset: more ? offset + GALLERY_PAGE : null,
  };
}
