import type { WorkflowDocument } from "@/nodes/core/document";
import type { PrismaClient } from "@/app/_server/db";
import { PNG_BASE64, testDocument } from "../api/test-db";

/**
 * What the fuzzed requests aim at: real rows, so a hostile body reaches the code that would
 * store it instead of stopping at "not found". Roles, not ids, are generated, because a fuzzed
 * DELETE may remove a workflow; `resolve` recreates whatever is gone before each request.
 */

export const PNG_BYTES = new Uint8Array(Buffer.from(PNG_BASE64, "base64"));

export function validDocument(name = "Fuzz target"): WorkflowDocument {
  const doc = testDocument(name);
  return {
    ...doc,
    nodes: [
      ...doc.nodes,
      { id: "note", type: "note", position: { x: 0, y: 200 }, params: { text: "hello" } },
    ],
  };
}

/** Which row a generated path segment stands for. */
export type Role = "own" | "template" | "other" | "shared-token" | "asset" | "run" | "api-token";

export interface Targets {
  /** The id (or token) for each role; "other" is someone else's workflow with accounts on. */
  readonly ids: Record<Role, string>;
  /** A workflow's newest version, for valid baseVersions. */
  readonly latestVersion: number;
}

/** The session cookie of the fuzzing user (accounts on) and of nobody (accounts off). */
export interface Identity {
  readonly cookie?: string;
  readonly userId: string | null;
}

export class FixtureSet {
  private own = "";
  private template = "";
  private other = "";
  private shared = "";
  private asset = "";
  private run = "";
  private apiToken = "";

  constructor(
    private readonly prisma: PrismaClient,
    private readonly me: Identity,
    private readonly someoneElse: Identity,
  ) {}

  private async create(ownerId: string | null, opts: { template?: boolean } = {}) {
    const { createWorkflow } = await import("@/app/_server/workflows");
    const owner = { userId: ownerId, name: ownerId && "fuzz" };
    const row = await createWorkflow(
      this.prisma,
      { document: validDocument(), isTemplate: opts.template ?? false, tags: ["fuzz"] },
      owner,
    );
    return row.id;
  }

  /**
   * Makes sure every role names a row that exists (recreating any a request deleted) and that
   * "own" is published. One query when nothing changed, as it runs before every request.
   */
  async resolve(): Promise<Targets> {
    const rows = await this.prisma.workflow.findMany({
      where: { id: { in: [this.own, this.template, this.other].filter(Boolean) } },
      select: { id: true, visibility: true, shareToken: true, latestVersion: true },
    });
    const present = new Set(rows.map((r) => r.id));
    if (!present.has(this.own)) this.own = await this.create(this.me.userId);
    if (!present.has(this.template)) this.template = await this.create(null, { template: true });
    if (!present.has(this.other)) this.other = await this.create(this.someoneElse.userId);
    let own: { visibility: string; shareToken: string | null; latestVersion: number } = rows.find(
      (r) => r.id === this.own,
    ) ?? { visibility: "private", shareToken: null, latestVersion: 1 };
    if (own.visibility === "private" || !own.shareToken) {
      const { setVisibility } = await import("@/app/_server/sharing");
      const owner = { userId: this.me.userId, name: null };
      const state = await setVisibility(this.prisma, this.own, "public", owner);
      own = { ...own, visibility: "public", shareToken: state?.shareToken ?? null };
    }
    this.shared = own.shareToken ?? "";
    if (!this.asset) {
      const { putAsset } = await import("@/app/_server/assets");
      this.asset = (await putAsset(this.prisma, PNG_BYTES, "image/png")).id;
    }
    if (!this.run || !(await this.prisma.run.findUnique({ where: { id: this.run } }))) {
      // A queued run of the fuzzer's own workflow, as POST /api/workflows/:id/runs makes one.
      const row = await this.prisma.run.create({
        data: {
          workflowId: this.own,
          workflowVersion: own.latestVersion,
          document: JSON.stringify(validDocument()),
          userId: this.me.userId,
          timeoutMs: 60_000,
        },
      });
      this.run = row.id;
    }
    if (!this.apiToken) {
      // Tokens exist with accounts only; in local mode the id names nothing (the routes say 404).
      if (this.me.userId) {
        const { createApiToken } = await import("@/app/_server/runs/api-tokens");
        this.apiToken = (await createApiToken(this.prisma, this.me.userId, "fuzz")).id;
      } else {
        this.apiToken = "no-tokens-in-local-mode";
      }
    }
    const latestVersion = own.latestVersion;
    return {
      ids: {
        own: this.own,
        template: this.template,
        other: this.other,
        "shared-token": this.shared,
        asset: this.asset,
        run: this.run,
        "api-token": this.apiToken,
      },
      latestVersion,
    };
  }
}

/**
 * Everything a refused request must leave as it was: every workflow's row, and the number of
 * rows in every other table the API writes. The rate-limit table is left out: counting refused
 * sign-in attempts is its job.
 */
export async function snapshot(prisma: PrismaClient): Promise<string> {
  const [
    workflows,
    versions,
    tags,
    assets,
    users,
    sessions,
    accounts,
    verifications,
    runs,
    apiTokens,
  ] = await Promise.all([
    prisma.workflow.findMany({
      orderBy: { id: "asc" },
      select: {
        id: true,
        ownerId: true,
        name: true,
        description: true,
        latestVersion: true,
        updatedAt: true,
        openedAt: true,
        visibility: true,
        shareToken: true,
        thumbnailMime: true,
        nodeCount: true,
      },
    }),
    prisma.workflowVersion.count(),
    prisma.workflowTag.count(),
    prisma.asset.count(),
    prisma.user.count(),
    prisma.session.count(),
    prisma.account.count(),
    prisma.verification.count(),
    // Status too: a refused DELETE must not have cancelled anything.
    prisma.run.findMany({
      orderBy: { id: "asc" },
      select: { id: true, status: true, cancelRequested: true },
    }),
    prisma.apiToken.findMany({ orderBy: { id: "asc" }, select: { id: true, revokedAt: true } }),
  ]);
  return JSON.stringify({
    workflows,
    versions,
    tags,
    assets,
    users,
    sessions,
    accounts,
    verifications,
    runs,
    apiTokens,
  });
}
