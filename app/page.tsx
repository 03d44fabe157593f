import { Studio } from "./_editor/Studio";

/** A new, unsaved workflow. */
export default function NewWorkflowPage() {
  return <Studio workflowId={null} />;
}
