import { WorkflowParseError } from "../../nodes/core/document";

/**
 * Tags are compared, filtered and stored in one canonical form: trimmed, lower case, inner
 * whitespace collapsed. Duplicates (after that) are dropped, so "Try-On" and "try-on " are one tag.
 */
export const TAG_MAX_LENGTH = 40;
export const TAGS_MAX = 20;

const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.+-]*$/u;

export function normalizeTag(raw: string): string {
  return raw.trim().replace(/\s+/g, " ").toLowerCase();
}

/** The canonical, deduplicated tag list, or a WorkflowParseError (a 400) naming the bad tag. */
export function normalizeTags(raw: readonly string[]): string[] {
  const tags: string[] = [];
  for (const [i, value] of raw.entries()) {
    const tag = normalizeTag(value);
    if (tag === "") continue;
    if (tag.length > TAG_MAX_LENGTH) {
      throw new WorkflowParseError(
        `tags[${i}]: must be at most ${TAG_MAX_LENGTH} characters`,
        `tags[${i}]`,
      );
    }
    if (!TAG_PATTERN.test(tag)) {
      throw new WorkflowParseError(
        `tags[${i}]: may contain only letters, digits, spaces and _ . + - (starting with a letter or digit)`,
        `tags[${i}]`,
      );
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > TAGS_MAX) {
    throw new WorkflowParseError(`tags: at most ${TAGS_MAX} tags`, "tags");
  }
  return tags;
}
