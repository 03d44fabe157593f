import { apiCall } from "../../shared/api-client";

/** Personal API tokens (/api/tokens): for scripts calling the runs API with `Bearer`. */
export interface ApiTokenEntry {
  id: string;
  name: string;
  /** The token's first characters, to tell tokens apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function listTokens(): Promise<ApiTokenEntry[]> {
  return (await apiCall<{ tokens: ApiTokenEntry[] }>("/api/tokens")).tokens;
}

/** Makes a token; `token` is in this answer only, never again. */
export function createToken(name: string): Promise<ApiTokenEntry & { token: string }> {
  return apiCall("/api/tokens", { method: "POST", body: JSON.stringify({ name }) });
}

export function revokeToken(id: string): Promise<void> {
  return apiCall(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" });
}
