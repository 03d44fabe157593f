import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import type * as Db from "../../app/_server/db";
import type * as Store from "../../app/_server/workflows";
import type * as Sharing from "../../app/_server/sharing";
import type * as SharePage from "../../app/s/[token]/page";
import type * as GalleryPage from "../../app/gallery/page";
import { setupTestDatabase } from "./test-db";
import { LOCAL_ACTOR } from "../../app/_server/actor";

/**
 * The read-only share page and the gallery, rendered on the server as Next would, against a real
 * database: what a visitor without an account gets, with hostile names and notes shown as text.
 */

setupTestDatabase();

let db: typeof Db;
let store: typeof Store;
let sharing: typeof Sharing;
let sharePage: typeof SharePage;
let galleryPage: typeof GalleryPage;

beforeAll(async () => {
  db = await import("../../app/_server/db");
  store = await import("../../app/_server/workflows");
  sharing = await import("../../app/_server/sharing");
  sharePage = await import("../../app/s/[token]/page");
  galleryPage = await import("../../app/gallery/page");
});

const HOSTILE = `<img src=x onerror="alert(1)">`;

function doc(name: string): WorkflowDocument {
  return {
    version: 2,
    name,
    nodes: [
      { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      { id: "note", type: "note", position: { x: 0, y: 200 }, params: { text: HOSTILE } },
      { id: "out", type: "preview", position: { x: 240, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "img", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
  };
}

async function publish(name: string, visibility: "link" | "public"): Promise<string> {
  const prisma = db.getPrisma();
  const created = await store.createWorkflow(
    prisma,
    {
      document: doc(name),
      description: HOSTILE,
      tags: ["demo"],
    },
    LOCAL_ACTOR,
  );
  const state = await sharing.setVisibility(prisma, created.id, visibility, LOCAL_ACTOR);
  return state!.shareToken!;
}

describe("share page /s/<token>", () => {
  it("renders the graph, description and fork button, escaping every text", async () => {
    const token = await publish(`Shared ${HOSTILE}`, "link");
    const element = await sharePage.default({ params: Promise.resolve({ token }) });
    const html = renderToStaticMarkup(element as ReactElement);
    expect(html).toContain('data-testid="shared-graph"');
    expect(html.match(/data-testid="shared-node"/g)).toHaveLength(3);
    expect(html).toContain('data-testid="fork"');
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=");
  });

  it("is a 404 for an unpublished workflow", async () => {
    const token = await publish("Soon private", "link");
    const prisma = db.getPrisma();
    const row = await prisma.workflow.findFirstOrThrow({ where: { shareToken: token } });
    await sharing.setVisibility(prisma, row.id, "private", LOCAL_ACTOR);
    await expect(sharePage.default({ params: Promise.resolve({ token }) })).rejects.toThrow(
      /404|NOT_FOUND/,
    );
  });
});

describe("gallery page", () => {
  it("lists public workflows with links to their share pages", async () => {
    const token = await publish("In the gallery", "public");
    await publish("Link only", "link");
    const element = await galleryPage.default({ searchParams: Promise.resolve({}) });
    const html = renderToStaticMarkup(element as ReactElement);
    expect(html).toContain("In the gallery");
    expect(html).toContain(`href="/s/${token}"`);
    expect(html).not.toContain("Link only");
  });
});
