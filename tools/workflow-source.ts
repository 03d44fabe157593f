import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseWorkflow, parseWorkflowJson, type WorkflowDocument } from "../nodes/core/document";
import { documentSizeIssue } from "../nodes/core/limits";
import { extractWorkflowFromPng } from "../nodes/lib/png-workflow";

/**
 * The workflow a `--workflow` argument names: a workflow file (.json, or a studio .png), a
 * template by name ("Virtual try-on", any case), or the id of a workflow saved in the studio's
 * database. Files and templates go first, so a template never needs the database.
 */

export const TEMPLATES_DIR = path.join(process.cwd(), "prisma", "examples");

export class WorkflowNotFoundError extends Error {
  override readonly name = "WorkflowNotFoundError";
}

export interface ResolvedWorkflow {
  doc: WorkflowDocument;
  /** Where it came from, for messages: `template "Virtual try-on"`, a path, `saved workflow <id>`. */
  label: string;
}

export async function resolveWorkflow(
  spec: string,
  templatesDir = TEMPLATES_DIR,
): Promise<ResolvedWorkflow> {
  const ext = path.extname(spec).toLowerCase();
  if (ext === ".json" || ext === ".png") return { doc: await readWorkflowFile(spec), label: spec };
  const templates = await readTemplates(templatesDir);
  const byName = templates.find((t) => t.name.toLowerCase() === spec.trim().toLowerCase());
  if (byName) return { doc: byName, label: `template "${byName.name}"` };
  const saved = await savedWorkflow(spec);
  if (saved) return { doc: saved, label: `saved workflow ${spec}` };
  throw new WorkflowNotFoundError(
    `no workflow "${spec}": give a template name (${templates.map((t) => `"${t.name}"`).join(", ")}), ` +
      `a workflow .json or .png file, or the id of a saved workflow`,
  );
}

async function readWorkflowFile(file: string): Promise<WorkflowDocument> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new WorkflowNotFoundError(`no such workflow file: ${file}`);
  }
  if (path.extname(file).toLowerCase() === ".png") {
    const raw = extractWorkflowFromPng(new Uint8Array(await readFile(file)));
    if (raw === null) throw new WorkflowNotFoundError(`${file} holds no studio workflow`);
    return parseWorkflow(raw);
  }
  const tooLarge = documentSizeIssue(size, file);
  if (tooLarge) throw new WorkflowNotFoundError(tooLarge);
  return parseWorkflowJson(await readFile(file, "utf8"));
}

async function readTemplates(dir: string): Promise<WorkflowDocument[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  return Promise.all(
    names.sort().map(async (n) => parseWorkflowJson(await readFile(path.join(dir, n), "utf8"))),
  );
}

/** A workflow saved in the studio's database, read as the machine's operator (any owner). */
async function savedWorkflow(id: string): Promise<WorkflowDocument | undefined> {
  if (!/^[a-z0-9]{8,40}$/i.test(id)) return undefined;
  // Loaded on demand: only this case opens the database.
  const { getPrisma, disconnectPrisma } = await import("../app/_server/db");
  try {
    const row = await getPrisma().workflow.findUnique({
      where: { id },
      select: { document: true },
    });
    return row ? parseWorkflowJson(row.document) : undefined;
  } catch {
    // No database (a fresh clone before set-up): the id names nothing we can read.
    return undefined;
  } finally {
    await disconnectPrisma();
  }
}
