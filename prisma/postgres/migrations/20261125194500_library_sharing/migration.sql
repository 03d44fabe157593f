-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "isTemplate" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "openedAt" TIMESTAMP(3),
ADD COLUMN     "ownerId" TEXT,
ADD COLUMN     "shareToken" TEXT,
ADD COLUMN     "visibility" TEXT NOT NULL DEFAULT 'private';

-- AlterTable
ALTER TABLE "WorkflowVersion" ADD COLUMN     "savedBy" TEXT;

-- CreateTable
CREATE TABLE "WorkflowTag" (
    "workflowId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    CONSTRAINT "WorkflowTag_pkey" PRIMARY KEY ("workflowId","tag")
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

-- AddForeignKey
ALTER TABLE "WorkflowTag" ADD CONSTRAINT "WorkflowTag_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;
