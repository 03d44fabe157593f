/**
 * Inserts the example workflows from prisma/examples/*.json as read-only templates ("use
 * template" copies one into the library). Idempotent by name: a template of that name already
 * present is brought up to date as a new version when its example changed, and otherwise left
 * alone, so re-running setup never duplicates anything. Templates are read-only, so nothing a
 * person edited is overwritten: their copies are workflows of their own. An invalid example
 * fails the whole seed, naming the file.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  parseWorkflowJson,
  WorkflowParseError,
  type WorkflowDocument,
} from "@/nodes/core/document";
import { disconnectPrisma, getPrisma, type PrismaClient } from "@/app/_server/db";
import { LOCAL_ACTOR } from "@/app/_server/actor";
import { createWorkflow, saveWorkflow } from "@/app/_server/workflows";

// Overridable so the seed can be tested against a folder of its own.
const EXAMPLES_DIR =
  process.env.SEED_EXAMPLES_DIR ?? fileURLToPath(new URL("./examples/", import.meta.url));

async function exampleFiles(): Promise<string[]> {
  try {
    const names = await readdir(EXAMPLES_DIR);
    return names.filter((name) => name.endsWith(".json")).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The example's document; an invalid one is reported with its file path. */
async function readExample(file: string): Promise<WorkflowDocument> {
  const filePath = path.join(EXAMPLES_DIR, file);
  try {
    return parseWorkflowJson(await readFile(filePath, "utf8"));
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new Error(`${filePath}: ${err.message}`);
    throw err;
  }
}

type Outcome = "created" | "updated" | "skipped";

async function seedFile(prisma: PrismaClient, file: string): Promise<Outcome> {
  const doc = await readExample(file);
  const existing = await prisma.workflow.findFirst({
    where: { name: doc.name, isTemplate: true },
    select: { id: true, document: true },
  });
  if (existing) {
    // Stored documents are the parsed document's JSON (workflows.ts), as `doc` is here.
    if (existing.document === JSON.stringify(doc)) return "skipped";
    await saveWorkflow(
      prisma,
      existing.id,
      { document: doc, message: "example workflow updated", template: true },
      LOCAL_ACTOR,
    );
    return "updated";
  }
  await createWorkflow(
    prisma,
    {
      document: doc,
      message: "example workflow",
      isTemplate: true,
    },
    LOCAL_ACTOR,
  );
  return "created";
}

async function main(): Promise<void> {
  const files = await exampleFiles();
  if (files.length === 0) {
    console.log(`seed: no example workflows in ${EXAMPLES_DIR}`);
    return;
  }
  const prisma = getPrisma();
  const counts: Record<Outcome, number> = { created: 0, updated: 0, skipped: 0 };
  for (const file of files) {
    const outcome = await seedFile(prisma, file);
    counts[outcome] += 1;
    console.log(`seed: ${outcome} ${file}`);
  }
  console.log(
    `seed: ${counts.created} created, ${counts.updated} updated, ${counts.skipped} already present`,
  );
}

try {
  await main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await disconnectPrisma();
}
