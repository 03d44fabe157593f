/**
 * What the workflow store refuses for reasons other than a bad document. Kept free of HTTP so
 * scripts can use the store; app/_server/workflow-http.ts maps them to responses.
 */

/** The newest saved version, as a conflicting client needs to decide what to do. */
export interface VersionInfo {
  version: number;
  savedAt: Date;
  /** Who saved it; null until accounts exist. */
  savedBy: string | null;
  message: string | null;
}

/** A save based on a version that is no longer the newest: saving would lose someone's work. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  constructor(
    readonly baseVersion: number,
    readonly current: VersionInfo,
  ) {
    super(
      `version ${current.version} was saved after version ${baseVersion}, which this save was based on`,
    );
  }
}

/** Templates (the seeded examples) are never changed in place: "use template" copies one. */
export class ReadOnlyWorkflowError extends Error {
  override readonly name = "ReadOnlyWorkflowError";
  constructor() {
    super("this workflow is a read-only template; use the template to get your own copy");
  }
}
