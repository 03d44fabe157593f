import { Studio } from "./_editor/studio/Studio";

/** A new, unsaved workflow. */
export default function NewWorkflowPage() {
  return <Studio workflowId={null} />;
}
