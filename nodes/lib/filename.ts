/**
 * Turns whatever the person typed into a safe download name (without extension): no path
 * separators, characters Windows refuses, control characters or leading dots (hidden files),
 * at most MAX_FILENAME_LENGTH characters. Falls back when nothing usable is left.
 */
export const MAX_FILENAME_LENGTH = 100;

/** Characters Windows forbids in names; they include both path separators. */
const FORBIDDEN = new Set([...'<>:"/\\|?*']);

function isForbidden(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || FORBIDDEN.has(char);
}

export function sanitizeFilename(raw: string, fallback = "leffa"): string {
  let replaced = "";
  for (const char of raw.normalize("NFC")) {
    // One underscore per run of bad characters keeps "a///b" readable as "a_b".
    if (!isForbidden(char)) replaced += char;
    else if (!replaced.endsWith("_")) replaced += "_";
  }
  const cleaned = replaced
    // A ".png" the person typed would otherwise give "name.png.png".
    .replace(/\.png$/i, "")
    .replace(/\s+/g, " ")
    // Leading dots hide the file on Unix; trailing dots and spaces are dropped by Windows.
    .replace(/^[.\s]+|[.\s]+$/g, "");
  // Cut by code points so a surrogate pair is never split.
  const limited = Array.from(cleaned).slice(0, MAX_FILENAME_LENGTH).join("").trim();
  // Names Windows reserves for devices.
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(limited)) return `${limited}_`;
  return limited || fallback;
}
