/**
 * The token of an `Authorization: Bearer <token>` header, or null when the request has none.
 * Other schemes (a reverse proxy's Basic auth in front of the studio) are not ours: null too.
 * Its own module, free of the database, so the proxy can ask it.
 */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (value === null) return null;
  const match = /^Bearer[ \t]+(\S*)[ \t]*$/i.exec(value);
  return match ? match[1] : null;
}
