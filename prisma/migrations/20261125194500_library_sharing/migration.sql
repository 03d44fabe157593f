-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN "description" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Workflow" ADD COLUMN "visibility" TEXT NOT NULL DEFAULT 'private';
ALTER TABLE "Workflow" ADD COLUMN "shareToken" TEXT;
ALTER TABLE "Workflow" ADD COLUMN "isTemplate" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Workflow" ADD COLUMN "openedAt" DATETIME;
ALTER TABLE "Workflow" ADD COLUMN "ownerId" TEXT;

-- AlterTable
ALTER TABLE "WorkflowVersion" ADD COLUMN "savedBy" TEXT;

-- CreateTable
CREATE TABLE "WorkflowTag" (
    "workflowId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    PRIMARY KEY ("workflowId", "tag"),
    CONSTRAINT "WorkflowTag_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "WorkflowTag_tag_idx" ON "WorkflowTag"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "Workflow_shareToken_key" ON "Workflow"("shareToken");

-- CreateIndex
CREATE INDEX "Workflow_isTemplate_updatedAt_idx" ON "Workflow"("isTemplate", "updatedAt");

-- CreateIndex
CREATE INDEX "Workflow_isTemplate_createdAt_idx" ON "Workflow"("isTemplate", "createdAt");

-- CreateIndex
CREATE INDEX "Workflow_isTemplate_name_idx" ON "Workflow"("isTemplate", "name");

-- CreateIndex
CREATE INDEX "Workflow_isTemplate_openedAt_idx" ON "Workflow"("isTemplate", "openedAt");

-- CreateIndex
CREATE INDEX "Workflow_visibility_updatedAt_idx" ON "Workflow"("visibility", "updatedAt");

-- Examples seeded before templates existed, and never edited since, become the templates they are.
UPDATE "Workflow" SET "isTemplate" = true
WHERE "latestVersion" = 1 AND "id" IN (
    SELECT "workflowId" FROM "WorkflowVersion" WHERE "version" = 1 AND "message" = 'example workflow'
);
