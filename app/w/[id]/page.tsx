import { Studio } from "../../_editor/studio/Studio";

/** A saved workflow, opened by id. */
export default async function WorkflowPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <Studio key={id} workflowId={id} />;
}
